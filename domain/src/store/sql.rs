//! The one SQL adapter, over sqlx's `Any` driver. Statements are written once with `$n`
//! placeholders, which SQLite and PostgreSQL both accept; only the DDL (migrations) differs.

use super::{StoreError, StoreResult};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Connection, Executor, Row};
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
            // A connection goes back to the pool only outside any transaction. A unit of work
            // dropped without commit or rollback (an early return, a cancelled request) queues
            // its rollback; on SQLite that rollback can fail (a statement still stepping) and
            // leave the connection inside the transaction, holding the write lock — "database is
            // locked" for every other request, "begin_with at non-zero transaction depth" for the
            // next on this one. The ping runs what was queued; a connection still inside a
            // transaction after it is closed (closing rolls back) instead of reused.
            .after_release(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.ping().await?;
                    }
                    let clean = !conn.is_in_transaction();
                    if !clean {
                        tracing::warn!("a pooled connection came back inside a transaction: closed");
                    }
                    Ok(clean)
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
        if self.backend == Backend::Sqlite {
            self.widen_sqlite_payments().await?;
        }
        self.fill_sort_titles().await?;
        self.fill_name_keys().await
    }

    /// SQLite's payments table as made by the first payments migration allows books only; a
    /// CHECK cannot be changed in place, and sqlx runs each SQLite migration inside a
    /// transaction, where foreign keys cannot be switched off for the documented rebuild. So it
    /// is rebuilt here, once, on one connection: foreign keys off, the rebuild in its own
    /// transaction, foreign keys on again.
    async fn widen_sqlite_payments(&self) -> StoreResult<()> {
        let schema = "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'payments'";
        let sql: Option<String> = sqlx::query(schema).fetch_optional(&self.pool).await?.map(|r| r.try_get("sql")).transpose()?;
        if !sql.is_some_and(|s| s.contains("IN ('book')")) {
            return Ok(());
        }
        let mut conn = self.pool.acquire().await?;
        conn.execute("PRAGMA foreign_keys = OFF").await?;
        let rebuild = format!("BEGIN IMMEDIATE; {} COMMIT;", include_str!("sqlite_payments_plans.sql"));
        let done = conn.execute(rebuild.as_str()).await;
        if done.is_err() {
            let _ = conn.execute("ROLLBACK").await;
        }
        conn.execute("PRAGMA foreign_keys = ON").await?;
        done?;
        tracing::info!("payments table rebuilt: a payment may buy a plan");
        Ok(())
    }

    /// Books catalogued before titles had a sort key get one (a few hundred at a time). The
    /// status condition lets the lookup use the `books_title` index: no scan at each start.
    async fn fill_sort_titles(&self) -> StoreResult<()> {
        let pending = "SELECT id, title FROM books WHERE status IN ('draft', 'published') AND sort_title = '' AND title <> '' LIMIT 500";
        self.fill_keys(pending, "UPDATE books SET sort_title = $1 WHERE id = $2", crate::catalog::sort_key).await
    }

    /// Names kept before they had a folded key get one.
    async fn fill_name_keys(&self) -> StoreResult<()> {
        for table in ["authors", "publishers", "categories"] {
            let pending = format!("SELECT id, name FROM {table} WHERE name_key = '' AND name <> '' LIMIT 500");
            let update = format!("UPDATE {table} SET name_key = $1 WHERE id = $2");
            self.fill_keys(&pending, &update, crate::catalog::sql::name_key).await?;
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

    /// The clause that locks the rows a `SELECT` in a unit of work reads until it ends:
    /// `FOR UPDATE` on PostgreSQL; nothing on SQLite, whose unit of work holds the write lock from
    /// its start (`BEGIN IMMEDIATE`). With `skip`, rows another unit holds are passed over.
    pub fn row_lock(&self, skip: bool) -> &'static str {
        match (self.backend, skip) {
            (Backend::Postgres, false) => " FOR UPDATE",
            (Backend::Postgres, true) => " FOR UPDATE SKIP LOCKED",
            (Backend::Sqlite, _) => "",
        }
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

    pub(crate) async fn exec(&self, sql: &str, binds: Binds<'_>) -> StoreResult<u64> {
        Ok(bind_all(sqlx::query(sql), binds).execute(&self.pool).await?.rows_affected())
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

/// Runs a statement in a unit of work; the rows it changed.
pub(crate) async fn exec_in(tx: &mut super::Tx, sql: &str, binds: Binds<'_>) -> StoreResult<u64> {
    Ok(bind_all(sqlx::query(sql), binds).execute(tx.conn()).await?.rows_affected())
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

/// Binds gathered while a query is written: `push` answers the placeholder (`$n`) to write.
pub(crate) struct Params<'a> {
    pub(crate) binds: Binds<'a>,
}

impl<'a> Params<'a> {
    pub(crate) fn push(&mut self, b: Bind<'a>) -> String {
        self.binds.push(b);
        format!("${}", self.binds.len())
    }
}

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

pub(crate) fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}
