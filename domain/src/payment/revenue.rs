//! Revenue for the admins: per month and provider, what was received (payments confirmed that
//! month), what was given back (refunds made that month) and what remains, in XOF. Computed
//! from the payments themselves, so it always agrees with them.

use super::{PaymentState, Provider};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One payment as revenue counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    pub provider: Provider,
    pub amount: i64,
    pub state: PaymentState,
    pub succeeded_at: chrono::DateTime<chrono::Utc>,
    /// When it was refunded (its last change), for a refunded payment.
    pub refunded_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A provider's month.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    /// Payments confirmed in the month.
    pub payments: u32,
    pub received: i64,
    pub refunds: u32,
    pub refunded: i64,
}

impl Figures {
    pub fn net(&self) -> i64 {
        self.received - self.refunded
    }

    fn add(&mut self, other: &Figures) {
        self.payments += other.payments;
        self.received += other.received;
        self.refunds += other.refunds;
        self.refunded += other.refunded;
    }
}

/// One month: its first day, each provider's figures, and their sum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Month {
    pub month: chrono::NaiveDate,
    pub providers: Vec<(Provider, Figures)>,
    pub total: Figures,
}

/// The months asked for, oldest first (every month, even one without payments), and the
/// whole period per provider.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revenue {
    pub months: Vec<Month>,
    pub providers: Vec<(Provider, Figures)>,
    pub total: Figures,
}

fn month_of(t: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
    use chrono::Datelike;
    chrono::NaiveDate::from_ymd_opt(t.year(), t.month(), 1).unwrap_or_default()
}

/// The first day of the month `n` months before `day`'s.
pub fn months_back(day: chrono::NaiveDate, n: u32) -> chrono::NaiveDate {
    use chrono::Datelike;
    let index = day.year() * 12 + day.month0() as i32 - n as i32;
    chrono::NaiveDate::from_ymd_opt(index.div_euclid(12), index.rem_euclid(12) as u32 + 1, 1).unwrap_or_default()
}

/// Revenue of the `months` months that end with `now`'s, from the payments settled since the
/// first of them (received in the month they were confirmed, refunded in the month they were
/// given back).
pub fn revenue(settled: &[Settled], now: chrono::DateTime<chrono::Utc>, months: u32) -> Revenue {
    let last = month_of(now);
    let first = months_back(last, months.saturating_sub(1));
    let mut by: BTreeMap<(chrono::NaiveDate, Provider), Figures> = BTreeMap::new();
    for s in settled {
        let received = month_of(s.succeeded_at);
        if received >= first && received <= last {
            let f = by.entry((received, s.provider)).or_default();
            f.payments += 1;
            f.received += s.amount;
        }
        if let (PaymentState::Refunded, Some(at)) = (s.state, s.refunded_at) {
            let refunded = month_of(at);
            if refunded >= first && refunded <= last {
                let f = by.entry((refunded, s.provider)).or_default();
                f.refunds += 1;
                f.refunded += s.amount;
            }
        }
    }
    let mut out = Revenue::default();
    let mut whole: BTreeMap<Provider, Figures> = BTreeMap::new();
    for i in (0..months).rev() {
        let month = months_back(last, i);
        let providers: Vec<(Provider, Figures)> =
            Provider::ALL.into_iter().filter_map(|p| by.get(&(month, p)).map(|f| (p, f.clone()))).collect();
        let mut total = Figures::default();
        for (p, f) in &providers {
            total.add(f);
            whole.entry(*p).or_default().add(f);
        }
        out.total.add(&total);
        out.months.push(Month { month, providers, total });
    }
    out.providers = whole.into_iter().collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&chrono::Utc)
    }

    #[test]
    fn months_count_what_was_received_and_given_back_in_them() {
        let paid =
            |p, amount, when| Settled { provider: p, amount, state: PaymentState::Succeeded, succeeded_at: at(when), refunded_at: None };
        let settled = vec![
            paid(Provider::Wave, 2000, "2026-12-02T10:00:00Z"),
            paid(Provider::Wave, 1500, "2026-12-30T23:59:00Z"),
            paid(Provider::Orange, 20000, "2026-11-15T08:00:00Z"),
            // Paid in October (outside the window), refunded in November: the refund counts.
            Settled {
                provider: Provider::Stripe,
                amount: 2500,
                state: PaymentState::Refunded,
                succeeded_at: at("2026-10-01T00:00:00Z"),
                refunded_at: Some(at("2026-11-20T00:00:00Z")),
            },
            paid(Provider::Wave, 999, "2025-01-01T00:00:00Z"),
        ];
        let r = revenue(&settled, at("2026-12-06T12:00:00Z"), 2);
        assert_eq!(r.months.len(), 2);
        assert_eq!(r.months[0].month.to_string(), "2026-11-01");
        assert_eq!(r.months[0].total.net(), 20000 - 2500);
        assert_eq!(r.months[1].total, Figures { payments: 2, received: 3500, refunds: 0, refunded: 0 });
        assert_eq!(r.total.net(), 3500 + 20000 - 2500);
        let wave = r.providers.iter().find(|(p, _)| *p == Provider::Wave).unwrap();
        assert_eq!(wave.1.received, 3500);
        assert_eq!(months_back(chrono::NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(), 3).to_string(), "2025-11-01");
        // A month without payments is still a month.
        assert_eq!(revenue(&[], at("2026-12-06T12:00:00Z"), 12).months.len(), 12);
    }
}
