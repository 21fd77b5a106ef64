//! Accounts: who a reader is, what they may do, and their preferences.

use crate::validation::Language;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
mod mails;
#[cfg(feature = "ssr")]
mod password;
#[cfg(feature = "ssr")]
mod port;
#[cfg(feature = "ssr")]
mod service;
#[cfg(feature = "ssr")]
mod sql;
#[cfg(feature = "ssr")]
pub use port::{AccountStore, ProfileRecord, RefreshUse, UserRecord};
#[cfg(feature = "ssr")]
pub mod tokens;

#[cfg(feature = "ssr")]
pub use mails::{AccountMails, ACCOUNT_MAIL_QUEUE};
#[cfg(feature = "ssr")]
pub use service::{AccountError, AccountService, AdminOutcome, NewAccount, ProfileChanges, RefreshToken};

/// Roles from the RBAC model. Guests are signed-out visitors and have no role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Reader,
    Moderator,
    Editor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Reader, Role::Moderator, Role::Editor, Role::Admin];
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Moderator => "moderator",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw.trim())
    }
    /// Listing users and changing roles is an admin's job.
    pub fn can_manage_users(self) -> bool {
        matches!(self, Role::Admin)
    }
    /// Editors and admins run the catalog.
    pub fn can_edit_catalog(self) -> bool {
        matches!(self, Role::Admin | Role::Editor)
    }
    /// `community:moderate`: moderators and admins decide about readers' words.
    pub fn can_moderate(self) -> bool {
        matches!(self, Role::Admin | Role::Moderator)
    }
}

/// Interface theme: follow the system, or force light or dark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == raw.trim())
    }
}

/// A user's preferences, kept with the profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    pub theme: Theme,
    /// Reader font size in percent of the book's default (50–300).
    pub notify_email: bool,
    pub notify_sms: bool,
    pub notify_push: bool,
}

impl Default for Preferences {
    fn default() -> Self {
        Self { theme: Theme::System, notify_email: true, notify_sms: false, notify_push: false }
    }
}

/// What a user may see of their own account (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    pub country: String,
    pub language: Language,
    pub avatar_url: Option<String>,
    pub role: Role,
    pub email_verified: bool,
    pub preferences: Preferences,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// One page of users, for the admin list.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserPage {
    pub users: Vec<User>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

impl UserPage {
    pub fn total_pages(&self) -> u32 {
        (self.total.div_ceil(self.per_page.max(1) as u64)) as u32
    }
}
