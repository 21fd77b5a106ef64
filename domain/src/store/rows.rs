//! Decoding rows into domain types, shared by both backends.

use super::{StoreError, StoreResult, UserRecord};
use crate::account::{Preferences, Role, Theme, User};
use crate::clock::from_ms;
use crate::validation::Language;
use sqlx::any::AnyRow;
use sqlx::Row;

pub const USER_COLUMNS: &str = "id, email, password_hash, name, country, language, avatar_url, role, \
    email_verified_at, theme, reader_font_size, notify_email, notify_sms, notify_push, created_at";

pub fn user_from_row(r: &AnyRow) -> StoreResult<UserRecord> {
    let role: String = r.try_get("role")?;
    let language: String = r.try_get("language")?;
    let theme: String = r.try_get("theme")?;
    let verified: Option<i64> = r.try_get("email_verified_at")?;
    let font: i64 = r.try_get("reader_font_size")?;
    let user = User {
        id: r.try_get("id")?,
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        country: r.try_get("country")?,
        language: Language::from_tag(&language).ok_or_else(|| StoreError::Corrupt(format!("language {language}")))?,
        avatar_url: r.try_get("avatar_url")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role}")))?,
        email_verified: verified.is_some(),
        preferences: Preferences {
            theme: Theme::parse(&theme).unwrap_or_default(),
            reader_font_size: font.clamp(50, 300) as u16,
            notify_email: flag(r, "notify_email")?,
            notify_sms: flag(r, "notify_sms")?,
            notify_push: flag(r, "notify_push")?,
        },
        created_at: from_ms(r.try_get("created_at")?),
    };
    Ok(UserRecord { user, password_hash: r.try_get("password_hash")? })
}

/// Booleans arrive as `BOOLEAN` from PostgreSQL and as integers from SQLite.
pub fn flag(r: &AnyRow, col: &str) -> StoreResult<bool> {
    match r.try_get::<bool, _>(col) {
        Ok(b) => Ok(b),
        Err(_) => Ok(r.try_get::<i64, _>(col)? != 0),
    }
}
