//! Web sessions kept in Coko's own database (SQLite or PostgreSQL, through the domain store),
//! so that logging out or changing a password can end them server-side.

use async_trait::async_trait;
use domain::account::AccountStore;
use domain::store::SqlStore;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result};
use tower_sessions::SessionStore;

/// A session unused this long ends (the layer's expiry, set again at sign-in).
pub const INACTIVITY: time::Duration = time::Duration::days(30);

/// The session key holding the signed-in user's id.
pub const USER_ID: &str = "user_id";
/// The session key holding when the user signed in (epoch ms): sessions have an absolute end.
pub const SIGNED_IN_AT: &str = "signed_in_at";
/// The session key holding a one-time notice.
pub const FLASH: &str = "flash";

#[derive(Clone)]
pub struct DbSessionStore(pub SqlStore);

impl std::fmt::Debug for DbSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbSessionStore")
    }
}

fn parts(record: &Record) -> Result<(String, Option<String>, Vec<u8>, i64)> {
    let data = serde_json::to_vec(record).map_err(|e| Error::Encode(e.to_string()))?;
    let user = record.data.get(USER_ID).and_then(|v| v.as_str()).map(str::to_owned);
    let expires_ms = record.expiry_date.unix_timestamp() * 1000;
    Ok((record.id.to_string(), user, data, expires_ms))
}

fn backend(e: impl std::fmt::Display) -> Error {
    Error::Backend(e.to_string())
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        loop {
            let (id, user, data, exp) = parts(record)?;
            if self.0.create_session(&id, user.as_deref(), &data, exp).await.map_err(backend)? {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> Result<()> {
        let (id, user, data, exp) = parts(record)?;
        self.0.save_session(&id, user.as_deref(), &data, exp).await.map_err(backend)
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let now = domain::clock::now_ms();
        match self.0.load_session(&id.to_string(), now).await.map_err(backend)? {
            Some(bytes) => Ok(Some(serde_json::from_slice(&bytes).map_err(|e| Error::Decode(e.to_string()))?)),
            None => Ok(None),
        }
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        self.0.delete_session(&id.to_string()).await.map_err(backend)
    }
}
