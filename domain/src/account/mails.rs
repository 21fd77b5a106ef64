//! The account's own mails — the verification link, the reset link, "someone tried to register
//! with your address" — sent from the durable job queue in reaction to the account's events,
//! never from a task that a crash would lose.
//!
//! Each mail is a delivery of the notifications area (channel e-mail, category account) keyed
//! by its event: a retry after the mail server acknowledged it finds the delivery `sent` and
//! sends nothing. The link's token is made when the mail is sent, and only its digest is kept —
//! never in the delivery (whose parameters stay empty): whoever reads the database cannot use a
//! link. A retry after a failure makes a new token; the earlier one, never mailed, expires.

use super::service::MailKind;
use super::AccountService;
use crate::events::Event;
use crate::jobs::{Handler, Job, NewJob};
use crate::notification::{Category, Channel, Delivery, DeliveryState, Kind, NotificationStore, StoredDelivery};
use async_trait::async_trait;
use std::sync::Arc;

pub const ACCOUNT_MAIL_QUEUE: &str = "account.mail";

pub struct AccountMails {
    pub accounts: AccountService,
    pub deliveries: Arc<dyn NotificationStore>,
}

impl MailKind {
    fn as_str(self) -> &'static str {
        match self {
            MailKind::Verify => "verify",
            MailKind::Reset => "reset",
            MailKind::AlreadyRegistered => "already_registered",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [MailKind::Verify, MailKind::Reset, MailKind::AlreadyRegistered].into_iter().find(|k| k.as_str() == s)
    }

    fn notice_kind(self) -> Kind {
        match self {
            MailKind::Verify => Kind::VerifyEmail,
            MailKind::Reset => Kind::PasswordReset,
            MailKind::AlreadyRegistered => Kind::AlreadyRegistered,
        }
    }
}

#[async_trait]
impl Handler for AccountMails {
    fn queue(&self) -> &'static str {
        ACCOUNT_MAIL_QUEUE
    }

    fn job_for(&self, event: &Event) -> Option<NewJob> {
        let (kind, user_id) = match event {
            // A staff-made account is verified already: its job finds so and sends nothing.
            Event::AccountCreated { user_id } | Event::VerificationAsked { user_id } => (MailKind::Verify, user_id),
            Event::PasswordResetAsked { user_id } => (MailKind::Reset, user_id),
            Event::DuplicateRegistration { user_id } => (MailKind::AlreadyRegistered, user_id),
            _ => return None,
        };
        // One delivery per event (the dispatcher turns an event into its jobs once); one
        // waiting job per reader and kind (a second ask while one waits is the same mail).
        let key = format!("{}:{user_id}:{}", kind.as_str(), uuid::Uuid::now_v7().simple());
        let payload = serde_json::json!({ "kind": kind.as_str(), "user_id": user_id, "key": key });
        Some(NewJob::now(ACCOUNT_MAIL_QUEUE, format!("{}:{user_id}", kind.as_str()), payload))
    }

    fn lease(&self) -> std::time::Duration {
        std::time::Duration::from_secs(120)
    }

    async fn run(&self, job: &Job) -> Result<(), String> {
        let field = |k: &str| job.payload.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        let kind = field("kind").as_deref().and_then(MailKind::parse).ok_or("unknown account mail")?;
        let (user_id, key) = (field("user_id").ok_or("no user_id")?, field("key").ok_or("no key")?);
        let err = |e: crate::store::StoreError| e.to_string();
        let store = &self.deliveries;
        let existing = store.delivery(&key).await.map_err(err)?;
        if existing.as_ref().is_some_and(|d| d.delivery.state.is_final()) {
            return Ok(());
        }
        let Ok(user) = self.accounts.user(&user_id).await else { return Ok(()) };
        let now = chrono::Utc::now();
        // Verified already (an account made by staff, or the link followed meanwhile): nothing
        // to send, and nothing for the log.
        if kind == MailKind::Verify && user.email_verified {
            if existing.is_some() {
                let why = Some("address verified already");
                return store.set_delivery(&key, DeliveryState::Skipped, why, false, now.timestamp_millis()).await.map_err(err);
            }
            return Ok(());
        }
        if existing.is_none() {
            let d = StoredDelivery {
                delivery: Delivery {
                    key: key.clone(),
                    user_id: user.id.clone(),
                    recipient: user.email.clone(),
                    address: None,
                    channel: Channel::Email,
                    category: Category::Account,
                    kind: kind.notice_kind(),
                    state: DeliveryState::Queued,
                    attempts: 0,
                    answer: None,
                    created_at: now,
                    updated_at: now,
                },
                params: serde_json::Map::new(),
                link: None,
            };
            let mut tx = store.begin().await.map_err(err)?;
            store.insert_delivery(&mut tx, &d).await.map_err(err)?;
            tx.commit().await.map_err(err)?;
        }
        store.set_delivery(&key, DeliveryState::Sending, None, true, now.timestamp_millis()).await.map_err(err)?;
        match self.accounts.deliver(kind, &user, &key).await {
            Ok(reply) => store.set_delivery(&key, DeliveryState::Sent, Some(&reply), false, crate::clock::now_ms()).await.map_err(err),
            Err(e) => {
                let state = if job.attempts >= job.max_attempts { DeliveryState::Failed } else { DeliveryState::Queued };
                store.set_delivery(&key, state, Some(&e), false, crate::clock::now_ms()).await.map_err(err)?;
                Err(e)
            }
        }
    }
}
