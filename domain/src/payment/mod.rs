//! Payments: single books and Premium periods bought in XOF through Wave and Stripe (and,
//! next, Orange Money and PayPal).
//!
//! A payment is a state machine ([`state`]) moved only by what the provider confirms server to
//! server: a webhook is a hint, verified and then checked with a lookup. The entitlement a
//! payment grants is written in the same unit of work as its move to `succeeded`, exactly once.
//! The browser-safe model is here; the store, the service, the providers and the job that
//! re-checks pending payments sit behind `ssr`.

pub mod plans;
pub mod revenue;
pub mod state;

#[cfg(feature = "ssr")]
pub mod invoice;
#[cfg(feature = "ssr")]
mod jobs;
#[cfg(feature = "ssr")]
mod notices;
#[cfg(feature = "ssr")]
mod port;
#[cfg(feature = "ssr")]
pub mod providers;
#[cfg(feature = "ssr")]
mod renewal;
#[cfg(feature = "ssr")]
mod service;
#[cfg(feature = "ssr")]
mod sql;

#[cfg(feature = "ssr")]
pub use jobs::CheckPendingPayments;
#[cfg(feature = "ssr")]
pub use notices::{PaymentNotices, NOTICE_QUEUE};
#[cfg(feature = "ssr")]
pub use port::{NewPayment, NewProviderEvent, PaymentStore};
#[cfg(feature = "ssr")]
pub use renewal::{reminder, RenewalReminders, RENEWAL_QUEUE};
#[cfg(feature = "ssr")]
pub use service::{Checkout, PaymentError, PaymentService, WebhookOutcome};

use crate::error::Reason;
pub use plans::{Plan, Subscription, PLAN_PRICES};
use serde::{Deserialize, Serialize};
pub use state::PaymentState;

/// The providers Coko can take money through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    Wave,
    Orange,
    Stripe,
    PayPal,
}

impl Provider {
    pub const ALL: [Provider; 4] = [Provider::Wave, Provider::Orange, Provider::Stripe, Provider::PayPal];

    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Wave => "wave",
            Provider::Orange => "orange",
            Provider::Stripe => "stripe",
            Provider::PayPal => "paypal",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Its name as its users know it (a brand: not translated).
    pub fn label(self) -> &'static str {
        match self {
            Provider::Wave => "Wave",
            Provider::Orange => "Orange Money",
            Provider::Stripe => "Stripe",
            Provider::PayPal => "PayPal",
        }
    }

    /// Mobile money: the payer is known by a phone number, and no card is kept on file.
    pub fn is_mobile_money(self) -> bool {
        matches!(self, Provider::Wave | Provider::Orange)
    }

    /// A failed attempt ends its session (Orange: FAILED is final), where Wave's and Stripe's
    /// stay open for the payer to try again.
    pub fn failure_is_final(self) -> bool {
        matches!(self, Provider::Orange | Provider::PayPal)
    }

    /// The payer's number is asked by Coko and given to the provider (Wave: only that account
    /// may pay the session). Orange asks for it on its own page.
    pub fn needs_phone(self) -> bool {
        matches!(self, Provider::Wave)
    }

    /// The calling codes of the countries where the provider takes payments (Wave: Senegal,
    /// Côte d'Ivoire, Mali, Burkina Faso, The Gambia, Uganda; docs.wave.com/business).
    pub fn calling_codes(self) -> &'static [&'static str] {
        match self {
            Provider::Wave => &["221", "225", "223", "226", "220", "256"],
            // Orange Money WebPay: Côte d'Ivoire, Mali, Senegal, Burkina Faso, Cameroon, Guinea,
            // Madagascar, Sierra Leone, DR Congo, Central African Republic, Guinea-Bissau,
            // Botswana (developer.orange.com/apis/om-webpay).
            Provider::Orange => &["225", "223", "221", "226", "237", "224", "261", "232", "243", "236", "245", "267"],
            // Cards and PayPal: no phone is asked.
            Provider::Stripe | Provider::PayPal => &[],
        }
    }
}

/// What `provider` is asked to charge for `price`: the same XOF, or for PayPal (which takes no
/// XOF) its euros at the fixed peg, in cents.
pub fn charged(provider: Provider, price: &crate::catalog::Money) -> crate::catalog::Money {
    match (provider, price.currency.as_str()) {
        (Provider::PayPal, "XOF") => crate::catalog::Money { amount: eur_cents(price.amount), currency: "EUR".into() },
        _ => price.clone(),
    }
}

/// `xof` francs in euro cents at the peg (1 EUR = 655.957 XOF), rounded half up.
pub fn eur_cents(xof: i64) -> i64 {
    (xof * 100_000 * 2 + 655_957) / (2 * 655_957)
}

/// A payer's phone number as typed (`77 123 45 67` with the country's code, `+221771234567`,
/// `00221…`), read as E.164 (`+221771234567`) and checked against the countries where
/// `provider` works.
pub fn parse_phone(provider: Provider, input: &str) -> Result<String, Reason> {
    let number = crate::validation::e164(input)?;
    if !provider.calling_codes().iter().any(|code| number[1..].starts_with(code)) {
        return Err(Reason::Unknown);
    }
    Ok(number)
}

/// What a payment buys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Item {
    Book(String),
    /// A Premium plan's period (its id: `monthly`, `yearly`).
    Plan(String),
}

impl Item {
    pub fn kind(&self) -> &'static str {
        match self {
            Item::Book(_) => "book",
            Item::Plan(_) => "plan",
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Item::Book(id) | Item::Plan(id) => id,
        }
    }
}

/// One payment, as its reader and the admins see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub id: String,
    pub user_id: String,
    pub item: Item,
    /// The item's title when it was bought.
    pub title: String,
    /// The price, in francs.
    pub amount: i64,
    pub currency: String,
    /// What the provider was asked for (the same as the price, except for currencies a
    /// provider does not take).
    pub charged_amount: i64,
    pub charged_currency: String,
    pub provider: Provider,
    pub state: PaymentState,
    /// Why it failed, as the provider put it (`insufficient-funds`…) or as Coko found it
    /// (`amount-mismatch`).
    pub failure: Option<String>,
    pub payer_phone: Option<String>,
    /// The provider's page to send the payer to, once a session exists.
    pub redirect_url: Option<String>,
    pub provider_ref: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// When Coko last asked the provider.
    pub checked_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl Payment {
    /// Still waiting for the payer or the provider.
    pub fn is_pending(&self) -> bool {
        matches!(self.state, PaymentState::Created | PaymentState::Pending)
    }

    /// A failed attempt whose session may still be paid (its provider keeps it open after a
    /// failure, and it has not ended).
    pub fn session_open_after_failure(&self) -> bool {
        !self.provider.failure_is_final() && self.expires_at.is_some_and(|t| t > chrono::Utc::now())
    }
}

/// Which payments the admins' list shows (every field optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentFilter {
    pub provider: Option<Provider>,
    pub state: Option<PaymentState>,
    /// Part of the reader's e-mail address.
    pub reader: Option<String>,
    /// Made on or after this day (UTC).
    pub from: Option<chrono::NaiveDate>,
    /// Made on or before this day (UTC).
    pub to: Option<chrono::NaiveDate>,
}

/// A payment in the admins' list, with its reader's address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRow {
    pub payment: Payment,
    pub email: String,
}

/// A page of the admins' list, newest first, and where the next one starts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentList {
    pub rows: Vec<PaymentRow>,
    pub next_cursor: Option<String>,
}

/// A provider event or lookup, as the admins' history shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderEvent {
    pub id: i64,
    pub source: String,
    pub provider_event_id: Option<String>,
    pub state_before: Option<PaymentState>,
    pub state_after: Option<PaymentState>,
    pub body: String,
    pub headers: String,
    pub received_at: chrono::DateTime<chrono::Utc>,
}

/// The failures a reader is told about in their own words; others are shown as a general
/// failure with the provider's code.
pub const KNOWN_FAILURES: [&str; 8] = [
    "insufficient-funds",
    "payer-mobile-mismatch",
    "blocked-account",
    "cross-border-payment-not-allowed",
    "customer-age-restricted",
    "kyb-limits-exceeded",
    "amount-mismatch",
    "refused-by-provider",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_read_as_e164_in_the_providers_countries() {
        assert_eq!(parse_phone(Provider::Wave, "+221 77 123 45 67"), Ok("+221771234567".into()));
        assert_eq!(parse_phone(Provider::Wave, "00225 07 12 34 56 78"), Ok("+2250712345678".into()));
        assert_eq!(parse_phone(Provider::Wave, ""), Err(Reason::Required));
        assert_eq!(parse_phone(Provider::Wave, "77 123 45 67"), Err(Reason::InvalidFormat), "no country code");
        assert_eq!(parse_phone(Provider::Wave, "+221 77 12x"), Err(Reason::InvalidFormat));
        assert_eq!(parse_phone(Provider::Wave, "+33 6 12 34 56 78"), Err(Reason::Unknown), "Wave does not work in France");
    }

    #[test]
    fn providers_and_items_have_stable_names() {
        for p in Provider::ALL {
            assert_eq!(Provider::parse(p.as_str()), Some(p));
        }
        assert_eq!(serde_json::to_string(&Item::Book("b1".into())).unwrap(), r#"{"kind":"book","id":"b1"}"#);
        assert_eq!(serde_json::to_string(&Item::Plan("yearly".into())).unwrap(), r#"{"kind":"plan","id":"yearly"}"#);
    }
}
