//! Access tokens for REST clients: HS256 JWTs, 15 minutes, issuer `coko.africa`, audience
//! `coko-api`. The key comes from COKO_JWT_SECRET or is generated into the data folder.

use crate::config::Secret;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::path::Path;

pub const ISSUER: &str = "coko.africa";
pub const AUDIENCE: &str = "coko-api";
pub const ACCESS_TTL_SECS: i64 = 15 * 60;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub role: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    /// The sign-in (refresh-token family) the token belongs to: it dies with it.
    #[serde(default)]
    pub fam: String,
}

#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
    Expired,
    Invalid,
}

#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl JwtKeys {
    pub fn from_secret(secret: &[u8]) -> Self {
        Self { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret) }
    }

    /// Uses the configured secret, or the one kept in `data_dir/jwt.key` (created on first use).
    pub fn load(configured: Option<&Secret>, data_dir: &Path) -> std::io::Result<Self> {
        if let Some(s) = configured {
            return Ok(Self::from_secret(&s.0));
        }
        let path = data_dir.join("jwt.key");
        if let Ok(existing) = std::fs::read(&path) {
            if existing.len() >= 32 {
                return Ok(Self::from_secret(&existing));
            }
        }
        std::fs::create_dir_all(data_dir)?;
        let mut key = vec![0u8; 64];
        rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut key);
        write_private(&path, &key)?;
        Ok(Self::from_secret(&key))
    }

    pub fn issue(&self, user_id: &str, role: &str, family: &str, now: i64, ttl_secs: i64) -> String {
        let claims = Claims {
            fam: family.to_owned(),
            sub: user_id.to_owned(),
            role: role.to_owned(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now,
            exp: now + ttl_secs,
            jti: uuid::Uuid::now_v7().to_string(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).expect("HS256 signing cannot fail")
    }

    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let mut v = Validation::new(Algorithm::HS256);
        v.set_issuer(&[ISSUER]);
        v.set_audience(&[AUDIENCE]);
        v.leeway = 0;
        decode::<Claims>(token, &self.decoding, &v).map(|d| d.claims).map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
            _ => TokenError::Invalid,
        })
    }
}

/// Coko's VAPID key for Web Push: the configured one, else the one kept in `<data>/vapid.key`,
/// made there on first start (never replaced: browsers subscribed with its public half).
pub fn load_vapid_key(configured: Option<&Secret>, data_dir: &Path) -> std::io::Result<domain::notification::webpush::VapidKey> {
    use domain::notification::webpush::VapidKey;
    let invalid = |e: String| std::io::Error::new(std::io::ErrorKind::InvalidData, e);
    if let Some(s) = configured {
        return VapidKey::from_base64(&String::from_utf8_lossy(&s.0)).map_err(invalid);
    }
    let path = data_dir.join("vapid.key");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        return VapidKey::from_base64(&existing).map_err(|e| invalid(format!("{}: {e}", path.display())));
    }
    std::fs::create_dir_all(data_dir)?;
    let key = VapidKey::generate();
    write_private(&path, key.to_base64().as_bytes())?;
    Ok(key)
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
        f.write_all(bytes)
    }
    #[cfg(not(unix))]
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issues_and_checks_tokens() {
        let keys = JwtKeys::from_secret(b"0123456789abcdef0123456789abcdef");
        let now = chrono::Utc::now().timestamp();
        let t = keys.issue("u1", "reader", "f1", now, ACCESS_TTL_SECS);
        let c = keys.verify(&t).unwrap();
        assert_eq!((c.sub.as_str(), c.iss.as_str(), c.aud.as_str(), c.fam.as_str()), ("u1", ISSUER, AUDIENCE, "f1"));
        assert_eq!(c.exp - c.iat, 900);
        let old = keys.issue("u1", "reader", "f1", now - 1000, ACCESS_TTL_SECS);
        assert_eq!(keys.verify(&old).unwrap_err(), TokenError::Expired);
        let other = JwtKeys::from_secret(b"another-secret-another-secret-xx");
        assert_eq!(other.verify(&t).unwrap_err(), TokenError::Invalid);
    }

    #[test]
    fn generated_key_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let a = JwtKeys::load(None, dir.path()).unwrap();
        let t = a.issue("u", "reader", "f", chrono::Utc::now().timestamp(), 60);
        let b = JwtKeys::load(None, dir.path()).unwrap();
        assert!(b.verify(&t).is_ok());
    }
}
