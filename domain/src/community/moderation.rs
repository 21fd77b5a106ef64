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
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
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
