//! The reader hears of their payment — a receipt once it is confirmed, a notice when it fails
//! or is refunded — through the notifications area, on the channels they allow, in their
//! language: from the job queue in reaction to the payment's events, never inline in the unit
//! of work that moved it.
//!
//! One job per event and kind (`receipt:{payment}`…), and the notice's source is the same key:
//! a redelivered webhook or a second lookup makes no second message on any channel.

use super::{Item, PaymentStore};
use crate::events::Event;
use crate::jobs::{Handler, Job, NewJob};
use crate::notification::{Category, Kind, Notice, NotificationService};
use async_trait::async_trait;
use std::sync::Arc;

pub const NOTICE_QUEUE: &str = "payments.notify";

/// A failure is told this long after it happened: the reader who is still on the payment page
/// sees it there, may try again at once (Wave takes a new try on the same session), and is not
/// told of a failure that a success has made moot.
pub const FAILURE_GRACE_MS: i64 = 10 * 60 * 1000;

pub struct PaymentNotices {
    pub payments: Arc<dyn PaymentStore>,
    pub notifications: NotificationService,
}

#[async_trait]
impl Handler for PaymentNotices {
    fn queue(&self) -> &'static str {
        NOTICE_QUEUE
    }

    fn job_for(&self, event: &Event) -> Option<NewJob> {
        let (kind, payment_id) = match event {
            Event::PaymentSucceeded { payment_id, .. } => ("receipt", payment_id),
            Event::PaymentRefunded { payment_id, .. } => ("refund", payment_id),
            Event::PaymentFailed { payment_id, .. } => ("failure", payment_id),
            _ => return None,
        };
        let payload = serde_json::json!({ "kind": kind, "payment_id": payment_id });
        let mut job = NewJob::now(NOTICE_QUEUE, format!("{kind}:{payment_id}"), payload);
        if kind == "failure" {
            job.run_at_ms += FAILURE_GRACE_MS;
        }
        Some(job)
    }

    async fn run(&self, job: &Job) -> Result<(), String> {
        let field = |k: &str| job.payload.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        let which = field("kind").unwrap_or_default();
        let kind = match which.as_str() {
            "receipt" => Kind::PaymentReceipt,
            "refund" => Kind::PaymentRefund,
            "failure" => Kind::PaymentFailed,
            other => return Err(format!("unknown payment notice {other:?}")),
        };
        let id = field("payment_id").ok_or("no payment_id in the job")?;
        let err = |e: crate::store::StoreError| e.to_string();
        let Some(p) = self.payments.payment(&id).await.map_err(err)? else { return Ok(()) };
        // A failure notice once the payment went through after all (Wave takes a later try on
        // the same session) would say the opposite of the truth.
        if kind == Kind::PaymentFailed {
            if p.state != super::PaymentState::Failed {
                return Ok(());
            }
            // …or paid for since, by another payment.
            let since = self.payments.payments_of(&p.user_id, 50).await.map_err(err)?;
            if since.iter().any(|q| q.item == p.item && q.created_at > p.created_at && q.state == super::PaymentState::Succeeded) {
                return Ok(());
            }
        }
        let mut params = serde_json::Map::new();
        let mut put = |k: &str, v: serde_json::Value| {
            params.insert(k.to_owned(), v);
        };
        put("item", p.item.kind().into());
        put("title", p.title.clone().into());
        put("amount", p.amount.into());
        put("currency", p.currency.clone().into());
        put("provider", p.provider.label().into());
        put("payment_id", p.id.clone().into());
        if let Some(f) = &p.failure {
            put("failure", f.clone().into());
        }
        let link = match (&p.item, kind) {
            (Item::Book(book), Kind::PaymentFailed) => format!("/livres/{book}/acheter"),
            (Item::Plan(plan), Kind::PaymentFailed) => format!("/premium/{plan}"),
            _ => format!("/achats/{}", p.id),
        };
        if let Item::Plan(plan) = &p.item {
            put("plan", plan.clone().into());
            if let Some(sub) = self.payments.subscription(&p.user_id).await.map_err(err)? {
                put("until_ms", sub.access_until.timestamp_millis().into());
            }
        }
        let notice = Notice {
            user_id: p.user_id.clone(),
            category: Category::Payments,
            kind,
            params,
            link: Some(link),
            source: format!("{which}:{}", p.id),
            pace: None,
        };
        self.notifications.notify(&notice).await.map_err(err)
    }
}
