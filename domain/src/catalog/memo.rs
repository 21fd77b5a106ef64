//! Short-lived answers the catalogue pages ask for on every request (how many books match a
//! filter, the category tree), kept until the catalogue changes in this process or a few seconds
//! pass (another process — `coko import` — may have changed it meanwhile).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long an answer is trusted when nothing changed here.
pub const FRESH_FOR: Duration = Duration::from_secs(20);
/// Answers kept at most (filters are many; the busiest come back quickly).
const CAPACITY: usize = 512;

pub struct Memo<K, V> {
    generation: AtomicU64,
    kept: Mutex<HashMap<K, (u64, Instant, V)>>,
    /// One gate per answer being computed: requests that miss the same key together wait for
    /// the first one's answer instead of all asking the database at once (a count over a large
    /// catalogue costs tens of milliseconds; four at once on a small server, hundreds), while
    /// answers for other keys are computed meanwhile.
    computing: Mutex<HashMap<K, Arc<tokio::sync::Mutex<()>>>>,
}

impl<K: Hash + Eq, V: Clone> Default for Memo<K, V> {
    fn default() -> Self {
        Self { generation: AtomicU64::new(0), kept: Mutex::new(HashMap::new()), computing: Mutex::new(HashMap::new()) }
    }
}

impl<K: Hash + Eq + Clone, V: Clone> Memo<K, V> {
    /// The kept answer for `key`, if still good.
    pub fn get(&self, key: &K) -> Option<V> {
        let now = self.generation.load(Ordering::Acquire);
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        match kept.get(key) {
            Some((generation, at, v)) if *generation == now && at.elapsed() < FRESH_FOR => Some(v.clone()),
            _ => None,
        }
    }

    /// The generation to pass to [`Memo::put`]: read it before computing the answer, so an
    /// answer computed across a change is never kept as current.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    pub fn put(&self, key: K, generation: u64, value: V) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() >= CAPACITY {
            kept.clear();
        }
        kept.insert(key, (generation, Instant::now(), value));
    }

    /// The kept answer for `key`, or `compute`'s, kept (unless the catalogue changed meanwhile).
    pub async fn get_or_try<E, F>(&self, key: K, compute: F) -> Result<V, E>
    where
        F: std::future::Future<Output = Result<V, E>>,
    {
        if let Some(kept) = self.get(&key) {
            return Ok(kept);
        }
        let gate = self.computing.lock().unwrap_or_else(|e| e.into_inner()).entry(key.clone()).or_default().clone();
        let _one = gate.lock().await;
        // Computed by whoever held the gate before.
        if let Some(kept) = self.get(&key) {
            return Ok(kept);
        }
        let generation = self.generation();
        let value = compute.await;
        // Whoever waits on this gate now finds the answer kept (or, after an error, tries
        // again); later requests find it kept without a gate.
        if let Ok(v) = &value {
            self.put(key.clone(), generation, v.clone());
        }
        self.computing.lock().unwrap_or_else(|e| e.into_inner()).remove(&key);
        value
    }

    /// The catalogue changed: every kept answer is stale.
    pub fn forget(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_until_forgotten() {
        let m: Memo<&str, u64> = Memo::default();
        assert_eq!(m.get(&"a"), None);
        let g = m.generation();
        m.put("a", g, 3);
        assert_eq!(m.get(&"a"), Some(3));
        m.forget();
        assert_eq!(m.get(&"a"), None, "a change makes it stale");
    }

    #[tokio::test]
    async fn requests_that_miss_together_compute_once() {
        let m: std::sync::Arc<Memo<&str, u64>> = std::sync::Arc::default();
        let computed = std::sync::Arc::new(AtomicU64::new(0));
        let asks = (0..4).map(|_| {
            let (m, computed) = (m.clone(), computed.clone());
            tokio::spawn(async move {
                m.get_or_try("count", async {
                    computed.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    Ok::<u64, ()>(7)
                })
                .await
            })
        });
        for ask in asks.collect::<Vec<_>>() {
            assert_eq!(ask.await.unwrap(), Ok(7));
        }
        assert_eq!(computed.load(Ordering::SeqCst), 1, "one computation for four requests");
    }

    #[tokio::test]
    async fn answers_for_other_keys_are_computed_meanwhile() {
        // "a" can only finish once "b" has been computed: with one gate for every key, "b"
        // would wait behind "a" for ever.
        let m: std::sync::Arc<Memo<&str, u64>> = std::sync::Arc::default();
        let b_done = std::sync::Arc::new(tokio::sync::Notify::new());
        let (m2, done) = (m.clone(), b_done.clone());
        let a = tokio::spawn(async move {
            m2.get_or_try("a", async move {
                done.notified().await;
                Ok::<u64, ()>(1)
            })
            .await
        });
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(10)).await;
        let b = tokio::time::timeout(Duration::from_secs(5), m.get_or_try("b", async { Ok::<u64, ()>(2) })).await;
        assert_eq!(b, Ok(Ok(2)), "b is not held up by a");
        b_done.notify_one();
        assert_eq!(a.await.unwrap(), Ok(1));
        assert!(m.computing.lock().unwrap().is_empty(), "no gate left behind");
    }

    #[test]
    fn an_answer_computed_across_a_change_is_not_kept() {
        let m: Memo<&str, u64> = Memo::default();
        let g = m.generation();
        m.forget();
        m.put("a", g, 3);
        assert_eq!(m.get(&"a"), None);
    }
}
