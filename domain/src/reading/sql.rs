//! Reading on SQLite and PostgreSQL: the same statements for both.

use super::port::ReadingStore;
use crate::clock::{from_ms, now_ms};
use crate::reading::{Annotation, AnnotationKind, Furthest, Progress, ReadingSession};
use crate::store::sql::{bind_all, conflict_or, Bind, SqlStore};
use crate::store::{StoreError, StoreResult, Tx};
use async_trait::async_trait;
use sqlx::Row;

fn to_bp(pct: f64) -> i64 {
    (pct * 100.0).round().clamp(0.0, 10_000.0) as i64
}

fn from_bp(bp: i64) -> f64 {
    bp as f64 / 100.0
}

const PROGRESS_COLUMNS: &str = "locator, percentage_bp, current_page, total_pages, device, furthest_locator, furthest_bp, updated_at";

fn progress_from_row(r: &sqlx::any::AnyRow) -> StoreResult<Progress> {
    let page =
        |col: &str| -> StoreResult<Option<u32>> { Ok(r.try_get::<Option<i64>, _>(col)?.map(|n| n.clamp(0, u32::MAX as i64) as u32)) };
    Ok(Progress {
        locator: r.try_get("locator")?,
        percentage: from_bp(r.try_get("percentage_bp")?),
        current_page: page("current_page")?,
        total_pages: page("total_pages")?,
        device: r.try_get("device")?,
        updated_at: from_ms(r.try_get("updated_at")?),
        furthest: Furthest { locator: r.try_get("furthest_locator")?, percentage: from_bp(r.try_get("furthest_bp")?) },
    })
}

const ANNOTATION_COLUMNS: &str = "id, user_id, book_id, annotation_type, position, selected_text, content, color, created_at, updated_at";

fn annotation_from_row(r: &sqlx::any::AnyRow) -> StoreResult<Annotation> {
    let kind: String = r.try_get("annotation_type")?;
    Ok(Annotation {
        id: r.try_get("id")?,
        book_id: r.try_get("book_id")?,
        annotation_type: AnnotationKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("annotation type {kind}")))?,
        position: r.try_get("position")?,
        selected_text: r.try_get("selected_text")?,
        content: r.try_get("content")?,
        color: r.try_get("color")?,
        created_at: from_ms(r.try_get("created_at")?),
        updated_at: from_ms(r.try_get("updated_at")?),
    })
}

impl SqlStore {
    /// An annotation by id, whoever it belongs to, with its owner.
    async fn annotation_with_owner(&self, id: &str) -> StoreResult<Option<(String, Annotation)>> {
        let sql = format!("SELECT {ANNOTATION_COLUMNS} FROM annotations WHERE id = $1");
        let row = sqlx::query(&sql).bind(id.to_owned()).fetch_optional(self.pool()).await?;
        row.map(|r| Ok((r.try_get("user_id")?, annotation_from_row(&r)?))).transpose()
    }
}

/// A reader's position in a book, on a connection (the pool's, or a unit of work's), with the
/// row `lock` clause the unit of work wants (see [`SqlStore::row_lock`]).
async fn progress_on(conn: &mut sqlx::AnyConnection, user_id: &str, book_id: &str, lock: &str) -> StoreResult<Option<Progress>> {
    let sql = format!("SELECT {PROGRESS_COLUMNS} FROM reading_progress WHERE user_id = $1 AND book_id = $2{lock}");
    let row = sqlx::query(&sql).bind(user_id.to_owned()).bind(book_id.to_owned()).fetch_optional(conn).await?;
    row.as_ref().map(progress_from_row).transpose()
}

#[async_trait]
impl ReadingStore for SqlStore {
    async fn reader_settings(&self, user_id: &str) -> StoreResult<String> {
        let row =
            sqlx::query("SELECT reader_settings FROM users WHERE id = $1").bind(user_id.to_owned()).fetch_optional(self.pool()).await?;
        Ok(row.map(|r| r.try_get::<String, _>("reader_settings")).transpose()?.unwrap_or_default())
    }

    async fn set_reader_settings(&self, user_id: &str, json: &str) -> StoreResult<()> {
        sqlx::query("UPDATE users SET reader_settings = $2 WHERE id = $1")
            .bind(user_id.to_owned())
            .bind(json.to_owned())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn insert_session(&self, tx: &mut Tx, user_id: &str, s: &ReadingSession) -> StoreResult<bool> {
        let sql = "INSERT INTO reading_sessions (id, user_id, book_id, started_at, ended_at, start_bp, end_bp, pages, device) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING";
        let binds = vec![
            Bind::Text(&s.id),
            Bind::Text(user_id),
            Bind::Text(&s.book_id),
            Bind::Int(s.started_at.timestamp_millis()),
            Bind::Int(s.ended_at.timestamp_millis()),
            Bind::Int(to_bp(s.start_percentage)),
            Bind::Int(to_bp(s.end_percentage)),
            Bind::OptInt(s.pages.map(i64::from)),
            Bind::Text(&s.device),
        ];
        Ok(bind_all(sqlx::query(sql), binds).execute(tx.conn()).await.map_err(|e| conflict_or(e, "session"))?.rows_affected() == 1)
    }

    async fn session_times(&self, user_id: &str, since_ms: i64) -> StoreResult<Vec<(i64, i64)>> {
        let rows =
            sqlx::query("SELECT started_at, ended_at FROM reading_sessions WHERE user_id = $1 AND ended_at >= $2 ORDER BY started_at")
                .bind(user_id.to_owned())
                .bind(since_ms)
                .fetch_all(self.pool())
                .await?;
        rows.iter().map(|r| Ok((r.try_get("started_at")?, r.try_get("ended_at")?))).collect()
    }

    async fn finished_count(&self, user_id: &str) -> StoreResult<u64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM reading_progress WHERE user_id = $1 AND furthest_bp >= $2")
            .bind(user_id.to_owned())
            .bind(to_bp(crate::reading::FINISHED_FROM))
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get::<i64, _>("n")?.max(0) as u64)
    }

    async fn insert_annotation(&self, user_id: &str, a: &Annotation) -> StoreResult<(Annotation, bool)> {
        let sql = format!(
            "INSERT INTO annotations ({ANNOTATION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING"
        );
        let binds = vec![
            Bind::Text(&a.id),
            Bind::Text(user_id),
            Bind::Text(&a.book_id),
            Bind::Text(a.annotation_type.as_str()),
            Bind::Text(&a.position),
            Bind::Text(&a.selected_text),
            Bind::Text(&a.content),
            Bind::Text(&a.color),
            Bind::Int(a.created_at.timestamp_millis()),
            Bind::Int(a.updated_at.timestamp_millis()),
        ];
        let created =
            bind_all(sqlx::query(&sql), binds).execute(self.pool()).await.map_err(|e| conflict_or(e, "annotation"))?.rows_affected() == 1;
        match self.annotation_with_owner(&a.id).await? {
            Some((owner, stored)) if owner == user_id => Ok((stored, created)),
            _ => Err(StoreError::Conflict("annotation")),
        }
    }

    async fn update_annotation(&self, user_id: &str, a: &Annotation) -> StoreResult<Option<Annotation>> {
        let sql = "UPDATE annotations SET position = $3, selected_text = $4, content = $5, color = $6, updated_at = $7 \
                   WHERE id = $1 AND user_id = $2 AND updated_at <= $7";
        let binds = vec![
            Bind::Text(&a.id),
            Bind::Text(user_id),
            Bind::Text(&a.position),
            Bind::Text(&a.selected_text),
            Bind::Text(&a.content),
            Bind::Text(&a.color),
            Bind::Int(a.updated_at.timestamp_millis()),
        ];
        bind_all(sqlx::query(sql), binds).execute(self.pool()).await?;
        self.annotation(user_id, &a.id).await
    }

    async fn delete_annotation(&self, user_id: &str, id: &str) -> StoreResult<bool> {
        let res = sqlx::query("DELETE FROM annotations WHERE id = $1 AND user_id = $2")
            .bind(id.to_owned())
            .bind(user_id.to_owned())
            .execute(self.pool())
            .await?;
        Ok(res.rows_affected() == 1)
    }

    async fn annotation(&self, user_id: &str, id: &str) -> StoreResult<Option<Annotation>> {
        Ok(self.annotation_with_owner(id).await?.filter(|(owner, _)| owner == user_id).map(|(_, a)| a))
    }

    async fn annotations(&self, user_id: &str, book_id: &str) -> StoreResult<Vec<Annotation>> {
        let sql = format!("SELECT {ANNOTATION_COLUMNS} FROM annotations WHERE user_id = $1 AND book_id = $2 ORDER BY created_at, id");
        let rows = sqlx::query(&sql).bind(user_id.to_owned()).bind(book_id.to_owned()).fetch_all(self.pool()).await?;
        rows.iter().map(annotation_from_row).collect()
    }

    async fn is_entitled(&self, user_id: &str, book_id: &str) -> StoreResult<bool> {
        // Bought or given, or a premium book while the reader's Premium runs.
        let sql = "SELECT 1 AS ok FROM entitlements WHERE user_id = $1 AND book_id = $2 \
                   UNION ALL SELECT 1 AS ok FROM books b JOIN subscriptions s ON s.user_id = $1 AND s.access_until > $3 \
                   WHERE b.id = $2 AND b.premium = $4";
        let binds = vec![Bind::Text(user_id), Bind::Text(book_id), Bind::Int(now_ms()), Bind::Bool(true)];
        Ok(bind_all(sqlx::query(sql), binds).fetch_optional(self.pool()).await?.is_some())
    }

    async fn file_access(&self, book_id: &str, viewer: Option<&str>) -> StoreResult<Option<crate::reading::FileAccess>> {
        use crate::catalog::{BookStatus, Format};
        let sql = "SELECT b.id, b.file_hash, b.format, b.status, b.price_amount, b.premium, u.role AS viewer_role, \
                   CASE WHEN e.user_id IS NULL AND s.user_id IS NULL THEN 0 ELSE 1 END AS entitled \
                   FROM books b LEFT JOIN users u ON u.id = $2 LEFT JOIN entitlements e ON e.book_id = b.id AND e.user_id = $2 \
                   LEFT JOIN subscriptions s ON s.user_id = $2 AND s.access_until > $3 AND b.premium = $4 \
                   WHERE b.id = $1";
        let binds = vec![Bind::Text(book_id), Bind::OptText(viewer), Bind::Int(now_ms()), Bind::Bool(true)];
        let rows = bind_all(sqlx::query(sql), binds).fetch_optional(self.pool()).await?;
        let Some(r) = rows else { return Ok(None) };
        let format: String = r.try_get("format")?;
        let status: String = r.try_get("status")?;
        let role: Option<String> = r.try_get("viewer_role")?;
        Ok(Some(crate::reading::FileAccess {
            file: crate::reading::BookFile {
                book_id: r.try_get("id")?,
                file_hash: r.try_get("file_hash")?,
                format: Format::parse(&format).ok_or_else(|| StoreError::Corrupt(format!("format {format}")))?,
                free: r.try_get::<i64, _>("price_amount")? == 0 && !crate::store::rows::flag(&r, "premium")?,
            },
            status: BookStatus::from_stored(&status),
            viewer: role.as_deref().and_then(crate::account::Role::parse),
            entitled: crate::store::rows::flag(&r, "entitled")?,
        }))
    }

    async fn grant(&self, tx: &mut Tx, user_id: &str, book_id: &str, source: &str, granted_by: Option<&str>) -> StoreResult<bool> {
        let sql = "INSERT INTO entitlements (user_id, book_id, source, granted_by, created_at) VALUES ($1, $2, $3, $4, $5) \
                   ON CONFLICT (user_id, book_id) DO NOTHING";
        let binds = vec![Bind::Text(user_id), Bind::Text(book_id), Bind::Text(source), Bind::OptText(granted_by), Bind::Int(now_ms())];
        let done = bind_all(sqlx::query(sql), binds).execute(tx.conn()).await.map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::Conflict("entitlement"),
            _ => conflict_or(e, "entitlement"),
        })?;
        Ok(done.rows_affected() == 1)
    }

    async fn progress(&self, user_id: &str, book_id: &str) -> StoreResult<Option<Progress>> {
        progress_on(&mut *self.pool().acquire().await?, user_id, book_id, "").await
    }

    async fn recent_progress(&self, user_id: &str, limit: u32) -> StoreResult<Vec<(String, Progress)>> {
        let sql = format!("SELECT book_id, {PROGRESS_COLUMNS} FROM reading_progress WHERE user_id = $1 ORDER BY updated_at DESC LIMIT $2");
        let rows = sqlx::query(&sql).bind(user_id.to_owned()).bind(i64::from(limit)).fetch_all(self.pool()).await?;
        rows.iter().map(|r| Ok((r.try_get("book_id")?, progress_from_row(r)?))).collect()
    }

    async fn entitled_books(&self, user_id: &str, limit: u32) -> StoreResult<Vec<String>> {
        let sql = "SELECT book_id FROM entitlements WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2";
        let rows = sqlx::query(sql).bind(user_id.to_owned()).bind(i64::from(limit)).fetch_all(self.pool()).await?;
        rows.iter().map(|r| Ok(r.try_get("book_id")?)).collect()
    }

    async fn save_progress(&self, tx: &mut Tx, user_id: &str, book_id: &str, p: &Progress) -> StoreResult<(Progress, Option<Progress>)> {
        // The row is claimed first: made if missing (two first saves meet on its key, the second
        // waits for the first), then read and locked until this unit of work ends, so a save
        // made at the same moment on another device sees this one's result, never the same
        // "before" (each tenth passed is announced once). A reader's first position in a book
        // counts them among its readers ("most read").
        let claim = "INSERT INTO reading_progress \
                     (user_id, book_id, locator, percentage_bp, device, furthest_locator, furthest_bp, updated_at) \
                     VALUES ($1, $2, $3, 0, $4, $3, 0, 0) ON CONFLICT (user_id, book_id) DO NOTHING";
        let binds = vec![Bind::Text(user_id), Bind::Text(book_id), Bind::Text(&p.locator), Bind::Text(&p.device)];
        let made = bind_all(sqlx::query(claim), binds).execute(tx.conn()).await.map_err(|e| conflict_or(e, "progress"))?;
        let first = made.rows_affected() == 1;
        let held = progress_on(tx.conn(), user_id, book_id, self.row_lock(false)).await?;
        let before = if first { None } else { held };
        // One statement: insert, or overwrite only an older row; the furthest position moves
        // forward whichever write wins.
        let sql = "INSERT INTO reading_progress \
                   (user_id, book_id, locator, percentage_bp, current_page, total_pages, device, furthest_locator, furthest_bp, updated_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $3, $4, $8) \
                   ON CONFLICT (user_id, book_id) DO UPDATE SET \
                     locator = CASE WHEN excluded.updated_at > reading_progress.updated_at THEN excluded.locator ELSE reading_progress.locator END, \
                     percentage_bp = CASE WHEN excluded.updated_at > reading_progress.updated_at THEN excluded.percentage_bp ELSE reading_progress.percentage_bp END, \
                     current_page = CASE WHEN excluded.updated_at > reading_progress.updated_at THEN excluded.current_page ELSE reading_progress.current_page END, \
                     total_pages = CASE WHEN excluded.updated_at > reading_progress.updated_at THEN excluded.total_pages ELSE reading_progress.total_pages END, \
                     device = CASE WHEN excluded.updated_at > reading_progress.updated_at THEN excluded.device ELSE reading_progress.device END, \
                     furthest_locator = CASE WHEN excluded.percentage_bp > reading_progress.furthest_bp THEN excluded.locator ELSE reading_progress.furthest_locator END, \
                     furthest_bp = CASE WHEN excluded.percentage_bp > reading_progress.furthest_bp THEN excluded.percentage_bp ELSE reading_progress.furthest_bp END, \
                     updated_at = CASE WHEN excluded.updated_at > reading_progress.updated_at THEN excluded.updated_at ELSE reading_progress.updated_at END";
        let binds = vec![
            Bind::Text(user_id),
            Bind::Text(book_id),
            Bind::Text(&p.locator),
            Bind::Int(to_bp(p.percentage)),
            Bind::OptInt(p.current_page.map(i64::from)),
            Bind::OptInt(p.total_pages.map(i64::from)),
            Bind::Text(&p.device),
            Bind::Int(p.updated_at.timestamp_millis()),
        ];
        bind_all(sqlx::query(sql), binds).execute(tx.conn()).await.map_err(|e| conflict_or(e, "progress"))?;
        if first {
            bind_all(sqlx::query("UPDATE books SET popularity = popularity + 1 WHERE id = $1"), vec![Bind::Text(book_id)])
                .execute(tx.conn())
                .await?;
        }
        let now = progress_on(tx.conn(), user_id, book_id, "").await?.ok_or_else(|| StoreError::Corrupt("progress vanished".into()))?;
        Ok((now, before))
    }
}
