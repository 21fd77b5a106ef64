//! Row helpers shared by every area's SQL.

use super::StoreResult;
use sqlx::any::AnyRow;
use sqlx::Row;

/// Booleans arrive as `BOOLEAN` from PostgreSQL and as integers from SQLite.
pub fn flag(r: &AnyRow, col: &str) -> StoreResult<bool> {
    match r.try_get::<bool, _>(col) {
        Ok(b) => Ok(b),
        Err(_) => Ok(r.try_get::<i64, _>(col)? != 0),
    }
}
