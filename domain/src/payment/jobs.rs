//! The background check of pending payments: a webhook that never comes loses nothing.

use super::{PaymentError, PaymentService};
use crate::events::Event;
use crate::jobs::{Handler, Job, NewJob};
use async_trait::async_trait;

/// Asks the provider about every new payment until it settles: first `check_after` (20 s) after
/// the checkout, then with the queue's growing delays (5 s doubling to an hour: about 11 hours
/// over 16 attempts, past every provider's session lifetime). A payment still pending after its
/// last attempt is a dead job on the admins' page: that is worth a look.
pub struct CheckPendingPayments(pub PaymentService);

pub const QUEUE: &str = "payments.check";
const ATTEMPTS: u32 = 16;

#[async_trait]
impl Handler for CheckPendingPayments {
    fn queue(&self) -> &'static str {
        QUEUE
    }

    fn job_for(&self, event: &Event) -> Option<NewJob> {
        let Event::PaymentStarted { payment_id, .. } = event else { return None };
        let payload = serde_json::json!({ "payment_id": payment_id });
        let mut job = NewJob::now(QUEUE, format!("payment:{payment_id}"), payload);
        job.max_attempts = ATTEMPTS;
        job.run_at_ms += self.0.check_after.as_millis() as i64;
        Some(job)
    }

    async fn run(&self, job: &Job) -> Result<(), String> {
        let id = job.payload.get("payment_id").and_then(|v| v.as_str()).ok_or("no payment_id in the job")?;
        match self.0.refresh(id).await {
            Ok(p) if p.is_pending() => Err(format!("still {} at {}", p.state.as_str(), p.provider.as_str())),
            // A failed attempt in a session still open: the payer may try again.
            Ok(p) if p.state == super::PaymentState::Failed && p.session_open_after_failure() => {
                Err(format!("last attempt failed at {}; its session is still open", p.provider.as_str()))
            }
            Ok(_) | Err(PaymentError::NotFound) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    }
}
