//! The audit log: every change editors and admins make to the catalogue (books added, changed,
//! corrected, deleted; access granted; authors, publishers and categories changed or deleted)
//! and to accounts (made, verified, passwords, profiles, roles), with who did it, from where, and the
//! values before and after. Admins browse it.

use crate::account::{Role, User};
use serde::{Deserialize, Serialize};

/// Who acts, as the log records them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `None` for the command line and tests.
    pub user_id: Option<String>,
    pub email: String,
    pub role: Role,
    pub ip: String,
}

impl Actor {
    pub fn user(user: &User, ip: &str) -> Self {
        Actor { user_id: Some(user.id.clone()), email: user.email.clone(), role: user.role, ip: ip.to_owned() }
    }

    /// Someone acting outside the web (the command line, a test) with `role`.
    pub fn system(role: Role) -> Self {
        Actor { user_id: None, email: "system".into(), role, ip: String::new() }
    }
}

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuditAction {
    BookAdded,
    BookChanged,
    BookCorrected,
    BookDeleted,
    AccessGranted,
    AuthorChanged,
    AuthorDeleted,
    AuthorMerged,
    PublisherChanged,
    PublisherDeleted,
    PublisherMerged,
    CategoryAdded,
    CategoryChanged,
    CategoryDeleted,
    CategoryMerged,
    /// An account's role changed (from the users page or the command line).
    RoleChanged,
    /// The operator set an account's password from the command line, ending its sessions.
    PasswordSet,
    /// An account was made: by its reader (registration), by staff or the command line.
    AccountCreated,
    /// A reader proved their e-mail address.
    EmailVerified,
    /// A reader changed their password (other sessions ended).
    PasswordChanged,
    /// A reader set a new password from a reset link.
    PasswordReset,
    /// A reader changed their profile or preferences.
    ProfileChanged,
    /// An admin gave a dead background job a new run.
    JobRetried,
    /// A reader started paying for a book.
    PaymentStarted,
    /// A provider confirmed a payment: its book was granted.
    PaymentSucceeded,
    /// A payment was given back through its provider: its book was taken back.
    PaymentRefunded,
    /// An admin asked the provider where a payment stands.
    PaymentChecked,
    /// An admin changed a Premium plan's price or whether it is sold.
    PlanChanged,
    /// A reader stopped their Premium's automatic renewal.
    RenewalStopped,
    /// A reader changed what Coko tells them and how (or unsubscribed from a mail).
    NotificationsChanged,
    /// An admin sent Coko's news to a segment of readers.
    BroadcastSent,
    /// A reader posted, changed or deleted their review of a book (or a moderator deleted it).
    ReviewPosted,
    ReviewEdited,
    ReviewDeleted,
    /// A moderator published a held review, or hid one (with the reason told to its author).
    ReviewModerated,
    /// A reader reported something (a review) to the moderators.
    ReportFiled,
    /// A moderator decided a flag (hid, deleted, kept or left the item).
    FlagDecided,
    /// A moderator watched a word (or stopped).
    WatchedWordsChanged,
}

impl AuditAction {
    pub const ALL: [AuditAction; 38] = [
        Self::BookAdded,
        Self::BookChanged,
        Self::BookCorrected,
        Self::BookDeleted,
        Self::AccessGranted,
        Self::AuthorChanged,
        Self::AuthorDeleted,
        Self::AuthorMerged,
        Self::PublisherChanged,
        Self::PublisherDeleted,
        Self::PublisherMerged,
        Self::CategoryAdded,
        Self::CategoryChanged,
        Self::CategoryDeleted,
        Self::CategoryMerged,
        Self::RoleChanged,
        Self::PasswordSet,
        Self::AccountCreated,
        Self::EmailVerified,
        Self::PasswordChanged,
        Self::PasswordReset,
        Self::ProfileChanged,
        Self::JobRetried,
        Self::PaymentStarted,
        Self::PaymentSucceeded,
        Self::PaymentRefunded,
        Self::PaymentChecked,
        Self::PlanChanged,
        Self::RenewalStopped,
        Self::NotificationsChanged,
        Self::BroadcastSent,
        Self::ReviewPosted,
        Self::ReviewEdited,
        Self::ReviewDeleted,
        Self::ReviewModerated,
        Self::ReportFiled,
        Self::FlagDecided,
        Self::WatchedWordsChanged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::BookAdded => "book_added",
            Self::BookChanged => "book_changed",
            Self::BookCorrected => "book_corrected",
            Self::BookDeleted => "book_deleted",
            Self::AccessGranted => "access_granted",
            Self::AuthorChanged => "author_changed",
            Self::AuthorDeleted => "author_deleted",
            Self::AuthorMerged => "author_merged",
            Self::PublisherChanged => "publisher_changed",
            Self::PublisherDeleted => "publisher_deleted",
            Self::PublisherMerged => "publisher_merged",
            Self::CategoryAdded => "category_added",
            Self::CategoryChanged => "category_changed",
            Self::CategoryDeleted => "category_deleted",
            Self::CategoryMerged => "category_merged",
            Self::RoleChanged => "role_changed",
            Self::PasswordSet => "password_set",
            Self::AccountCreated => "account_created",
            Self::EmailVerified => "email_verified",
            Self::PasswordChanged => "password_changed",
            Self::PasswordReset => "password_reset",
            Self::ProfileChanged => "profile_changed",
            Self::JobRetried => "job_retried",
            Self::PaymentStarted => "payment_started",
            Self::PaymentSucceeded => "payment_succeeded",
            Self::PaymentRefunded => "payment_refunded",
            Self::PaymentChecked => "payment_checked",
            Self::PlanChanged => "plan_changed",
            Self::RenewalStopped => "renewal_stopped",
            Self::NotificationsChanged => "notifications_changed",
            Self::BroadcastSent => "broadcast_sent",
            Self::ReviewPosted => "review_posted",
            Self::ReviewEdited => "review_edited",
            Self::ReviewDeleted => "review_deleted",
            Self::ReviewModerated => "review_moderated",
            Self::ReportFiled => "report_filed",
            Self::FlagDecided => "flag_decided",
            Self::WatchedWordsChanged => "watched_words_changed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// Where the target is edited (`None` once it is gone).
    pub fn target_href(self, id: &str) -> Option<String> {
        match self {
            Self::BookDeleted | Self::AuthorDeleted | Self::PublisherDeleted | Self::CategoryDeleted => None,
            Self::AuthorChanged | Self::AuthorMerged => Some(format!("/admin/auteurs/{id}")),
            Self::PublisherChanged | Self::PublisherMerged => Some(format!("/admin/editeurs/{id}")),
            Self::CategoryAdded | Self::CategoryChanged | Self::CategoryMerged => Some(format!("/admin/categories/{id}")),
            Self::BookAdded | Self::BookChanged | Self::BookCorrected | Self::AccessGranted => Some(format!("/admin/livres/{id}")),
            Self::RoleChanged
            | Self::PasswordSet
            | Self::AccountCreated
            | Self::EmailVerified
            | Self::PasswordChanged
            | Self::PasswordReset
            | Self::ProfileChanged
            | Self::RenewalStopped
            | Self::NotificationsChanged => None,
            Self::PlanChanged => Some("/admin/formules".to_owned()),
            Self::JobRetried => Some("/admin/taches".to_owned()),
            Self::BroadcastSent => Some("/admin/notifications#broadcasts".to_owned()),
            // The target is the book the review is about.
            Self::ReviewPosted | Self::ReviewEdited | Self::ReviewModerated | Self::ReportFiled | Self::FlagDecided => {
                Some(format!("/livres/{id}#avis"))
            }
            Self::ReviewDeleted => None,
            Self::WatchedWordsChanged => Some("/moderation#mots".to_owned()),
            Self::PaymentStarted | Self::PaymentSucceeded | Self::PaymentRefunded | Self::PaymentChecked => {
                Some(format!("/admin/paiements/{id}"))
            }
        }
    }
}

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: String,
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor_id: Option<String>,
    pub actor_email: String,
    pub action: AuditAction,
    /// The book (or author, publisher, category) concerned.
    pub target_id: String,
    /// Its title (or name) at the time.
    pub target_label: String,
    /// JSON of the fields that changed, as they were and as they became.
    pub before: Option<String>,
    pub after: Option<String>,
    pub ip: String,
}

#[cfg(feature = "ssr")]
impl AuditEntry {
    pub fn new(
        by: &Actor,
        action: AuditAction,
        target_id: &str,
        target_label: &str,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> Self {
        AuditEntry {
            id: uuid::Uuid::now_v7().to_string(),
            at: chrono::Utc::now(),
            actor_id: by.user_id.clone(),
            actor_email: by.email.clone(),
            action,
            target_id: target_id.to_owned(),
            target_label: target_label.chars().take(300).collect(),
            before: before.map(|v| v.to_string()),
            after: after.map(|v| v.to_string()),
            ip: by.ip.chars().take(64).collect(),
        }
    }
}

/// What the admin is looking for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub action: Option<AuditAction>,
    /// Part of the actor's e-mail address.
    pub actor: Option<String>,
    /// A book's id.
    pub target: Option<String>,
}

/// A page of the log, newest first, and where the next one starts.
#[derive(Debug, Clone, Default)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub next_cursor: Option<String>,
}

/// `at_ms.id` of the last entry shown.
pub fn cursor_of(e: &AuditEntry) -> String {
    format!("{}.{}", e.at.timestamp_millis(), e.id)
}

pub fn parse_cursor(c: &str) -> Option<(i64, String)> {
    let (ms, id) = c.split_once('.')?;
    Some((ms.parse().ok()?, id.chars().take(64).collect()))
}
