//! The payments port: payments, what providers said about them, the entitlements they grant,
//! and Premium's plans and subscriptions.

use super::{Payment, PaymentFilter, PaymentState, Plan, Provider, ProviderEvent, Subscription};
use crate::store::{StoreResult, Tx, UnitOfWork};
use async_trait::async_trait;

/// A payment to store before any provider is asked.
#[derive(Debug, Clone)]
pub struct NewPayment {
    pub id: String,
    pub user_id: String,
    pub item: super::Item,
    pub title: String,
    pub amount: i64,
    pub currency: String,
    pub charged_amount: i64,
    pub charged_currency: String,
    pub provider: Provider,
    pub payer_phone: Option<String>,
    /// One open payment per reader, item and provider (see the migration).
    pub open_key: String,
    pub now_ms: i64,
}

/// Something a provider said, to keep as received.
#[derive(Debug, Clone)]
pub struct NewProviderEvent<'a> {
    pub payment_id: Option<&'a str>,
    pub provider: Provider,
    /// `create`, `webhook`, `lookup`, `refund`.
    pub source: &'static str,
    pub provider_event_id: Option<&'a str>,
    pub state_before: Option<PaymentState>,
    pub state_after: Option<PaymentState>,
    pub body: &'a str,
    /// The headers that matter (signatures, ids), as JSON.
    pub headers: &'a str,
    pub now_ms: i64,
}

/// The provider's session for a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord<'a> {
    pub provider_ref: &'a str,
    pub redirect_url: &'a str,
    pub secret: Option<&'a str>,
    pub expires_at_ms: Option<i64>,
}

#[async_trait]
pub trait PaymentStore: UnitOfWork {
    /// Stores a new payment; `false` when an open one has its `open_key` already.
    async fn insert_payment(&self, tx: &mut Tx, p: &NewPayment) -> StoreResult<bool>;
    async fn payment(&self, id: &str) -> StoreResult<Option<Payment>>;
    /// The payment, its row locked until `tx` ends (PostgreSQL; SQLite's unit of work holds the
    /// write lock already).
    async fn payment_for_update(&self, tx: &mut Tx, id: &str) -> StoreResult<Option<Payment>>;
    async fn open_payment(&self, open_key: &str) -> StoreResult<Option<Payment>>;
    async fn payment_by_ref(&self, provider: Provider, provider_ref: &str) -> StoreResult<Option<Payment>>;
    /// The payment whose session the provider gave `secret` (Orange's `notif_token`).
    async fn payment_by_secret(&self, provider: Provider, secret: &str) -> StoreResult<Option<Payment>>;
    /// A reader's payments, the newest first.
    async fn payments_of(&self, user_id: &str, limit: u32) -> StoreResult<Vec<Payment>>;
    /// Every reader's payments that `filter` keeps, newest first, before `before` (created_at
    /// in ms, id), with each reader's e-mail address.
    async fn payments_filtered(
        &self,
        filter: &PaymentFilter,
        before: Option<(i64, String)>,
        limit: u32,
    ) -> StoreResult<Vec<(Payment, String)>>;
    /// Takes the right to create the provider's session until `until_ms`: `Some(attempts before
    /// this one)`, or `None` when the payment has a session or another request holds the right.
    async fn claim_creation(&self, id: &str, now_ms: i64, until_ms: i64) -> StoreResult<Option<u32>>;
    /// Gives the right back after a failed attempt.
    async fn release_creation(&self, id: &str) -> StoreResult<()>;
    async fn set_session(&self, tx: &mut Tx, id: &str, session: &SessionRecord<'_>, now_ms: i64) -> StoreResult<()>;
    /// Moves the payment from `from` to `to` (no change when it is no longer in `from`);
    /// settled payments lose their `open_key`.
    async fn set_state(
        &self,
        tx: &mut Tx,
        id: &str,
        from: PaymentState,
        to: PaymentState,
        failure: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<bool>;
    /// Lets a new payment take this one's place for its reader, item and provider.
    async fn close_payment(&self, tx: &mut Tx, id: &str) -> StoreResult<()>;
    async fn mark_checked(&self, id: &str, now_ms: i64) -> StoreResult<()>;
    async fn record_event(&self, tx: &mut Tx, e: &NewProviderEvent<'_>) -> StoreResult<()>;
    /// What providers said about a payment, oldest first.
    async fn provider_events(&self, payment_id: &str) -> StoreResult<Vec<ProviderEvent>>;
    async fn owns_book(&self, user_id: &str, book_id: &str) -> StoreResult<bool>;
    /// The entitlement a payment grants; `false` when the reader had the book already.
    async fn grant_purchase(&self, tx: &mut Tx, user_id: &str, book_id: &str, payment_id: &str, now_ms: i64) -> StoreResult<bool>;
    /// Takes back the entitlement `payment_id` granted (not one given otherwise).
    async fn revoke_purchase(&self, tx: &mut Tx, payment_id: &str) -> StoreResult<bool>;

    /// Issues the invoice of a succeeded payment (the next number of `year`), once: its number,
    /// or `None` when it had one already.
    async fn issue_invoice(&self, tx: &mut Tx, payment_id: &str, year: i32, now_ms: i64) -> StoreResult<Option<String>>;
    async fn invoice(&self, payment_id: &str) -> StoreResult<Option<super::invoice::Invoice>>;

    /// The payments confirmed (refunded since or not) from `from_ms` on, or refunded from then.
    async fn settled_since(&self, from_ms: i64) -> StoreResult<Vec<super::revenue::Settled>>;

    /// Every plan, sold or not, in their order.
    async fn plans(&self) -> StoreResult<Vec<Plan>>;
    /// Sets a plan's price and whether it is sold; `false` for an unknown plan.
    async fn set_plan(&self, tx: &mut Tx, id: &str, price: i64, active: bool, now_ms: i64) -> StoreResult<bool>;
    async fn subscription(&self, user_id: &str) -> StoreResult<Option<Subscription>>;
    /// Adds the plan's period that `payment_id` paid for, from the later of now and the current
    /// end: the new end, or `None` when this payment added its period already.
    async fn extend_subscription(&self, tx: &mut Tx, user_id: &str, plan: &Plan, payment_id: &str, now_ms: i64)
        -> StoreResult<Option<i64>>;
    /// Takes back the period `payment_id` added (a refund): the new end, `None` when it added
    /// none or it was taken back already.
    async fn revoke_subscription(&self, tx: &mut Tx, payment_id: &str, now_ms: i64) -> StoreResult<Option<i64>>;
    async fn set_auto_renew(&self, tx: &mut Tx, user_id: &str, on: bool, now_ms: i64) -> StoreResult<bool>;
    /// The readers whose Premium ends between the two instants (renewal reminders).
    async fn subscriptions_ending(&self, from_ms: i64, to_ms: i64, limit: u32) -> StoreResult<Vec<(String, Subscription)>>;
}
