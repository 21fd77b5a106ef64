//! Community on SQLite and PostgreSQL: the same statements for both.

use super::port::{CommunityStore, ReportRow, ReviewRow};
use super::{
    FlagState, FlaggedReview, HeldReview, ModlogEntry, RatingSummary, ReportReason, Review, ReviewSort, ReviewStatus, VERIFIED_FROM_BP,
};
use crate::clock::from_ms;
use crate::store::rows::flag;
use crate::store::sql::{bind_all, conflict_or, exec_in, Bind, Params, SqlStore};
use crate::store::{StoreError, StoreResult, Tx};
use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::Row;

/// A review's columns with its author's name, whether they read a third of the book, and
/// whether the viewer (bound at `$1`) voted for it.
fn select_reviews() -> String {
    format!(
        "SELECT r.id, r.book_id, r.user_id, u.name AS author_name, r.rating, r.title, r.body, r.body_html, r.spoiler, \
         r.status, r.status_reason, r.helpful, r.created_at, r.updated_at, u.created_at AS author_since, \
         CASE WHEN rp.furthest_bp >= {VERIFIED_FROM_BP} THEN 1 ELSE 0 END AS verified, \
         CASE WHEN v.user_id IS NULL THEN 0 ELSE 1 END AS voted \
         FROM reviews r JOIN users u ON u.id = r.user_id \
         LEFT JOIN reading_progress rp ON rp.user_id = r.user_id AND rp.book_id = r.book_id \
         LEFT JOIN review_votes v ON v.review_id = r.id AND v.user_id = $1"
    )
}

fn review_from_row(r: &AnyRow) -> StoreResult<Review> {
    let status: String = r.try_get("status")?;
    let rating: i64 = r.try_get("rating")?;
    let helpful: i64 = r.try_get("helpful")?;
    Ok(Review {
        id: r.try_get("id")?,
        book_id: r.try_get("book_id")?,
        author_id: r.try_get("user_id")?,
        author_name: r.try_get("author_name")?,
        rating: rating.clamp(1, 5) as u8,
        title: r.try_get("title")?,
        body: r.try_get("body")?,
        body_html: r.try_get("body_html")?,
        spoiler: flag(r, "spoiler")?,
        status: ReviewStatus::parse(&status).ok_or_else(|| StoreError::Corrupt(format!("review status {status}")))?,
        status_reason: r.try_get("status_reason")?,
        verified: flag(r, "verified")?,
        helpful: helpful.clamp(0, u32::MAX as i64) as u32,
        voted: flag(r, "voted")?,
        created_at: from_ms(r.try_get("created_at")?),
        updated_at: from_ms(r.try_get("updated_at")?),
    })
}

fn count(r: &AnyRow) -> StoreResult<u64> {
    Ok(r.try_get::<i64, _>("n")?.max(0) as u64)
}

#[async_trait]
impl CommunityStore for SqlStore {
    async fn insert_review(&self, tx: &mut Tx, r: &ReviewRow<'_>) -> StoreResult<()> {
        let sql = "INSERT INTO reviews (id, book_id, user_id, rating, title, body, body_html, spoiler, status, status_reason, \
                   helpful, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $11)";
        let binds = vec![
            Bind::Text(r.id),
            Bind::Text(r.book_id),
            Bind::Text(r.user_id),
            Bind::Int(r.rating as i64),
            Bind::Text(r.title),
            Bind::Text(r.body),
            Bind::Text(r.body_html),
            Bind::Bool(r.spoiler),
            Bind::Text(r.status.as_str()),
            Bind::Text(r.status_reason),
            Bind::Int(r.at_ms),
        ];
        bind_all(sqlx::query(sql), binds).execute(tx.conn()).await.map_err(|e| conflict_or(e, "review"))?;
        Ok(())
    }

    async fn update_review(&self, tx: &mut Tx, r: &ReviewRow<'_>) -> StoreResult<bool> {
        let sql = "UPDATE reviews SET rating = $2, title = $3, body = $4, body_html = $5, spoiler = $6, status = $7, \
                   status_reason = $8, updated_at = $9 WHERE id = $1";
        let binds = vec![
            Bind::Text(r.id),
            Bind::Int(r.rating as i64),
            Bind::Text(r.title),
            Bind::Text(r.body),
            Bind::Text(r.body_html),
            Bind::Bool(r.spoiler),
            Bind::Text(r.status.as_str()),
            Bind::Text(r.status_reason),
            Bind::Int(r.at_ms),
        ];
        Ok(exec_in(tx, sql, binds).await? == 1)
    }

    async fn delete_review(&self, tx: &mut Tx, id: &str) -> StoreResult<bool> {
        Ok(exec_in(tx, "DELETE FROM reviews WHERE id = $1", vec![Bind::Text(id)]).await? == 1)
    }

    async fn set_review_status(&self, tx: &mut Tx, id: &str, status: ReviewStatus, reason: &str) -> StoreResult<bool> {
        // A moderator's decision is not an edit: `updated_at` stays the author's.
        let sql = "UPDATE reviews SET status = $2, status_reason = $3 WHERE id = $1";
        Ok(exec_in(tx, sql, vec![Bind::Text(id), Bind::Text(status.as_str()), Bind::Text(reason)]).await? == 1)
    }

    async fn review(&self, id: &str, viewer: Option<&str>) -> StoreResult<Option<Review>> {
        let sql = format!("{} WHERE r.id = $2", select_reviews());
        let row = sqlx::query(&sql).bind(viewer.unwrap_or("").to_owned()).bind(id.to_owned()).fetch_optional(self.pool()).await?;
        row.as_ref().map(review_from_row).transpose()
    }

    async fn review_by(&self, book_id: &str, user_id: &str) -> StoreResult<Option<Review>> {
        let sql = format!("{} WHERE r.book_id = $2 AND r.user_id = $1", select_reviews());
        let row = sqlx::query(&sql).bind(user_id.to_owned()).bind(book_id.to_owned()).fetch_optional(self.pool()).await?;
        row.as_ref().map(review_from_row).transpose()
    }

    async fn reviews(
        &self,
        book_id: &str,
        viewer: Option<&str>,
        sort: ReviewSort,
        after: Option<(i64, String)>,
        limit: u32,
    ) -> StoreResult<Vec<Review>> {
        let viewer = viewer.unwrap_or("");
        let mut p = Params { binds: vec![Bind::Text(viewer)] };
        let b = p.push(Bind::Text(book_id));
        let mut sql = format!("{} WHERE r.book_id = {b} AND r.status = 'published' AND r.user_id <> $1", select_reviews());
        let key = match sort {
            ReviewSort::Helpful => "r.helpful",
            ReviewSort::Newest => "r.created_at",
            ReviewSort::Rating => "r.rating",
        };
        // Row values: one index range on both databases (see the catalogue's keyset pages).
        let after_id;
        if let Some((k, id)) = after {
            after_id = id;
            let (a, c) = (p.push(Bind::Int(k)), p.push(Bind::Text(&after_id)));
            sql.push_str(&format!(" AND ({key}, r.id) < ({a}, {c})"));
        }
        let lim = p.push(Bind::Int(limit.clamp(1, 100) as i64));
        sql.push_str(&format!(" ORDER BY {key} DESC, r.id DESC LIMIT {lim}"));
        let rows = bind_all(sqlx::query(&sql), p.binds).fetch_all(self.pool()).await?;
        rows.iter().map(review_from_row).collect()
    }

    async fn rating_summary(&self, book_id: &str) -> StoreResult<RatingSummary> {
        let sql = "SELECT rating, COUNT(*) AS n FROM reviews WHERE book_id = $1 AND status = 'published' GROUP BY rating";
        let rows = sqlx::query(sql).bind(book_id.to_owned()).fetch_all(self.pool()).await?;
        let mut histogram = [0u32; 5];
        for r in &rows {
            let rating: i64 = r.try_get("rating")?;
            if let Some(slot) = histogram.get_mut((rating - 1).clamp(0, 4) as usize) {
                *slot += count(r)? as u32;
            }
        }
        Ok(RatingSummary::from_histogram(histogram))
    }

    async fn refresh_book_rating(&self, tx: &mut Tx, book_id: &str) -> StoreResult<()> {
        let counted = "UPDATE books SET \
             rating_count = (SELECT COUNT(*) FROM reviews WHERE book_id = $1 AND status = 'published'), \
             rating_sum = (SELECT COALESCE(SUM(rating), 0) FROM reviews WHERE book_id = $1 AND status = 'published') \
             WHERE id = $1";
        exec_in(tx, counted, vec![Bind::Text(book_id)]).await?;
        // Two phantom ratings of 3 (see the migration): integer hundredths on both databases.
        let ranked = "UPDATE books SET rating_rank = CASE WHEN rating_count = 0 THEN 0 \
             ELSE ((rating_sum + 6) * 100) / (rating_count + 2) END WHERE id = $1";
        exec_in(tx, ranked, vec![Bind::Text(book_id)]).await?;
        Ok(())
    }

    async fn reviews_by_since(&self, user_id: &str, since_ms: i64) -> StoreResult<u64> {
        let sql = "SELECT COUNT(*) AS n FROM reviews WHERE user_id = $1 AND created_at >= $2";
        count(&sqlx::query(sql).bind(user_id.to_owned()).bind(since_ms).fetch_one(self.pool()).await?)
    }

    async fn reviews_on_since(&self, book_id: &str, except: &str, since_ms: i64) -> StoreResult<u64> {
        let sql = "SELECT COUNT(*) AS n FROM reviews WHERE book_id = $1 AND user_id <> $2 AND created_at >= $3";
        count(&sqlx::query(sql).bind(book_id.to_owned()).bind(except.to_owned()).bind(since_ms).fetch_one(self.pool()).await?)
    }

    async fn vote(&self, tx: &mut Tx, review_id: &str, user_id: &str, helpful: bool, at_ms: i64) -> StoreResult<(u32, bool)> {
        let changed = if helpful {
            let sql = "INSERT INTO review_votes (review_id, user_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
            exec_in(tx, sql, vec![Bind::Text(review_id), Bind::Text(user_id), Bind::Int(at_ms)]).await?
        } else {
            exec_in(tx, "DELETE FROM review_votes WHERE review_id = $1 AND user_id = $2", vec![Bind::Text(review_id), Bind::Text(user_id)])
                .await?
        } == 1;
        if changed {
            let sql = "UPDATE reviews SET helpful = (SELECT COUNT(*) FROM review_votes WHERE review_id = $1) WHERE id = $1";
            exec_in(tx, sql, vec![Bind::Text(review_id)]).await?;
        }
        let row = bind_all(sqlx::query("SELECT helpful AS n FROM reviews WHERE id = $1"), vec![Bind::Text(review_id)])
            .fetch_optional(tx.conn())
            .await?;
        Ok((row.as_ref().map(count).transpose()?.unwrap_or(0) as u32, changed))
    }

    async fn held_reviews(&self, limit: u32) -> StoreResult<Vec<HeldReview>> {
        let sql = format!(
            "SELECT q.*, b.title AS book_title FROM ({} WHERE r.status = 'pending') q JOIN books b ON b.id = q.book_id \
             ORDER BY q.created_at, q.id LIMIT $2",
            select_reviews()
        );
        let rows = sqlx::query(&sql).bind(String::new()).bind(limit.clamp(1, 200) as i64).fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(HeldReview {
                    review: review_from_row(r)?,
                    book_title: r.try_get("book_title")?,
                    author_since: from_ms(r.try_get("author_since")?),
                })
            })
            .collect()
    }

    async fn reporter_record(&self, user_id: &str) -> StoreResult<(u64, u64)> {
        let sql =
            "SELECT outcome, COUNT(*) AS n FROM reports WHERE reporter_id = $1 AND outcome IN ('upheld', 'rejected') GROUP BY outcome";
        let rows = sqlx::query(sql).bind(user_id.to_owned()).fetch_all(self.pool()).await?;
        let (mut upheld, mut rejected) = (0, 0);
        for r in &rows {
            match r.try_get::<String, _>("outcome")?.as_str() {
                "upheld" => upheld = count(r)?,
                _ => rejected = count(r)?,
            }
        }
        Ok((upheld, rejected))
    }

    async fn reports_by_since(&self, user_id: &str, since_ms: i64) -> StoreResult<u64> {
        let sql = "SELECT COUNT(*) AS n FROM reports WHERE reporter_id = $1 AND created_at >= $2";
        count(&sqlx::query(sql).bind(user_id.to_owned()).bind(since_ms).fetch_one(self.pool()).await?)
    }

    async fn file_report(&self, tx: &mut Tx, r: &ReportRow<'_>) -> StoreResult<Option<i64>> {
        let sql = "INSERT INTO reports (id, target_kind, target_id, reporter_id, reason, note, weight, created_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING";
        let binds = vec![
            Bind::Text(r.id),
            Bind::Text(r.target_kind),
            Bind::Text(r.target_id),
            Bind::OptText(r.reporter_id),
            Bind::Text(r.reason),
            Bind::Text(r.note),
            Bind::Int(r.weight),
            Bind::Int(r.at_ms),
        ];
        if exec_in(tx, sql, binds).await? == 0 {
            return Ok(None);
        }
        // One flag per item: a report on a pending flag adds to it; on a decided one, reopens it
        // (the earlier reports were judged already).
        let merge = "INSERT INTO flags (target_kind, target_id, state, score, reports, first_at, last_at) \
                     VALUES ($1, $2, 'pending', $3, 1, $4, $4) ON CONFLICT (target_kind, target_id) DO UPDATE SET \
                     score = CASE WHEN flags.state = 'pending' THEN flags.score + excluded.score ELSE excluded.score END, \
                     reports = CASE WHEN flags.state = 'pending' THEN flags.reports + 1 ELSE 1 END, \
                     first_at = CASE WHEN flags.state = 'pending' THEN flags.first_at ELSE excluded.first_at END, \
                     state = 'pending', last_at = excluded.last_at, decided_by = NULL, decided_at = NULL, decision_reason = ''";
        exec_in(tx, merge, vec![Bind::Text(r.target_kind), Bind::Text(r.target_id), Bind::Int(r.weight), Bind::Int(r.at_ms)]).await?;
        let row = bind_all(
            sqlx::query("SELECT score AS n FROM flags WHERE target_kind = $1 AND target_id = $2"),
            vec![Bind::Text(r.target_kind), Bind::Text(r.target_id)],
        )
        .fetch_one(tx.conn())
        .await?;
        Ok(Some(row.try_get::<i64, _>("n")?))
    }

    async fn decide_flag(
        &self,
        tx: &mut Tx,
        (kind, id): (&str, &str),
        state: FlagState,
        by: &str,
        reason: &str,
        at_ms: i64,
    ) -> StoreResult<bool> {
        let sql = "UPDATE flags SET state = $3, decided_by = $4, decided_at = $5, decision_reason = $6 \
                   WHERE target_kind = $1 AND target_id = $2 AND state = 'pending'";
        let binds =
            vec![Bind::Text(kind), Bind::Text(id), Bind::Text(state.as_str()), Bind::Text(by), Bind::Int(at_ms), Bind::Text(reason)];
        if exec_in(tx, sql, binds).await? == 0 {
            return Ok(false);
        }
        let sql = "UPDATE reports SET outcome = $3 WHERE target_kind = $1 AND target_id = $2 AND outcome = ''";
        exec_in(tx, sql, vec![Bind::Text(kind), Bind::Text(id), Bind::Text(state.outcome())]).await?;
        Ok(true)
    }

    async fn watched_words(&self) -> StoreResult<Vec<(String, String)>> {
        let rows = sqlx::query("SELECT language, word FROM watched_words ORDER BY language, word").fetch_all(self.pool()).await?;
        rows.iter().map(|r| Ok((r.try_get("language")?, r.try_get("word")?))).collect()
    }

    async fn watch_word(&self, tx: &mut Tx, language: &str, word: &str, by: &str, at_ms: i64) -> StoreResult<bool> {
        let sql = "INSERT INTO watched_words (language, word, added_by, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
        Ok(exec_in(tx, sql, vec![Bind::Text(language), Bind::Text(word), Bind::Text(by), Bind::Int(at_ms)]).await? == 1)
    }

    async fn unwatch_word(&self, tx: &mut Tx, language: &str, word: &str) -> StoreResult<bool> {
        let sql = "DELETE FROM watched_words WHERE language = $1 AND word = $2";
        Ok(exec_in(tx, sql, vec![Bind::Text(language), Bind::Text(word)]).await? == 1)
    }

    async fn modlog(&self, before: Option<(i64, String)>, limit: u32) -> StoreResult<Vec<ModlogEntry>> {
        let mut p = Params { binds: Vec::new() };
        let mut sql = String::from(
            "SELECT id, at, action, target_id, target_label, after_json FROM audit_log \
             WHERE action IN ('review_moderated', 'flag_decided')",
        );
        if let Some((ms, id)) = &before {
            let (a, c) = (p.push(Bind::Int(*ms)), p.push(Bind::Text(id)));
            sql.push_str(&format!(" AND (at, id) < ({a}, {c})"));
        }
        let lim = p.push(Bind::Int(i64::from(limit.clamp(1, 200))));
        sql.push_str(&format!(" ORDER BY at DESC, id DESC LIMIT {lim}"));
        let rows = bind_all(sqlx::query(&sql), p.binds).fetch_all(self.pool()).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let after: Option<String> = r.try_get("after_json")?;
            let action: String = r.try_get("action")?;
            let line = ModlogEntry::from_audit(
                r.try_get("id")?,
                from_ms(r.try_get("at")?),
                &action,
                r.try_get("target_id")?,
                r.try_get("target_label")?,
                after.as_deref().unwrap_or("{}"),
            );
            out.extend(line);
        }
        Ok(out)
    }

    async fn flagged_reviews(&self, limit: u32) -> StoreResult<Vec<FlaggedReview>> {
        let sql = format!(
            "SELECT q.*, b.title AS book_title, f.state AS flag_state, f.score AS flag_score, f.reports AS flag_reports, \
             f.last_at AS flag_last FROM flags f JOIN ({}) q ON q.id = f.target_id JOIN books b ON b.id = q.book_id \
             WHERE f.target_kind = 'review' AND f.state = 'pending' ORDER BY f.score DESC, f.last_at LIMIT $2",
            select_reviews()
        );
        let rows = sqlx::query(&sql).bind(String::new()).bind(limit.clamp(1, 200) as i64).fetch_all(self.pool()).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let review = review_from_row(r)?;
            let state: String = r.try_get("flag_state")?;
            let said =
                "SELECT reason, note FROM reports WHERE target_kind = 'review' AND target_id = $1 AND outcome = '' ORDER BY created_at";
            let reports = sqlx::query(said).bind(review.id.clone()).fetch_all(self.pool()).await?;
            let mut reasons: Vec<(ReportReason, u32)> = Vec::new();
            let mut notes = Vec::new();
            for rep in &reports {
                let reason = ReportReason::from_stored(&rep.try_get::<String, _>("reason")?);
                match reasons.iter_mut().find(|(x, _)| *x == reason) {
                    Some((_, n)) => *n += 1,
                    None => reasons.push((reason, 1)),
                }
                let note: String = rep.try_get("note")?;
                if !note.is_empty() && notes.len() < 10 {
                    notes.push(note);
                }
            }
            reasons.sort_by_key(|r| std::cmp::Reverse(r.1));
            let flag_reports: i64 = r.try_get("flag_reports")?;
            out.push(FlaggedReview {
                review,
                book_title: r.try_get("book_title")?,
                state: FlagState::parse(&state).ok_or_else(|| StoreError::Corrupt(format!("flag state {state}")))?,
                score: r.try_get("flag_score")?,
                reports: flag_reports.max(0) as u32,
                reasons,
                notes,
                last_at: from_ms(r.try_get("flag_last")?),
            });
        }
        Ok(out)
    }
}
