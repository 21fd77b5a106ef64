//! Notifications: what Coko tells a reader (a receipt, a Premium about to end…), on the channels
//! they chose — in the app (the bell and its page) and by e-mail today; SMS and Web Push plug
//! into the same fan-out as further [`Channel`]s.
//!
//! An area that has something to say builds a [`Notice`] in one of its jobs and hands it to
//! [`NotificationService::notify`], which in one unit of work stores the in-app notification
//! and one *delivery* per other channel the reader allows, each with its job. A delivery's key
//! names its source, its reader and its channel: a notice handed over twice (a retried job, a
//! redelivered webhook) is stored once and sent once. Texts are rendered from the notice's
//! parameters in the reader's language when they are shown or sent ([`templates`]).

#[cfg(feature = "ssr")]
pub mod africastalking;
#[cfg(feature = "ssr")]
pub mod broadcast;
#[cfg(feature = "ssr")]
pub mod digest;
#[cfg(feature = "ssr")]
mod email;
#[cfg(feature = "ssr")]
pub mod follows;
pub mod gsm;
#[cfg(feature = "ssr")]
pub mod push;
#[cfg(feature = "ssr")]
pub mod quiet;
#[cfg(feature = "ssr")]
mod service;
#[cfg(feature = "ssr")]
pub mod sms;
#[cfg(feature = "ssr")]
mod sql;
#[cfg(feature = "ssr")]
pub mod templates;
#[cfg(feature = "ssr")]
pub mod webpush;

#[cfg(feature = "ssr")]
pub use broadcast::{BroadcastFanOut, BROADCAST_QUEUE};
#[cfg(feature = "ssr")]
pub use digest::{DigestDeliveries, DIGEST_QUEUE};
#[cfg(feature = "ssr")]
pub use email::{EmailDeliveries, EMAIL_QUEUE};
#[cfg(feature = "ssr")]
pub use follows::{NewBookNotices, NEW_BOOK_QUEUE};
#[cfg(feature = "ssr")]
pub use service::{NotificationError, NotificationService, PreferencesForm};

use serde::{Deserialize, Serialize};

/// The bell counts up to this (and shows "99+").
pub const UNREAD_CAP: u32 = 100;

/// What a notification is about; preferences are kept per category and channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Verification, password, sign-in: always on, never held by quiet hours.
    Account,
    /// Receipts, failures, refunds, Premium reminders.
    Payments,
    /// Reading groups and replies (community).
    Groups,
    /// Badges, streaks, challenges (gamification).
    Achievements,
    /// A new book by a followed author or in a followed category.
    NewBooks,
    /// Coko's news (broadcasts).
    News,
}

impl Category {
    pub const ALL: [Category; 6] =
        [Category::Account, Category::Payments, Category::Groups, Category::Achievements, Category::NewBooks, Category::News];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Account => "account",
            Category::Payments => "payments",
            Category::Groups => "groups",
            Category::Achievements => "achievements",
            Category::NewBooks => "new_books",
            Category::News => "news",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// A reader cannot turn it off, and quiet hours do not hold it.
    pub fn is_critical(self) -> bool {
        self == Category::Account
    }

    /// Many messages, none urgent: what a reader may take as a daily or weekly digest.
    pub fn is_chatty(self) -> bool {
        matches!(self, Category::Groups | Category::Achievements | Category::NewBooks | Category::News)
    }
}

/// How the chatty categories reach a reader outside the app: each message as it comes, or one
/// summary a day (8 o'clock, their time) or a week (Monday, 8 o'clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Digest {
    #[default]
    Immediate,
    Daily,
    Weekly,
}

impl Digest {
    pub const ALL: [Digest; 3] = [Digest::Immediate, Digest::Daily, Digest::Weekly];

    pub fn as_str(self) -> &'static str {
        match self {
            Digest::Immediate => "immediate",
            Digest::Daily => "daily",
            Digest::Weekly => "weekly",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// How a notification reaches its reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    InApp,
    Email,
    Sms,
    Push,
}

impl Channel {
    pub const ALL: [Channel; 4] = [Channel::InApp, Channel::Email, Channel::Sms, Channel::Push];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::InApp => "in_app",
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Push => "push",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// A reader's choices: which category reaches them on which channel, and when not to disturb.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    /// Every category × channel, in the order of [`Category::ALL`] then [`Channel::ALL`].
    pub cells: Vec<Cell>,
    /// Local hours (start, end) during which non-critical messages wait (in-app ones are stored
    /// at once, silently); `None`: no quiet hours. `(22, 7)` spans midnight.
    pub quiet_hours: Option<(u8, u8)>,
    /// The reader's IANA time zone (`Africa/Dakar`), for quiet hours.
    pub time_zone: String,
    /// The chatty categories as they come, or in a digest.
    #[serde(default)]
    pub digest: Digest,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    pub category: Category,
    pub channel: Channel,
    pub enabled: bool,
}

/// The channel defaults an account carries from before per-category preferences (its profile's
/// `notify_email`, `notify_sms`, `notify_push`): a cell nobody set follows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelDefaults {
    pub email: bool,
    pub sms: bool,
    pub push: bool,
}

impl Preferences {
    /// What a reader who never chose gets.
    pub fn defaults(d: ChannelDefaults, time_zone: &str) -> Self {
        let cells = Category::ALL
            .into_iter()
            .flat_map(|category| Channel::ALL.into_iter().map(move |channel| (category, channel)))
            .map(|(category, channel)| Cell { category, channel, enabled: Self::default_for(d, category, channel) })
            .collect();
        Preferences { cells, quiet_hours: None, time_zone: time_zone.to_owned(), digest: Digest::Immediate }
    }

    fn default_for(d: ChannelDefaults, category: Category, channel: Channel) -> bool {
        if category.is_critical() {
            return matches!(channel, Channel::InApp | Channel::Email);
        }
        match channel {
            Channel::InApp => true,
            // News and achievements would be chatty by mail: asked for, not assumed.
            Channel::Email => d.email && !matches!(category, Category::News | Category::Achievements),
            Channel::Sms => d.sms && category == Category::Payments,
            Channel::Push => d.push,
        }
    }

    /// Whether `category` reaches the reader on `channel` (critical ones always do by mail
    /// and in the app).
    pub fn allows(&self, category: Category, channel: Channel) -> bool {
        if category.is_critical() && matches!(channel, Channel::InApp | Channel::Email) {
            return true;
        }
        self.cells.iter().find(|c| c.category == category && c.channel == channel).is_some_and(|c| c.enabled)
    }

    pub fn set(&mut self, category: Category, channel: Channel, enabled: bool) {
        if let Some(c) = self.cells.iter_mut().find(|c| c.category == category && c.channel == channel) {
            c.enabled = enabled;
        }
    }
}

/// The time zone a reader of `country` most likely lives in (the capital's), until they choose.
pub fn zone_of_country(country: &str) -> &'static str {
    match country.to_ascii_uppercase().as_str() {
        "SN" => "Africa/Dakar",
        "CI" => "Africa/Abidjan",
        "ML" => "Africa/Bamako",
        "BF" => "Africa/Ouagadougou",
        "GN" => "Africa/Conakry",
        "NE" => "Africa/Niamey",
        "TG" => "Africa/Lome",
        "BJ" => "Africa/Porto-Novo",
        "MR" => "Africa/Nouakchott",
        "GM" => "Africa/Banjul",
        "GH" => "Africa/Accra",
        "NG" => "Africa/Lagos",
        "CM" => "Africa/Douala",
        "GA" => "Africa/Libreville",
        "CG" => "Africa/Brazzaville",
        "CD" => "Africa/Kinshasa",
        "TD" => "Africa/Ndjamena",
        "CF" => "Africa/Bangui",
        "MA" => "Africa/Casablanca",
        "DZ" => "Africa/Algiers",
        "TN" => "Africa/Tunis",
        "EG" => "Africa/Cairo",
        "KE" => "Africa/Nairobi",
        "TZ" => "Africa/Dar_es_Salaam",
        "UG" => "Africa/Kampala",
        "RW" => "Africa/Kigali",
        "ET" => "Africa/Addis_Ababa",
        "ZA" => "Africa/Johannesburg",
        "MG" => "Indian/Antananarivo",
        "FR" => "Europe/Paris",
        "BE" => "Europe/Brussels",
        "CA" => "America/Toronto",
        "US" => "America/New_York",
        "GB" => "Europe/London",
        _ => "UTC",
    }
}

/// What a notification says, by template (its texts are in [`templates`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    PaymentReceipt,
    PaymentRefund,
    PaymentFailed,
    RenewalReminder,
    /// An admin's "send me a test".
    Test,
    /// The account's own mails (sent by `account::AccountMails`; never in the app).
    VerifyEmail,
    PasswordReset,
    AlreadyRegistered,
    /// The code that proves a reader's phone number (SMS only).
    PhoneCode,
    /// A book was published by an author, or in a category, the reader follows.
    NewBook,
    /// Coko's news, written by an admin for a segment of readers (its words are its params).
    Broadcast,
    /// A daily or weekly summary of the chatty categories (e-mail and push).
    Digest,
    /// A moderator published a reader's held review.
    ReviewPublished,
    /// A moderator hid a reader's review, with the reason.
    ReviewHidden,
}

impl Kind {
    pub const ALL: [Kind; 14] = [
        Kind::PaymentReceipt,
        Kind::PaymentRefund,
        Kind::PaymentFailed,
        Kind::RenewalReminder,
        Kind::Test,
        Kind::VerifyEmail,
        Kind::PasswordReset,
        Kind::AlreadyRegistered,
        Kind::PhoneCode,
        Kind::NewBook,
        Kind::Broadcast,
        Kind::Digest,
        Kind::ReviewPublished,
        Kind::ReviewHidden,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::PaymentReceipt => "payment_receipt",
            Kind::PaymentRefund => "payment_refund",
            Kind::PaymentFailed => "payment_failed",
            Kind::RenewalReminder => "renewal_reminder",
            Kind::Test => "test",
            Kind::VerifyEmail => "verify_email",
            Kind::PasswordReset => "password_reset",
            Kind::AlreadyRegistered => "already_registered",
            Kind::PhoneCode => "phone_code",
            Kind::NewBook => "new_book",
            Kind::Broadcast => "broadcast",
            Kind::Digest => "digest",
            Kind::ReviewPublished => "review_published",
            Kind::ReviewHidden => "review_hidden",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A notification in the app, as its page and the REST API show it (texts rendered in the
/// viewer's language).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: String,
    pub category: Category,
    pub kind: Kind,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub read_at: Option<chrono::DateTime<chrono::Utc>>,
    pub archived_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// One page of a reader's notifications (unread first, then the newest first).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationPage {
    pub items: Vec<Notification>,
    pub unread: u32,
    /// Where the next page starts, if there is one.
    pub next: Option<String>,
}

/// Which of a reader's notifications a page lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shelf {
    #[default]
    Inbox,
    Archived,
}

/// Where a message on a channel other than the app stands (the delivery log).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    Queued,
    /// Handed to the provider; no answer recorded yet (a crash here may send it again).
    Sending,
    /// The provider acknowledged it.
    Sent,
    /// The provider reported it delivered (SMS delivery reports, push).
    Delivered,
    /// Given up (its answer says why).
    Failed,
    /// Not sent: the reader turned the category off since, or has no address for it.
    Skipped,
}

impl DeliveryState {
    pub const ALL: [DeliveryState; 6] = [
        DeliveryState::Queued,
        DeliveryState::Sending,
        DeliveryState::Sent,
        DeliveryState::Delivered,
        DeliveryState::Failed,
        DeliveryState::Skipped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Queued => "queued",
            DeliveryState::Sending => "sending",
            DeliveryState::Sent => "sent",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
            DeliveryState::Skipped => "skipped",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Nothing more will be tried.
    pub fn is_final(self) -> bool {
        matches!(self, DeliveryState::Sent | DeliveryState::Delivered | DeliveryState::Failed | DeliveryState::Skipped)
    }
}

/// One message on one channel, as the delivery log shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub key: String,
    pub user_id: String,
    /// The reader's e-mail address (who it was for, in the log).
    pub recipient: String,
    /// Where it went on its channel, once known (the phone number of an SMS).
    pub address: Option<String>,
    pub channel: Channel,
    pub category: Category,
    pub kind: Kind,
    pub state: DeliveryState,
    pub attempts: u32,
    /// The provider's last answer (its reply, its error).
    pub answer: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// A message as it leaves, for the admins' preview: its words in one language and its SMS with
/// what that costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplatePreview {
    pub kind: Kind,
    pub language: crate::validation::Language,
    pub title: String,
    pub body: String,
    pub sms: String,
    /// `GSM-7` or `UCS-2`.
    pub sms_encoding: String,
    pub sms_parts: u32,
    /// The characters that forced UCS-2 (none for GSM-7).
    pub offending: String,
}

/// A browser that receives the reader's Web Push messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushDevice {
    pub id: String,
    pub user_id: String,
    /// The push service's URL for this browser (a capability: never shown to others).
    #[serde(skip_serializing, default)]
    pub endpoint: String,
    /// The browser's P-256 key (base64url, 65 bytes uncompressed) and auth secret (16 bytes).
    #[serde(skip_serializing, default)]
    pub p256dh: String,
    #[serde(skip_serializing, default)]
    pub auth: String,
    /// What the reader sees to tell their browsers apart ("Chrome · Android").
    pub device: String,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[serde(with = "chrono::serde::ts_milliseconds_option")]
    pub last_sent_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Web Push on the preferences page: the key browsers subscribe with and the reader's browsers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushSection {
    pub public_key: String,
    pub devices: Vec<PushDevice>,
}

/// What a reader can follow to hear of its new books.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowKind {
    Author,
    /// A category and the categories under it.
    Category,
}

impl FollowKind {
    pub const ALL: [FollowKind; 2] = [FollowKind::Author, FollowKind::Category];

    pub fn as_str(self) -> &'static str {
        match self {
            FollowKind::Author => "author",
            FollowKind::Category => "category",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    fn href(self, id: &str) -> String {
        match self {
            FollowKind::Author => format!("/auteurs/{id}"),
            FollowKind::Category => "/catalogue".to_owned(),
        }
    }
}

/// An author or a category a reader follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Follow {
    pub kind: FollowKind,
    pub id: String,
    pub name: String,
    /// A category's slug (its catalogue is `/catalogue?categorie=<slug>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl Follow {
    /// Its page on Coko.
    pub fn href(&self) -> String {
        match (self.kind, &self.slug) {
            (FollowKind::Category, Some(slug)) => format!("/catalogue?categorie={slug}"),
            _ => self.kind.href(&self.id),
        }
    }
}

/// Which readers a broadcast reaches (each field empty: any).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    /// ISO 3166 code (`SN`).
    pub country: String,
    /// The interface language (`fr`, `en`, `ar`).
    pub language: String,
    /// `premium` (Premium now) or `free` (not).
    pub plan: String,
}

/// An admin's broadcast as typed: French words (required), English and Arabic ones (optional:
/// readers in those languages read the French otherwise), a link on Coko, and the segment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BroadcastForm {
    pub title: String,
    pub body: String,
    pub title_en: String,
    pub body_en: String,
    pub title_ar: String,
    pub body_ar: String,
    pub link: String,
    pub segment: Segment,
    /// The id its count gave it: the same broadcast sent twice (a double click) is sent once.
    /// Empty: a new one.
    pub id: String,
}

/// What a broadcast would reach, shown before it is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reach {
    /// The id it will be sent with.
    pub id: String,
    /// Readers in the segment.
    pub readers: u64,
    /// Messages per channel (readers who allow news there; push: their browsers).
    pub channels: Vec<(Channel, u64)>,
    /// The French SMS as it leaves, its encoding and parts (each part is paid).
    pub sms_text: String,
    pub sms_encoding: String,
    pub sms_parts: u32,
    /// Minutes the slowest channel takes at its pace.
    pub minutes: u64,
}

/// A broadcast sent, as admins see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Broadcast {
    pub id: String,
    pub title: String,
    pub segment: Segment,
    pub readers: u64,
    /// Who sent it (their e-mail address).
    pub sent_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// The reader's number for SMS, as their preferences page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone {
    /// E.164 (`+221771234567`).
    pub number: String,
    /// The reader typed back the code sent to it: texts go there.
    pub verified: bool,
}

#[cfg(feature = "ssr")]
pub use port::*;

#[cfg(feature = "ssr")]
mod port {
    use super::{Broadcast, Category, Channel, Delivery, DeliveryState, Follow, FollowKind, Kind, Preferences, PushDevice, Segment, Shelf};
    use crate::store::{StoreResult, Tx, UnitOfWork};
    use async_trait::async_trait;

    /// Something an area wants a reader to hear of.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Notice {
        pub user_id: String,
        pub category: Category,
        pub kind: Kind,
        /// What the template needs (amounts, titles, dates), kept with the notification.
        pub params: serde_json::Map<String, serde_json::Value>,
        /// A path on Coko the notification opens (`/achats/…`).
        pub link: Option<String>,
        /// What it is about, once (`receipt:{payment}`): with the reader and the channel, the key
        /// that makes a second hand-over a no-op.
        pub source: String,
        /// The place of this reader in a broadcast: its messages leave at each channel's pace
        /// ([`super::broadcast::per_second`]) from the broadcast's start.
        pub pace: Option<Pace>,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Pace {
        pub start_ms: i64,
        pub index: u64,
    }

    /// A broadcast as stored.
    #[derive(Debug, Clone, PartialEq)]
    pub struct StoredBroadcast {
        pub id: String,
        pub sent_by: String,
        /// `title`, `body`, `title_en`… (what [`super::templates`] renders).
        pub params: serde_json::Map<String, serde_json::Value>,
        pub link: Option<String>,
        pub segment: super::Segment,
        pub readers: u64,
        pub created_at_ms: i64,
    }

    /// A notification as stored: its texts are rendered from `kind` and `params` when shown.
    #[derive(Debug, Clone, PartialEq)]
    pub struct StoredNotification {
        pub id: String,
        pub user_id: String,
        pub category: Category,
        pub kind: Kind,
        pub params: serde_json::Map<String, serde_json::Value>,
        pub link: Option<String>,
        pub created_at_ms: i64,
        pub read_at_ms: Option<i64>,
        pub archived_at_ms: Option<i64>,
    }

    /// A delivery with what its sending needs.
    #[derive(Debug, Clone, PartialEq)]
    pub struct StoredDelivery {
        pub delivery: Delivery,
        pub params: serde_json::Map<String, serde_json::Value>,
        pub link: Option<String>,
    }

    /// The rows a reader's preferences are kept in (cells they set; the rest follow defaults).
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct StoredSettings {
        pub cells: Vec<(String, String, bool)>,
        pub quiet_hours: Option<(u8, u8)>,
        pub time_zone: Option<String>,
        pub unsubscribe_token: Option<String>,
        pub digest: Option<String>,
    }

    /// A reader who hears of a book through what they follow: one of the follows it matched.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Follower {
        pub user_id: String,
        pub kind: FollowKind,
        pub target_id: String,
        pub name: String,
    }

    /// A reader's number for SMS and where its proof stands.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct StoredPhone {
        pub number: String,
        pub verified_at_ms: Option<i64>,
        pub code_digest: Option<String>,
        pub code_expires_ms: Option<i64>,
        pub code_tries: u32,
        /// When a code was last asked for (one a minute at most).
        pub asked_at_ms: i64,
    }

    #[async_trait]
    pub trait NotificationStore: UnitOfWork {
        /// Stores an in-app notification; false when its key is stored already.
        async fn insert_notification(&self, tx: &mut Tx, n: &StoredNotification, key: &str) -> StoreResult<bool>;
        async fn notification(&self, user_id: &str, id: &str) -> StoreResult<Option<StoredNotification>>;
        /// A page of a reader's notifications after `after` (a cursor from the previous page).
        async fn notifications(&self, user_id: &str, shelf: Shelf, after: Option<&str>, limit: u32)
            -> StoreResult<Vec<StoredNotification>>;
        /// Unread and not archived, counting at most `cap`.
        async fn unread_count(&self, user_id: &str, cap: u32) -> StoreResult<u32>;
        /// Marks read `ids` (all unread when `None`) of the reader's; how many changed.
        async fn mark_read(&self, tx: &mut Tx, user_id: &str, ids: Option<&[String]>, now_ms: i64) -> StoreResult<u64>;
        /// Archives `ids` of the reader's (read as well); how many changed.
        async fn archive(&self, tx: &mut Tx, user_id: &str, ids: &[String], now_ms: i64) -> StoreResult<u64>;
        async fn settings(&self, user_id: &str) -> StoreResult<StoredSettings>;
        async fn save_settings(&self, tx: &mut Tx, user_id: &str, prefs: &Preferences, now_ms: i64) -> StoreResult<()>;
        /// The reader's unsubscribe token, made on first use.
        async fn unsubscribe_token(&self, user_id: &str) -> StoreResult<String>;
        async fn user_of_unsubscribe_token(&self, token: &str) -> StoreResult<Option<String>>;
        /// Stores a delivery `queued`; false when its key is stored already.
        async fn insert_delivery(&self, tx: &mut Tx, d: &StoredDelivery) -> StoreResult<bool>;
        async fn delivery(&self, key: &str) -> StoreResult<Option<StoredDelivery>>;
        /// Moves a delivery to `state` with the provider's answer; `attempt` counts one more try.
        async fn set_delivery(&self, key: &str, state: DeliveryState, answer: Option<&str>, attempt: bool, now_ms: i64) -> StoreResult<()>;
        /// The most recent deliveries (of one reader when given), newest first.
        async fn deliveries(&self, user_id: Option<&str>, limit: u32) -> StoreResult<Vec<Delivery>>;
        /// Where a delivery is sent (the number of an SMS), written before it is.
        async fn set_delivery_address(&self, key: &str, address: &str) -> StoreResult<()>;
        /// The provider's id of a delivery it accepted (what its reports name).
        async fn set_delivery_ref(&self, key: &str, reference: &str) -> StoreResult<()>;
        async fn delivery_by_ref(&self, channel: super::Channel, reference: &str) -> StoreResult<Option<StoredDelivery>>;
        /// Keeps a report whose message id no delivery names yet (reports older than
        /// `forget_before_ms` are dropped on the way).
        async fn keep_early_report(&self, report: &super::sms::DeliveryReport, now_ms: i64, forget_before_ms: i64) -> StoreResult<()>;
        /// Takes (reads and removes) the report kept for `message_id`, if one came early.
        async fn take_early_report(&self, message_id: &str) -> StoreResult<Option<super::sms::DeliveryReport>>;
        async fn phone(&self, user_id: &str) -> StoreResult<Option<StoredPhone>>;
        /// A new number, not verified yet (any earlier number and code forgotten).
        async fn save_phone(&self, tx: &mut Tx, user_id: &str, number: &str, now_ms: i64) -> StoreResult<()>;
        /// Keeps the digest of the code about to be sent to `number`; false when the reader's
        /// number is another one now, or verified.
        async fn set_phone_code(&self, user_id: &str, number: &str, digest: &str, expires_ms: i64) -> StoreResult<bool>;
        /// Counts one wrong code.
        async fn phone_code_missed(&self, user_id: &str) -> StoreResult<()>;
        /// Marks `number` verified (its code spent); false when it is not the reader's pending one.
        async fn verify_phone(&self, tx: &mut Tx, user_id: &str, number: &str, now_ms: i64) -> StoreResult<bool>;
        async fn delete_phone(&self, tx: &mut Tx, user_id: &str) -> StoreResult<bool>;
        /// Stores a browser's subscription (one already stored for that endpoint moves to this
        /// reader with its new keys); its id.
        async fn save_push_device(&self, tx: &mut Tx, d: &PushDevice) -> StoreResult<String>;
        /// The reader's browsers, oldest first.
        async fn push_devices(&self, user_id: &str) -> StoreResult<Vec<PushDevice>>;
        async fn push_device(&self, id: &str) -> StoreResult<Option<PushDevice>>;
        /// Forgets a browser (of `user_id` when given); false when there was none.
        async fn delete_push_device(&self, tx: &mut Tx, user_id: Option<&str>, id: &str) -> StoreResult<bool>;
        async fn push_sent(&self, id: &str, now_ms: i64) -> StoreResult<()>;
        /// Follows an author or a category; false when the reader did already.
        async fn follow(&self, tx: &mut Tx, user_id: &str, kind: FollowKind, id: &str, now_ms: i64) -> StoreResult<bool>;
        /// False when the reader did not follow it.
        async fn unfollow(&self, tx: &mut Tx, user_id: &str, kind: FollowKind, id: &str) -> StoreResult<bool>;
        /// What the reader follows (whose target still exists), newest first.
        async fn follows(&self, user_id: &str) -> StoreResult<Vec<Follow>>;
        async fn follow_count(&self, user_id: &str) -> StoreResult<u64>;
        async fn is_following(&self, user_id: &str, kind: FollowKind, id: &str) -> StoreResult<bool>;
        /// The name of the author or category, when there is one with that id.
        async fn follow_target(&self, kind: FollowKind, id: &str) -> StoreResult<Option<String>>;
        /// When the book was published, if it is published now.
        async fn book_published_at(&self, book_id: &str) -> StoreResult<Option<i64>>;
        /// The readers (ids after `after`, the first `limit` of them in id order) who follow one
        /// of the book's contributors, or one of its categories or the categories above them;
        /// every follow of theirs that matched, authors first.
        async fn followers_of_book(&self, book_id: &str, after: &str, limit: u32) -> StoreResult<Vec<Follower>>;
        /// How many readers the segment holds (accounts with a verified address), or, with a
        /// channel, how many messages news makes on it (SMS: readers with a proved number; push:
        /// their browsers). A reader who never chose follows their account's flag for the
        /// channel: `defaults` is (flag on, flag off).
        async fn segment_reach(&self, segment: &Segment, channel: Option<Channel>, defaults: (bool, bool), now_ms: i64)
            -> StoreResult<u64>;
        /// The segment's readers after `after`, the first `limit` in id order.
        async fn segment_readers(&self, segment: &Segment, after: &str, limit: u32, now_ms: i64) -> StoreResult<Vec<String>>;
        /// Stores a broadcast; false when one with its id is stored already.
        async fn insert_broadcast(&self, tx: &mut Tx, b: &StoredBroadcast) -> StoreResult<bool>;
        async fn broadcast(&self, id: &str) -> StoreResult<Option<StoredBroadcast>>;
        /// The latest broadcasts, newest first.
        async fn broadcasts(&self, limit: u32) -> StoreResult<Vec<Broadcast>>;
        /// Holds a notice for the reader's digest; false when its key is held already.
        async fn add_digest_item(
            &self,
            tx: &mut Tx,
            user_id: &str,
            key: &str,
            item: &super::digest::DigestItem,
            now_ms: i64,
        ) -> StoreResult<bool>;
        /// The reader's held notices, oldest first.
        async fn digest_items(&self, user_id: &str, limit: u32) -> StoreResult<Vec<super::digest::DigestItem>>;
        /// Drops the reader's held notices up to `last_id` (included).
        async fn drop_digest_items(&self, tx: &mut Tx, user_id: &str, last_id: &str) -> StoreResult<u64>;
    }
}
