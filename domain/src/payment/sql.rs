//! The payments' SQL, written once for SQLite and PostgreSQL.

use super::port::SessionRecord;
use super::{
    Item, NewPayment, NewProviderEvent, Payment, PaymentFilter, PaymentState, PaymentStore, Plan, Provider, ProviderEvent, Subscription,
};
use crate::catalog::Money;
use crate::clock::from_ms;
use crate::store::rows::flag;
use crate::store::sql::{bind_all, conflict_or, escape_like, exec_in, Bind, Params};
use crate::store::{SqlStore, StoreError, StoreResult, Tx};
use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::Row;

const COLUMNS: &str = "id, user_id, item_kind, item_id, title, amount, currency, charged_amount, charged_currency, provider, state, \
                       failure, payer_phone, redirect_url, provider_ref, created_at, updated_at, expires_at, checked_at";

fn payment_from_row(r: &AnyRow) -> StoreResult<Payment> {
    let corrupt = |what: &str, v: &str| StoreError::Corrupt(format!("payment {what} '{v}'"));
    let kind: String = r.try_get("item_kind")?;
    let item_id: String = r.try_get("item_id")?;
    let item = match kind.as_str() {
        "book" => Item::Book(item_id),
        "plan" => Item::Plan(item_id),
        other => return Err(corrupt("item", other)),
    };
    let provider: String = r.try_get("provider")?;
    let state: String = r.try_get("state")?;
    Ok(Payment {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        item,
        title: r.try_get("title")?,
        amount: r.try_get("amount")?,
        currency: r.try_get("currency")?,
        charged_amount: r.try_get("charged_amount")?,
        charged_currency: r.try_get("charged_currency")?,
        provider: Provider::parse(&provider).ok_or_else(|| corrupt("provider", &provider))?,
        state: PaymentState::parse(&state).ok_or_else(|| corrupt("state", &state))?,
        failure: r.try_get("failure")?,
        payer_phone: r.try_get("payer_phone")?,
        redirect_url: r.try_get("redirect_url")?,
        provider_ref: r.try_get("provider_ref")?,
        created_at: from_ms(r.try_get("created_at")?),
        updated_at: from_ms(r.try_get("updated_at")?),
        expires_at: r.try_get::<Option<i64>, _>("expires_at")?.map(from_ms),
        checked_at: r.try_get::<Option<i64>, _>("checked_at")?.map(from_ms),
    })
}

impl SqlStore {
    async fn one_payment(&self, condition: &str, binds: Vec<Bind<'_>>) -> StoreResult<Option<Payment>> {
        let sql = format!("SELECT {COLUMNS} FROM payments WHERE {condition}");
        bind_all(sqlx::query(&sql), binds).fetch_optional(self.pool()).await?.as_ref().map(payment_from_row).transpose()
    }
}

#[async_trait]
impl PaymentStore for SqlStore {
    async fn insert_payment(&self, tx: &mut Tx, p: &NewPayment) -> StoreResult<bool> {
        let sql = "INSERT INTO payments (id, user_id, item_kind, item_id, title, amount, currency, charged_amount, charged_currency, \
                   provider, state, payer_phone, open_key, created_at, updated_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'created', $11, $12, $13, $13) ON CONFLICT (open_key) DO NOTHING";
        let binds = vec![
            Bind::Text(&p.id),
            Bind::Text(&p.user_id),
            Bind::Text(p.item.kind()),
            Bind::Text(p.item.id()),
            Bind::Text(&p.title),
            Bind::Int(p.amount),
            Bind::Text(&p.currency),
            Bind::Int(p.charged_amount),
            Bind::Text(&p.charged_currency),
            Bind::Text(p.provider.as_str()),
            Bind::OptText(p.payer_phone.as_deref()),
            Bind::Text(&p.open_key),
            Bind::Int(p.now_ms),
        ];
        let done = bind_all(sqlx::query(sql), binds).execute(tx.conn()).await.map_err(|e| conflict_or(e, "payment"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn payment(&self, id: &str) -> StoreResult<Option<Payment>> {
        self.one_payment("id = $1", vec![Bind::Text(id)]).await
    }

    async fn payment_for_update(&self, tx: &mut Tx, id: &str) -> StoreResult<Option<Payment>> {
        let sql = format!("SELECT {COLUMNS} FROM payments WHERE id = $1{}", self.row_lock(false));
        sqlx::query(&sql).bind(id.to_owned()).fetch_optional(tx.conn()).await?.as_ref().map(payment_from_row).transpose()
    }

    async fn open_payment(&self, open_key: &str) -> StoreResult<Option<Payment>> {
        self.one_payment("open_key = $1", vec![Bind::Text(open_key)]).await
    }

    async fn payment_by_ref(&self, provider: Provider, provider_ref: &str) -> StoreResult<Option<Payment>> {
        self.one_payment("provider = $1 AND provider_ref = $2", vec![Bind::Text(provider.as_str()), Bind::Text(provider_ref)]).await
    }

    async fn payment_by_secret(&self, provider: Provider, secret: &str) -> StoreResult<Option<Payment>> {
        self.one_payment("provider = $1 AND provider_secret = $2", vec![Bind::Text(provider.as_str()), Bind::Text(secret)]).await
    }

    async fn payments_of(&self, user_id: &str, limit: u32) -> StoreResult<Vec<Payment>> {
        let sql = format!("SELECT {COLUMNS} FROM payments WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2");
        let rows = sqlx::query(&sql).bind(user_id.to_owned()).bind(i64::from(limit)).fetch_all(self.pool()).await?;
        rows.iter().map(payment_from_row).collect()
    }

    async fn payments_filtered(
        &self,
        filter: &PaymentFilter,
        before: Option<(i64, String)>,
        limit: u32,
    ) -> StoreResult<Vec<(Payment, String)>> {
        let columns: Vec<String> = COLUMNS.split(", ").map(|c| format!("p.{}", c.trim())).collect();
        let mut p = Params { binds: Vec::new() };
        let mut sql =
            format!("SELECT {}, u.email AS reader_email FROM payments p JOIN users u ON u.id = p.user_id WHERE 1 = 1", columns.join(", "));
        if let Some(provider) = filter.provider {
            sql.push_str(&format!(" AND p.provider = {}", p.push(Bind::Text(provider.as_str()))));
        }
        if let Some(state) = filter.state {
            sql.push_str(&format!(" AND p.state = {}", p.push(Bind::Text(state.as_str()))));
        }
        let pattern = filter.reader.as_ref().map(|r| format!("%{}%", escape_like(&r.trim().to_lowercase())));
        if let Some(pat) = &pattern {
            sql.push_str(&format!(" AND LOWER(u.email) LIKE {} ESCAPE '\\'", p.push(Bind::Text(pat))));
        }
        let day_ms = |d: chrono::NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp_millis()).unwrap_or(0);
        if let Some(from) = filter.from {
            sql.push_str(&format!(" AND p.created_at >= {}", p.push(Bind::Int(day_ms(from)))));
        }
        if let Some(to) = filter.to.and_then(|d| d.succ_opt()) {
            sql.push_str(&format!(" AND p.created_at < {}", p.push(Bind::Int(day_ms(to)))));
        }
        if let Some((ms, id)) = &before {
            let (a, b) = (p.push(Bind::Int(*ms)), p.push(Bind::Text(id)));
            sql.push_str(&format!(" AND (p.created_at, p.id) < ({a}, {b})"));
        }
        let lim = p.push(Bind::Int(i64::from(limit.clamp(1, 200))));
        sql.push_str(&format!(" ORDER BY p.created_at DESC, p.id DESC LIMIT {lim}"));
        let rows = bind_all(sqlx::query(&sql), p.binds).fetch_all(self.pool()).await?;
        rows.iter().map(|r| Ok((payment_from_row(r)?, r.try_get("reader_email")?))).collect()
    }

    async fn claim_creation(&self, id: &str, now_ms: i64, until_ms: i64) -> StoreResult<Option<u32>> {
        let sql = "UPDATE payments SET creating_until = $3, create_attempts = create_attempts + 1 \
                   WHERE id = $1 AND provider_ref IS NULL AND state = 'created' AND (creating_until IS NULL OR creating_until < $2) \
                   RETURNING create_attempts";
        let row =
            bind_all(sqlx::query(sql), vec![Bind::Text(id), Bind::Int(now_ms), Bind::Int(until_ms)]).fetch_optional(self.pool()).await?;
        row.map(|r| Ok(r.try_get::<i64, _>("create_attempts")?.saturating_sub(1).clamp(0, i64::from(u32::MAX)) as u32)).transpose()
    }

    async fn release_creation(&self, id: &str) -> StoreResult<()> {
        self.exec("UPDATE payments SET creating_until = NULL WHERE id = $1", vec![Bind::Text(id)]).await.map(drop)
    }

    async fn set_session(&self, tx: &mut Tx, id: &str, s: &SessionRecord<'_>, now_ms: i64) -> StoreResult<()> {
        let sql =
            "UPDATE payments SET provider_ref = $2, redirect_url = $3, provider_secret = $4, expires_at = $5, creating_until = NULL, \
                   updated_at = $6 WHERE id = $1";
        let binds = vec![
            Bind::Text(id),
            Bind::Text(s.provider_ref),
            Bind::Text(s.redirect_url),
            Bind::OptText(s.secret),
            Bind::OptInt(s.expires_at_ms),
            Bind::Int(now_ms),
        ];
        exec_in(tx, sql, binds).await.map_err(|e| match e {
            StoreError::Database(e) => conflict_or(e, "payment session"),
            e => e,
        })?;
        Ok(())
    }

    async fn set_state(
        &self,
        tx: &mut Tx,
        id: &str,
        from: PaymentState,
        to: PaymentState,
        failure: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<bool> {
        let sql = "UPDATE payments SET state = $3, failure = $4, updated_at = $5, \
                   succeeded_at = CASE WHEN $3 = 'succeeded' THEN $5 ELSE succeeded_at END, \
                   open_key = CASE WHEN $3 IN ('succeeded', 'expired', 'refunded') THEN NULL ELSE open_key END \
                   WHERE id = $1 AND state = $2";
        let binds = vec![Bind::Text(id), Bind::Text(from.as_str()), Bind::Text(to.as_str()), Bind::OptText(failure), Bind::Int(now_ms)];
        Ok(exec_in(tx, sql, binds).await? == 1)
    }

    async fn close_payment(&self, tx: &mut Tx, id: &str) -> StoreResult<()> {
        exec_in(tx, "UPDATE payments SET open_key = NULL WHERE id = $1", vec![Bind::Text(id)]).await.map(drop)
    }

    async fn mark_checked(&self, id: &str, now_ms: i64) -> StoreResult<()> {
        self.exec("UPDATE payments SET checked_at = $2 WHERE id = $1", vec![Bind::Text(id), Bind::Int(now_ms)]).await.map(drop)
    }

    async fn record_event(&self, tx: &mut Tx, e: &NewProviderEvent<'_>) -> StoreResult<()> {
        let sql = "INSERT INTO payment_events (payment_id, provider, source, provider_event_id, state_before, state_after, body, headers, received_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
        let binds = vec![
            Bind::OptText(e.payment_id),
            Bind::Text(e.provider.as_str()),
            Bind::Text(e.source),
            Bind::OptText(e.provider_event_id),
            Bind::OptText(e.state_before.map(PaymentState::as_str)),
            Bind::OptText(e.state_after.map(PaymentState::as_str)),
            Bind::Text(e.body),
            Bind::Text(e.headers),
            Bind::Int(e.now_ms),
        ];
        exec_in(tx, sql, binds).await.map(drop)
    }

    async fn provider_events(&self, payment_id: &str) -> StoreResult<Vec<ProviderEvent>> {
        let sql = "SELECT id, source, provider_event_id, state_before, state_after, body, headers, received_at FROM payment_events \
                   WHERE payment_id = $1 ORDER BY id";
        let rows = sqlx::query(sql).bind(payment_id.to_owned()).fetch_all(self.pool()).await?;
        let state = |v: Option<String>| v.as_deref().and_then(PaymentState::parse);
        rows.iter()
            .map(|r| {
                Ok(ProviderEvent {
                    id: r.try_get("id")?,
                    source: r.try_get("source")?,
                    provider_event_id: r.try_get("provider_event_id")?,
                    state_before: state(r.try_get("state_before")?),
                    state_after: state(r.try_get("state_after")?),
                    body: r.try_get("body")?,
                    headers: r.try_get("headers")?,
                    received_at: from_ms(r.try_get("received_at")?),
                })
            })
            .collect()
    }

    async fn owns_book(&self, user_id: &str, book_id: &str) -> StoreResult<bool> {
        let sql = "SELECT 1 AS one FROM entitlements WHERE user_id = $1 AND book_id = $2";
        Ok(sqlx::query(sql).bind(user_id.to_owned()).bind(book_id.to_owned()).fetch_optional(self.pool()).await?.is_some())
    }

    async fn grant_purchase(&self, tx: &mut Tx, user_id: &str, book_id: &str, payment_id: &str, now_ms: i64) -> StoreResult<bool> {
        let sql = "INSERT INTO entitlements (user_id, book_id, source, payment_id, created_at) VALUES ($1, $2, 'purchase', $3, $4) \
                   ON CONFLICT (user_id, book_id) DO NOTHING";
        let binds = vec![Bind::Text(user_id), Bind::Text(book_id), Bind::Text(payment_id), Bind::Int(now_ms)];
        Ok(exec_in(tx, sql, binds).await? == 1)
    }

    async fn revoke_purchase(&self, tx: &mut Tx, payment_id: &str) -> StoreResult<bool> {
        Ok(exec_in(tx, "DELETE FROM entitlements WHERE payment_id = $1", vec![Bind::Text(payment_id)]).await? >= 1)
    }

    async fn issue_invoice(&self, tx: &mut Tx, payment_id: &str, year: i32, now_ms: i64) -> StoreResult<Option<String>> {
        let had =
            sqlx::query("SELECT number FROM invoices WHERE payment_id = $1").bind(payment_id.to_owned()).fetch_optional(tx.conn()).await?;
        if had.is_some() {
            return Ok(None);
        }
        // The year's counter, taken and moved in one statement (the row stays locked until
        // this unit of work ends): no two invoices share a number, and none is skipped.
        let next = "INSERT INTO invoice_counters (year, last) VALUES ($1, 1) \
                    ON CONFLICT (year) DO UPDATE SET last = invoice_counters.last + 1 RETURNING last";
        let seq: i64 = sqlx::query(next).bind(i64::from(year)).fetch_one(tx.conn()).await?.try_get("last")?;
        let number = super::invoice::number(year, seq);
        let sql = "INSERT INTO invoices (number, year, seq, payment_id, buyer_name, buyer_email, buyer_country, item_title, amount, \
                   currency, charged_amount, charged_currency, provider, issued_at) \
                   SELECT $1, $2, $3, p.id, u.name, u.email, u.country, p.title, p.amount, p.currency, p.charged_amount, \
                   p.charged_currency, p.provider, $4 FROM payments p JOIN users u ON u.id = p.user_id WHERE p.id = $5";
        let binds = vec![Bind::Text(&number), Bind::Int(i64::from(year)), Bind::Int(seq), Bind::Int(now_ms), Bind::Text(payment_id)];
        exec_in(tx, sql, binds).await?;
        Ok(Some(number))
    }

    async fn invoice(&self, payment_id: &str) -> StoreResult<Option<super::invoice::Invoice>> {
        let sql = "SELECT number, payment_id, buyer_name, buyer_email, buyer_country, item_title, amount, currency, charged_amount, \
                   charged_currency, provider, issued_at FROM invoices WHERE payment_id = $1";
        let Some(r) = sqlx::query(sql).bind(payment_id.to_owned()).fetch_optional(self.pool()).await? else { return Ok(None) };
        let provider: String = r.try_get("provider")?;
        Ok(Some(super::invoice::Invoice {
            number: r.try_get("number")?,
            payment_id: r.try_get("payment_id")?,
            buyer_name: r.try_get("buyer_name")?,
            buyer_email: r.try_get("buyer_email")?,
            buyer_country: r.try_get("buyer_country")?,
            item_title: r.try_get("item_title")?,
            amount: Money { amount: r.try_get("amount")?, currency: r.try_get("currency")? },
            charged: Money { amount: r.try_get("charged_amount")?, currency: r.try_get("charged_currency")? },
            provider: Provider::parse(&provider).ok_or_else(|| StoreError::Corrupt(format!("invoice provider {provider}")))?,
            issued_at: from_ms(r.try_get("issued_at")?),
        }))
    }

    async fn settled_since(&self, since_ms: i64) -> StoreResult<Vec<super::revenue::Settled>> {
        let sql = "SELECT provider, amount, state, succeeded_at, updated_at FROM payments \
                   WHERE state IN ('succeeded', 'refunded') AND (succeeded_at >= $1 OR (state = 'refunded' AND updated_at >= $1))";
        let rows = sqlx::query(sql).bind(since_ms).fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                let provider: String = r.try_get("provider")?;
                let state: String = r.try_get("state")?;
                let state = PaymentState::parse(&state).ok_or_else(|| StoreError::Corrupt(format!("payment state {state}")))?;
                let succeeded: Option<i64> = r.try_get("succeeded_at")?;
                Ok(super::revenue::Settled {
                    provider: Provider::parse(&provider).ok_or_else(|| StoreError::Corrupt(format!("payment provider {provider}")))?,
                    amount: r.try_get("amount")?,
                    state,
                    succeeded_at: from_ms(succeeded.unwrap_or_default()),
                    refunded_at: (state == PaymentState::Refunded).then(|| r.try_get::<i64, _>("updated_at").map(from_ms)).transpose()?,
                })
            })
            .collect()
    }

    async fn plans(&self) -> StoreResult<Vec<Plan>> {
        let sql = "SELECT id, period_days, price_amount, price_currency, active FROM plans ORDER BY position, id";
        let rows = sqlx::query(sql).fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(Plan {
                    id: r.try_get("id")?,
                    period_days: r.try_get("period_days")?,
                    price: Money { amount: r.try_get("price_amount")?, currency: r.try_get("price_currency")? },
                    active: flag(r, "active")?,
                })
            })
            .collect()
    }

    async fn set_plan(&self, tx: &mut Tx, id: &str, price: i64, active: bool, now_ms: i64) -> StoreResult<bool> {
        let sql = "UPDATE plans SET price_amount = $2, active = $3, updated_at = $4 WHERE id = $1";
        Ok(exec_in(tx, sql, vec![Bind::Text(id), Bind::Int(price), Bind::Bool(active), Bind::Int(now_ms)]).await? == 1)
    }

    async fn subscription(&self, user_id: &str) -> StoreResult<Option<Subscription>> {
        let sql = "SELECT plan_id, access_until, auto_renew FROM subscriptions WHERE user_id = $1";
        let row = sqlx::query(sql).bind(user_id.to_owned()).fetch_optional(self.pool()).await?;
        row.as_ref().map(subscription_from_row).transpose()
    }

    async fn extend_subscription(
        &self,
        tx: &mut Tx,
        user_id: &str,
        plan: &Plan,
        payment_id: &str,
        now_ms: i64,
    ) -> StoreResult<Option<i64>> {
        // The reader's row first (made at "now" if missing), then read and locked: two payments
        // confirmed at once add their periods one after the other.
        let make = "INSERT INTO subscriptions (user_id, plan_id, access_until, created_at, updated_at) VALUES ($1, $2, $3, $3, $3) \
                    ON CONFLICT (user_id) DO NOTHING";
        exec_in(tx, make, vec![Bind::Text(user_id), Bind::Text(&plan.id), Bind::Int(now_ms)]).await?;
        let read = format!("SELECT access_until FROM subscriptions WHERE user_id = $1{}", self.row_lock(false));
        let until: i64 = sqlx::query(&read).bind(user_id.to_owned()).fetch_one(tx.conn()).await?.try_get("access_until")?;
        let from = until.max(now_ms);
        let to = from + plan.period_ms();
        let grant = "INSERT INTO subscription_grants (payment_id, user_id, plan_id, period_ms, until_before, until_after, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (payment_id) DO NOTHING";
        let binds = vec![
            Bind::Text(payment_id),
            Bind::Text(user_id),
            Bind::Text(&plan.id),
            Bind::Int(plan.period_ms()),
            Bind::Int(until),
            Bind::Int(to),
            Bind::Int(now_ms),
        ];
        if exec_in(tx, grant, binds).await? == 0 {
            return Ok(None);
        }
        let set = "UPDATE subscriptions SET access_until = $2, plan_id = $3, updated_at = $4 WHERE user_id = $1";
        exec_in(tx, set, vec![Bind::Text(user_id), Bind::Int(to), Bind::Text(&plan.id), Bind::Int(now_ms)]).await?;
        Ok(Some(to))
    }

    async fn revoke_subscription(&self, tx: &mut Tx, payment_id: &str, now_ms: i64) -> StoreResult<Option<i64>> {
        let take =
            "UPDATE subscription_grants SET revoked_at = $2 WHERE payment_id = $1 AND revoked_at IS NULL RETURNING user_id, period_ms";
        let Some(row) = sqlx::query(take).bind(payment_id.to_owned()).bind(now_ms).fetch_optional(tx.conn()).await? else {
            return Ok(None);
        };
        let (user_id, period): (String, i64) = (row.try_get("user_id")?, row.try_get("period_ms")?);
        let set = "UPDATE subscriptions SET access_until = access_until - $2, auto_renew = $3, updated_at = $4 WHERE user_id = $1 \
                   RETURNING access_until";
        let row = bind_all(sqlx::query(set), vec![Bind::Text(&user_id), Bind::Int(period), Bind::Bool(false), Bind::Int(now_ms)])
            .fetch_optional(tx.conn())
            .await?;
        row.map(|r| Ok(r.try_get("access_until")?)).transpose()
    }

    async fn set_auto_renew(&self, tx: &mut Tx, user_id: &str, on: bool, now_ms: i64) -> StoreResult<bool> {
        let sql = "UPDATE subscriptions SET auto_renew = $2, updated_at = $3 WHERE user_id = $1";
        Ok(exec_in(tx, sql, vec![Bind::Text(user_id), Bind::Bool(on), Bind::Int(now_ms)]).await? == 1)
    }

    async fn subscriptions_ending(&self, from_ms: i64, to_ms: i64, limit: u32) -> StoreResult<Vec<(String, Subscription)>> {
        let sql = "SELECT user_id, plan_id, access_until, auto_renew FROM subscriptions WHERE access_until > $1 AND access_until <= $2 \
                   ORDER BY access_until LIMIT $3";
        let rows = bind_all(sqlx::query(sql), vec![Bind::Int(from_ms), Bind::Int(to_ms), Bind::Int(i64::from(limit))])
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|r| Ok((r.try_get("user_id")?, subscription_from_row(r)?))).collect()
    }
}

fn subscription_from_row(r: &AnyRow) -> StoreResult<Subscription> {
    Ok(Subscription {
        plan_id: r.try_get("plan_id")?,
        access_until: from_ms(r.try_get("access_until")?),
        auto_renew: flag(r, "auto_renew")?,
    })
}
