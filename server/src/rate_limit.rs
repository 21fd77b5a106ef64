//! Per-client sliding-window limits (sign-in attempts 20/min per address, register 3/min,
//! reset 3/hour per account and address together, 10/hour per address), and the failure
//! back-off that guards passwords: wrong passwords are counted per account *and* client
//! together, so a stranger's failures never lock a reader out, while each client that keeps
//! guessing waits twice as long after each failure past the fifth.

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

/// Sign-in attempts from one address, right or wrong (a shared connection holds many readers).
pub const LOGIN: Limit = Limit { name: "login", max: 20, window: Duration::from_secs(60) };
pub const REGISTER: Limit = Limit { name: "register", max: 3, window: Duration::from_secs(60) };
/// Reset requests for one account from one address.
pub const PASSWORD_RESET: Limit = Limit { name: "password_reset", max: 3, window: Duration::from_secs(3600) };
/// Reset requests from one address, whatever the accounts.
pub const PASSWORD_RESET_CLIENT: Limit = Limit { name: "password_reset_client", max: 10, window: Duration::from_secs(3600) };

/// Catalogue searches and suggestions from one address (public: typing sends one per pause).
pub const SEARCH: Limit = Limit { name: "search", max: 120, window: Duration::from_secs(60) };
/// Searches inside a book from one address.
pub const BOOK_SEARCH: Limit = Limit { name: "book_search", max: 30, window: Duration::from_secs(60) };

/// Failures allowed before the back-off starts.
pub const FREE_FAILURES: u32 = 5;
/// The first wait, doubled at each further failure, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(30);
const MAX_BACKOFF: Duration = Duration::from_secs(3600);
/// Failures are forgotten this long after the last one.
const FORGET_AFTER: Duration = Duration::from_secs(24 * 3600);

/// The key that counts one client's failures on one account.
pub fn account_client_key(account: &str, client: &str) -> String {
    format!("{}|{client}", account.trim().to_lowercase())
}

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

struct Failures {
    count: u32,
    last: Instant,
    blocked_until: Option<Instant>,
}

/// Progressive back-off after failures (wrong passwords), per key.
pub struct FailureBackoff {
    free: u32,
    map: Mutex<HashMap<String, Failures>>,
}

impl FailureBackoff {
    /// `factor` multiplies the failures allowed (test runs raise it, like the limits).
    pub fn new(factor: u32) -> Self {
        Self { free: FREE_FAILURES.saturating_mul(factor.max(1)), map: Mutex::new(HashMap::new()) }
    }

    /// `Err(seconds)` while `key` must wait before trying again.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        let now = Instant::now();
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        match map.get(key).and_then(|f| f.blocked_until) {
            Some(until) if until > now => Err(until.duration_since(now).as_secs().max(1)),
            _ => Ok(()),
        }
    }

    /// Counts a failure; past the free ones, the wait doubles each time.
    pub fn failed(&self, key: &str) {
        let now = Instant::now();
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, f| now.duration_since(f.last) < FORGET_AFTER);
        }
        let f = map.entry(key.to_owned()).or_insert(Failures { count: 0, last: now, blocked_until: None });
        if now.duration_since(f.last) >= FORGET_AFTER {
            f.count = 0;
        }
        f.count += 1;
        f.last = now;
        if f.count >= self.free {
            let doublings = (f.count - self.free).min(16);
            let wait = FIRST_BACKOFF.saturating_mul(1 << doublings).min(MAX_BACKOFF);
            f.blocked_until = Some(now + wait);
        }
    }

    /// A success clears the key's failures.
    pub fn succeeded(&self, key: &str) {
        self.map.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_back_off_per_key_and_a_success_clears_them() {
        let b = FailureBackoff::new(1);
        let mine = account_client_key("Awa@Example.sn", "1.2.3.4");
        for _ in 0..FREE_FAILURES - 1 {
            b.failed(&mine);
            assert!(b.check(&mine).is_ok(), "the first failures are free");
        }
        b.failed(&mine);
        let first = b.check(&mine).unwrap_err();
        assert!((1..=30).contains(&first), "{first}");
        b.failed(&mine);
        let second = b.check(&mine).unwrap_err();
        assert!(second > first && second <= 60, "the wait doubles: {first} then {second}");
        assert!(b.check(&account_client_key("awa@example.sn", "5.6.7.8")).is_ok(), "another client is not blocked");
        assert!(b.check(&account_client_key("binta@example.sn", "1.2.3.4")).is_ok(), "another account is not blocked");
        b.succeeded(&mine);
        assert!(b.check(&mine).is_ok());
        for _ in 0..40 {
            b.failed(&mine);
        }
        assert!(b.check(&mine).unwrap_err() <= 3600, "the wait is capped at an hour");
    }

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
        for _ in 0..6 {
            assert!(rl.check(PASSWORD_RESET, "k").is_ok());
        }
        assert!(rl.check(PASSWORD_RESET, "k").is_err());
    }
}
