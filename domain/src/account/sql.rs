//! Accounts on SQLite and PostgreSQL: the same statements for both.

use super::port::{AccountStore, ProfileRecord, RefreshUse, UserRecord};
use super::{Preferences, Role, Theme, User};
use crate::clock::from_ms;
use crate::store::rows::flag;
use crate::store::sql::{conflict_or, escape_like, exec_in, Bind, SqlStore};
use crate::store::{StoreError, StoreResult, Tx};
use crate::validation::Language;
use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::Row;

pub const USER_COLUMNS: &str = "id, email, password_hash, name, country, language, avatar_url, role, \
    email_verified_at, theme, notify_email, notify_sms, notify_push, created_at";

pub fn user_from_row(r: &AnyRow) -> StoreResult<UserRecord> {
    let role: String = r.try_get("role")?;
    let language: String = r.try_get("language")?;
    let theme: String = r.try_get("theme")?;
    let verified: Option<i64> = r.try_get("email_verified_at")?;
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
            notify_email: flag(r, "notify_email")?,
            notify_sms: flag(r, "notify_sms")?,
            notify_push: flag(r, "notify_push")?,
        },
        created_at: from_ms(r.try_get("created_at")?),
    };
    Ok(UserRecord { user, password_hash: r.try_get("password_hash")? })
}

impl SqlStore {
    async fn user_where(&self, clause: &str, value: &str) -> StoreResult<Option<UserRecord>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE {clause} = $1");
        let row = sqlx::query(&sql).bind(value).fetch_optional(self.pool()).await?;
        row.map(|r| user_from_row(&r)).transpose()
    }
}

#[async_trait]
impl AccountStore for SqlStore {
    async fn insert_user(&self, tx: &mut Tx, user: &User, password_hash: &str) -> StoreResult<()> {
        let p = &user.preferences;
        let created = user.created_at.timestamp_millis();
        sqlx::query(
            "INSERT INTO users (id, email, password_hash, name, country, language, avatar_url, role, \
             email_verified_at, theme, notify_email, notify_sms, notify_push, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)",
        )
        .bind(&user.id)
        .bind(&user.email)
        .bind(password_hash)
        .bind(&user.name)
        .bind(&user.country)
        .bind(user.language.as_str())
        .bind(user.avatar_url.clone())
        .bind(user.role.as_str())
        .bind(if user.email_verified { Some(created) } else { None })
        .bind(p.theme.as_str())
        .bind(p.notify_email)
        .bind(p.notify_sms)
        .bind(p.notify_push)
        .bind(created)
        .execute(tx.conn())
        .await
        .map_err(|e| conflict_or(e, "email"))?;
        Ok(())
    }

    async fn user_by_id(&self, id: &str) -> StoreResult<Option<UserRecord>> {
        self.user_where("id", id).await
    }

    async fn user_in(&self, tx: &mut Tx, id: &str) -> StoreResult<Option<UserRecord>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        let row = sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?;
        row.map(|r| user_from_row(&r)).transpose()
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRecord>> {
        self.user_where("email", email).await
    }

    async fn update_profile(&self, tx: &mut Tx, id: &str, p: &ProfileRecord, now_ms: i64) -> StoreResult<bool> {
        let prefs = &p.preferences;
        let done = sqlx::query(
            "UPDATE users SET name = $2, country = $3, language = $4, avatar_url = $5, theme = $6, \
             notify_email = $7, notify_sms = $8, notify_push = $9, updated_at = $10 \
             WHERE id = $1",
        )
        .bind(id)
        .bind(&p.name)
        .bind(&p.country)
        .bind(&p.language)
        .bind(p.avatar_url.clone())
        .bind(prefs.theme.as_str())
        .bind(prefs.notify_email)
        .bind(prefs.notify_sms)
        .bind(prefs.notify_push)
        .bind(now_ms)
        .execute(tx.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_password_hash(&self, tx: &mut Tx, id: &str, hash: &str, now_ms: i64) -> StoreResult<bool> {
        let sql = "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1";
        Ok(exec_in(tx, sql, vec![Bind::Text(id), Bind::Text(hash), Bind::Int(now_ms)]).await? == 1)
    }

    async fn mark_email_verified(&self, tx: &mut Tx, id: &str, now_ms: i64) -> StoreResult<bool> {
        let sql = "UPDATE users SET email_verified_at = COALESCE(email_verified_at, $2), updated_at = $2 WHERE id = $1";
        Ok(exec_in(tx, sql, vec![Bind::Text(id), Bind::Int(now_ms)]).await? == 1)
    }

    async fn set_role(&self, tx: &mut Tx, id: &str, role: Role, now_ms: i64) -> StoreResult<bool> {
        let sql = "UPDATE users SET role = $2, updated_at = $3 WHERE id = $1";
        Ok(exec_in(tx, sql, vec![Bind::Text(id), Bind::Text(role.as_str()), Bind::Int(now_ms)]).await? == 1)
    }

    async fn list_users(&self, search: &str, limit: u32, offset: u64) -> StoreResult<(Vec<User>, u64)> {
        let pattern = format!("%{}%", escape_like(&search.trim().to_lowercase()));
        let filter = "LOWER(name) LIKE $1 ESCAPE '\\' OR email LIKE $1 ESCAPE '\\'";
        let total: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM users WHERE {filter}"))
            .bind(&pattern)
            .fetch_one(self.pool())
            .await?
            .try_get("n")?;
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE {filter} ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3");
        let rows = sqlx::query(&sql).bind(&pattern).bind(limit as i64).bind(offset as i64).fetch_all(self.pool()).await?;
        let users = rows.iter().map(|r| user_from_row(r).map(|u| u.user)).collect::<StoreResult<_>>()?;
        Ok((users, total.max(0) as u64))
    }

    async fn count_admins(&self, tx: &mut Tx) -> StoreResult<u64> {
        // PostgreSQL: the admins' rows stay locked until the unit of work ends, so two admins
        // demoting each other at once are counted one after the other (the second sees one
        // admin left). SQLite's unit of work holds the write lock from its start already.
        let lock = self.row_lock(false);
        let rows = sqlx::query(&format!("SELECT id FROM users WHERE role = 'admin'{lock}")).fetch_all(tx.conn()).await?;
        Ok(rows.len() as u64)
    }

    async fn insert_one_time_token(&self, tx: &mut Tx, hash: &str, user_id: &str, purpose: &str, expires_ms: i64) -> StoreResult<()> {
        let sql = "INSERT INTO one_time_tokens (token_hash, user_id, purpose, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)";
        let now = crate::clock::now_ms();
        exec_in(tx, sql, vec![Bind::Text(hash), Bind::Text(user_id), Bind::Text(purpose), Bind::Int(expires_ms), Bind::Int(now)]).await?;
        Ok(())
    }

    async fn last_one_time_token_at(&self, user_id: &str, purpose: &str) -> StoreResult<Option<i64>> {
        let row = sqlx::query("SELECT MAX(created_at) AS at FROM one_time_tokens WHERE user_id = $1 AND purpose = $2")
            .bind(user_id)
            .bind(purpose)
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get::<Option<i64>, _>("at")?)
    }

    async fn consume_one_time_token(&self, tx: &mut Tx, hash: &str, purpose: &str, now_ms: i64) -> StoreResult<Option<String>> {
        let row = sqlx::query(
            "UPDATE one_time_tokens SET used_at = $3 \
             WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 RETURNING user_id",
        )
        .bind(hash)
        .bind(purpose)
        .bind(now_ms)
        .fetch_optional(tx.conn())
        .await?;
        Ok(row.map(|r| r.try_get::<String, _>("user_id")).transpose()?)
    }

    async fn insert_refresh_token(
        &self,
        tx: &mut Tx,
        hash: &str,
        user_id: &str,
        family_id: &str,
        expires_ms: i64,
        family_expires_ms: i64,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO refresh_tokens (token_hash, user_id, family_id, expires_at, family_expires_at, created_at) \
                   VALUES ($1, $2, $3, $4, $5, $6)";
        let now = crate::clock::now_ms();
        let expires = expires_ms.min(family_expires_ms);
        let binds = vec![
            Bind::Text(hash),
            Bind::Text(user_id),
            Bind::Text(family_id),
            Bind::Int(expires),
            Bind::Int(family_expires_ms),
            Bind::Int(now),
        ];
        exec_in(tx, sql, binds).await?;
        Ok(())
    }

    async fn refresh_family_live(&self, family_id: &str, now_ms: i64) -> StoreResult<bool> {
        let row = sqlx::query(
            "SELECT 1 AS live FROM refresh_tokens WHERE family_id = $1 AND revoked_at IS NULL AND family_expires_at > $2 LIMIT 1",
        )
        .bind(family_id)
        .bind(now_ms)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.is_some())
    }

    async fn use_refresh_token(&self, tx: &mut Tx, hash: &str, now_ms: i64) -> StoreResult<RefreshUse> {
        let spent = sqlx::query(
            "UPDATE refresh_tokens SET used_at = $2 \
             WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2 AND family_expires_at > $2 \
             RETURNING user_id, family_id, family_expires_at",
        )
        .bind(hash)
        .bind(now_ms)
        .fetch_optional(tx.conn())
        .await?;
        if let Some(r) = spent {
            return Ok(RefreshUse::Valid {
                user_id: r.try_get("user_id")?,
                family_id: r.try_get("family_id")?,
                family_expires_ms: r.try_get("family_expires_at")?,
            });
        }
        let known = sqlx::query("SELECT family_id, used_at, revoked_at, expires_at FROM refresh_tokens WHERE token_hash = $1")
            .bind(hash)
            .fetch_optional(tx.conn())
            .await?;
        let Some(r) = known else { return Ok(RefreshUse::Unknown) };
        let used: Option<i64> = r.try_get("used_at")?;
        let revoked: Option<i64> = r.try_get("revoked_at")?;
        if used.is_some() || revoked.is_some() {
            Ok(RefreshUse::Reused { family_id: r.try_get("family_id")? })
        } else {
            Ok(RefreshUse::Expired)
        }
    }

    async fn revoke_refresh_family(&self, tx: &mut Tx, family_id: &str, now_ms: i64) -> StoreResult<()> {
        let sql = "UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL";
        exec_in(tx, sql, vec![Bind::Text(family_id), Bind::Int(now_ms)]).await?;
        Ok(())
    }

    async fn revoke_user_refresh_tokens(&self, tx: &mut Tx, user_id: &str, now_ms: i64) -> StoreResult<()> {
        let sql = "UPDATE refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL";
        exec_in(tx, sql, vec![Bind::Text(user_id), Bind::Int(now_ms)]).await?;
        Ok(())
    }

    async fn load_session(&self, id: &str, now_ms: i64) -> StoreResult<Option<Vec<u8>>> {
        let row = sqlx::query("SELECT data FROM sessions WHERE id = $1 AND expires_at > $2")
            .bind(id)
            .bind(now_ms)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get::<Vec<u8>, _>("data")).transpose()?)
    }

    async fn save_session(&self, id: &str, user_id: Option<&str>, data: &[u8], expires_ms: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (id, user_id, data, expires_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, data = excluded.data, expires_at = excluded.expires_at",
        )
        .bind(id)
        .bind(user_id.map(str::to_owned))
        .bind(data.to_vec())
        .bind(expires_ms)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn create_session(&self, id: &str, user_id: Option<&str>, data: &[u8], expires_ms: i64) -> StoreResult<bool> {
        let done = sqlx::query("INSERT INTO sessions (id, user_id, data, expires_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING")
            .bind(id)
            .bind(user_id.map(str::to_owned))
            .bind(data.to_vec())
            .bind(expires_ms)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn delete_session(&self, id: &str) -> StoreResult<()> {
        self.exec("DELETE FROM sessions WHERE id = $1", vec![Bind::Text(id)]).await?;
        Ok(())
    }

    async fn delete_user_sessions(&self, tx: &mut Tx, user_id: &str, keep: Option<&str>) -> StoreResult<u64> {
        match keep {
            Some(keep) => {
                let sql = "DELETE FROM sessions WHERE user_id = $1 AND id <> $2";
                exec_in(tx, sql, vec![Bind::Text(user_id), Bind::Text(keep)]).await
            }
            None => exec_in(tx, "DELETE FROM sessions WHERE user_id = $1", vec![Bind::Text(user_id)]).await,
        }
    }

    async fn delete_expired_sessions(&self, now_ms: i64) -> StoreResult<u64> {
        self.exec("DELETE FROM sessions WHERE expires_at <= $1", vec![Bind::Int(now_ms)]).await
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(self.pool()).await?;
        Ok(())
    }
}
