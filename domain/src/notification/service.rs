//! The notifications' rules: the fan-out of a notice to the channels its reader allows, the
//! inbox (read, archive), the preferences and the one-click unsubscribe.

use super::push::{NewDevice, MAX_DEVICES};
use super::sms::{code_digest, report_state, DeliveryReport, CODE_TRIES};
use super::sql::cursor_of;
use super::templates::render;
use super::{
    quiet, Category, Channel, ChannelDefaults, Delivery, DeliveryState, Notice, Notification, NotificationPage, NotificationStore, Phone,
    Preferences, PushDevice, Shelf, StoredDelivery, StoredNotification, UNREAD_CAP,
};
use crate::account::{AccountStore, User};
use crate::audit::{Actor, AuditAction, AuditEntry};
use crate::error::{FieldError, Reason};
use crate::jobs::{JobStore, NewJob};
use crate::store::{StoreError, StoreResult};
use crate::validation::Language;
use std::sync::Arc;

/// How many times a message is tried on a channel before it is given up (and shown failed).
pub const DELIVERY_ATTEMPTS: u32 = 8;
const PAGE: u32 = 20;

#[derive(Debug, thiserror::Error)]
pub enum NotificationError {
    #[error("not found")]
    NotFound,
    #[error("not allowed")]
    Forbidden,
    #[error("invalid: {0:?}")]
    Invalid(Vec<FieldError>),
    /// Asked again too soon: wait this many seconds.
    #[error("too soon: {0} s")]
    TooSoon(u64),
    #[error("store: {0}")]
    Store(#[from] StoreError),
}

/// A change of preferences, as the profile's form or the API sends it.
#[derive(Debug, Clone, Default)]
pub struct PreferencesForm {
    /// (category, channel, enabled) as sent; cells not named keep their value.
    pub cells: Vec<(String, String, bool)>,
    /// `Some(None)`: no quiet hours; `Some(Some((start, end)))`: hours as sent; `None`: kept.
    pub quiet_hours: Option<Option<(String, String)>>,
    pub time_zone: Option<String>,
    /// `immediate`, `daily` or `weekly`; `None`: kept.
    pub digest: Option<String>,
}

#[derive(Clone)]
pub struct NotificationService {
    store: Arc<dyn NotificationStore>,
    accounts: Arc<dyn AccountStore>,
    jobs: Arc<dyn JobStore>,
    /// The channels this server can send on besides the app and e-mail (SMS and push once
    /// their providers are configured).
    extra: Vec<Channel>,
    /// Web Push endpoints on loopback over plain HTTP are accepted (the sandbox; never in
    /// production, where a subscription must not make Coko post into its own network).
    push_loopback: bool,
}

impl NotificationService {
    pub fn new(store: Arc<dyn NotificationStore>, accounts: Arc<dyn AccountStore>, jobs: Arc<dyn JobStore>) -> Self {
        NotificationService { store, accounts, jobs, extra: Vec::new(), push_loopback: false }
    }

    pub fn with_channel(mut self, channel: Channel) -> Self {
        if !self.extra.contains(&channel) && !matches!(channel, Channel::InApp | Channel::Email) {
            self.extra.push(channel);
        }
        self
    }

    /// The channels readers can choose from here.
    pub fn allow_loopback_push(mut self, allow: bool) -> Self {
        self.push_loopback = allow;
        self
    }

    pub fn channels(&self) -> Vec<Channel> {
        let mut all = vec![Channel::InApp, Channel::Email];
        all.extend(Channel::ALL.into_iter().filter(|c| self.extra.contains(c)));
        all
    }

    pub fn store(&self) -> &Arc<dyn NotificationStore> {
        &self.store
    }

    pub(crate) fn accounts(&self) -> &Arc<dyn AccountStore> {
        &self.accounts
    }

    /// A reader's choices, with the defaults for what they never set.
    pub async fn preferences(&self, user: &User) -> StoreResult<Preferences> {
        let s = self.store.settings(&user.id).await?;
        let p = &user.preferences;
        let defaults = ChannelDefaults { email: p.notify_email, sms: p.notify_sms, push: p.notify_push };
        let zone = s.time_zone.clone().filter(|z| quiet::is_zone(z)).unwrap_or_else(|| super::zone_of_country(&user.country).to_owned());
        let mut prefs = Preferences::defaults(defaults, &zone);
        for (cat, ch, on) in &s.cells {
            if let (Some(cat), Some(ch)) = (Category::parse(cat), Channel::parse(ch)) {
                prefs.set(cat, ch, *on);
            }
        }
        prefs.quiet_hours = s.quiet_hours;
        prefs.digest = s.digest.as_deref().and_then(super::Digest::parse).unwrap_or_default();
        Ok(prefs)
    }

    /// Changes a reader's choices (audited); the fields at fault when something does not hold.
    pub async fn set_preferences(&self, user: &User, form: &PreferencesForm, ip: &str) -> Result<Preferences, NotificationError> {
        let before = self.preferences(user).await?;
        let mut after = before.clone();
        let mut errors = Vec::new();
        for (cat, ch, on) in &form.cells {
            match (Category::parse(cat), Channel::parse(ch)) {
                (Some(cat), Some(ch)) if !cat.is_critical() || !matches!(ch, Channel::InApp | Channel::Email) => after.set(cat, ch, *on),
                // Account messages always come in the app and by mail: asking otherwise is kept as is.
                (Some(_), Some(_)) => {}
                _ => errors.push(FieldError::new(&format!("{cat}.{ch}"), Reason::Unknown)),
            }
        }
        match &form.quiet_hours {
            Some(Some((start, end))) => {
                let mut hour = |field: &str, v: &str| match v.trim().parse::<u8>() {
                    Ok(h) if h <= 23 => Some(h),
                    Ok(_) => {
                        errors.push(FieldError::new(field, Reason::OutOfRange));
                        None
                    }
                    Err(_) if v.trim().is_empty() => {
                        errors.push(FieldError::new(field, Reason::Required));
                        None
                    }
                    Err(_) => {
                        errors.push(FieldError::new(field, Reason::InvalidFormat));
                        None
                    }
                };
                let (s, e) = (hour("quiet_start", start), hour("quiet_end", end));
                if let (Some(s), Some(e)) = (s, e) {
                    if s == e {
                        errors.push(FieldError::new("quiet_end", Reason::Mismatch));
                    }
                    after.quiet_hours = Some((s, e));
                }
            }
            Some(None) => after.quiet_hours = None,
            None => {}
        }
        if let Some(zone) = &form.time_zone {
            let zone = zone.trim();
            if quiet::is_zone(zone) {
                after.time_zone = zone.to_owned();
            } else {
                errors.push(FieldError::new("time_zone", if zone.is_empty() { Reason::Required } else { Reason::Unknown }));
            }
        }
        if let Some(d) = &form.digest {
            match super::Digest::parse(d.trim()) {
                Some(d) => after.digest = d,
                None => errors.push(FieldError::new("digest", Reason::Unknown)),
            }
        }
        if !errors.is_empty() {
            return Err(NotificationError::Invalid(errors));
        }
        if after == before {
            return Ok(after);
        }
        let mut tx = self.store.begin().await?;
        self.store.save_settings(&mut tx, &user.id, &after, crate::clock::now_ms()).await?;
        let entry = AuditEntry::new(
            &Actor::user(user, ip),
            AuditAction::NotificationsChanged,
            &user.id,
            &user.email,
            Some(summary(&before)),
            Some(summary(&after)),
        );
        tx.audit(&entry).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// One-click unsubscribe (RFC 8058): the mails of `category` stop for the reader whose link
    /// it is (all non-critical ones when `None`). `Ok(false)`: it was off already.
    pub async fn unsubscribe(&self, token: &str, category: Option<Category>, ip: &str) -> Result<(User, bool), NotificationError> {
        let token = token.trim();
        if token.is_empty() || token.len() > 100 {
            return Err(NotificationError::NotFound);
        }
        let user_id = self.store.user_of_unsubscribe_token(token).await?.ok_or(NotificationError::NotFound)?;
        let user = self.accounts.user_by_id(&user_id).await?.ok_or(NotificationError::NotFound)?.user;
        let cats: Vec<Category> = match category {
            Some(c) if c.is_critical() => return Ok((user, false)),
            Some(c) => vec![c],
            None => Category::ALL.into_iter().filter(|c| !c.is_critical()).collect(),
        };
        let before = self.preferences(&user).await?;
        if cats.iter().all(|c| !before.allows(*c, Channel::Email)) {
            return Ok((user, false));
        }
        let form = PreferencesForm {
            cells: cats.iter().map(|c| (c.as_str().to_owned(), Channel::Email.as_str().to_owned(), false)).collect(),
            ..PreferencesForm::default()
        };
        self.set_preferences(&user, &form, ip).await?;
        Ok((user, true))
    }

    /// The query (`t=…&c=…`) of the links that stop `category`'s mails for this reader: the
    /// page `/notifications/desabonnement?…` and the one-click target
    /// `/api/v1/notifications/unsubscribe/?…` (its token made on first use).
    pub async fn unsubscribe_query(&self, user_id: &str, category: Category) -> StoreResult<String> {
        let token = self.store.unsubscribe_token(user_id).await?;
        Ok(format!("t={token}&c={}", category.as_str()))
    }

    /// Hands a notice to every channel its reader allows, once: the in-app notification and a
    /// queued delivery per other channel, in one unit of work (for a reader who takes the
    /// chatty categories as a digest, the other channels' part waits for it). A second call
    /// with the same notice changes nothing.
    pub async fn notify(&self, n: &Notice) -> StoreResult<()> {
        let Some(rec) = self.accounts.user_by_id(&n.user_id).await? else { return Ok(()) };
        let user = rec.user;
        let prefs = self.preferences(&user).await?;
        let mut tx = self.store.begin().await?;
        self.fan_out_in(&mut tx, n, &user, &prefs, None).await?;
        tx.commit().await
    }

    /// The notice's rows in `tx`: with `only`, a delivery on that channel alone (a digest);
    /// otherwise the in-app notification and the other channels' deliveries, or the digest
    /// item and job when the reader takes this category as a digest.
    pub(crate) async fn fan_out_in(
        &self,
        tx: &mut crate::store::Tx,
        n: &Notice,
        user: &User,
        prefs: &Preferences,
        only: Option<Channel>,
    ) -> StoreResult<()> {
        let now = chrono::Utc::now();
        let release = if n.category.is_critical() { now } else { quiet::release_at(now, prefs.quiet_hours, &prefs.time_zone) };
        if only.is_none() && prefs.allows(n.category, Channel::InApp) {
            let stored = StoredNotification {
                id: uuid::Uuid::now_v7().to_string(),
                user_id: user.id.clone(),
                category: n.category,
                kind: n.kind,
                params: n.params.clone(),
                link: n.link.clone(),
                created_at_ms: now.timestamp_millis(),
                read_at_ms: None,
                archived_at_ms: None,
            };
            self.store.insert_notification(tx, &stored, &delivery_key(&n.source, &user.id, Channel::InApp)).await?;
        }
        let wanted: Vec<Channel> = self
            .channels()
            .into_iter()
            .filter(|c| *c != Channel::InApp && only.is_none_or(|o| o == *c) && prefs.allows(n.category, *c))
            .collect();
        if only.is_none() && super::digest::held(n.category, prefs.digest) {
            // Kept for the digest (which never texts), when a channel it goes on wants it.
            if wanted.iter().any(|c| matches!(c, Channel::Email | Channel::Push)) {
                let item = super::digest::DigestItem {
                    id: uuid::Uuid::now_v7().to_string(),
                    category: n.category,
                    kind: n.kind,
                    params: n.params.clone(),
                };
                let key = format!("{}:{}:digest", n.source, user.id);
                if self.store.add_digest_item(tx, &user.id, &key, &item, now.timestamp_millis()).await? {
                    let at = quiet::next_digest_at(now, prefs.digest, &prefs.time_zone);
                    self.jobs.enqueue(tx, &super::digest::digest_job(&user.id, at.timestamp_millis())).await?;
                }
            }
            return Ok(());
        }
        let mut targets = Vec::new();
        for channel in wanted {
            if channel == Channel::Push {
                // One delivery per browser: each is retried and settled on its own.
                for device in self.store.push_devices(&user.id).await? {
                    targets.push((channel, format!("{}:{}", delivery_key(&n.source, &user.id, channel), device.id), Some(device.id)));
                }
            } else {
                targets.push((channel, delivery_key(&n.source, &user.id, channel), None));
            }
        }
        for (channel, key, address) in targets {
            let d = StoredDelivery {
                delivery: Delivery {
                    key: key.clone(),
                    user_id: user.id.clone(),
                    recipient: user.email.clone(),
                    address,
                    channel,
                    category: n.category,
                    kind: n.kind,
                    state: DeliveryState::Queued,
                    attempts: 0,
                    answer: None,
                    created_at: now,
                    updated_at: now,
                },
                params: n.params.clone(),
                link: n.link.clone(),
            };
            if self.store.insert_delivery(tx, &d).await? {
                // A broadcast's messages leave at the channel's pace, quiet hours still apply.
                let paced = n.pace.map(|p| super::broadcast::paced_at(p, channel)).unwrap_or(0);
                let job = NewJob {
                    queue: queue_of(channel),
                    payload: serde_json::json!({ "key": key }),
                    dedupe_key: key,
                    max_attempts: DELIVERY_ATTEMPTS,
                    run_at_ms: release.timestamp_millis().max(paced),
                };
                self.jobs.enqueue(tx, &job).await?;
            }
        }
        Ok(())
    }

    /// A page of the reader's notifications, in their language.
    pub async fn page(&self, user: &User, shelf: Shelf, after: Option<&str>) -> StoreResult<NotificationPage> {
        let mut rows = self.store.notifications(&user.id, shelf, after, PAGE + 1).await?;
        let more = rows.len() > PAGE as usize;
        rows.truncate(PAGE as usize);
        let next = if more { rows.last().map(|n| cursor_of(n, shelf)) } else { None };
        let unread = self.store.unread_count(&user.id, UNREAD_CAP).await?;
        Ok(NotificationPage { items: rows.iter().map(|n| shown(n, user.language)).collect(), unread, next })
    }

    pub async fn unread(&self, user_id: &str) -> StoreResult<u32> {
        self.store.unread_count(user_id, UNREAD_CAP).await
    }

    /// Marks read the reader's `ids` (every unread one when `None`).
    pub async fn mark_read(&self, user: &User, ids: Option<&[String]>) -> Result<u64, NotificationError> {
        if ids.is_some_and(|ids| ids.len() > 200) {
            return Err(NotificationError::Invalid(vec![FieldError::new("ids", Reason::TooLong)]));
        }
        let mut tx = self.store.begin().await?;
        let n = self.store.mark_read(&mut tx, &user.id, ids, crate::clock::now_ms()).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// A notification of the reader's, marked read: where its link leads.
    pub async fn open(&self, user: &User, id: &str) -> Result<Option<String>, NotificationError> {
        let n = self.store.notification(&user.id, id).await?.ok_or(NotificationError::NotFound)?;
        if n.read_at_ms.is_none() {
            self.mark_read(user, Some(std::slice::from_ref(&n.id))).await?;
        }
        Ok(n.link)
    }

    pub async fn archive(&self, user: &User, ids: &[String]) -> Result<u64, NotificationError> {
        if ids.len() > 200 {
            return Err(NotificationError::Invalid(vec![FieldError::new("ids", Reason::TooLong)]));
        }
        let mut tx = self.store.begin().await?;
        let n = self.store.archive(&mut tx, &user.id, ids, crate::clock::now_ms()).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// An admin's "send me a test": a test notice to themselves in `category`, on every
    /// channel they allow for it (so that each channel's setup can be checked from the app).
    pub async fn send_test(&self, by: &User, category: &str) -> Result<(), NotificationError> {
        if !by.role.can_manage_users() {
            return Err(NotificationError::Forbidden);
        }
        let category =
            Category::parse(category).ok_or_else(|| NotificationError::Invalid(vec![FieldError::new("category", Reason::Unknown)]))?;
        let notice = Notice {
            user_id: by.id.clone(),
            category,
            kind: super::Kind::Test,
            params: serde_json::Map::new(),
            link: Some("/notifications".into()),
            source: format!("test:{}", uuid::Uuid::now_v7()),
            pace: None,
        };
        Ok(self.notify(&notice).await?)
    }

    /// What was sent lately (admins: everyone's; otherwise the reader's own).
    pub async fn deliveries(&self, by: &User, all: bool, limit: u32) -> StoreResult<Vec<Delivery>> {
        let scope = if all && by.role.can_manage_users() { None } else { Some(by.id.as_str()) };
        self.store.deliveries(scope, limit).await
    }
}

impl NotificationService {
    /// The reader's number for SMS, if they gave one.
    pub async fn phone(&self, user: &User) -> StoreResult<Option<Phone>> {
        Ok(self.store.phone(&user.id).await?.map(|p| Phone { number: p.number, verified: p.verified_at_ms.is_some() }))
    }

    /// Takes a reader's number for SMS and sends it a code (from the queue); texts go there once
    /// the code is typed back ([`Self::confirm_phone`]). The same verified number again changes
    /// nothing; a code is sent once a minute at most.
    pub async fn set_phone(&self, user: &User, input: &str, ip: &str) -> Result<Phone, NotificationError> {
        let invalid = |field: &str, reason: Reason| NotificationError::Invalid(vec![FieldError::new(field, reason)]);
        if !self.channels().contains(&Channel::Sms) {
            return Err(invalid("sms_phone", Reason::Unknown));
        }
        let number = crate::validation::e164(input).map_err(|r| invalid("sms_phone", r))?;
        let now = crate::clock::now_ms();
        let before = self.store.phone(&user.id).await?;
        if let Some(p) = &before {
            if p.number == number && p.verified_at_ms.is_some() {
                return Ok(Phone { number, verified: true });
            }
            let wait = p.asked_at_ms + 60_000 - now;
            if wait > 0 {
                return Err(NotificationError::TooSoon(((wait + 999) / 1000) as u64));
            }
        }
        let key = format!("phone_code:{}:{}", user.id, uuid::Uuid::now_v7().simple());
        let mut params = serde_json::Map::new();
        params.insert("number".into(), number.clone().into());
        let d = StoredDelivery {
            delivery: Delivery {
                key: key.clone(),
                user_id: user.id.clone(),
                recipient: user.email.clone(),
                address: Some(number.clone()),
                channel: Channel::Sms,
                category: Category::Account,
                kind: super::Kind::PhoneCode,
                state: DeliveryState::Queued,
                attempts: 0,
                answer: None,
                created_at: crate::clock::from_ms(now),
                updated_at: crate::clock::from_ms(now),
            },
            params,
            link: None,
        };
        let mut tx = self.store.begin().await?;
        self.store.save_phone(&mut tx, &user.id, &number, now).await?;
        self.store.insert_delivery(&mut tx, &d).await?;
        // A code is worth nothing after ten minutes: a few tries, then it is given up.
        let job = NewJob {
            queue: queue_of(Channel::Sms),
            payload: serde_json::json!({ "key": key }),
            dedupe_key: key,
            max_attempts: 4,
            run_at_ms: now,
        };
        self.jobs.enqueue(&mut tx, &job).await?;
        let entry = AuditEntry::new(
            &Actor::user(user, ip),
            AuditAction::NotificationsChanged,
            &user.id,
            &user.email,
            Some(serde_json::json!({ "sms_phone": before.map(|p| masked(&p.number)) })),
            Some(serde_json::json!({ "sms_phone": masked(&number), "verified": false })),
        );
        tx.audit(&entry).await?;
        tx.commit().await?;
        Ok(Phone { number, verified: false })
    }

    /// The code sent to the reader's new number, typed back: the number is theirs.
    pub async fn confirm_phone(&self, user: &User, code: &str, ip: &str) -> Result<Phone, NotificationError> {
        let invalid = |reason: Reason| NotificationError::Invalid(vec![FieldError::new("sms_code", reason)]);
        let p = self.store.phone(&user.id).await?.ok_or(NotificationError::NotFound)?;
        if p.verified_at_ms.is_some() {
            return Ok(Phone { number: p.number, verified: true });
        }
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.is_empty() {
            return Err(invalid(Reason::Required));
        }
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid(Reason::InvalidFormat));
        }
        let now = crate::clock::now_ms();
        let live = p.code_digest.as_deref().filter(|_| p.code_tries < CODE_TRIES && p.code_expires_ms.is_some_and(|e| e > now));
        let Some(digest) = live else { return Err(invalid(Reason::OutOfRange)) };
        if digest != code_digest(&user.id, &code) {
            self.store.phone_code_missed(&user.id).await?;
            return Err(invalid(Reason::Mismatch));
        }
        let mut tx = self.store.begin().await?;
        if !self.store.verify_phone(&mut tx, &user.id, &p.number, now).await? {
            tx.rollback().await?;
            return Err(invalid(Reason::OutOfRange));
        }
        let entry = AuditEntry::new(
            &Actor::user(user, ip),
            AuditAction::NotificationsChanged,
            &user.id,
            &user.email,
            Some(serde_json::json!({ "sms_phone": masked(&p.number), "verified": false })),
            Some(serde_json::json!({ "sms_phone": masked(&p.number), "verified": true })),
        );
        tx.audit(&entry).await?;
        tx.commit().await?;
        Ok(Phone { number: p.number, verified: true })
    }

    /// Forgets the reader's number: no more texts. `Ok(false)`: there was none.
    pub async fn remove_phone(&self, user: &User, ip: &str) -> Result<bool, NotificationError> {
        let Some(p) = self.store.phone(&user.id).await? else { return Ok(false) };
        let mut tx = self.store.begin().await?;
        let removed = self.store.delete_phone(&mut tx, &user.id).await?;
        let entry = AuditEntry::new(
            &Actor::user(user, ip),
            AuditAction::NotificationsChanged,
            &user.id,
            &user.email,
            Some(serde_json::json!({ "sms_phone": masked(&p.number) })),
            Some(serde_json::json!({ "sms_phone": null })),
        );
        tx.audit(&entry).await?;
        tx.commit().await?;
        Ok(removed)
    }

    /// What each channel's handler does first: the delivery its job names, with its reader,
    /// unless it is settled already (`None`); skipped when the account is gone.
    pub(crate) async fn open_delivery(&self, accounts: &dyn AccountStore, job: &crate::jobs::Job) -> Result<Option<OpenDelivery>, String> {
        let err = |e: StoreError| e.to_string();
        let key = job.payload.get("key").and_then(|v| v.as_str()).ok_or("no key in the job")?;
        let Some(d) = self.store.delivery(key).await.map_err(err)? else { return Ok(None) };
        if d.delivery.state.is_final() {
            return Ok(None);
        }
        let Some(rec) = accounts.user_by_id(&d.delivery.user_id).await.map_err(err)? else {
            self.settle_delivery(key, DeliveryState::Skipped, "no such account").await?;
            return Ok(None);
        };
        Ok(Some(OpenDelivery { key: key.to_owned(), d, user: rec.user }))
    }

    /// Moves a delivery to `state` with the provider's (or Coko's) words.
    pub(crate) async fn settle_delivery(&self, key: &str, state: DeliveryState, answer: &str) -> Result<(), String> {
        self.store.set_delivery(key, state, Some(answer), false, crate::clock::now_ms()).await.map_err(|e| e.to_string())
    }

    /// A try that may pass later: queued again (failed after the job's last attempt), and the
    /// job fails with `why` so that the queue retries it.
    pub(crate) async fn retry_later(&self, key: &str, job: &crate::jobs::Job, why: String) -> Result<(), String> {
        let state = if job.attempts >= job.max_attempts { DeliveryState::Failed } else { DeliveryState::Queued };
        self.settle_delivery(key, state, &why).await?;
        Err(why)
    }

    /// The reader's browsers that receive Web Push messages.
    pub async fn push_devices(&self, user: &User) -> StoreResult<Vec<PushDevice>> {
        self.store.push_devices(&user.id).await
    }

    /// Stores the subscription of one of the reader's browsers (the same browser subscribing
    /// again keeps its id; beyond [`MAX_DEVICES`] the oldest is dropped); whether it is new to
    /// the reader.
    pub async fn add_push_device(&self, user: &User, input: &NewDevice, ip: &str) -> Result<(PushDevice, bool), NotificationError> {
        if !self.channels().contains(&Channel::Push) {
            return Err(NotificationError::Invalid(vec![FieldError::new("endpoint", Reason::Unknown)]));
        }
        let input = NewDevice::parse(&input.endpoint, &input.p256dh, &input.auth, &input.device, self.push_loopback)
            .map_err(NotificationError::Invalid)?;
        let before = self.store.push_devices(&user.id).await?;
        let known = before.iter().find(|d| d.endpoint == input.endpoint);
        let now = chrono::Utc::now();
        let mut device = PushDevice {
            id: known.map(|d| d.id.clone()).unwrap_or_else(|| uuid::Uuid::now_v7().to_string()),
            user_id: user.id.clone(),
            endpoint: input.endpoint.clone(),
            p256dh: input.p256dh.clone(),
            auth: input.auth.clone(),
            device: input.device.clone(),
            created_at: known.map(|d| d.created_at).unwrap_or(now),
            last_sent_at: known.and_then(|d| d.last_sent_at),
        };
        let mut tx = self.store.begin().await?;
        device.id = self.store.save_push_device(&mut tx, &device).await?;
        if known.is_none() {
            let excess = (before.len() + 1).saturating_sub(MAX_DEVICES);
            for old in before.iter().take(excess) {
                self.store.delete_push_device(&mut tx, Some(&user.id), &old.id).await?;
            }
        }
        let entry = AuditEntry::new(
            &Actor::user(user, ip),
            AuditAction::NotificationsChanged,
            &user.id,
            &user.email,
            Some(serde_json::json!({ "push_devices": before.len() })),
            Some(serde_json::json!({ "push_device": device.device, "added": known.is_none() })),
        );
        tx.audit(&entry).await?;
        tx.commit().await?;
        Ok((device, known.is_none()))
    }

    /// Forgets one of the reader's browsers (by its id or its endpoint). `Ok(false)`: none such.
    pub async fn remove_push_device(&self, user: &User, id_or_endpoint: &str, ip: &str) -> Result<bool, NotificationError> {
        let devices = self.store.push_devices(&user.id).await?;
        let Some(d) = devices.iter().find(|d| d.id == id_or_endpoint || d.endpoint == id_or_endpoint) else { return Ok(false) };
        let mut tx = self.store.begin().await?;
        let removed = self.store.delete_push_device(&mut tx, Some(&user.id), &d.id).await?;
        let entry = AuditEntry::new(
            &Actor::user(user, ip),
            AuditAction::NotificationsChanged,
            &user.id,
            &user.email,
            Some(serde_json::json!({ "push_device": d.device })),
            Some(serde_json::json!({ "push_device": null })),
        );
        tx.audit(&entry).await?;
        tx.commit().await?;
        Ok(removed)
    }

    /// A browser its push service no longer knows (it answered 404 or 410).
    pub async fn forget_push_device(&self, id: &str) -> StoreResult<()> {
        let mut tx = self.store.begin().await?;
        self.store.delete_push_device(&mut tx, None, id).await?;
        tx.commit().await
    }

    /// An SMS provider's delivery report: settles the delivery it names when the number matches
    /// the one that message went to. False when it names no message of Coko's (it is dropped).
    pub async fn sms_report(&self, r: &DeliveryReport) -> StoreResult<bool> {
        let reference = r.message_id.trim();
        if reference.is_empty() || reference == "None" {
            return Ok(false);
        }
        if let Some(d) = self.store.delivery_by_ref(Channel::Sms, reference).await? {
            return self.settle(&d, r).await;
        }
        // Before the send's answer was written down: kept, then looked for again, so that
        // either this call or the handler's `claim_early_report` sees the other's write.
        let now = crate::clock::now_ms();
        self.store.keep_early_report(r, now, now - 86_400_000).await?;
        match self.store.delivery_by_ref(Channel::Sms, reference).await? {
            Some(d) => {
                self.store.take_early_report(reference).await?;
                self.settle(&d, r).await
            }
            None => Ok(false),
        }
    }

    /// Settles the SMS `key`, just marked sent with `message_id`, with a report that came before.
    pub async fn claim_early_report(&self, key: &str, message_id: &str) -> StoreResult<()> {
        let Some(r) = self.store.take_early_report(message_id).await? else { return Ok(()) };
        if let Some(d) = self.store.delivery(key).await? {
            self.settle(&d, &r).await?;
        }
        Ok(())
    }

    /// A report about a delivery: trusted only for the number that message went to; only a
    /// text sent (or being sent) moves to delivered or failed.
    async fn settle(&self, d: &StoredDelivery, r: &DeliveryReport) -> StoreResult<bool> {
        if d.delivery.address.as_deref() != Some(r.phone.trim()) {
            return Ok(false);
        }
        let Some(state) = report_state(&r.status) else { return Ok(true) };
        if matches!(d.delivery.state, DeliveryState::Sent | DeliveryState::Sending) {
            let why = r.failure_reason.as_deref().filter(|f| !f.is_empty()).map(|f| format!(" ({f})")).unwrap_or_default();
            let answer = format!("report: {}{why}", r.status);
            self.store.set_delivery(&d.delivery.key, state, Some(&answer), false, crate::clock::now_ms()).await?;
        }
        Ok(true)
    }
}

/// A delivery a channel's handler is about to send, with its reader.
pub(crate) struct OpenDelivery {
    pub key: String,
    pub d: StoredDelivery,
    pub user: User,
}

/// A number as the journal keeps it: its country code and last two digits.
fn masked(number: &str) -> String {
    let n = number.len();
    if n <= 6 {
        return "…".into();
    }
    format!("{}…{}", &number[..4], &number[n - 2..])
}

/// The key of one notice for one reader on one channel.
pub fn delivery_key(source: &str, user_id: &str, channel: Channel) -> String {
    format!("{source}:{user_id}:{}", channel.as_str())
}

/// The queue that sends on `channel`.
pub fn queue_of(channel: Channel) -> &'static str {
    match channel {
        Channel::Email => super::EMAIL_QUEUE,
        Channel::Sms => "notify.sms",
        Channel::Push => "notify.push",
        Channel::InApp => "notify.in_app",
    }
}

fn shown(n: &StoredNotification, lang: Language) -> Notification {
    let r = render(n.kind, &n.params, lang);
    Notification {
        id: n.id.clone(),
        category: n.category,
        kind: n.kind,
        title: r.title,
        body: r.body,
        link: n.link.clone(),
        created_at: crate::clock::from_ms(n.created_at_ms),
        read_at: n.read_at_ms.map(crate::clock::from_ms),
        archived_at: n.archived_at_ms.map(crate::clock::from_ms),
    }
}

/// The audit journal's view of a reader's choices: the cells that are off, quiet hours, zone.
fn summary(p: &Preferences) -> serde_json::Value {
    let off: Vec<String> =
        p.cells.iter().filter(|c| !c.enabled).map(|c| format!("{}.{}", c.category.as_str(), c.channel.as_str())).collect();
    serde_json::json!({ "off": off, "quiet_hours": p.quiet_hours, "time_zone": p.time_zone, "digest": p.digest.as_str() })
}
