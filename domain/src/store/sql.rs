//! The one SQL adapter, over sqlx's `Any` driver. Statements are written once with `$n`
//! placeholders, which SQLite and PostgreSQL both accept; only the DDL (migrations) differs.

use super::rows::{user_from_row, USER_COLUMNS};
use super::{AccountStore, ProfileRecord, RefreshUse, StoreError, StoreResult, UserRecord};
use crate::account::{Role, User};
use async_trait::async_trait;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor, Row};
use std::str::FromStr;
use std::time::Duration;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// Which database a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A store on SQLite or PostgreSQL.
#[derive(Clone)]
pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
    /// Rung when a unit of work with events commits (see `UnitOfWork::wakeups`).
    pub(super) wake: std::sync::Arc<tokio::sync::Notify>,
}

pub(crate) fn conflict_or(err: sqlx::Error, what: &'static str) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::Database(err),
    }
}

impl SqlStore {
    /// Connects (creating the SQLite file and its folder if needed); does not migrate.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url).ok_or_else(|| StoreError::Corrupt(format!("unsupported database URL scheme: {url}")))?;
        let url = if backend == Backend::Sqlite { prepare_sqlite_url(url)? } else { url.to_owned() };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 10 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Self { pool, backend, wake: Default::default() })
    }

    /// Applies the pending migrations of this backend's dialect.
    pub async fn migrate(&self) -> StoreResult<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await?;
        self.fill_sort_titles().await?;
        self.fill_name_keys().await
    }

    /// Books catalogued before titles had a sort key get one (a few hundred at a time). The
    /// status condition lets the lookup use the `books_title` index: no scan at each start.
    async fn fill_sort_titles(&self) -> StoreResult<()> {
        let pending = "SELECT id, title FROM books WHERE status IN ('draft', 'published') AND sort_title = '' AND title <> '' LIMIT 500";
        self.fill_keys(pending, "UPDATE books SET sort_title = $1 WHERE id = $2", super::sql_catalog::sort_key).await
    }

    /// Names kept before they had a folded key get one.
    async fn fill_name_keys(&self) -> StoreResult<()> {
        for table in ["authors", "publishers", "categories"] {
            let pending = format!("SELECT id, name FROM {table} WHERE name_key = '' AND name <> '' LIMIT 500");
            let update = format!("UPDATE {table} SET name_key = $1 WHERE id = $2");
            self.fill_keys(&pending, &update, super::sql_catalog::name_key).await?;
        }
        Ok(())
    }

    /// Writes `key(text)` for every (id, text) row `pending` finds, until it finds none (an
    /// empty key is stored as a space, so that the row is not found again).
    async fn fill_keys(&self, pending: &str, update: &str, key: fn(&str) -> String) -> StoreResult<()> {
        loop {
            let rows = sqlx::query(pending).fetch_all(&self.pool).await?;
            if rows.is_empty() {
                return Ok(());
            }
            for r in rows {
                let (id, text): (String, String) = (r.try_get(0)?, r.try_get(1)?);
                let k = key(&text);
                let k = if k.is_empty() { " ".to_owned() } else { k };
                sqlx::query(update).bind(k).bind(id).execute(&self.pool).await?;
            }
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs a statement verbatim (administration: creating test databases and the like).
    pub async fn execute_raw(&self, sql: &str) -> StoreResult<()> {
        sqlx::raw_sql(sql).execute(&self.pool).await?;
        Ok(())
    }

    /// Refreshes the query planner's statistics after many rows arrived at once (a bulk
    /// import): without them PostgreSQL took the relation tables for small and scanned all of
    /// them for every page (a rebuild of the index over 1M books: 9+ minutes instead of 51 s),
    /// until autovacuum caught up. SQLite samples a bounded number of rows per index.
    pub async fn refresh_statistics(&self) -> StoreResult<()> {
        let sql = match self.backend() {
            Backend::Postgres => "ANALYZE",
            Backend::Sqlite => "PRAGMA analysis_limit = 1000; ANALYZE",
        };
        self.execute_raw(sql).await
    }

    /// How the database would run `sql` (a statement without parameters), a line per step: for
    /// tests that check an index is used, and operators. PostgreSQL is told to avoid table scans
    /// (on a small table it would scan anyway), so a scan in its plan means no usable index.
    pub async fn query_plan(&self, sql: &str) -> StoreResult<Vec<String>> {
        let mut conn = self.pool.acquire().await?;
        let lines = match self.backend {
            Backend::Sqlite => {
                let rows = sqlx::query(&format!("EXPLAIN QUERY PLAN {sql}")).fetch_all(&mut *conn).await?;
                rows.iter().map(|r| r.try_get::<String, _>("detail")).collect::<Result<Vec<_>, _>>()?
            }
            Backend::Postgres => {
                sqlx::raw_sql("SET enable_seqscan = off").execute(&mut *conn).await?;
                let rows = sqlx::query(&format!("EXPLAIN {sql}")).fetch_all(&mut *conn).await;
                sqlx::raw_sql("RESET enable_seqscan").execute(&mut *conn).await?;
                rows?.iter().map(|r| r.try_get::<String, _>(0)).collect::<Result<Vec<_>, _>>()?
            }
        };
        Ok(lines)
    }

    /// How many web sessions are stored (live or not yet swept): for tests and operators.
    pub async fn count_sessions(&self) -> StoreResult<u64> {
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM sessions").fetch_one(&self.pool).await?.try_get("n")?;
        Ok(n.max(0) as u64)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn user_where(&self, clause: &str, value: &str) -> StoreResult<Option<UserRecord>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE {clause} = $1");
        let row = sqlx::query(&sql).bind(value).fetch_optional(&self.pool).await?;
        row.map(|r| user_from_row(&r)).transpose()
    }

    async fn exec(&self, sql: &str, binds: Binds<'_>) -> StoreResult<u64> {
        Ok(bind_all(sqlx::query(sql), binds).execute(&self.pool).await?.rows_affected())
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

/// A value bound to a statement built at run time.
#[derive(Clone, Copy)]
pub(crate) enum Bind<'a> {
    Text(&'a str),
    Int(i64),
    Bool(bool),
    OptText(Option<&'a str>),
    OptInt(Option<i64>),
}
pub(crate) type Binds<'a> = Vec<Bind<'a>>;

pub(crate) fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    binds: Binds<'_>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for b in binds {
        q = match b {
            Bind::Text(s) => q.bind(s.to_owned()),
            Bind::Int(i) => q.bind(i),
            Bind::Bool(v) => q.bind(v),
            Bind::OptText(s) => q.bind(s.map(str::to_owned)),
            Bind::OptInt(i) => q.bind(i),
        };
    }
    q
}

/// Replaces the database name in a PostgreSQL URL (used to create throwaway test databases).
pub fn postgres_url_with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// Makes sure the SQLite file's folder exists and that the file is created on first use.
fn prepare_sqlite_url(url: &str) -> StoreResult<String> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let path = rest.split('?').next().unwrap_or("");
    if !path.is_empty() && path != ":memory:" {
        if let Some(dir) = std::path::Path::new(path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| StoreError::Corrupt(format!("cannot create {}: {e}", dir.display())))?;
            }
        }
    }
    Ok(if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}

#[async_trait]
impl AccountStore for SqlStore {
    async fn insert_user(&self, user: &User, password_hash: &str) -> StoreResult<()> {
        let p = &user.preferences;
        let created = user.created_at.timestamp_millis();
        sqlx::query(
            "INSERT INTO users (id, email, password_hash, name, country, language, avatar_url, role, \
             email_verified_at, theme, reader_font_size, notify_email, notify_sms, notify_push, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)",
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
        .bind(p.reader_font_size as i64)
        .bind(p.notify_email)
        .bind(p.notify_sms)
        .bind(p.notify_push)
        .bind(created)
        .execute(&self.pool)
        .await
        .map_err(|e| conflict_or(e, "email"))?;
        Ok(())
    }

    async fn user_by_id(&self, id: &str) -> StoreResult<Option<UserRecord>> {
        self.user_where("id", id).await
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRecord>> {
        self.user_where("email", email).await
    }

    async fn update_profile(&self, id: &str, p: &ProfileRecord, now_ms: i64) -> StoreResult<bool> {
        let prefs = &p.preferences;
        let done = sqlx::query(
            "UPDATE users SET name = $2, country = $3, language = $4, avatar_url = $5, theme = $6, \
             reader_font_size = $7, notify_email = $8, notify_sms = $9, notify_push = $10, updated_at = $11 \
             WHERE id = $1",
        )
        .bind(id)
        .bind(&p.name)
        .bind(&p.country)
        .bind(&p.language)
        .bind(p.avatar_url.clone())
        .bind(prefs.theme.as_str())
        .bind(prefs.reader_font_size as i64)
        .bind(prefs.notify_email)
        .bind(prefs.notify_sms)
        .bind(prefs.notify_push)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_password_hash(&self, id: &str, hash: &str, now_ms: i64) -> StoreResult<bool> {
        let sql = "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1";
        Ok(self.exec(sql, vec![Bind::Text(id), Bind::Text(hash), Bind::Int(now_ms)]).await? == 1)
    }

    async fn mark_email_verified(&self, id: &str, now_ms: i64) -> StoreResult<bool> {
        let sql = "UPDATE users SET email_verified_at = COALESCE(email_verified_at, $2), updated_at = $2 WHERE id = $1";
        Ok(self.exec(sql, vec![Bind::Text(id), Bind::Int(now_ms)]).await? == 1)
    }

    async fn set_role(&self, id: &str, role: Role, now_ms: i64) -> StoreResult<bool> {
        let sql = "UPDATE users SET role = $2, updated_at = $3 WHERE id = $1";
        Ok(self.exec(sql, vec![Bind::Text(id), Bind::Text(role.as_str()), Bind::Int(now_ms)]).await? == 1)
    }

    async fn list_users(&self, search: &str, limit: u32, offset: u64) -> StoreResult<(Vec<User>, u64)> {
        let pattern = format!("%{}%", escape_like(&search.trim().to_lowercase()));
        let filter = "LOWER(name) LIKE $1 ESCAPE '\\' OR email LIKE $1 ESCAPE '\\'";
        let total: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM users WHERE {filter}"))
            .bind(&pattern)
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE {filter} ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3");
        let rows = sqlx::query(&sql).bind(&pattern).bind(limit as i64).bind(offset as i64).fetch_all(&self.pool).await?;
        let users = rows.iter().map(|r| user_from_row(r).map(|u| u.user)).collect::<StoreResult<_>>()?;
        Ok((users, total.max(0) as u64))
    }

    async fn count_admins(&self) -> StoreResult<u64> {
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM users WHERE role = 'admin'").fetch_one(&self.pool).await?.try_get("n")?;
        Ok(n.max(0) as u64)
    }

    async fn insert_one_time_token(&self, hash: &str, user_id: &str, purpose: &str, expires_ms: i64) -> StoreResult<()> {
        let sql = "INSERT INTO one_time_tokens (token_hash, user_id, purpose, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)";
        let now = crate::clock::now_ms();
        self.exec(sql, vec![Bind::Text(hash), Bind::Text(user_id), Bind::Text(purpose), Bind::Int(expires_ms), Bind::Int(now)]).await?;
        Ok(())
    }

    async fn last_one_time_token_at(&self, user_id: &str, purpose: &str) -> StoreResult<Option<i64>> {
        let row = sqlx::query("SELECT MAX(created_at) AS at FROM one_time_tokens WHERE user_id = $1 AND purpose = $2")
            .bind(user_id)
            .bind(purpose)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<Option<i64>, _>("at")?)
    }

    async fn consume_one_time_token(&self, hash: &str, purpose: &str, now_ms: i64) -> StoreResult<Option<String>> {
        let row = sqlx::query(
            "UPDATE one_time_tokens SET used_at = $3 \
             WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 RETURNING user_id",
        )
        .bind(hash)
        .bind(purpose)
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| r.try_get::<String, _>("user_id")).transpose()?)
    }

    async fn insert_refresh_token(
        &self,
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
        self.exec(sql, binds).await?;
        Ok(())
    }

    async fn refresh_family_live(&self, family_id: &str, now_ms: i64) -> StoreResult<bool> {
        let row = sqlx::query(
            "SELECT 1 AS live FROM refresh_tokens WHERE family_id = $1 AND revoked_at IS NULL AND family_expires_at > $2 LIMIT 1",
        )
        .bind(family_id)
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    async fn use_refresh_token(&self, hash: &str, now_ms: i64) -> StoreResult<RefreshUse> {
        let spent = sqlx::query(
            "UPDATE refresh_tokens SET used_at = $2 \
             WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2 AND family_expires_at > $2 \
             RETURNING user_id, family_id, family_expires_at",
        )
        .bind(hash)
        .bind(now_ms)
        .fetch_optional(&self.pool)
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
            .fetch_optional(&self.pool)
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

    async fn revoke_refresh_family(&self, family_id: &str, now_ms: i64) -> StoreResult<()> {
        let sql = "UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL";
        self.exec(sql, vec![Bind::Text(family_id), Bind::Int(now_ms)]).await?;
        Ok(())
    }

    async fn revoke_user_refresh_tokens(&self, user_id: &str, now_ms: i64) -> StoreResult<()> {
        let sql = "UPDATE refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL";
        self.exec(sql, vec![Bind::Text(user_id), Bind::Int(now_ms)]).await?;
        Ok(())
    }

    async fn load_session(&self, id: &str, now_ms: i64) -> StoreResult<Option<Vec<u8>>> {
        let row = sqlx::query("SELECT data FROM sessions WHERE id = $1 AND expires_at > $2")
            .bind(id)
            .bind(now_ms)
            .fetch_optional(&self.pool)
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
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn create_session(&self, id: &str, user_id: Option<&str>, data: &[u8], expires_ms: i64) -> StoreResult<bool> {
        let done = sqlx::query("INSERT INTO sessions (id, user_id, data, expires_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING")
            .bind(id)
            .bind(user_id.map(str::to_owned))
            .bind(data.to_vec())
            .bind(expires_ms)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn delete_session(&self, id: &str) -> StoreResult<()> {
        self.exec("DELETE FROM sessions WHERE id = $1", vec![Bind::Text(id)]).await?;
        Ok(())
    }

    async fn delete_user_sessions(&self, user_id: &str, keep: Option<&str>) -> StoreResult<u64> {
        match keep {
            Some(keep) => {
                let sql = "DELETE FROM sessions WHERE user_id = $1 AND id <> $2";
                self.exec(sql, vec![Bind::Text(user_id), Bind::Text(keep)]).await
            }
            None => self.exec("DELETE FROM sessions WHERE user_id = $1", vec![Bind::Text(user_id)]).await,
        }
    }

    async fn delete_expired_sessions(&self, now_ms: i64) -> StoreResult<u64> {
        self.exec("DELETE FROM sessions WHERE expires_at <= $1", vec![Bind::Int(now_ms)]).await
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}

pub(crate) fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}
