//! Reports and flags: anyone signed in reports a review with a reason; reports on one item merge
//! into one flag whose score sums its reporters' weights, so that the queue shows first what
//! reporters with a good record flagged (Discourse's flag scoring, simplified: a reader weighs
//! 1, staff 5, and after five decided reports a reader's weight moves with how often
//! moderators agreed with them, around 70 %). A flag that reaches [`HOLD_SCORE`] holds its
//! review for a moderator at once (it leaves the page until decided).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Review;
use crate::account::Role;

/// A flag scoring this much (hundredths) holds its review until a moderator decides: five
/// readers, or one member of staff.
pub const HOLD_SCORE: i64 = 500;
/// Reports one reader may file per day.
pub const REPORTS_PER_DAY: u64 = 20;
/// A report's note at most, in characters.
pub const MAX_NOTE: usize = 500;

/// Why something is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportReason {
    Spam,
    /// Insults, hate, harassment.
    Offensive,
    /// Reveals the plot without the spoiler warning.
    Spoiler,
    OffTopic,
    Other,
    /// Coko's own report: the text uses a word moderators watch (never a reader's choice).
    WatchedWord,
}

impl ReportReason {
    pub const ALL: [ReportReason; 5] =
        [ReportReason::Spam, ReportReason::Offensive, ReportReason::Spoiler, ReportReason::OffTopic, ReportReason::Other];
    pub fn as_str(self) -> &'static str {
        match self {
            ReportReason::Spam => "spam",
            ReportReason::Offensive => "offensive",
            ReportReason::Spoiler => "spoiler",
            ReportReason::OffTopic => "off_topic",
            ReportReason::Other => "other",
            ReportReason::WatchedWord => "watched_word",
        }
    }
    /// A reason a reader may give (not [`ReportReason::WatchedWord`]).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
    /// Any reason as stored.
    pub fn from_stored(s: &str) -> Self {
        Self::parse(s).unwrap_or(if s == "watched_word" { ReportReason::WatchedWord } else { ReportReason::Other })
    }
}

/// Where a flag stands (Discourse's reviewable states).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagState {
    Pending,
    /// The moderators agreed: the item was hidden.
    Approved,
    /// They disagreed: it stays.
    Rejected,
    /// No decision on the reporters' judgement: it stays, and counts for nobody.
    Ignored,
    /// The item was deleted.
    Deleted,
}

impl FlagState {
    pub fn as_str(self) -> &'static str {
        match self {
            FlagState::Pending => "pending",
            FlagState::Approved => "approved",
            FlagState::Rejected => "rejected",
            FlagState::Ignored => "ignored",
            FlagState::Deleted => "deleted",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [FlagState::Pending, FlagState::Approved, FlagState::Rejected, FlagState::Ignored, FlagState::Deleted]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
    /// What the reports it merged were worth: upheld, rejected, or neither.
    pub fn outcome(self) -> &'static str {
        match self {
            FlagState::Approved | FlagState::Deleted => "upheld",
            FlagState::Rejected => "rejected",
            FlagState::Ignored => "ignored",
            FlagState::Pending => "",
        }
    }
}

/// A report as filed (REST body, form).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportInput {
    /// `review` (posts and groups to come).
    pub target_kind: String,
    pub target_id: String,
    pub reason: String,
    #[serde(default)]
    pub note: String,
}

/// A flagged review with what its reporters said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlaggedReview {
    pub review: Review,
    pub book_title: String,
    pub state: FlagState,
    /// Hundredths (see [`reporter_weight`]).
    pub score: i64,
    pub reports: u32,
    /// How many gave each reason, most given first.
    pub reasons: Vec<(ReportReason, u32)>,
    /// The reporters' notes (never their names: moderators judge the words).
    pub notes: Vec<String>,
    pub last_at: DateTime<Utc>,
}

/// What a moderator decides about a flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum FlagDecision {
    /// Agree: hide the review, telling its author why.
    Hide { reason: String },
    /// Agree: delete it (spam).
    Delete,
    /// Disagree: it stays (and goes back on the page if the flag held it).
    Reject,
    /// Leave it, without judging the reporters.
    Ignore,
}

impl FlagDecision {
    pub fn state(&self) -> FlagState {
        match self {
            FlagDecision::Hide { .. } => FlagState::Approved,
            FlagDecision::Delete => FlagState::Deleted,
            FlagDecision::Reject => FlagState::Rejected,
            FlagDecision::Ignore => FlagState::Ignored,
        }
    }
}

/// A reporter's weight in hundredths: staff 500; a reader 100, and once five of their reports
/// were decided, 100 + (agreed share − 0.7) × 5 × log₄(decided) × 100, kept between 10 and 600
/// (a reporter who is always wrong still counts a little; one always right counts up to six).
pub fn reporter_weight(role: Role, upheld: u64, rejected: u64) -> i64 {
    if role != Role::Reader {
        return 500;
    }
    let decided = upheld + rejected;
    if decided < 5 {
        return 100;
    }
    let share = upheld as f64 / decided as f64;
    let bonus = (share - 0.7) * 5.0 * (decided as f64).log(4.0);
    ((1.0 + bonus).clamp(0.1, 6.0) * 100.0).round() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reporters_weigh_by_their_record() {
        assert_eq!(reporter_weight(Role::Moderator, 0, 0), 500);
        assert_eq!(reporter_weight(Role::Reader, 4, 0), 100, "too few decided to judge");
        let good = reporter_weight(Role::Reader, 16, 0);
        let usual = reporter_weight(Role::Reader, 7, 3);
        let bad = reporter_weight(Role::Reader, 0, 16);
        assert!(good > usual && usual > bad, "{good} {usual} {bad}");
        assert_eq!(good, 400, "(1 − 0.7) × 5 × log₄16 = 3 more");
        assert_eq!(bad, 10, "never nothing");
        assert_eq!(reporter_weight(Role::Reader, 1000, 0), 600, "capped");
    }

    #[test]
    fn a_decision_says_what_the_reports_were_worth() {
        assert_eq!(FlagDecision::Hide { reason: "x".into() }.state().outcome(), "upheld");
        assert_eq!(FlagDecision::Delete.state().outcome(), "upheld");
        assert_eq!(FlagDecision::Reject.state().outcome(), "rejected");
        assert_eq!(FlagDecision::Ignore.state().outcome(), "ignored");
    }
}

/// What the public moderation log says was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModAction {
    /// A held review was published.
    Published,
    Hidden,
    Deleted,
    /// A reported review was kept.
    Kept,
    /// A report was left without a judgement.
    Ignored,
}

/// A line of the public moderation log: what was decided, about which book, and why — never by
/// whom, nor whose words (Lemmy's modlog without moderators' names; the audit journal keeps
/// both for admins).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModlogEntry {
    pub id: String,
    pub at: DateTime<Utc>,
    pub action: ModAction,
    pub book_id: String,
    pub book_title: String,
    pub reason: String,
}

#[cfg(feature = "ssr")]
impl ModlogEntry {
    /// The public line of an audit entry (`review_moderated`, `flag_decided`), from what it
    /// recorded after the change; `None` for anything else.
    pub fn from_audit(id: String, at: DateTime<Utc>, action: &str, book_id: String, book_title: String, after: &str) -> Option<Self> {
        let after: serde_json::Value = serde_json::from_str(after).ok()?;
        let field = |k: &str| after.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
        let action = match (action, field("status").as_str(), field("flag").as_str()) {
            ("review_moderated", "published", _) => ModAction::Published,
            ("review_moderated", "hidden", _) | ("flag_decided", _, "approved") => ModAction::Hidden,
            ("review_moderated", "deleted", _) | ("flag_decided", _, "deleted") => ModAction::Deleted,
            ("flag_decided", _, "rejected") => ModAction::Kept,
            ("flag_decided", _, "ignored") => ModAction::Ignored,
            _ => return None,
        };
        Some(ModlogEntry { id, at, action, book_id, book_title, reason: field("reason") })
    }
}

#[cfg(all(test, feature = "ssr"))]
mod modlog_tests {
    use super::*;

    #[test]
    fn audit_lines_become_public_lines_without_names() {
        let at = chrono::Utc::now();
        let line = |action: &str, after: &str| ModlogEntry::from_audit("1".into(), at, action, "b".into(), "Livre".into(), after);
        let hidden = line("review_moderated", r#"{"review":"r","author":"Awa","status":"hidden","reason":"Insultes"}"#).unwrap();
        assert_eq!((hidden.action, hidden.reason.as_str()), (ModAction::Hidden, "Insultes"));
        assert!(!serde_json::to_string(&hidden).unwrap().contains("Awa"), "never whose words");
        assert_eq!(line("flag_decided", r#"{"flag":"rejected","reason":""}"#).unwrap().action, ModAction::Kept);
        assert_eq!(line("flag_decided", r#"{"flag":"approved","reason":"Pub"}"#).unwrap().action, ModAction::Hidden);
        assert_eq!(line("review_moderated", r#"{"status":"published"}"#).unwrap().action, ModAction::Published);
        assert!(line("review_posted", r#"{"status":"published"}"#).is_none());
    }
}

/// A watched word at most, in characters.
pub const MAX_WORD: usize = 60;
/// Words watched per language at most.
pub const MAX_WORDS: usize = 500;

/// A word (or a few) as moderators watch it: folded like search (no case, no accents), its
/// words joined by single spaces.
pub fn watch_key(word: &str) -> String {
    words_of(word).join(" ")
}

fn words_of(text: &str) -> Vec<String> {
    crate::search::fold(text).split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_owned).collect()
}

/// The first watched word `text` uses, as whole words (`arnaque` matches "ARNAQUE !", not
/// "arnaqueur").
pub fn watched_in<'a>(text: &str, watched: &'a [String]) -> Option<&'a str> {
    let padded = format!(" {} ", words_of(text).join(" "));
    watched.iter().find(|w| !w.is_empty() && padded.contains(&format!(" {w} "))).map(String::as_str)
}

#[cfg(test)]
mod watch_tests {
    use super::*;

    #[test]
    fn whole_words_without_case_or_accents() {
        let watched = vec![watch_key("Arnaque"), watch_key("sale  type"), watch_key("حقير")];
        assert_eq!(watched_in("Une ARNAQUE, ce livre !", &watched), Some("arnaque"));
        assert_eq!(watched_in("Un arnaqueur raconte", &watched), None, "whole words");
        assert_eq!(watched_in("Quel sale-type.", &watched), Some("sale type"), "phrases too");
        assert_eq!(watched_in("كاتب حقير", &watched), Some("حقير"));
        assert_eq!(watched_in("Très beau", &watched), None);
        assert_eq!(watch_key("  Éléphant "), "elephant");
    }
}
