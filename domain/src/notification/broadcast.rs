//! Broadcasts: Coko's news, written by an admin for a segment of readers (country, language,
//! Premium or not) and sent on the channels each reader allows for news.
//!
//! The admin sees first how many readers and messages per channel it makes, what its SMS costs
//! and how long it takes; sending stores it (audited, with its event), and a job tells the
//! segment a page at a time through [`NotificationService::notify`] (keyed `broadcast:<id>`: a
//! retried page sends nothing twice). Each channel sends at its own pace — a provider's rate
//! limit and the reader's network are not flooded — and quiet hours still hold.

use super::gsm::cost;
use super::sms::sms_text;
use super::{
    Broadcast, BroadcastForm, Category, Channel, ChannelDefaults, Kind, Notice, NotificationError, NotificationService, Pace, Preferences,
    Reach, Segment, StoredBroadcast,
};
use crate::account::User;
use crate::audit::{Actor, AuditAction, AuditEntry};
use crate::error::{FieldError, Reason};
use crate::events::Event;
use crate::jobs::{Handler, Job, NewJob, QueueStore};
use crate::validation::Language;
use async_trait::async_trait;
use std::sync::Arc;

pub const BROADCAST_QUEUE: &str = "notifications.broadcast";
/// Readers told by one job.
pub const FAN_OUT_PAGE: u32 = 500;
const TITLE_MAX: usize = 120;
const BODY_MAX: usize = 1000;

/// The id a form names (what its count gave it), or a new one when it names none that could be.
fn broadcast_id(given: &str) -> String {
    match uuid::Uuid::parse_str(given.trim()) {
        Ok(id) => id.to_string(),
        Err(_) => uuid::Uuid::now_v7().to_string(),
    }
}

/// Messages a second a broadcast sends on `channel` (in the app: all at once).
pub fn per_second(channel: Channel) -> u64 {
    match channel {
        Channel::InApp => u64::MAX,
        Channel::Email => 10,
        Channel::Sms => 5,
        Channel::Push => 50,
    }
}

/// When the message of the reader at `pace.index` leaves on `channel`.
pub fn paced_at(pace: Pace, channel: Channel) -> i64 {
    let rate = per_second(channel);
    if rate == u64::MAX {
        return pace.start_ms;
    }
    pace.start_ms.saturating_add((pace.index.saturating_mul(1000) / rate).min(i64::MAX as u64) as i64)
}

/// A broadcast's words (a notification's params), its link and its segment, as checked.
type Checked = (serde_json::Map<String, serde_json::Value>, Option<String>, Segment);

/// The form as a broadcast; the fields at fault otherwise.
fn checked(form: &BroadcastForm) -> Result<Checked, NotificationError> {
    let mut errors = Vec::new();
    let mut params = serde_json::Map::new();
    for (field, value, max, required) in [
        ("title", &form.title, TITLE_MAX, true),
        ("body", &form.body, BODY_MAX, true),
        ("title_en", &form.title_en, TITLE_MAX, false),
        ("body_en", &form.body_en, BODY_MAX, false),
        ("title_ar", &form.title_ar, TITLE_MAX, false),
        ("body_ar", &form.body_ar, BODY_MAX, false),
    ] {
        let v = value.trim();
        if v.is_empty() {
            if required {
                errors.push(FieldError::new(field, Reason::Required));
            }
        } else if v.chars().count() > max {
            errors.push(FieldError::new(field, Reason::TooLong));
        } else {
            params.insert(field.to_owned(), v.into());
        }
    }
    let link = form.link.trim();
    let link = match link {
        "" => None,
        l if l.starts_with('/') && !l.starts_with("//") && !l.contains('\\') && l.len() <= 300 && !l.chars().any(char::is_whitespace) => {
            Some(l.to_owned())
        }
        _ => {
            errors.push(FieldError::new("link", Reason::InvalidFormat));
            None
        }
    };
    let s = &form.segment;
    let country = s.country.trim().to_ascii_uppercase();
    if !(country.is_empty() || (country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase()))) {
        errors.push(FieldError::new("country", Reason::InvalidFormat));
    }
    let language = s.language.trim().to_owned();
    if !(language.is_empty() || Language::ALL.iter().any(|l| l.as_str() == language)) {
        errors.push(FieldError::new("language", Reason::Unknown));
    }
    let plan = s.plan.trim().to_owned();
    if !matches!(plan.as_str(), "" | "premium" | "free") {
        errors.push(FieldError::new("plan", Reason::Unknown));
    }
    if !errors.is_empty() {
        return Err(NotificationError::Invalid(errors));
    }
    Ok((params, link, Segment { country, language, plan }))
}

impl NotificationService {
    /// An admin's form, checked, with the segment's size now.
    async fn admitted(&self, by: &User, form: &BroadcastForm) -> Result<(Checked, u64, i64), NotificationError> {
        if !by.role.can_manage_users() {
            return Err(NotificationError::Forbidden);
        }
        let checked = checked(form)?;
        let now = crate::clock::now_ms();
        let readers = self.store().segment_reach(&checked.2, None, (true, true), now).await?;
        Ok((checked, readers, now))
    }

    /// What the broadcast would reach, before it is sent (admins), and the id to send it with.
    pub async fn preview_broadcast(&self, by: &User, form: &BroadcastForm, base_url: &str) -> Result<Reach, NotificationError> {
        let ((params, link, segment), readers, now) = self.admitted(by, form).await?;
        let mut channels = Vec::new();
        let mut minutes = 0;
        for channel in self.channels() {
            // A reader who never chose follows their account's flag for the channel.
            let on = ChannelDefaults { email: true, sms: true, push: true };
            let off = ChannelDefaults { email: false, sms: false, push: false };
            let default = |d| Preferences::defaults(d, "UTC").allows(Category::News, channel);
            let n = self.store().segment_reach(&segment, Some(channel), (default(on), default(off)), now).await?;
            if per_second(channel) != u64::MAX {
                minutes = minutes.max(n / per_second(channel) / 60);
            }
            channels.push((channel, n));
        }
        let link = link.map(|l| format!("{base_url}{l}"));
        let sms = sms_text(Kind::Broadcast, &params, Language::Fr, link.as_deref());
        let c = cost(&sms);
        let id = broadcast_id(&form.id);
        Ok(Reach { id, readers, channels, sms_encoding: c.encoding.as_str().to_owned(), sms_parts: c.parts as u32, sms_text: sms, minutes })
    }

    /// Sends the broadcast (admins): stored with its audit entry and event; the queue tells the
    /// segment. Its id. Sent again with the same id (a double click), nothing more happens.
    pub async fn send_broadcast(&self, by: &User, form: &BroadcastForm, ip: &str) -> Result<String, NotificationError> {
        let ((params, link, segment), readers, now) = self.admitted(by, form).await?;
        let b = StoredBroadcast { id: broadcast_id(&form.id), sent_by: by.id.clone(), params, link, segment, readers, created_at_ms: now };
        let store = self.store();
        let mut tx = store.begin().await?;
        if !store.insert_broadcast(&mut tx, &b).await? {
            return Ok(b.id);
        }
        let after = serde_json::json!({
            "title": b.params.get("title"), "segment": b.segment, "readers": readers,
        });
        let entry = AuditEntry::new(&Actor::user(by, ip), AuditAction::BroadcastSent, &b.id, &by.email, None, Some(after));
        tx.audit(&entry).await?;
        tx.event(&Event::BroadcastSent { broadcast_id: b.id.clone() }).await?;
        tx.commit().await?;
        Ok(b.id)
    }

    /// The latest broadcasts (admins).
    pub async fn broadcasts(&self, by: &User) -> Result<Vec<Broadcast>, NotificationError> {
        if !by.role.can_manage_users() {
            return Err(NotificationError::Forbidden);
        }
        Ok(self.store().broadcasts(20).await?)
    }
}

/// Tells a broadcast's segment, a page per job.
pub struct BroadcastFanOut {
    pub notifications: NotificationService,
    pub jobs: Arc<dyn QueueStore>,
}

fn page_job(id: &str, after: &str, index: u64) -> NewJob {
    let key = if after.is_empty() { format!("broadcast:{id}") } else { format!("broadcast:{id}:{after}") };
    NewJob::now(BROADCAST_QUEUE, key, serde_json::json!({ "broadcast_id": id, "after": after, "index": index }))
}

#[async_trait]
impl Handler for BroadcastFanOut {
    fn queue(&self) -> &'static str {
        BROADCAST_QUEUE
    }

    fn job_for(&self, event: &Event) -> Option<NewJob> {
        let Event::BroadcastSent { broadcast_id } = event else { return None };
        Some(page_job(broadcast_id, "", 0))
    }

    async fn run(&self, job: &Job) -> Result<(), String> {
        let id = job.payload.get("broadcast_id").and_then(|v| v.as_str()).ok_or("no broadcast_id in the job")?;
        let after = job.payload.get("after").and_then(|v| v.as_str()).unwrap_or_default();
        let index = job.payload.get("index").and_then(|v| v.as_u64()).unwrap_or(0);
        let err = |e: crate::store::StoreError| e.to_string();
        let store = self.notifications.store();
        let Some(b) = store.broadcast(id).await.map_err(err)? else { return Ok(()) };
        let readers = store.segment_readers(&b.segment, after, FAN_OUT_PAGE, crate::clock::now_ms()).await.map_err(err)?;
        for (i, user_id) in readers.iter().enumerate() {
            let notice = Notice {
                user_id: user_id.clone(),
                category: Category::News,
                kind: Kind::Broadcast,
                params: b.params.clone(),
                link: b.link.clone(),
                source: format!("broadcast:{}", b.id),
                pace: Some(Pace { start_ms: b.created_at_ms, index: index + i as u64 }),
            };
            self.notifications.notify(&notice).await.map_err(err)?;
        }
        if readers.len() == FAN_OUT_PAGE as usize {
            let last = readers.last().cloned().unwrap_or_default();
            let mut tx = self.jobs.begin().await.map_err(err)?;
            self.jobs.enqueue(&mut tx, &page_job(id, &last, index + readers.len() as u64)).await.map_err(err)?;
            tx.commit().await.map_err(err)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_channel_keeps_its_pace() {
        let p = Pace { start_ms: 1_000_000, index: 100 };
        assert_eq!(paced_at(p, Channel::InApp), 1_000_000);
        assert_eq!(paced_at(p, Channel::Email), 1_000_000 + 10_000, "ten a second");
        assert_eq!(paced_at(p, Channel::Sms), 1_000_000 + 20_000, "five a second");
        assert_eq!(paced_at(p, Channel::Push), 1_000_000 + 2_000);
    }

    #[test]
    fn a_broadcast_names_its_faults() {
        let form = BroadcastForm {
            title: " ".into(),
            body: "x".repeat(BODY_MAX + 1),
            link: "https://evil.example".into(),
            segment: Segment { country: "Senegal".into(), language: "de".into(), plan: "gold".into() },
            ..Default::default()
        };
        let Err(NotificationError::Invalid(f)) = checked(&form) else { panic!("refused") };
        let fields: Vec<_> = f.iter().map(|e| (e.field.as_str(), e.reason)).collect();
        assert_eq!(
            fields,
            [
                ("title", Reason::Required),
                ("body", Reason::TooLong),
                ("link", Reason::InvalidFormat),
                ("country", Reason::InvalidFormat),
                ("language", Reason::Unknown),
                ("plan", Reason::Unknown)
            ]
        );
        let ok = BroadcastForm {
            title: "Nouveautés".into(),
            body: "Dix livres.".into(),
            link: "/catalogue".into(),
            segment: Segment { country: "sn".into(), ..Default::default() },
            ..Default::default()
        };
        let (params, link, seg) = checked(&ok).unwrap();
        assert_eq!((params.len(), link.as_deref(), seg.country.as_str()), (2, Some("/catalogue"), "SN"));
    }
}
