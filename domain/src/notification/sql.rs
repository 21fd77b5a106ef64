//! The notifications' SQL, written once for SQLite and PostgreSQL.

use super::sms::DeliveryReport;
use super::{
    Broadcast, Category, Channel, Delivery, DeliveryState, Follow, FollowKind, Follower, Kind, NotificationStore, Preferences, PushDevice,
    Segment, Shelf, StoredBroadcast, StoredDelivery, StoredNotification, StoredPhone, StoredSettings,
};
use crate::clock::from_ms;
use crate::store::rows::flag;
use crate::store::sql::{bind_all, exec_in, Bind, Params};
use crate::store::{SqlStore, StoreError, StoreResult, Tx};
use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::Row;

type Params_ = serde_json::Map<String, serde_json::Value>;

fn corrupt(what: &str, v: &str) -> StoreError {
    StoreError::Corrupt(format!("notification {what} '{v}'"))
}

fn params_of(raw: &str) -> StoreResult<Params_> {
    serde_json::from_str(raw).map_err(|e| StoreError::Corrupt(format!("notification params: {e}")))
}

fn category_of(r: &AnyRow) -> StoreResult<Category> {
    let s: String = r.try_get("category")?;
    Category::parse(&s).ok_or_else(|| corrupt("category", &s))
}

fn kind_of(r: &AnyRow) -> StoreResult<Kind> {
    let s: String = r.try_get("kind")?;
    Kind::parse(&s).ok_or_else(|| corrupt("kind", &s))
}

fn notification_from_row(r: &AnyRow) -> StoreResult<StoredNotification> {
    let params: String = r.try_get("params")?;
    Ok(StoredNotification {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        category: category_of(r)?,
        kind: kind_of(r)?,
        params: params_of(&params)?,
        link: r.try_get("link")?,
        created_at_ms: r.try_get("created_at")?,
        read_at_ms: r.try_get("read_at")?,
        archived_at_ms: r.try_get("archived_at")?,
    })
}

const DELIVERY_COLUMNS: &str =
    "d.key, d.user_id, u.email, d.address, d.channel, d.category, d.kind, d.params, d.link, d.state, d.attempts, d.answer, \
                                d.created_at, d.updated_at";

fn delivery_from_row(r: &AnyRow) -> StoreResult<StoredDelivery> {
    let (channel, state, params): (String, String, String) = (r.try_get("channel")?, r.try_get("state")?, r.try_get("params")?);
    Ok(StoredDelivery {
        delivery: Delivery {
            key: r.try_get("key")?,
            user_id: r.try_get("user_id")?,
            recipient: r.try_get("email")?,
            address: r.try_get("address")?,
            channel: Channel::parse(&channel).ok_or_else(|| corrupt("channel", &channel))?,
            category: category_of(r)?,
            kind: kind_of(r)?,
            state: DeliveryState::parse(&state).ok_or_else(|| corrupt("delivery state", &state))?,
            attempts: r.try_get::<i64, _>("attempts")?.clamp(0, i64::from(u32::MAX)) as u32,
            answer: r.try_get("answer")?,
            created_at: from_ms(r.try_get("created_at")?),
            updated_at: from_ms(r.try_get("updated_at")?),
        },
        params: params_of(&params)?,
        link: r.try_get("link")?,
    })
}

/// An inbox cursor: `u.<id>` inside the unread ones, `r.<id>` inside the read ones.
fn parse_cursor(c: &str) -> Option<(bool, &str)> {
    let (part, id) = c.split_once('.')?;
    let unread = match part {
        "u" => true,
        "r" => false,
        _ => return None,
    };
    (!id.is_empty() && id.len() <= 64).then_some((unread, id))
}

/// The cursor after `n` (what [`NotificationStore::notifications`] takes back).
pub fn cursor_of(n: &StoredNotification, shelf: Shelf) -> String {
    match (shelf, n.read_at_ms) {
        (Shelf::Inbox, None) => format!("u.{}", n.id),
        _ => format!("r.{}", n.id),
    }
}

#[async_trait]
impl NotificationStore for SqlStore {
    async fn insert_notification(&self, tx: &mut Tx, n: &StoredNotification, key: &str) -> StoreResult<bool> {
        let sql = "INSERT INTO notifications (id, user_id, category, kind, params, link, delivery_key, created_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING";
        let params = serde_json::Value::Object(n.params.clone()).to_string();
        let binds = vec![
            Bind::Text(&n.id),
            Bind::Text(&n.user_id),
            Bind::Text(n.category.as_str()),
            Bind::Text(n.kind.as_str()),
            Bind::Text(&params),
            Bind::OptText(n.link.as_deref()),
            Bind::Text(key),
            Bind::Int(n.created_at_ms),
        ];
        Ok(exec_in(tx, sql, binds).await? == 1)
    }

    async fn notification(&self, user_id: &str, id: &str) -> StoreResult<Option<StoredNotification>> {
        let sql = "SELECT id, user_id, category, kind, params, link, created_at, read_at, archived_at FROM notifications WHERE user_id = $1 AND id = $2";
        let row = bind_all(sqlx::query(sql), vec![Bind::Text(user_id), Bind::Text(id)]).fetch_optional(self.pool()).await?;
        row.as_ref().map(notification_from_row).transpose()
    }

    async fn notifications(&self, user_id: &str, shelf: Shelf, after: Option<&str>, limit: u32) -> StoreResult<Vec<StoredNotification>> {
        let mut p = Params { binds: Vec::new() };
        let user = p.push(Bind::Text(user_id));
        let mut sql = format!(
            "SELECT id, user_id, category, kind, params, link, created_at, read_at, archived_at FROM notifications WHERE user_id = {user}"
        );
        let order = match shelf {
            Shelf::Archived => {
                sql.push_str(" AND archived_at IS NOT NULL");
                if let Some((_, id)) = after.and_then(parse_cursor) {
                    sql.push_str(&format!(" AND id < {}", p.push(Bind::Text(id))));
                }
                " ORDER BY id DESC"
            }
            Shelf::Inbox => {
                sql.push_str(" AND archived_at IS NULL");
                match after.and_then(parse_cursor) {
                    Some((true, id)) => {
                        sql.push_str(&format!(" AND ((read_at IS NULL AND id < {}) OR read_at IS NOT NULL)", p.push(Bind::Text(id))))
                    }
                    Some((false, id)) => sql.push_str(&format!(" AND read_at IS NOT NULL AND id < {}", p.push(Bind::Text(id)))),
                    None => {}
                }
                " ORDER BY CASE WHEN read_at IS NULL THEN 0 ELSE 1 END, id DESC"
            }
        };
        sql.push_str(order);
        sql.push_str(&format!(" LIMIT {}", p.push(Bind::Int(i64::from(limit.clamp(1, 200))))));
        let rows = bind_all(sqlx::query(&sql), p.binds).fetch_all(self.pool()).await?;
        rows.iter().map(notification_from_row).collect()
    }

    async fn unread_count(&self, user_id: &str, cap: u32) -> StoreResult<u32> {
        let sql = "SELECT COUNT(*) AS n FROM (SELECT 1 FROM notifications WHERE user_id = $1 AND archived_at IS NULL \
                   AND read_at IS NULL LIMIT $2) capped";
        let row = bind_all(sqlx::query(sql), vec![Bind::Text(user_id), Bind::Int(i64::from(cap))]).fetch_one(self.pool()).await?;
        Ok(row.try_get::<i64, _>("n")?.clamp(0, i64::from(cap)) as u32)
    }

    async fn mark_read(&self, tx: &mut Tx, user_id: &str, ids: Option<&[String]>, now_ms: i64) -> StoreResult<u64> {
        let mut p = Params { binds: vec![Bind::Int(now_ms), Bind::Text(user_id)] };
        let mut sql = String::from("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL");
        if let Some(ids) = ids {
            if ids.is_empty() {
                return Ok(0);
            }
            let list: Vec<String> = ids.iter().map(|id| p.push(Bind::Text(id))).collect();
            sql.push_str(&format!(" AND id IN ({})", list.join(", ")));
        }
        exec_in(tx, &sql, p.binds).await
    }

    async fn archive(&self, tx: &mut Tx, user_id: &str, ids: &[String], now_ms: i64) -> StoreResult<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        let mut p = Params { binds: vec![Bind::Int(now_ms), Bind::Text(user_id)] };
        let list: Vec<String> = ids.iter().map(|id| p.push(Bind::Text(id))).collect();
        let sql = format!(
            "UPDATE notifications SET archived_at = $1, read_at = COALESCE(read_at, $1) WHERE user_id = $2 \
             AND archived_at IS NULL AND id IN ({})",
            list.join(", ")
        );
        exec_in(tx, &sql, p.binds).await
    }

    async fn settings(&self, user_id: &str) -> StoreResult<StoredSettings> {
        let rows = bind_all(
            sqlx::query("SELECT category, channel, enabled FROM notification_prefs WHERE user_id = $1"),
            vec![Bind::Text(user_id)],
        )
        .fetch_all(self.pool())
        .await?;
        let cells = rows
            .iter()
            .map(|r| Ok((r.try_get::<String, _>("category")?, r.try_get::<String, _>("channel")?, flag(r, "enabled")?)))
            .collect::<StoreResult<Vec<_>>>()?;
        let sql = "SELECT quiet_start, quiet_end, time_zone, unsubscribe_token, digest FROM notification_settings WHERE user_id = $1";
        let row = bind_all(sqlx::query(sql), vec![Bind::Text(user_id)]).fetch_optional(self.pool()).await?;
        let mut s = StoredSettings { cells, ..StoredSettings::default() };
        if let Some(r) = row {
            let (start, end): (Option<i64>, Option<i64>) = (r.try_get("quiet_start")?, r.try_get("quiet_end")?);
            s.quiet_hours = start.zip(end).map(|(a, b)| (a.clamp(0, 23) as u8, b.clamp(0, 23) as u8));
            s.time_zone = r.try_get("time_zone")?;
            s.unsubscribe_token = r.try_get("unsubscribe_token")?;
            s.digest = r.try_get("digest")?;
        }
        Ok(s)
    }

    async fn save_settings(&self, tx: &mut Tx, user_id: &str, prefs: &Preferences, now_ms: i64) -> StoreResult<()> {
        for c in &prefs.cells {
            let sql = "INSERT INTO notification_prefs (user_id, category, channel, enabled) VALUES ($1, $2, $3, $4) \
                       ON CONFLICT (user_id, category, channel) DO UPDATE SET enabled = excluded.enabled";
            exec_in(
                tx,
                sql,
                vec![Bind::Text(user_id), Bind::Text(c.category.as_str()), Bind::Text(c.channel.as_str()), Bind::Bool(c.enabled)],
            )
            .await?;
        }
        let (start, end) = (prefs.quiet_hours.map(|q| i64::from(q.0)), prefs.quiet_hours.map(|q| i64::from(q.1)));
        let sql = "INSERT INTO notification_settings (user_id, quiet_start, quiet_end, time_zone, digest, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
                   ON CONFLICT (user_id) DO UPDATE SET quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end, \
                   time_zone = excluded.time_zone, digest = excluded.digest, updated_at = excluded.updated_at";
        let binds = vec![
            Bind::Text(user_id),
            Bind::OptInt(start),
            Bind::OptInt(end),
            Bind::Text(&prefs.time_zone),
            Bind::Text(prefs.digest.as_str()),
            Bind::Int(now_ms),
        ];
        exec_in(tx, sql, binds).await?;
        Ok(())
    }

    async fn unsubscribe_token(&self, user_id: &str) -> StoreResult<String> {
        let read = || async {
            let sql = "SELECT unsubscribe_token FROM notification_settings WHERE user_id = $1";
            let row = bind_all(sqlx::query(sql), vec![Bind::Text(user_id)]).fetch_optional(self.pool()).await?;
            Ok::<_, StoreError>(row.map(|r| r.try_get::<Option<String>, _>("unsubscribe_token")).transpose()?.flatten())
        };
        // Read first: every mail asks, only the first one writes.
        if let Some(token) = read().await? {
            return Ok(token);
        }
        let fresh = crate::account::tokens::generate();
        // Made once: a second caller's insert or update changes nothing, and both read the same.
        let sql = "INSERT INTO notification_settings (user_id, unsubscribe_token, updated_at) VALUES ($1, $2, $3) \
                   ON CONFLICT (user_id) DO UPDATE SET unsubscribe_token = COALESCE(notification_settings.unsubscribe_token, excluded.unsubscribe_token)";
        self.exec(sql, vec![Bind::Text(user_id), Bind::Text(&fresh), Bind::Int(crate::clock::now_ms())]).await?;
        read().await?.ok_or_else(|| StoreError::Corrupt("unsubscribe token not kept".into()))
    }

    async fn user_of_unsubscribe_token(&self, token: &str) -> StoreResult<Option<String>> {
        let row = bind_all(sqlx::query("SELECT user_id FROM notification_settings WHERE unsubscribe_token = $1"), vec![Bind::Text(token)])
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get("user_id")).transpose()?)
    }

    async fn insert_delivery(&self, tx: &mut Tx, d: &StoredDelivery) -> StoreResult<bool> {
        let sql = "INSERT INTO deliveries (key, user_id, channel, category, kind, params, link, state, attempts, created_at, updated_at, address) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', 0, $8, $8, $9) ON CONFLICT DO NOTHING";
        let params = serde_json::Value::Object(d.params.clone()).to_string();
        let x = &d.delivery;
        let binds = vec![
            Bind::Text(&x.key),
            Bind::Text(&x.user_id),
            Bind::Text(x.channel.as_str()),
            Bind::Text(x.category.as_str()),
            Bind::Text(x.kind.as_str()),
            Bind::Text(&params),
            Bind::OptText(d.link.as_deref()),
            Bind::Int(x.created_at.timestamp_millis()),
            Bind::OptText(x.address.as_deref()),
        ];
        Ok(exec_in(tx, sql, binds).await? == 1)
    }

    async fn delivery(&self, key: &str) -> StoreResult<Option<StoredDelivery>> {
        let sql = format!("SELECT {DELIVERY_COLUMNS} FROM deliveries d JOIN users u ON u.id = d.user_id WHERE d.key = $1");
        let row = bind_all(sqlx::query(&sql), vec![Bind::Text(key)]).fetch_optional(self.pool()).await?;
        row.as_ref().map(delivery_from_row).transpose()
    }

    async fn set_delivery(&self, key: &str, state: DeliveryState, answer: Option<&str>, attempt: bool, now_ms: i64) -> StoreResult<()> {
        let sql =
            "UPDATE deliveries SET state = $1, answer = COALESCE($2, answer), attempts = attempts + $3, updated_at = $4 WHERE key = $5";
        let answer = answer.map(|a| a.chars().take(500).collect::<String>());
        let binds = vec![
            Bind::Text(state.as_str()),
            Bind::OptText(answer.as_deref()),
            Bind::Int(i64::from(attempt)),
            Bind::Int(now_ms),
            Bind::Text(key),
        ];
        self.exec(sql, binds).await?;
        Ok(())
    }

    async fn deliveries(&self, user_id: Option<&str>, limit: u32) -> StoreResult<Vec<Delivery>> {
        let mut p = Params { binds: Vec::new() };
        let filter = match user_id {
            Some(u) => format!(" WHERE d.user_id = {}", p.push(Bind::Text(u))),
            None => String::new(),
        };
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM deliveries d JOIN users u ON u.id = d.user_id{filter} ORDER BY d.updated_at DESC, d.key LIMIT {}",
            p.push(Bind::Int(i64::from(limit.clamp(1, 500))))
        );
        let rows = bind_all(sqlx::query(&sql), p.binds).fetch_all(self.pool()).await?;
        rows.iter().map(|r| delivery_from_row(r).map(|d| d.delivery)).collect()
    }

    async fn set_delivery_address(&self, key: &str, address: &str) -> StoreResult<()> {
        self.exec("UPDATE deliveries SET address = $1 WHERE key = $2", vec![Bind::Text(address), Bind::Text(key)]).await?;
        Ok(())
    }

    async fn set_delivery_ref(&self, key: &str, reference: &str) -> StoreResult<()> {
        self.exec("UPDATE deliveries SET provider_ref = $1 WHERE key = $2", vec![Bind::Text(reference), Bind::Text(key)]).await?;
        Ok(())
    }

    async fn delivery_by_ref(&self, channel: Channel, reference: &str) -> StoreResult<Option<StoredDelivery>> {
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM deliveries d JOIN users u ON u.id = d.user_id WHERE d.channel = $1 AND d.provider_ref = $2"
        );
        let row =
            bind_all(sqlx::query(&sql), vec![Bind::Text(channel.as_str()), Bind::Text(reference)]).fetch_optional(self.pool()).await?;
        row.as_ref().map(delivery_from_row).transpose()
    }

    async fn keep_early_report(&self, r: &DeliveryReport, now_ms: i64, forget_before_ms: i64) -> StoreResult<()> {
        self.exec("DELETE FROM sms_early_reports WHERE received_at < $1", vec![Bind::Int(forget_before_ms)]).await?;
        let sql = "INSERT INTO sms_early_reports (message_id, phone, status, failure_reason, received_at) VALUES ($1, $2, $3, $4, $5) \
                   ON CONFLICT (message_id) DO UPDATE SET phone = excluded.phone, status = excluded.status, \
                   failure_reason = excluded.failure_reason, received_at = excluded.received_at";
        let binds = vec![
            Bind::Text(&r.message_id),
            Bind::Text(&r.phone),
            Bind::Text(&r.status),
            Bind::OptText(r.failure_reason.as_deref()),
            Bind::Int(now_ms),
        ];
        self.exec(sql, binds).await?;
        Ok(())
    }

    async fn take_early_report(&self, message_id: &str) -> StoreResult<Option<DeliveryReport>> {
        let sql = "DELETE FROM sms_early_reports WHERE message_id = $1 RETURNING message_id, phone, status, failure_reason";
        let row = bind_all(sqlx::query(sql), vec![Bind::Text(message_id)]).fetch_optional(self.pool()).await?;
        row.map(|r| {
            Ok(DeliveryReport {
                message_id: r.try_get("message_id")?,
                phone: r.try_get("phone")?,
                status: r.try_get("status")?,
                failure_reason: r.try_get("failure_reason")?,
            })
        })
        .transpose()
    }

    async fn phone(&self, user_id: &str) -> StoreResult<Option<StoredPhone>> {
        let sql = "SELECT number, verified_at, code_digest, code_expires_at, code_tries, asked_at FROM sms_phones WHERE user_id = $1";
        let row = bind_all(sqlx::query(sql), vec![Bind::Text(user_id)]).fetch_optional(self.pool()).await?;
        row.map(|r| {
            Ok(StoredPhone {
                number: r.try_get("number")?,
                verified_at_ms: r.try_get("verified_at")?,
                code_digest: r.try_get("code_digest")?,
                code_expires_ms: r.try_get("code_expires_at")?,
                code_tries: r.try_get::<i64, _>("code_tries")?.clamp(0, 1000) as u32,
                asked_at_ms: r.try_get("asked_at")?,
            })
        })
        .transpose()
    }

    async fn save_phone(&self, tx: &mut Tx, user_id: &str, number: &str, now_ms: i64) -> StoreResult<()> {
        let sql = "INSERT INTO sms_phones (user_id, number, verified_at, code_digest, code_expires_at, code_tries, asked_at) \
                   VALUES ($1, $2, NULL, NULL, NULL, 0, $3) ON CONFLICT (user_id) DO UPDATE SET number = excluded.number, \
                   verified_at = NULL, code_digest = NULL, code_expires_at = NULL, code_tries = 0, asked_at = excluded.asked_at";
        exec_in(tx, sql, vec![Bind::Text(user_id), Bind::Text(number), Bind::Int(now_ms)]).await?;
        Ok(())
    }

    async fn set_phone_code(&self, user_id: &str, number: &str, digest: &str, expires_ms: i64) -> StoreResult<bool> {
        let sql = "UPDATE sms_phones SET code_digest = $1, code_expires_at = $2, code_tries = 0 \
                   WHERE user_id = $3 AND number = $4 AND verified_at IS NULL";
        let binds = vec![Bind::Text(digest), Bind::Int(expires_ms), Bind::Text(user_id), Bind::Text(number)];
        Ok(self.exec(sql, binds).await? == 1)
    }

    async fn phone_code_missed(&self, user_id: &str) -> StoreResult<()> {
        self.exec("UPDATE sms_phones SET code_tries = code_tries + 1 WHERE user_id = $1", vec![Bind::Text(user_id)]).await?;
        Ok(())
    }

    async fn verify_phone(&self, tx: &mut Tx, user_id: &str, number: &str, now_ms: i64) -> StoreResult<bool> {
        let sql = "UPDATE sms_phones SET verified_at = $1, code_digest = NULL, code_expires_at = NULL, code_tries = 0 \
                   WHERE user_id = $2 AND number = $3 AND verified_at IS NULL";
        Ok(exec_in(tx, sql, vec![Bind::Int(now_ms), Bind::Text(user_id), Bind::Text(number)]).await? == 1)
    }

    async fn delete_phone(&self, tx: &mut Tx, user_id: &str) -> StoreResult<bool> {
        Ok(exec_in(tx, "DELETE FROM sms_phones WHERE user_id = $1", vec![Bind::Text(user_id)]).await? == 1)
    }

    async fn save_push_device(&self, tx: &mut Tx, d: &PushDevice) -> StoreResult<String> {
        let sql = "INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, device, created_at, last_sent_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, NULL) ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, \
                   p256dh = excluded.p256dh, auth = excluded.auth, device = excluded.device RETURNING id";
        let binds = vec![
            Bind::Text(&d.id),
            Bind::Text(&d.user_id),
            Bind::Text(&d.endpoint),
            Bind::Text(&d.p256dh),
            Bind::Text(&d.auth),
            Bind::Text(&d.device),
            Bind::Int(d.created_at.timestamp_millis()),
        ];
        let row = bind_all(sqlx::query(sql), binds).fetch_one(tx.conn()).await?;
        Ok(row.try_get("id")?)
    }

    async fn push_devices(&self, user_id: &str) -> StoreResult<Vec<PushDevice>> {
        let sql = format!("SELECT {PUSH_COLUMNS} FROM push_subscriptions WHERE user_id = $1 ORDER BY created_at, id");
        let rows = bind_all(sqlx::query(&sql), vec![Bind::Text(user_id)]).fetch_all(self.pool()).await?;
        rows.iter().map(push_from_row).collect()
    }

    async fn push_device(&self, id: &str) -> StoreResult<Option<PushDevice>> {
        let sql = format!("SELECT {PUSH_COLUMNS} FROM push_subscriptions WHERE id = $1");
        let row = bind_all(sqlx::query(&sql), vec![Bind::Text(id)]).fetch_optional(self.pool()).await?;
        row.as_ref().map(push_from_row).transpose()
    }

    async fn delete_push_device(&self, tx: &mut Tx, user_id: Option<&str>, id: &str) -> StoreResult<bool> {
        let n = match user_id {
            Some(u) => {
                exec_in(tx, "DELETE FROM push_subscriptions WHERE id = $1 AND user_id = $2", vec![Bind::Text(id), Bind::Text(u)]).await?
            }
            None => exec_in(tx, "DELETE FROM push_subscriptions WHERE id = $1", vec![Bind::Text(id)]).await?,
        };
        Ok(n == 1)
    }

    async fn push_sent(&self, id: &str, now_ms: i64) -> StoreResult<()> {
        self.exec("UPDATE push_subscriptions SET last_sent_at = $1 WHERE id = $2", vec![Bind::Int(now_ms), Bind::Text(id)]).await?;
        Ok(())
    }

    async fn follow(&self, tx: &mut Tx, user_id: &str, kind: FollowKind, id: &str, now_ms: i64) -> StoreResult<bool> {
        let sql = "INSERT INTO follows (user_id, target_kind, target_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
        let binds = vec![Bind::Text(user_id), Bind::Text(kind.as_str()), Bind::Text(id), Bind::Int(now_ms)];
        Ok(exec_in(tx, sql, binds).await? == 1)
    }

    async fn unfollow(&self, tx: &mut Tx, user_id: &str, kind: FollowKind, id: &str) -> StoreResult<bool> {
        let sql = "DELETE FROM follows WHERE user_id = $1 AND target_kind = $2 AND target_id = $3";
        Ok(exec_in(tx, sql, vec![Bind::Text(user_id), Bind::Text(kind.as_str()), Bind::Text(id)]).await? == 1)
    }

    async fn follows(&self, user_id: &str) -> StoreResult<Vec<Follow>> {
        let sql = format!(
            "SELECT f.target_kind, f.target_id, f.created_at, {FOLLOWED_NAME} AS name, fc.slug FROM follows f {FOLLOWED_JOINS} \
             WHERE f.user_id = $1 AND {FOLLOWED_NAME} IS NOT NULL ORDER BY f.created_at DESC, f.target_id"
        );
        let rows = bind_all(sqlx::query(&sql), vec![Bind::Text(user_id)]).fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("target_kind")?;
                Ok(Follow {
                    kind: FollowKind::parse(&kind).ok_or_else(|| corrupt("follow kind", &kind))?,
                    id: r.try_get("target_id")?,
                    name: r.try_get("name")?,
                    slug: r.try_get("slug")?,
                    created_at: from_ms(r.try_get("created_at")?),
                })
            })
            .collect()
    }

    async fn follow_count(&self, user_id: &str) -> StoreResult<u64> {
        let row = bind_all(sqlx::query("SELECT COUNT(*) AS n FROM follows WHERE user_id = $1"), vec![Bind::Text(user_id)])
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get::<i64, _>("n")?.max(0) as u64)
    }

    async fn is_following(&self, user_id: &str, kind: FollowKind, id: &str) -> StoreResult<bool> {
        let sql = "SELECT 1 AS one FROM follows WHERE user_id = $1 AND target_kind = $2 AND target_id = $3";
        let row = bind_all(sqlx::query(sql), vec![Bind::Text(user_id), Bind::Text(kind.as_str()), Bind::Text(id)])
            .fetch_optional(self.pool())
            .await?;
        Ok(row.is_some())
    }

    async fn follow_target(&self, kind: FollowKind, id: &str) -> StoreResult<Option<String>> {
        let sql = match kind {
            FollowKind::Author => "SELECT name FROM authors WHERE id = $1",
            FollowKind::Category => "SELECT name FROM categories WHERE id = $1",
        };
        let row = bind_all(sqlx::query(sql), vec![Bind::Text(id)]).fetch_optional(self.pool()).await?;
        Ok(row.map(|r| r.try_get("name")).transpose()?)
    }

    async fn book_published_at(&self, book_id: &str) -> StoreResult<Option<i64>> {
        let sql = "SELECT COALESCE(published_at, created_at) AS at FROM books WHERE id = $1 AND status = 'published'";
        let row = bind_all(sqlx::query(sql), vec![Bind::Text(book_id)]).fetch_optional(self.pool()).await?;
        Ok(row.map(|r| r.try_get("at")).transpose()?)
    }

    async fn followers_of_book(&self, book_id: &str, after: &str, limit: u32) -> StoreResult<Vec<Follower>> {
        // The book's categories and every category above them (UNION stops on a cycle).
        let sql = format!(
            "WITH RECURSIVE cats (id) AS ( \
                 SELECT category_id FROM book_categories WHERE book_id = $1 \
                 UNION SELECT c.parent_id FROM categories c JOIN cats ON c.id = cats.id WHERE c.parent_id IS NOT NULL), \
             matched AS (SELECT f.user_id, f.target_kind, f.target_id FROM follows f \
                 WHERE (f.target_kind = 'author' AND f.target_id IN (SELECT author_id FROM book_authors WHERE book_id = $1)) \
                    OR (f.target_kind = 'category' AND f.target_id IN (SELECT id FROM cats))), \
             readers AS (SELECT DISTINCT user_id FROM matched WHERE user_id > $2 ORDER BY user_id LIMIT $3) \
             SELECT f.user_id, f.target_kind, f.target_id, {FOLLOWED_NAME} AS name \
             FROM matched f JOIN readers r ON r.user_id = f.user_id {FOLLOWED_JOINS} \
             WHERE {FOLLOWED_NAME} IS NOT NULL ORDER BY f.user_id, f.target_kind, name"
        );
        let binds = vec![Bind::Text(book_id), Bind::Text(after), Bind::Int(i64::from(limit.clamp(1, 10_000)))];
        let rows = bind_all(sqlx::query(&sql), binds).fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("target_kind")?;
                Ok(Follower {
                    user_id: r.try_get("user_id")?,
                    kind: FollowKind::parse(&kind).ok_or_else(|| corrupt("follow kind", &kind))?,
                    target_id: r.try_get("target_id")?,
                    name: r.try_get("name")?,
                })
            })
            .collect()
    }

    async fn segment_reach(&self, seg: &Segment, channel: Option<Channel>, defaults: (bool, bool), now_ms: i64) -> StoreResult<u64> {
        let mut p = Params { binds: Vec::new() };
        let Some(channel) = channel else {
            let filter = segment_where(&mut p, seg, now_ms);
            let row =
                bind_all(sqlx::query(&format!("SELECT COUNT(*) AS n FROM users u WHERE {filter}")), p.binds).fetch_one(self.pool()).await?;
            return Ok(row.try_get::<i64, _>("n")?.max(0) as u64);
        };
        let cat = p.push(Bind::Text(Category::News.as_str()));
        let ch = p.push(Bind::Text(channel.as_str()));
        let flag = match channel {
            Channel::InApp => "TRUE",
            Channel::Email => "u.notify_email",
            Channel::Sms => "u.notify_sms",
            Channel::Push => "u.notify_push",
        };
        // Booleans on PostgreSQL, 0/1 on SQLite: both read TRUE and FALSE, and test a flag as is.
        let literal = |b: bool| if b { "TRUE" } else { "FALSE" };
        let (on, off) = (literal(defaults.0), literal(defaults.1));
        let joins = match channel {
            Channel::Sms => " JOIN sms_phones ph ON ph.user_id = u.id AND ph.verified_at IS NOT NULL",
            // One message per browser.
            Channel::Push => " JOIN push_subscriptions d ON d.user_id = u.id",
            _ => "",
        };
        let filter = segment_where(&mut p, seg, now_ms);
        let sql = format!(
            "SELECT COUNT(*) AS n FROM users u LEFT JOIN notification_prefs np ON np.user_id = u.id AND np.category = {cat} AND np.channel = {ch}{joins} \
             WHERE {filter} AND COALESCE(np.enabled, CASE WHEN {flag} THEN {on} ELSE {off} END)"
        );
        let row = bind_all(sqlx::query(&sql), p.binds).fetch_one(self.pool()).await?;
        Ok(row.try_get::<i64, _>("n")?.max(0) as u64)
    }

    async fn segment_readers(&self, seg: &Segment, after: &str, limit: u32, now_ms: i64) -> StoreResult<Vec<String>> {
        let mut p = Params { binds: Vec::new() };
        let filter = segment_where(&mut p, seg, now_ms);
        let after = p.push(Bind::Text(after));
        let limit = p.push(Bind::Int(i64::from(limit.clamp(1, 10_000))));
        let sql = format!("SELECT u.id FROM users u WHERE {filter} AND u.id > {after} ORDER BY u.id LIMIT {limit}");
        let rows = bind_all(sqlx::query(&sql), p.binds).fetch_all(self.pool()).await?;
        rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
    }

    async fn insert_broadcast(&self, tx: &mut Tx, b: &StoredBroadcast) -> StoreResult<bool> {
        let sql = "INSERT INTO broadcasts (id, sent_by, params, link, country, language, plan, readers, created_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING";
        let params = serde_json::Value::Object(b.params.clone()).to_string();
        let binds = vec![
            Bind::Text(&b.id),
            Bind::Text(&b.sent_by),
            Bind::Text(&params),
            Bind::OptText(b.link.as_deref()),
            Bind::Text(&b.segment.country),
            Bind::Text(&b.segment.language),
            Bind::Text(&b.segment.plan),
            Bind::Int(b.readers.min(i64::MAX as u64) as i64),
            Bind::Int(b.created_at_ms),
        ];
        Ok(exec_in(tx, sql, binds).await? == 1)
    }

    async fn broadcast(&self, id: &str) -> StoreResult<Option<StoredBroadcast>> {
        let sql = "SELECT id, sent_by, params, link, country, language, plan, readers, created_at FROM broadcasts WHERE id = $1";
        let Some(r) = bind_all(sqlx::query(sql), vec![Bind::Text(id)]).fetch_optional(self.pool()).await? else { return Ok(None) };
        let params: String = r.try_get("params")?;
        Ok(Some(StoredBroadcast {
            id: r.try_get("id")?,
            sent_by: r.try_get::<Option<String>, _>("sent_by")?.unwrap_or_default(),
            params: params_of(&params)?,
            link: r.try_get("link")?,
            segment: Segment { country: r.try_get("country")?, language: r.try_get("language")?, plan: r.try_get("plan")? },
            readers: r.try_get::<i64, _>("readers")?.max(0) as u64,
            created_at_ms: r.try_get("created_at")?,
        }))
    }

    async fn broadcasts(&self, limit: u32) -> StoreResult<Vec<Broadcast>> {
        let sql = "SELECT b.id, b.params, b.country, b.language, b.plan, b.readers, b.created_at, u.email FROM broadcasts b \
                   LEFT JOIN users u ON u.id = b.sent_by ORDER BY b.created_at DESC, b.id DESC LIMIT $1";
        let rows = bind_all(sqlx::query(sql), vec![Bind::Int(i64::from(limit.clamp(1, 500)))]).fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                let params = params_of(&r.try_get::<String, _>("params")?)?;
                Ok(Broadcast {
                    id: r.try_get("id")?,
                    title: params.get("title").and_then(|v| v.as_str()).unwrap_or_default().to_owned(),
                    segment: Segment { country: r.try_get("country")?, language: r.try_get("language")?, plan: r.try_get("plan")? },
                    readers: r.try_get::<i64, _>("readers")?.max(0) as u64,
                    sent_by: r.try_get::<Option<String>, _>("email")?.unwrap_or_default(),
                    created_at: from_ms(r.try_get("created_at")?),
                })
            })
            .collect()
    }

    async fn add_digest_item(
        &self,
        tx: &mut Tx,
        user_id: &str,
        key: &str,
        item: &super::digest::DigestItem,
        now_ms: i64,
    ) -> StoreResult<bool> {
        let sql =
            "INSERT INTO digest_items (id, user_id, item_key, category, kind, params, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                   ON CONFLICT DO NOTHING";
        let params = serde_json::Value::Object(item.params.clone()).to_string();
        let binds = vec![
            Bind::Text(&item.id),
            Bind::Text(user_id),
            Bind::Text(key),
            Bind::Text(item.category.as_str()),
            Bind::Text(item.kind.as_str()),
            Bind::Text(&params),
            Bind::Int(now_ms),
        ];
        Ok(exec_in(tx, sql, binds).await? == 1)
    }

    async fn digest_items(&self, user_id: &str, limit: u32) -> StoreResult<Vec<super::digest::DigestItem>> {
        let sql = "SELECT id, category, kind, params FROM digest_items WHERE user_id = $1 ORDER BY id LIMIT $2";
        let rows = bind_all(sqlx::query(sql), vec![Bind::Text(user_id), Bind::Int(i64::from(limit.clamp(1, 10_000)))])
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(super::digest::DigestItem {
                    id: r.try_get("id")?,
                    category: category_of(r)?,
                    kind: kind_of(r)?,
                    params: params_of(&r.try_get::<String, _>("params")?)?,
                })
            })
            .collect()
    }

    async fn drop_digest_items(&self, tx: &mut Tx, user_id: &str, last_id: &str) -> StoreResult<u64> {
        exec_in(tx, "DELETE FROM digest_items WHERE user_id = $1 AND id <= $2", vec![Bind::Text(user_id), Bind::Text(last_id)]).await
    }
}

/// The readers of a segment: verified accounts of its country, language and plan (`u` is the
/// user; `$now` the moment Premium is checked at).
fn segment_where<'a>(p: &mut Params<'a>, seg: &'a Segment, now_ms: i64) -> String {
    let mut sql = String::from("u.email_verified_at IS NOT NULL");
    if !seg.country.is_empty() {
        sql.push_str(&format!(" AND u.country = {}", p.push(Bind::Text(&seg.country))));
    }
    if !seg.language.is_empty() {
        sql.push_str(&format!(" AND u.language = {}", p.push(Bind::Text(&seg.language))));
    }
    let premium = |p: &mut Params<'a>| {
        format!("EXISTS (SELECT 1 FROM subscriptions s WHERE s.user_id = u.id AND s.access_until > {})", p.push(Bind::Int(now_ms)))
    };
    match seg.plan.as_str() {
        "premium" => sql.push_str(&format!(" AND {}", premium(p))),
        "free" => sql.push_str(&format!(" AND NOT {}", premium(p))),
        _ => {}
    }
    sql
}

/// The followed author's or category's name (NULL once it is gone), over [`FOLLOWED_JOINS`].
const FOLLOWED_NAME: &str = "COALESCE(fa.name, fc.name)";
const FOLLOWED_JOINS: &str = "LEFT JOIN authors fa ON f.target_kind = 'author' AND fa.id = f.target_id \
                              LEFT JOIN categories fc ON f.target_kind = 'category' AND fc.id = f.target_id";

const PUSH_COLUMNS: &str = "id, user_id, endpoint, p256dh, auth, device, created_at, last_sent_at";

fn push_from_row(r: &AnyRow) -> StoreResult<PushDevice> {
    Ok(PushDevice {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        endpoint: r.try_get("endpoint")?,
        p256dh: r.try_get("p256dh")?,
        auth: r.try_get("auth")?,
        device: r.try_get("device")?,
        created_at: from_ms(r.try_get("created_at")?),
        last_sent_at: r.try_get::<Option<i64>, _>("last_sent_at")?.map(from_ms),
    })
}
