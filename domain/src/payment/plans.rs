//! Premium: plans sold as prepaid periods (mobile money keeps no card on file, so a period is
//! bought and then renewed by the reader, reminded before it ends), and a reader's subscription:
//! until when it opens every book an editor marked premium.

use crate::catalog::Money;
use serde::{Deserialize, Serialize};

/// A plan readers can buy (`monthly`, `yearly`), priced by admins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub id: String,
    pub period_days: i64,
    pub price: Money,
    /// Sold now (an admin can stop selling a plan without touching who bought it).
    pub active: bool,
}

impl Plan {
    /// The plans Coko knows how to name (the migration makes them).
    pub const IDS: [&'static str; 2] = ["monthly", "yearly"];

    /// The period a payment for it adds, in milliseconds.
    pub fn period_ms(&self) -> i64 {
        self.period_days * 86_400_000
    }

    /// Its name in `lang` (mails; the pages name it through their own translations).
    pub fn name(id: &str, lang: crate::validation::Language) -> &'static str {
        use crate::validation::Language::*;
        match (id, lang) {
            ("yearly", En) => "Premium yearly",
            ("yearly", Ar) => "بريميوم سنوي",
            ("yearly", _) => "Premium annuel",
            (_, En) => "Premium monthly",
            (_, Ar) => "بريميوم شهري",
            _ => "Premium mensuel",
        }
    }

    /// What a month costs on this plan, in francs (rounded down): what "yearly saves" is
    /// measured against.
    pub fn monthly_equivalent(&self) -> i64 {
        self.price.amount * 30 / self.period_days.max(1)
    }
}

/// A reader's Premium.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    pub plan_id: String,
    /// Premium books open until then (in the past: ended).
    pub access_until: chrono::DateTime<chrono::Utc>,
    /// Renewed without asking (a card that can be charged); mobile money never is.
    pub auto_renew: bool,
}

impl Subscription {
    pub fn is_active(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        self.access_until > now
    }

    /// Days left, a day begun counting as one (30 just after paying for 30; 0 once ended).
    pub fn days_left(&self, now: chrono::DateTime<chrono::Utc>) -> i64 {
        let secs = (self.access_until - now).num_seconds().max(0);
        (secs + 86_399) / 86_400
    }
}

/// The lowest and highest price an admin may set for a plan, in XOF.
pub const PLAN_PRICES: std::ops::RangeInclusive<i64> = 100..=1_000_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_and_monthly_equivalents() {
        let yearly = Plan { id: "yearly".into(), period_days: 365, price: Money::xof(20_000), active: true };
        assert_eq!(yearly.period_ms(), 365 * 86_400_000);
        assert_eq!(yearly.monthly_equivalent(), 1643);
        let now = chrono::Utc::now();
        let s = Subscription { plan_id: "monthly".into(), access_until: now + chrono::Duration::hours(49), auto_renew: false };
        assert!(s.is_active(now));
        assert_eq!(s.days_left(now), 3);
        assert_eq!(s.days_left(now + chrono::Duration::hours(25)), 1);
        assert!(!s.is_active(now + chrono::Duration::days(3)));
        assert_eq!(s.days_left(now + chrono::Duration::days(3)), 0);
    }
}
