//! Digests: a reader who finds the chatty categories (reading groups, achievements, new books,
//! Coko's news) too chatty takes them as one summary a day or a week, at 8 o'clock in their own
//! time zone, instead of a message each.
//!
//! In the app nothing changes (the bell counts each one as it comes). For the other channels,
//! [`NotificationService::notify`] keeps the notice as a *digest item* and queues the reader's
//! digest job for the next morning (one waiting job per reader). The job reads the items, checks
//! the reader's choices as they are then, and in **one unit of work** queues one summary per
//! channel that still wants some of them (e-mail, push; never SMS: a digest is long and texts
//! are paid per part) and drops the items it summed up: a crash before the commit leaves them
//! for the retry, after it leaves nothing to send twice.

use super::templates::render;
use super::{Category, Channel, Digest, Kind, Notice, NotificationService};
use crate::jobs::{Handler, Job, NewJob};
use crate::store::StoreResult;
use async_trait::async_trait;

pub const DIGEST_QUEUE: &str = "notifications.digest";
/// Lines a digest lists (the rest is counted).
pub const DIGEST_LINES: usize = 10;
/// Items summed up by one run (a reader with more gets the rest in the next digest).
const ITEMS_PER_RUN: u32 = 500;

/// A notice held for a reader's next digest.
#[derive(Debug, Clone, PartialEq)]
pub struct DigestItem {
    /// Time-ordered (UUID v7): a digest drops the items up to its last one.
    pub id: String,
    pub category: Category,
    pub kind: Kind,
    pub params: serde_json::Map<String, serde_json::Value>,
}

/// The job that sends `user_id`'s digest at `at_ms`.
pub fn digest_job(user_id: &str, at_ms: i64) -> NewJob {
    let mut job = NewJob::now(DIGEST_QUEUE, format!("digest:{user_id}"), serde_json::json!({ "user_id": user_id }));
    job.run_at_ms = at_ms;
    job
}

/// Whether `category` waits for the digest of a reader who chose `every`.
pub fn held(category: Category, every: Digest) -> bool {
    every != Digest::Immediate && category.is_chatty()
}

/// The digest of `items` for one channel: how many, and the first lines in the reader's words.
pub fn digest_params(items: &[&DigestItem], lang: crate::validation::Language) -> serde_json::Map<String, serde_json::Value> {
    let lines: Vec<serde_json::Value> = items.iter().take(DIGEST_LINES).map(|i| render(i.kind, &i.params, lang).title.into()).collect();
    let mut p = serde_json::Map::new();
    p.insert("count".into(), items.len().into());
    p.insert("lines".into(), lines.into());
    p
}

/// The category most of `items` are in (the first one's on a tie): the summary's own, for the
/// unsubscribe link of its mail.
fn main_category(items: &[&DigestItem]) -> Category {
    let mut best = (items[0].category, 0);
    for c in Category::ALL {
        let n = items.iter().filter(|i| i.category == c).count();
        if n > best.1 || (n == best.1 && c == items[0].category) {
            best = (c, n);
        }
    }
    best.0
}

impl NotificationService {
    /// Sends the reader's digest: one summary per channel that still wants some of the held
    /// items, and the items dropped, in one unit of work. How many items it summed up.
    pub async fn send_digest(&self, user_id: &str) -> StoreResult<usize> {
        let store = self.store();
        let Some(rec) = self.accounts().user_by_id(user_id).await? else { return Ok(0) };
        let user = rec.user;
        let items = store.digest_items(user_id, ITEMS_PER_RUN).await?;
        let Some(last) = items.last() else { return Ok(0) };
        let prefs = self.preferences(&user).await?;
        let mut tx = store.begin().await?;
        for channel in self.channels().into_iter().filter(|c| matches!(c, Channel::Email | Channel::Push)) {
            let mine: Vec<&DigestItem> = items.iter().filter(|i| prefs.allows(i.category, channel)).collect();
            if mine.is_empty() {
                continue;
            }
            let notice = Notice {
                user_id: user.id.clone(),
                category: main_category(&mine),
                kind: Kind::Digest,
                params: digest_params(&mine, user.language),
                link: Some("/notifications".into()),
                source: format!("digest:{}", last.id),
                pace: None,
            };
            self.fan_out_in(&mut tx, &notice, &user, &prefs, Some(channel)).await?;
        }
        store.drop_digest_items(&mut tx, user_id, &last.id).await?;
        tx.commit().await?;
        Ok(items.len())
    }
}

/// Runs the readers' digest jobs.
pub struct DigestDeliveries {
    pub service: NotificationService,
}

#[async_trait]
impl Handler for DigestDeliveries {
    fn queue(&self) -> &'static str {
        DIGEST_QUEUE
    }

    async fn run(&self, job: &Job) -> Result<(), String> {
        let user_id = job.payload.get("user_id").and_then(|v| v.as_str()).ok_or("no user_id in the job")?;
        self.service.send_digest(user_id).await.map(|_| ()).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::Language;

    fn item(id: &str, category: Category, title: &str) -> DigestItem {
        let params = serde_json::json!({"title": title, "body": "", "via": "author", "via_name": "A", "authors": "A"});
        let kind = if category == Category::News { Kind::Broadcast } else { Kind::NewBook };
        DigestItem { id: id.into(), category, kind, params: params.as_object().cloned().unwrap() }
    }

    #[test]
    fn a_digest_lists_its_first_lines_and_counts_the_rest() {
        let items: Vec<DigestItem> = (0..12).map(|i| item(&format!("{i:02}"), Category::NewBooks, &format!("Livre {i}"))).collect();
        let refs: Vec<&DigestItem> = items.iter().collect();
        let p = digest_params(&refs, Language::Fr);
        assert_eq!(p["count"], 12);
        assert_eq!(p["lines"].as_array().unwrap().len(), DIGEST_LINES);
        assert_eq!(p["lines"][0], "Nouveau livre de A : Livre 0");
        let r = render(Kind::Digest, &p, Language::Fr);
        assert_eq!(r.title, "Vos nouvelles de Coko : 12 messages");
        assert!(r.body.contains("• Nouveau livre de A : Livre 9") && r.body.contains("… et 2 de plus"), "{}", r.body);
        assert!(!r.body.contains("Livre 10"));
    }

    #[test]
    fn the_summary_takes_the_category_most_items_are_in() {
        let items = [item("1", Category::News, "A"), item("2", Category::NewBooks, "B"), item("3", Category::NewBooks, "C")];
        let refs: Vec<&DigestItem> = items.iter().collect();
        assert_eq!(main_category(&refs), Category::NewBooks);
        assert_eq!(main_category(&refs[..2]), Category::News, "a tie: the first one's");
    }

    #[test]
    fn only_chatty_categories_wait_for_a_digest() {
        assert!(held(Category::NewBooks, Digest::Daily) && held(Category::News, Digest::Weekly));
        assert!(!held(Category::Payments, Digest::Daily) && !held(Category::Account, Digest::Weekly));
        assert!(!held(Category::Groups, Digest::Immediate));
    }
}
