//! Renewal reminders: mobile money keeps no card on file, so a Premium period is renewed by its
//! reader, who is reminded 3 days and 1 day before it ends, through the notifications area (in
//! the app, by e-mail, and on the other channels the reader allows). The link leads to the plan's checkout page:
//! the provider's session is made only when the reader chooses to pay there (a Wave session
//! lives 30 minutes, a reminder's link must not hold one).
//!
//! Planned from the queue: a period added (`SubscriptionExtended`) queues the 3-day reminder at
//! its time; that reminder queues the 1-day one before it sends (a retry after a crash finds it
//! queued already: one waiting job per key). A reminder whose subscription has changed since
//! (extended, refunded, renewing by card) sends nothing.

use super::PaymentStore;
use crate::events::Event;
use crate::jobs::{Handler, Job, NewJob, QueueStore};
use crate::notification::{Category, Kind, Notice, NotificationService};
use async_trait::async_trait;
use std::sync::Arc;

pub const RENEWAL_QUEUE: &str = "payments.renewal";
const DAY_MS: i64 = 86_400_000;

pub struct RenewalReminders {
    pub payments: Arc<dyn PaymentStore>,
    pub jobs: Arc<dyn QueueStore>,
    pub notifications: NotificationService,
}

/// The reminder `days` before `until_ms`, or `None` when that moment has passed already (a
/// reminder sent late says less than none: the reader sees the end on the page).
pub fn reminder(user_id: &str, until_ms: i64, days: i64, now_ms: i64) -> Option<NewJob> {
    let at = until_ms - days * DAY_MS;
    if at + DAY_MS / 2 < now_ms {
        return None;
    }
    let payload = serde_json::json!({ "user_id": user_id, "until_ms": until_ms, "days": days });
    let mut job = NewJob::now(RENEWAL_QUEUE, format!("renewal:{user_id}:{until_ms}:{days}"), payload);
    job.run_at_ms = at.max(now_ms);
    Some(job)
}

#[async_trait]
impl Handler for RenewalReminders {
    fn queue(&self) -> &'static str {
        RENEWAL_QUEUE
    }

    fn job_for(&self, event: &Event) -> Option<NewJob> {
        let Event::SubscriptionExtended { user_id, until_ms, .. } = event else { return None };
        reminder(user_id, *until_ms, 3, crate::clock::now_ms()).or_else(|| reminder(user_id, *until_ms, 1, crate::clock::now_ms()))
    }

    async fn run(&self, job: &Job) -> Result<(), String> {
        let user_id = job.payload.get("user_id").and_then(|v| v.as_str()).ok_or("no user_id in the job")?;
        let until_ms = job.payload.get("until_ms").and_then(|v| v.as_i64()).ok_or("no until_ms in the job")?;
        let days = job.payload.get("days").and_then(|v| v.as_i64()).ok_or("no days in the job")?;
        let err = |e: crate::store::StoreError| e.to_string();
        let Some(sub) = self.payments.subscription(user_id).await.map_err(err)? else { return Ok(()) };
        // Extended, refunded or renewing by itself since: this reminder has nothing to say.
        if sub.access_until.timestamp_millis() != until_ms || sub.auto_renew {
            return Ok(());
        }
        if days > 1 {
            if let Some(next) = reminder(user_id, until_ms, 1, crate::clock::now_ms()) {
                let mut tx = self.jobs.begin().await.map_err(err)?;
                self.jobs.enqueue(&mut tx, &next).await.map_err(err)?;
                tx.commit().await.map_err(err)?;
            }
        }
        let mut params = serde_json::Map::new();
        params.insert("plan".into(), sub.plan_id.clone().into());
        params.insert("until_ms".into(), until_ms.into());
        params.insert("days".into(), days.into());
        let notice = Notice {
            user_id: user_id.to_owned(),
            category: Category::Payments,
            kind: Kind::RenewalReminder,
            params,
            link: Some(format!("/premium/{}", sub.plan_id)),
            source: format!("renewal:{until_ms}:{days}"),
            pace: None,
        };
        self.notifications.notify(&notice).await.map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reminders_fall_three_days_then_one_day_before_the_end() {
        let now = 1_000 * DAY_MS;
        let until = now + 30 * DAY_MS;
        let three = reminder("u1", until, 3, now).unwrap();
        assert_eq!(three.run_at_ms, until - 3 * DAY_MS);
        assert_eq!(three.dedupe_key, format!("renewal:u1:{until}:3"));
        assert_eq!(reminder("u1", until, 1, now).unwrap().run_at_ms, until - DAY_MS);
        // Two days before the end: the three-day reminder is past, the one-day one is not.
        let late = until - 2 * DAY_MS;
        assert!(reminder("u1", until, 3, late).is_none());
        assert_eq!(reminder("u1", until, 1, late).unwrap().run_at_ms, until - DAY_MS);
    }
}
