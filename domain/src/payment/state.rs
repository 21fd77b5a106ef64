//! A payment's states and the one rule that moves it: from what the provider confirmed.
//!
//! `created → pending → succeeded | failed | expired`, `succeeded → refunded`. The provider's
//! answer to a lookup is the truth, whatever order webhooks came in: a payment that failed once
//! (insufficient funds) may still succeed in the same session; a late `failed` after `succeeded`
//! changes nothing; money that arrived for a session that had expired here is still money
//! received. An amount or currency other than the order's never succeeds.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentState {
    /// Stored before the provider was asked for a session.
    Created,
    /// The provider has a session; the payer has not paid (yet).
    Pending,
    Succeeded,
    /// The last attempt failed (the session may still be paid).
    Failed,
    Expired,
    Refunded,
}

impl PaymentState {
    pub const ALL: [PaymentState; 6] = [Self::Created, Self::Pending, Self::Succeeded, Self::Failed, Self::Expired, Self::Refunded];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Expired => "expired",
            Self::Refunded => "refunded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// No provider answer can move it any more, except a refund of a success.
    pub fn is_settled(self) -> bool {
        matches!(self, Self::Succeeded | Self::Expired | Self::Refunded)
    }
}

/// What a provider says about a payment's session when asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observed {
    /// Waiting for the payer.
    Open,
    /// Paid, for this amount in this currency (as the provider reports them).
    Paid {
        amount: i64,
        currency: String,
    },
    /// The last attempt failed, with the provider's reason.
    Failed {
        reason: String,
    },
    Expired,
    Refunded,
}

/// The state `current` moves to on `observed`, and the failure to record; `None` when nothing
/// changes. `expected` is the order's (amount, currency), compared with what was paid.
pub fn next(current: PaymentState, observed: &Observed, expected: (i64, &str)) -> Option<(PaymentState, Option<String>)> {
    use PaymentState::*;
    match (current, observed) {
        (Refunded, _) => None,
        (Succeeded, Observed::Refunded) => Some((Refunded, None)),
        (Succeeded, _) => None,
        (_, Observed::Paid { amount, currency }) => {
            if *amount == expected.0 && currency.eq_ignore_ascii_case(expected.1) {
                Some((Succeeded, None))
            } else if current == Failed {
                None
            } else {
                Some((Failed, Some("amount-mismatch".into())))
            }
        }
        (Created, Observed::Open) => Some((Pending, None)),
        // A failed attempt whose session is open again (the payer may retry).
        (Failed, Observed::Open) => Some((Pending, None)),
        (_, Observed::Open) => None,
        (Expired, Observed::Failed { .. }) => None,
        (Created | Pending | Failed, Observed::Failed { reason }) => Some((Failed, Some(reason.clone()))),
        (Expired, Observed::Expired) => None,
        (Created | Pending | Failed, Observed::Expired) => Some((Expired, None)),
        (_, Observed::Refunded) => Some((Refunded, None)),
    }
    .filter(|(to, why)| *to != current || (current == Failed && why.is_some()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use PaymentState::*;

    const ORDER: (i64, &str) = (1500, "XOF");

    fn paid(amount: i64) -> Observed {
        Observed::Paid { amount, currency: "XOF".into() }
    }

    #[test]
    fn a_session_opens_then_is_paid_once() {
        assert_eq!(next(Created, &Observed::Open, ORDER), Some((Pending, None)));
        assert_eq!(next(Pending, &Observed::Open, ORDER), None);
        assert_eq!(next(Pending, &paid(1500), ORDER), Some((Succeeded, None)));
        assert_eq!(next(Succeeded, &paid(1500), ORDER), None, "a duplicate changes nothing");
        assert_eq!(next(Succeeded, &Observed::Failed { reason: "payment-failure".into() }, ORDER), None, "late failure");
        assert_eq!(next(Succeeded, &Observed::Expired, ORDER), None);
        assert_eq!(next(Succeeded, &Observed::Refunded, ORDER), Some((Refunded, None)));
        assert_eq!(next(Refunded, &paid(1500), ORDER), None);
    }

    #[test]
    fn a_failed_attempt_may_still_be_paid() {
        let insufficient = Observed::Failed { reason: "insufficient-funds".into() };
        assert_eq!(next(Pending, &insufficient, ORDER), Some((Failed, Some("insufficient-funds".into()))));
        assert_eq!(next(Failed, &Observed::Open, ORDER), Some((Pending, None)));
        assert_eq!(next(Failed, &paid(1500), ORDER), Some((Succeeded, None)));
        assert_eq!(next(Expired, &paid(1500), ORDER), Some((Succeeded, None)), "money received is never lost");
    }

    #[test]
    fn a_wrong_amount_or_currency_never_succeeds() {
        assert_eq!(next(Pending, &paid(150), ORDER), Some((Failed, Some("amount-mismatch".into()))));
        assert_eq!(next(Failed, &paid(150), ORDER), None);
        let euros = Observed::Paid { amount: 1500, currency: "EUR".into() };
        assert_eq!(next(Pending, &euros, ORDER), Some((Failed, Some("amount-mismatch".into()))));
        assert_eq!(next(Pending, &Observed::Paid { amount: 1500, currency: "xof".into() }, ORDER), Some((Succeeded, None)));
    }

    #[test]
    fn expiry_ends_what_was_not_paid() {
        assert_eq!(next(Pending, &Observed::Expired, ORDER), Some((Expired, None)));
        assert_eq!(next(Failed, &Observed::Expired, ORDER), Some((Expired, None)));
        assert_eq!(next(Expired, &Observed::Failed { reason: "x".into() }, ORDER), None);
        assert_eq!(next(Expired, &Observed::Open, ORDER), None);
    }

    #[test]
    fn states_have_stable_names() {
        for s in PaymentState::ALL {
            assert_eq!(PaymentState::parse(s.as_str()), Some(s));
        }
    }
}
