//! The payment service: checkout, confirmation with the provider, webhooks, refunds.
//!
//! Money rules kept here: the payment row is committed before any provider is called; a second
//! checkout for the same book and provider finds the open payment instead of opening a second
//! session; a create whose answer was lost is resolved by the provider's lookup by reference,
//! never by a blind second create; a webhook is verified on its raw body, kept as received, and
//! then only triggers a lookup; the move to `succeeded` and the entitlement are one unit of work.

use super::providers::{Headers, Order, PaymentProvider, ProviderError, WebhookRejected};
use super::state::{next, Observed};
use super::{parse_phone, Item, NewPayment, NewProviderEvent, Payment, PaymentState, PaymentStore, Provider};
use crate::account::{Role, User};
use crate::audit::{Actor, AuditAction, AuditEntry};
use crate::catalog::{BookStatus, CatalogStore};
use crate::error::{FieldError, Reason};
use crate::events::Event;
use crate::store::StoreError;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    #[error("not found")]
    NotFound,
    #[error("not allowed")]
    Forbidden,
    #[error("invalid: {0:?}")]
    Invalid(Vec<FieldError>),
    /// The reader can already open the book.
    #[error("already owned")]
    AlreadyOwned,
    /// A free book.
    #[error("not for sale")]
    NotForSale,
    /// Only a succeeded payment can be refunded.
    #[error("not refundable")]
    NotRefundable,
    /// The provider is down or slow: the order is kept and can be tried again.
    #[error("provider unavailable: {0}")]
    Unavailable(String),
    /// The provider refused the request (its code).
    #[error("refused by the provider: {0}")]
    Refused(String),
    /// A webhook whose signature does not hold.
    #[error("webhook rejected: {0}")]
    Rejected(WebhookRejected),
    #[error("store: {0}")]
    Store(#[from] StoreError),
}

impl From<ProviderError> for PaymentError {
    fn from(e: ProviderError) -> Self {
        match e {
            ProviderError::Refused { code, .. } => PaymentError::Refused(code),
            other => PaymentError::Unavailable(other.to_string()),
        }
    }
}

/// A checkout as a form or the API sends it.
#[derive(Debug, Clone, Default)]
pub struct Checkout {
    /// A book to buy, or…
    pub book_id: String,
    /// …a Premium plan (`monthly`, `yearly`).
    pub plan: String,
    pub provider: String,
    pub phone: String,
}

/// What a verified webhook led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookOutcome {
    /// The payment as the provider's lookup left it.
    Checked(PaymentState),
    /// About no payment of ours (kept, nothing else done).
    Unknown,
}

/// How long one request may hold the right to open a provider session.
const CREATION_LEASE: Duration = Duration::from_secs(30);
/// A pending page asks the provider at most this often.
const LOOKUP_EVERY: Duration = Duration::from_secs(3);
/// An open session this close to its end is not handed out again.
const EXPIRY_MARGIN: Duration = Duration::from_secs(120);

#[derive(Clone)]
pub struct PaymentService {
    store: Arc<dyn PaymentStore>,
    books: Arc<dyn CatalogStore>,
    providers: Arc<BTreeMap<Provider, Arc<dyn PaymentProvider>>>,
    base_url: String,
    /// When the first background check of a new payment runs.
    pub(super) check_after: Duration,
}

fn invalid(field: &str, reason: Reason) -> PaymentError {
    PaymentError::Invalid(vec![FieldError::new(field, reason)])
}

impl PaymentService {
    /// `base_url`: Coko's public address, for the provider's return links.
    pub fn new(
        store: Arc<dyn PaymentStore>,
        books: Arc<dyn CatalogStore>,
        providers: Vec<Arc<dyn PaymentProvider>>,
        base_url: &str,
    ) -> Self {
        let providers = providers.into_iter().map(|p| (p.provider(), p)).collect();
        PaymentService {
            store,
            books,
            providers: Arc::new(providers),
            base_url: base_url.trim_end_matches('/').to_owned(),
            check_after: Duration::from_secs(20),
        }
    }

    /// When the background check of a new payment first runs (20 s by default).
    pub fn with_check_after(mut self, after: Duration) -> Self {
        self.check_after = after;
        self
    }

    /// The providers offered, in a stable order.
    pub fn providers(&self) -> Vec<Provider> {
        self.providers.keys().copied().collect()
    }

    /// Where the checkout form may send the payer (the providers' payment pages).
    pub fn checkout_origins(&self) -> Vec<String> {
        let mut origins: Vec<String> = self.providers.values().map(|p| p.checkout_origin()).collect();
        origins.sort();
        origins.dedup();
        origins
    }

    fn provider(&self, p: Provider) -> Result<&Arc<dyn PaymentProvider>, PaymentError> {
        self.providers.get(&p).ok_or_else(|| PaymentError::Unavailable(format!("{} is not configured", p.as_str())))
    }

    /// Starts (or finds again) the payment of a book or a Premium plan: the payment as stored,
    /// with the provider's page to send the reader to in `redirect_url`.
    pub async fn checkout(&self, user: &User, input: &Checkout, ip: &str) -> Result<Payment, PaymentError> {
        let provider = match input.provider.trim() {
            "" => return Err(invalid("provider", Reason::Required)),
            p => Provider::parse(p).filter(|p| self.providers.contains_key(p)).ok_or_else(|| invalid("provider", Reason::Unknown))?,
        };
        let (item, title, price) = match (input.book_id.trim(), input.plan.trim()) {
            ("", "") => return Err(invalid("plan", Reason::Required)),
            ("", plan) => {
                let plan = self.plan(plan).await?.filter(|p| p.active).ok_or_else(|| invalid("plan", Reason::Unknown))?;
                (Item::Plan(plan.id.clone()), format!("Coko {}", super::Plan::name(&plan.id, crate::validation::Language::Fr)), plan.price)
            }
            (book_id, "") => {
                let book = self.books.book_by_id(book_id).await?.ok_or(PaymentError::NotFound)?;
                if book.status != BookStatus::Published {
                    return Err(PaymentError::NotFound);
                }
                // Free, or only in Premium.
                if book.price.amount == 0 {
                    return Err(PaymentError::NotForSale);
                }
                (Item::Book(book.id.clone()), book.title.clone(), book.price)
            }
            // One thing at a time.
            _ => return Err(invalid("plan", Reason::Mismatch)),
        };
        // Required where the provider takes it; kept when given for another mobile money.
        let phone = match (provider.needs_phone(), provider.is_mobile_money() && !input.phone.trim().is_empty()) {
            (true, _) | (false, true) => Some(parse_phone(provider, &input.phone).map_err(|r| invalid("phone", r))?),
            (false, false) => None,
        };
        // What the provider is asked for: the price, or its euros at the peg where the provider
        // takes no XOF (PayPal); both are kept.
        let charged = super::charged(provider, &price);
        if let Item::Book(book_id) = &item {
            if self.store.owns_book(&user.id, book_id).await? {
                return Err(PaymentError::AlreadyOwned);
            }
        }
        let open_key = format!("{}|{}:{}|{}", user.id, item.kind(), item.id(), provider.as_str());
        for _ in 0..3 {
            if let Some(open) = self.store.open_payment(&open_key).await? {
                let now = chrono::Utc::now();
                let fresh = open.expires_at.is_none_or(|t| t - now > chrono::Duration::from_std(EXPIRY_MARGIN).unwrap_or_default());
                if open.state == PaymentState::Created && open.provider_ref.is_none() {
                    return self.open_session(open, user.language).await;
                }
                let reusable =
                    open.state != PaymentState::Succeeded && !(open.state == PaymentState::Failed && open.provider.failure_is_final());
                if fresh && open.redirect_url.is_some() && open.payer_phone == phone && reusable {
                    return Ok(open);
                }
                // Ending, or for another number: a new session takes its place (the background
                // check still follows the old one, in case it is paid after all).
                let mut tx = self.store.begin().await?;
                self.store.close_payment(&mut tx, &open.id).await?;
                tx.commit().await?;
            }
            let now = crate::clock::now_ms();
            let p = NewPayment {
                id: uuid::Uuid::now_v7().to_string(),
                user_id: user.id.clone(),
                item: item.clone(),
                title: title.clone(),
                amount: price.amount,
                currency: price.currency.clone(),
                charged_amount: charged.amount,
                charged_currency: charged.currency.clone(),
                provider,
                payer_phone: phone.clone(),
                open_key: open_key.clone(),
                now_ms: now,
            };
            let mut tx = self.store.begin().await?;
            if !self.store.insert_payment(&mut tx, &p).await? {
                tx.rollback().await?;
                continue; // a concurrent checkout stored one: use it
            }
            let after = serde_json::json!({
                "provider": provider.as_str(), "amount": p.amount, "currency": p.currency, item.kind(): item.id()
            });
            tx.audit(&AuditEntry::new(&Actor::user(user, ip), AuditAction::PaymentStarted, &p.id, &title, None, Some(after))).await?;
            tx.event(&Event::PaymentStarted { payment_id: p.id.clone(), user_id: user.id.clone() }).await?;
            tx.commit().await?;
            let stored = self.store.payment(&p.id).await?.ok_or(PaymentError::NotFound)?;
            return self.open_session(stored, user.language).await;
        }
        Err(PaymentError::Unavailable("checkout contended".into()))
    }

    /// Asks the provider for the payment's session, once: a request that finds another one
    /// doing it waits for its answer; an earlier attempt whose answer was lost is looked up by
    /// reference first.
    async fn open_session(&self, p: Payment, language: crate::validation::Language) -> Result<Payment, PaymentError> {
        let now = crate::clock::now_ms();
        let Some(attempts) = self.store.claim_creation(&p.id, now, now + CREATION_LEASE.as_millis() as i64).await? else {
            for _ in 0..40 {
                tokio::time::sleep(Duration::from_millis(250)).await;
                let q = self.store.payment(&p.id).await?.ok_or(PaymentError::NotFound)?;
                if q.redirect_url.is_some() || q.state != PaymentState::Created {
                    return Ok(q);
                }
            }
            return Err(PaymentError::Unavailable("session still being opened".into()));
        };
        let provider = self.provider(p.provider)?;
        let found = match attempts {
            0 => Ok(None),
            _ => provider.find_by_reference(&p.id).await,
        };
        let return_url = format!("{}/achats/{}", self.base_url, p.id);
        let notify_url = format!("{}/api/v1/payment/webhooks/{}/", self.base_url, p.provider.as_str());
        let order = Order {
            payment_id: &p.id,
            amount: p.charged_amount,
            currency: &p.charged_currency,
            title: &p.title,
            payer_phone: p.payer_phone.as_deref(),
            return_url: &return_url,
            notify_url: &notify_url,
            attempt: attempts,
            language,
        };
        let session = match found {
            Ok(Some(s)) => Ok(s),
            Ok(None) => provider.create(&order).await,
            Err(e) => Err(e),
        };
        let session = match session {
            Ok(s) => s,
            Err(ProviderError::Refused { code, message }) => {
                let mut tx = self.store.begin().await?;
                self.store.set_state(&mut tx, &p.id, PaymentState::Created, PaymentState::Failed, Some("refused-by-provider"), now).await?;
                self.store.close_payment(&mut tx, &p.id).await?;
                let body = serde_json::json!({ "code": code, "message": message }).to_string();
                self.record(&mut tx, &p, "create", None, (Some(PaymentState::Created), Some(PaymentState::Failed)), &body, "{}").await?;
                tx.commit().await?;
                return Err(PaymentError::Refused(code));
            }
            Err(e) => {
                self.store.release_creation(&p.id).await?;
                return Err(e.into());
            }
        };
        self.keep_session(&p, &session, "create").await?;
        self.store.payment(&p.id).await?.ok_or(PaymentError::NotFound)
    }

    /// Stores the provider's session of a payment just created (or found again by reference):
    /// the payment is pending from now on, and the provider's answer kept with it.
    async fn keep_session(&self, p: &Payment, session: &super::providers::Session, source: &'static str) -> Result<(), PaymentError> {
        let record = super::port::SessionRecord {
            provider_ref: &session.provider_ref,
            redirect_url: &session.redirect_url,
            secret: session.secret.as_deref(),
            expires_at_ms: session.expires_at_ms,
        };
        let now = crate::clock::now_ms();
        let mut tx = self.store.begin().await?;
        self.store.set_session(&mut tx, &p.id, &record, now).await?;
        self.store.set_state(&mut tx, &p.id, PaymentState::Created, PaymentState::Pending, None, now).await?;
        self.record(&mut tx, p, source, None, (Some(PaymentState::Created), Some(PaymentState::Pending)), &session.raw, "{}").await?;
        Ok(tx.commit().await?)
    }

    #[allow(clippy::too_many_arguments)]
    async fn record(
        &self,
        tx: &mut crate::store::Tx,
        p: &Payment,
        source: &'static str,
        event_id: Option<&str>,
        (before, after): (Option<PaymentState>, Option<PaymentState>),
        body: &str,
        headers: &str,
    ) -> Result<(), PaymentError> {
        let e = NewProviderEvent {
            payment_id: Some(&p.id),
            provider: p.provider,
            source,
            provider_event_id: event_id,
            state_before: before,
            state_after: after,
            body,
            headers,
            now_ms: crate::clock::now_ms(),
        };
        Ok(self.store.record_event(tx, &e).await?)
    }

    /// A payment, for its reader or an admin.
    pub async fn payment_for(&self, viewer: &User, id: &str) -> Result<Payment, PaymentError> {
        let p = self.store.payment(id).await?.ok_or(PaymentError::NotFound)?;
        if p.user_id != viewer.id && !viewer.role.can_manage_users() {
            return Err(PaymentError::NotFound);
        }
        Ok(p)
    }

    /// [`Self::payment_for`], asking the provider first while it is pending (at most every few
    /// seconds: the return page reloads itself). A provider that does not answer leaves the
    /// payment as stored, except that an earlier failure in a session still open is shown as
    /// pending: pending is never shown as failed.
    pub async fn current(&self, viewer: &User, id: &str) -> Result<Payment, PaymentError> {
        let p = self.payment_for(viewer, id).await?;
        let due = p.checked_at.is_none_or(|t| chrono::Utc::now() - t > chrono::Duration::from_std(LOOKUP_EVERY).unwrap_or_default());
        // A failure is never shown from memory while its session may still be paid (that page
        // does not reload itself, so asking each time it is opened costs little).
        let open_failure = p.state == PaymentState::Failed && p.session_open_after_failure();
        if !(p.is_pending() && due || open_failure) {
            return Ok(p);
        }
        match self.refresh(&p.id).await {
            Ok(q) => Ok(q),
            Err(e) => {
                tracing::warn!(payment = %p.id, error = %e, "payment not checked with its provider");
                // A failed attempt whose session is still open may have been paid since (the
                // payer is back from the provider's page): unconfirmed, it reads as pending.
                let mut p = p;
                if p.state == PaymentState::Failed && p.session_open_after_failure() {
                    p.state = PaymentState::Pending;
                }
                Ok(p)
            }
        }
    }

    /// A reader's payments, the newest first.
    pub async fn payments(&self, user: &User) -> Result<Vec<Payment>, PaymentError> {
        Ok(self.store.payments_of(&user.id, 200).await?)
    }

    /// What providers said about a payment (admins).
    pub async fn history(&self, viewer: &User, id: &str) -> Result<Vec<super::ProviderEvent>, PaymentError> {
        if !viewer.role.can_manage_users() {
            return Err(PaymentError::Forbidden);
        }
        Ok(self.store.provider_events(id).await?)
    }

    /// Every reader's payments that `filter` keeps, 50 a page after `cursor` (admins).
    pub async fn list(
        &self,
        viewer: &User,
        filter: &super::PaymentFilter,
        cursor: Option<&str>,
    ) -> Result<super::PaymentList, PaymentError> {
        if !viewer.role.can_manage_users() {
            return Err(PaymentError::Forbidden);
        }
        const PAGE: u32 = 50;
        let before = cursor.and_then(crate::audit::parse_cursor);
        let mut rows = self.store.payments_filtered(filter, before, PAGE + 1).await?;
        let next_cursor = match rows.len() > PAGE as usize {
            true => {
                rows.truncate(PAGE as usize);
                rows.last().map(|(p, _)| format!("{}.{}", p.created_at.timestamp_millis(), p.id))
            }
            false => None,
        };
        let rows = rows.into_iter().map(|(payment, email)| super::PaymentRow { payment, email }).collect();
        Ok(super::PaymentList { rows, next_cursor })
    }

    /// An admin asks the provider where a payment stands (a webhook that never came, a reader
    /// who says they paid): its answer applied as any lookup's, the question in the journal.
    pub async fn recheck(&self, by: &Actor, id: &str) -> Result<Payment, PaymentError> {
        if !by.role.can_manage_users() {
            return Err(PaymentError::Forbidden);
        }
        let before = self.store.payment(id).await?.ok_or(PaymentError::NotFound)?;
        let after = self.refresh(id).await?;
        let mut tx = self.store.begin().await?;
        let entry = AuditEntry::new(
            by,
            AuditAction::PaymentChecked,
            &after.id,
            &after.title,
            Some(serde_json::json!({ "state": before.state.as_str() })),
            Some(serde_json::json!({ "state": after.state.as_str() })),
        );
        tx.audit(&entry).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Asks the provider where the payment stands and applies its answer.
    pub async fn refresh(&self, id: &str) -> Result<Payment, PaymentError> {
        let p = self.store.payment(id).await?.ok_or(PaymentError::NotFound)?;
        let provider = self.provider(p.provider)?;
        let Some(reference) = p.provider_ref.clone() else {
            // Stored, but the session's answer never came back: the provider may have one.
            if p.state != PaymentState::Created {
                return Ok(p);
            }
            let now = crate::clock::now_ms();
            if self.store.claim_creation(&p.id, now, now + CREATION_LEASE.as_millis() as i64).await?.is_none() {
                return Ok(p);
            }
            let found = provider.find_by_reference(&p.id).await;
            self.store.release_creation(&p.id).await?;
            let Some(session) = found? else { return Ok(p) };
            self.keep_session(&p, &session, "lookup").await?;
            return Box::pin(self.refresh(id)).await;
        };
        let session = super::providers::SessionRef {
            provider_ref: &reference,
            payment_id: &p.id,
            amount: p.charged_amount,
            currency: &p.charged_currency,
        };
        let lookup = provider.lookup(&session).await?;
        self.store.mark_checked(&p.id, crate::clock::now_ms()).await?;
        self.apply(&p.id, &lookup.observed, "lookup", &lookup.raw, None).await
    }

    /// Applies what the provider confirmed, in one unit of work with the payment's row locked:
    /// its new state, the answer kept, and on success the entitlement, its audit entry and its
    /// event (once: a second confirmation finds the payment succeeded already).
    pub async fn apply(
        &self,
        id: &str,
        observed: &Observed,
        source: &'static str,
        raw: &str,
        by: Option<&Actor>,
    ) -> Result<Payment, PaymentError> {
        // Most answers change nothing (a session still open, a repeated webhook): known without
        // opening a unit of work.
        let unchanged = |p: &Payment| match next(p.state, observed, (p.charged_amount, &p.charged_currency)) {
            None => true,
            Some((to, why)) => to == p.state && why == p.failure,
        };
        let seen = self.store.payment(id).await?.ok_or(PaymentError::NotFound)?;
        if unchanged(&seen) {
            return Ok(seen);
        }
        // What a plan adds is read before the unit of work: a unit of work asks nothing of the
        // pool (with every connection inside one, none would be left to answer).
        let plan = match &seen.item {
            Item::Plan(plan_id) => Some(self.plan(plan_id).await?.ok_or_else(|| StoreError::Corrupt(format!("plan {plan_id}")))?),
            Item::Book(_) => None,
        };
        let mut tx = self.store.begin().await?;
        let p = match self.store.payment_for_update(&mut tx, id).await? {
            Some(p) if !unchanged(&p) => p,
            // Moved by another request since: ended explicitly (never dropped, see `Tx::rollback`).
            other => {
                tx.rollback().await?;
                return other.ok_or(PaymentError::NotFound);
            }
        };
        let Some((to, why)) = next(p.state, observed, (p.charged_amount, &p.charged_currency)) else {
            tx.rollback().await?;
            return Ok(p);
        };
        let now = crate::clock::now_ms();
        if !self.store.set_state(&mut tx, id, p.state, to, why.as_deref(), now).await? {
            return Err(PaymentError::Store(StoreError::Corrupt(format!("payment {id} moved under its lock"))));
        }
        self.record(&mut tx, &p, source, None, (Some(p.state), Some(to)), raw, "{}").await?;
        let provider_actor = Actor { user_id: None, email: p.provider.as_str().to_owned(), role: Role::Reader, ip: String::new() };
        let actor = by.unwrap_or(&provider_actor);
        let change = |action| {
            let before = Some(serde_json::json!({ "state": p.state.as_str() }));
            let after = Some(serde_json::json!({ "state": to.as_str(), "user_id": p.user_id, p.item.kind(): p.item.id() }));
            AuditEntry::new(actor, action, &p.id, &p.title, before, after)
        };
        let book_id = match &p.item {
            Item::Book(id) => Some(id.clone()),
            Item::Plan(_) => None,
        };
        match (to, &p.item) {
            (PaymentState::Succeeded, Item::Book(book)) => {
                self.store.grant_purchase(&mut tx, &p.user_id, book, &p.id, now).await?;
            }
            (PaymentState::Succeeded, Item::Plan(plan_id)) => {
                let plan = plan.as_ref().filter(|x| &x.id == plan_id).ok_or_else(|| StoreError::Corrupt(format!("plan {plan_id}")))?;
                if let Some(until_ms) = self.store.extend_subscription(&mut tx, &p.user_id, plan, &p.id, now).await? {
                    let e = Event::SubscriptionExtended { payment_id: p.id.clone(), user_id: p.user_id.clone(), until_ms };
                    tx.event(&e).await?;
                }
            }
            (PaymentState::Refunded, Item::Book(_)) => {
                self.store.revoke_purchase(&mut tx, &p.id).await?;
            }
            (PaymentState::Refunded, Item::Plan(_)) => {
                self.store.revoke_subscription(&mut tx, &p.id, now).await?;
            }
            _ => {}
        }
        match to {
            PaymentState::Succeeded => {
                use chrono::Datelike;
                self.store.issue_invoice(&mut tx, &p.id, chrono::Utc::now().year(), now).await?;
                tx.audit(&change(AuditAction::PaymentSucceeded)).await?;
                let e = Event::PaymentSucceeded { payment_id: p.id.clone(), user_id: p.user_id.clone(), book_id };
                tx.event(&e).await?;
            }
            PaymentState::Refunded => {
                tx.audit(&change(AuditAction::PaymentRefunded)).await?;
                tx.event(&Event::PaymentRefunded { payment_id: p.id.clone(), user_id: p.user_id.clone(), book_id }).await?;
            }
            PaymentState::Failed => {
                tx.event(&Event::PaymentFailed { payment_id: p.id.clone(), user_id: p.user_id.clone() }).await?;
            }
            _ => {}
        }
        tx.commit().await?;
        self.store.payment(id).await?.ok_or(PaymentError::NotFound)
    }

    /// A provider's webhook: refused (nothing kept, nothing changed) unless its signature holds
    /// on the raw body; kept as received; then the payment is looked up with the provider.
    pub async fn webhook(&self, provider: &str, headers: Headers<'_>, body: &[u8]) -> Result<WebhookOutcome, PaymentError> {
        let provider = Provider::parse(provider).and_then(|p| self.providers.get(&p)).ok_or(PaymentError::NotFound)?;
        let hint = provider.verify_webhook(headers, body, chrono::Utc::now().timestamp()).await.map_err(|e| match e {
            // Not refused: not checkable now (PayPal's verification did not answer); 503, sent again.
            WebhookRejected::Unverifiable(why) => PaymentError::Unavailable(why),
            e => PaymentError::Rejected(e),
        })?;
        let by_reference = match &hint.client_reference {
            Some(id) => self.store.payment(id).await?.filter(|p| p.provider == provider.provider()),
            None => None,
        };
        let payment = match (by_reference, &hint.provider_ref, &hint.secret) {
            (Some(p), _, _) => Some(p),
            // A notification whose only proof is the token its order was given (Orange): no
            // payment holds it, no trust — refused like a bad signature, and kept nowhere.
            (None, _, Some(secret)) => {
                let found = self.store.payment_by_secret(provider.provider(), secret).await?;
                Some(found.ok_or(PaymentError::Rejected(WebhookRejected::BadSignature))?)
            }
            (None, Some(r), None) => self.store.payment_by_ref(provider.provider(), r).await?,
            (None, None, None) => None,
        };
        let kept: serde_json::Map<String, serde_json::Value> = provider
            .kept_headers()
            .iter()
            .filter_map(|name| super::providers::header(headers, name).map(|v| (name.to_string(), v.into())))
            .collect();
        let (kept, body_text) = (serde_json::Value::Object(kept).to_string(), String::from_utf8_lossy(body));
        let e = NewProviderEvent {
            payment_id: payment.as_ref().map(|p| p.id.as_str()),
            provider: provider.provider(),
            source: "webhook",
            provider_event_id: hint.event_id.as_deref(),
            state_before: payment.as_ref().map(|p| p.state),
            state_after: None,
            body: &body_text,
            headers: &kept,
            now_ms: crate::clock::now_ms(),
        };
        let mut tx = self.store.begin().await?;
        self.store.record_event(&mut tx, &e).await?;
        tx.commit().await?;
        match payment {
            Some(p) => Ok(WebhookOutcome::Checked(self.refresh(&p.id).await?.state)),
            None => Ok(WebhookOutcome::Unknown),
        }
    }

    /// The invoice of a payment, for its reader or an admin, as PDF with its number. A payment
    /// that succeeded before invoices existed gets its invoice now (the next number).
    pub async fn invoice(
        &self,
        viewer: &User,
        payment_id: &str,
        seller: &super::invoice::Seller,
    ) -> Result<(String, Vec<u8>), PaymentError> {
        let p = self.payment_for(viewer, payment_id).await?;
        if !matches!(p.state, PaymentState::Succeeded | PaymentState::Refunded) {
            return Err(PaymentError::NotFound);
        }
        let invoice = match self.store.invoice(&p.id).await? {
            Some(i) => i,
            None => {
                use chrono::Datelike;
                let mut tx = self.store.begin().await?;
                self.store.issue_invoice(&mut tx, &p.id, chrono::Utc::now().year(), crate::clock::now_ms()).await?;
                tx.commit().await?;
                self.store.invoice(&p.id).await?.ok_or(PaymentError::NotFound)?
            }
        };
        let refunded = (p.state == PaymentState::Refunded).then_some(p.updated_at);
        Ok((invoice.number.clone(), invoice.pdf(seller, refunded)))
    }

    /// Admins: the last `months` months' revenue, per month and provider.
    pub async fn revenue(&self, viewer: &User, months: u32) -> Result<super::revenue::Revenue, PaymentError> {
        if !viewer.role.can_manage_users() {
            return Err(PaymentError::Forbidden);
        }
        let now = chrono::Utc::now();
        let first = super::revenue::months_back(now.date_naive(), months.saturating_sub(1));
        let from = first.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp_millis()).unwrap_or(0);
        Ok(super::revenue::revenue(&self.store.settled_since(from).await?, now, months))
    }

    /// The plans sold now, in their order (every plan for admins, with `all`).
    pub async fn plans(&self, all: bool) -> Result<Vec<super::Plan>, PaymentError> {
        Ok(self.store.plans().await?.into_iter().filter(|p| all || p.active).collect())
    }

    /// A reader's Premium, ended or not (`None`: never bought).
    pub async fn subscription(&self, user: &User) -> Result<Option<super::Subscription>, PaymentError> {
        Ok(self.store.subscription(&user.id).await?)
    }

    /// Admins: a plan's price (whole francs) and whether it is sold, audited. What readers paid
    /// before is kept on their payments.
    pub async fn set_plan(&self, by: &Actor, id: &str, price: i64, active: bool) -> Result<super::Plan, PaymentError> {
        if !by.role.can_manage_users() {
            return Err(PaymentError::Forbidden);
        }
        if !super::PLAN_PRICES.contains(&price) {
            return Err(invalid("price", Reason::OutOfRange));
        }
        let before = self.plan(id).await?.ok_or(PaymentError::NotFound)?;
        if before.price.amount == price && before.active == active {
            return Ok(before);
        }
        let mut tx = self.store.begin().await?;
        if !self.store.set_plan(&mut tx, id, price, active, crate::clock::now_ms()).await? {
            tx.rollback().await?;
            return Err(PaymentError::NotFound);
        }
        let shown = |amount: i64, active: bool| serde_json::json!({ "price": amount, "currency": before.price.currency, "active": active });
        let entry = AuditEntry::new(
            by,
            AuditAction::PlanChanged,
            id,
            super::Plan::name(id, crate::validation::Language::Fr),
            Some(shown(before.price.amount, before.active)),
            Some(shown(price, active)),
        );
        tx.audit(&entry).await?;
        tx.commit().await?;
        self.plan(id).await?.ok_or(PaymentError::NotFound)
    }

    /// One plan, sold or not.
    pub async fn plan(&self, id: &str) -> Result<Option<super::Plan>, PaymentError> {
        Ok(self.store.plans().await?.into_iter().find(|p| p.id == id))
    }

    /// The reader stops automatic renewal (their Premium runs to its end). Mobile money never
    /// renews by itself, so this only changes a card's renewal; asking twice changes nothing.
    pub async fn stop_renewal(&self, user: &User, ip: &str) -> Result<Option<super::Subscription>, PaymentError> {
        let Some(current) = self.store.subscription(&user.id).await? else { return Ok(None) };
        if !current.auto_renew {
            return Ok(Some(current));
        }
        let mut tx = self.store.begin().await?;
        self.store.set_auto_renew(&mut tx, &user.id, false, crate::clock::now_ms()).await?;
        let entry = AuditEntry::new(
            &Actor::user(user, ip),
            AuditAction::RenewalStopped,
            &user.id,
            &user.email,
            Some(serde_json::json!({ "auto_renew": true })),
            Some(serde_json::json!({ "auto_renew": false })),
        );
        tx.audit(&entry).await?;
        tx.commit().await?;
        Ok(self.store.subscription(&user.id).await?)
    }

    /// Gives a succeeded payment's whole amount back through its provider (admins): the reader
    /// loses the book it bought.
    pub async fn refund(&self, by: &Actor, id: &str) -> Result<Payment, PaymentError> {
        if !by.role.can_manage_users() {
            return Err(PaymentError::Forbidden);
        }
        let p = self.store.payment(id).await?.ok_or(PaymentError::NotFound)?;
        if p.state == PaymentState::Refunded {
            return Ok(p);
        }
        let reference = match (&p.provider_ref, p.state) {
            (Some(r), PaymentState::Succeeded) => r.clone(),
            _ => return Err(PaymentError::NotRefundable),
        };
        // Wave's refund is idempotent: a retry after a lost answer refunds nothing twice.
        let raw = self.provider(p.provider)?.refund(&reference).await?;
        self.apply(id, &Observed::Refunded, "refund", &raw, Some(by)).await
    }
}
