//! Domain events: what a command changed, written in the command's own transaction (see
//! [`crate::store::Tx::event`]) and handed by the dispatcher to the areas that react to it, as
//! jobs of the durable queue ([`crate::jobs`]). A service never calls another area inline.

use serde::{Deserialize, Serialize};

/// One thing that happened. Stored as JSON with its `kind`; new variants may be added freely,
/// an old row whose kind a newer build no longer knows is dispatched to nobody.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// A book entered the catalogue (upload, `coko import`, demo data).
    BookAdded { book_id: String },
    /// What readers see of a book changed: status, offer, metadata, its authors, publisher or
    /// categories.
    BookChanged { book_id: String },
    /// A book left the catalogue.
    BookDeleted { book_id: String },
    /// Someone asked for the search index to be rebuilt from the database (`coko reindex`).
    SearchRebuildAsked,
    /// An account was made (registration, staff, the command line).
    AccountCreated { user_id: String },
    /// A reader asked for a new verification link.
    VerificationAsked { user_id: String },
    /// Someone asked for a password reset link for this account's address.
    PasswordResetAsked { user_id: String },
    /// Someone tried to register with this account's address.
    DuplicateRegistration { user_id: String },
    /// An account's owner proved their address.
    EmailVerified { user_id: String },
    /// An account's password changed (by its owner, a reset link or the operator); its other
    /// sessions and tokens ended.
    PasswordChanged { user_id: String },
    /// A reader changed their profile or preferences.
    ProfileChanged { user_id: String },
    /// An account's role changed.
    RoleChanged { user_id: String },
    /// A reader was given a book (by staff; purchases will have their own event).
    AccessGranted { user_id: String, book_id: String },
    /// A reading session was stored (once per session id: a replay from the offline outbox
    /// writes no second event). What points, streaks and challenges count from.
    ReadingSessionRecorded { user_id: String, book_id: String, session_id: String },
    /// The furthest a reader reached in a book passed a tenth (10 %, 20 %… 90 %), at most once
    /// per tenth: "read a third" (verified reviews) and "finished" (badges) are found from it.
    ReadingMilestone { user_id: String, book_id: String, percent: u8 },
    /// A reader started paying (the payment is stored; its provider session may follow).
    PaymentStarted { payment_id: String, user_id: String },
    /// A payment was confirmed by its provider and granted what it bought, once per payment:
    /// its book (`book_id`) or a Premium period.
    PaymentSucceeded {
        payment_id: String,
        user_id: String,
        #[serde(default)]
        book_id: Option<String>,
    },
    /// The provider said a payment did not go through (its reason is on the payment). Wave
    /// may still take a later payment on the same session: a success then follows.
    PaymentFailed { payment_id: String, user_id: String },
    /// A succeeded payment was given back; what it granted was taken back.
    PaymentRefunded {
        payment_id: String,
        user_id: String,
        #[serde(default)]
        book_id: Option<String>,
    },
    /// A payment added its period to a reader's Premium, which now ends at `until_ms`
    /// (renewal reminders are planned from it).
    SubscriptionExtended { payment_id: String, user_id: String, until_ms: i64 },
    /// A reader followed (or stopped following) an author or a category (`target_kind`).
    FollowChanged { user_id: String, target_kind: String, target_id: String, following: bool },
    /// An admin sent Coko's news to a segment of readers.
    BroadcastSent { broadcast_id: String },
    /// A review was posted, edited, deleted or moderated (`change`); `status` is where it is now
    /// (`published`, `pending`, `hidden`, or `deleted`). Points for an approved review and the
    /// author's notice come from it.
    /// `at_ms`: when (with the review, what makes a notice about this change once).
    ReviewChanged { review_id: String, book_id: String, user_id: String, change: String, status: String, at_ms: i64 },
    /// A reader found a review helpful (or took it back).
    ReviewVoted { review_id: String, user_id: String, helpful: bool },
    /// Someone reported an item (`target_kind`: `review`) to the moderators.
    ContentReported { target_kind: String, target_id: String, reporter_id: String },
    /// A moderator changed the words watched in a language.
    WatchedWordsChanged { language: String },
}

impl Event {
    pub fn kind(&self) -> &'static str {
        match self {
            Event::BookAdded { .. } => "book_added",
            Event::BookChanged { .. } => "book_changed",
            Event::BookDeleted { .. } => "book_deleted",
            Event::SearchRebuildAsked => "search_rebuild_asked",
            Event::AccountCreated { .. } => "account_created",
            Event::EmailVerified { .. } => "email_verified",
            Event::VerificationAsked { .. } => "verification_asked",
            Event::PasswordResetAsked { .. } => "password_reset_asked",
            Event::DuplicateRegistration { .. } => "duplicate_registration",
            Event::PasswordChanged { .. } => "password_changed",
            Event::ProfileChanged { .. } => "profile_changed",
            Event::RoleChanged { .. } => "role_changed",
            Event::AccessGranted { .. } => "access_granted",
            Event::ReadingSessionRecorded { .. } => "reading_session_recorded",
            Event::ReadingMilestone { .. } => "reading_milestone",
            Event::PaymentStarted { .. } => "payment_started",
            Event::PaymentSucceeded { .. } => "payment_succeeded",
            Event::PaymentRefunded { .. } => "payment_refunded",
            Event::PaymentFailed { .. } => "payment_failed",
            Event::SubscriptionExtended { .. } => "subscription_extended",
            Event::FollowChanged { .. } => "follow_changed",
            Event::BroadcastSent { .. } => "broadcast_sent",
            Event::ReviewChanged { .. } => "review_changed",
            Event::ReviewVoted { .. } => "review_voted",
            Event::ContentReported { .. } => "content_reported",
            Event::WatchedWordsChanged { .. } => "watched_words_changed",
        }
    }

    /// The book an event is about, if it is about one.
    pub fn book_id(&self) -> Option<&str> {
        match self {
            Event::BookAdded { book_id } | Event::BookChanged { book_id } | Event::BookDeleted { book_id } => Some(book_id),
            // Access to a book changes nothing readers search for.
            _ => None,
        }
    }

    /// The account an event is about, if it is about one.
    pub fn user_id(&self) -> Option<&str> {
        match self {
            Event::AccountCreated { user_id }
            | Event::EmailVerified { user_id }
            | Event::VerificationAsked { user_id }
            | Event::PasswordResetAsked { user_id }
            | Event::DuplicateRegistration { user_id }
            | Event::PasswordChanged { user_id }
            | Event::ProfileChanged { user_id }
            | Event::RoleChanged { user_id }
            | Event::AccessGranted { user_id, .. }
            | Event::ReadingSessionRecorded { user_id, .. }
            | Event::ReadingMilestone { user_id, .. }
            | Event::PaymentStarted { user_id, .. }
            | Event::PaymentSucceeded { user_id, .. }
            | Event::PaymentRefunded { user_id, .. }
            | Event::PaymentFailed { user_id, .. }
            | Event::SubscriptionExtended { user_id, .. }
            | Event::FollowChanged { user_id, .. }
            | Event::ReviewChanged { user_id, .. }
            | Event::ReviewVoted { user_id, .. } => Some(user_id),
            _ => None,
        }
    }
}

/// An event as stored: its place in the log and when it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub id: i64,
    pub at_ms: i64,
    /// `None` when this build does not know the kind.
    pub event: Option<Event>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_stored_with_their_kind() {
        let e = Event::BookChanged { book_id: "b1".into() };
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(json, r#"{"kind":"book_changed","book_id":"b1"}"#, "the migration of the search outbox writes this shape");
        assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), e);
        assert_eq!(e.kind(), "book_changed");
        assert!(serde_json::from_str::<Event>(r#"{"kind":"from_the_future"}"#).is_err());
        // Written before plans could be bought: the book is read as before.
        let old = r#"{"kind":"payment_succeeded","payment_id":"p1","user_id":"u1","book_id":"b1"}"#;
        let e = Event::PaymentSucceeded { payment_id: "p1".into(), user_id: "u1".into(), book_id: Some("b1".into()) };
        assert_eq!(serde_json::from_str::<Event>(old).unwrap(), e);
    }
}
