//! Per-client sliding-window limits (login 5/min, register 3/min, reset 2/hour).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One limit: how many attempts per window.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub name: &'static str,
    pub max: u32,
    pub window: Duration,
}

pub const LOGIN: Limit = Limit { name: "login", max: 5, window: Duration::from_secs(60) };
pub const REGISTER: Limit = Limit { name: "register", max: 3, window: Duration::from_secs(60) };
pub const PASSWORD_RESET: Limit = Limit { name: "password_reset", max: 2, window: Duration::from_secs(3600) };

pub struct RateLimiter {
    factor: u32,
    hits: Mutex<HashMap<(&'static str, String), VecDeque<Instant>>>,
}

impl RateLimiter {
    pub fn new(factor: u32) -> Self {
        Self { factor: factor.max(1), hits: Mutex::new(HashMap::new()) }
    }

    /// Counts an attempt for `key`; `Err(seconds)` says how long to wait when over the limit.
    pub fn check(&self, limit: Limit, key: &str) -> Result<(), u64> {
        let now = Instant::now();
        let max = limit.max.saturating_mul(self.factor) as usize;
        let mut hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        if hits.len() > 50_000 {
            hits.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < Duration::from_secs(3600)));
        }
        let q = hits.entry((limit.name, key.to_owned())).or_default();
        while q.front().is_some_and(|t| now.duration_since(*t) >= limit.window) {
            q.pop_front();
        }
        if q.len() >= max {
            let oldest = *q.front().expect("non-empty when over the limit");
            let wait = limit.window.saturating_sub(now.duration_since(oldest));
            return Err(wait.as_secs().max(1));
        }
        q.push_back(now);
        Ok(())
    }

    /// Checks several keys (e.g. the client address and the account) for one attempt.
    pub fn check_all(&self, limit: Limit, keys: &[&str]) -> Result<(), u64> {
        keys.iter().try_for_each(|k| self.check(limit, k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_after_the_limit_and_says_how_long() {
        let rl = RateLimiter::new(1);
        for _ in 0..3 {
            assert!(rl.check(REGISTER, "1.2.3.4").is_ok());
        }
        let wait = rl.check(REGISTER, "1.2.3.4").unwrap_err();
        assert!((1..=60).contains(&wait));
        assert!(rl.check(REGISTER, "5.6.7.8").is_ok(), "other clients unaffected");
        assert!(rl.check(LOGIN, "1.2.3.4").is_ok(), "other limits unaffected");
    }

    #[test]
    fn factor_scales_limits() {
        let rl = RateLimiter::new(2);
        for _ in 0..4 {
            assert!(rl.check(PASSWORD_RESET, "k").is_ok());
        }
        assert!(rl.check(PASSWORD_RESET, "k").is_err());
    }
}
