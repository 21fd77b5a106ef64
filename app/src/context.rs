//! What the server knows about the request, handed to the components as context: who is
//! reading, in which language and theme, which page to show and what a submitted form said.

use domain::account::{Theme, User, UserPage};
use domain::catalog::{Book, BookFilter, BookPage, FoundBooks};
use domain::error::{ErrorCode, FieldError};
use domain::search::SearchFilter;
use domain::validation::Language;

/// The page to render, with the data the server loaded for it.
#[derive(Debug, Clone)]
pub enum Page {
    Home {
        recent: Vec<Book>,
    },
    Login,
    Register,
    Profile,
    VerifyEmail {
        verified: bool,
    },
    ForgotPassword {
        sent: bool,
    },
    ResetPassword {
        token: String,
    },
    AdminUsers {
        page: UserPage,
        search: String,
    },
    /// `categories`: (slug, name indented by depth) for the category filter.
    Catalog {
        page: BookPage,
        filter: BookFilter,
        cursor: Option<String>,
        categories: Vec<(String, String)>,
        /// The languages the books are in (codes), for the filter.
        languages: Vec<String>,
        /// The chosen category's follow button.
        follow: Option<FollowBox>,
    },
    Book {
        book: Box<Book>,
        related: Vec<Book>,
        /// The viewer may open it (free, bought, staff); a paid book shows "buy" otherwise.
        readable: bool,
        /// Its readers' reviews (left out when they could not be loaded).
        reviews: Option<Box<domain::community::ReviewPage>>,
    },
    /// The public moderation log.
    Modlog {
        entries: Vec<domain::community::ModlogEntry>,
        next: Option<String>,
    },
    /// Reviews waiting for a moderator.
    Moderation {
        held: Vec<domain::community::HeldReview>,
        /// Reviews readers reported, the most weighty first.
        flagged: Vec<domain::community::FlaggedReview>,
        /// The words moderators watch: (language, word).
        words: Vec<(String, String)>,
    },
    /// Choosing how to pay for a book or a Premium plan.
    Checkout {
        buying: Buying,
        providers: Vec<domain::payment::Provider>,
        /// The origins of the providers' payment pages, which the form's answer redirects to
        /// (allowed in `form-action`).
        pay_origins: Vec<String>,
    },
    /// Where one payment stands.
    Payment {
        payment: Box<domain::payment::Payment>,
    },
    /// The reader's payments and their Premium.
    Purchases {
        payments: Vec<domain::payment::Payment>,
        subscription: Option<domain::payment::Subscription>,
    },
    /// Premium's plans and prices, and the reader's subscription if they have one.
    Premium {
        plans: Vec<domain::payment::Plan>,
        subscription: Option<domain::payment::Subscription>,
    },
    /// Revenue per month and provider (admins).
    AdminRevenue {
        revenue: domain::payment::revenue::Revenue,
    },
    /// Premium's plans and their prices (admins).
    AdminPlans {
        plans: Vec<domain::payment::Plan>,
    },
    /// Every reader's payments (admins).
    AdminPayments {
        list: domain::payment::PaymentList,
        filter: domain::payment::PaymentFilter,
    },
    /// One payment and what its provider said (admins).
    AdminPayment {
        row: Box<domain::payment::PaymentRow>,
        history: Vec<domain::payment::ProviderEvent>,
    },
    /// An author's or a publisher's page.
    Listed {
        kind: domain::catalog::Listing,
        entry: domain::catalog::Listed,
        page: BookPage,
        /// Authors: the follow button.
        follow: Option<FollowBox>,
    },
    Search {
        query: String,
        filter: SearchFilter,
        found: Option<FoundBooks>,
        page: u32,
    },
    AdminBooks {
        page: BookPage,
        cursor: Option<String>,
    },
    AdminAudit {
        page: domain::audit::AuditPage,
        filter: domain::audit::AuditFilter,
    },
    /// Background jobs that failed for good, and how many others wait or run (admins).
    AdminJobs {
        jobs: Vec<domain::jobs::DeadJob>,
        waiting: u64,
    },
    AdminBook {
        book: Box<Book>,
    },
    /// Editors' list of authors or publishers (a page of them, found by name), or of
    /// categories (all of them, as a tree).
    AdminEntries {
        kind: domain::catalog::Listing,
        entries: Vec<domain::catalog::Listed>,
        total: u64,
        page: u32,
        name: String,
    },
    /// Editing one author, publisher or category; `categories`: the whole tree (parent picker);
    /// `merge`: the name searched for a merge and the entries found.
    AdminEntry {
        kind: domain::catalog::Listing,
        entry: domain::catalog::Listed,
        categories: Vec<domain::catalog::Listed>,
        merge: Option<(String, Vec<domain::catalog::Listed>)>,
    },
    AdminUpload {
        max_mb: u64,
    },
    Library {
        library: domain::reading::Library,
    },
    Stats {
        stats: domain::reading::ReadingStats,
    },
    Reader {
        view: Box<crate::pages::reader::ReaderView>,
    },
    PdfReader {
        view: Box<crate::pages::reader_pdf::PdfReaderView>,
    },
    /// The reader's notifications (`archived`: the archive rather than the inbox).
    Notifications {
        page: domain::notification::NotificationPage,
        archived: bool,
    },
    /// What Coko tells the reader, on which channel, and when not.
    NotificationPrefs {
        prefs: domain::notification::Preferences,
        channels: Vec<domain::notification::Channel>,
        zones: Vec<String>,
        /// The number texts go to (when SMS is one of the channels).
        phone: Option<domain::notification::Phone>,
        /// Web Push's key and the reader's browsers (when push is one of the channels).
        push: Option<domain::notification::PushSection>,
        /// The authors and categories the reader follows.
        follows: Vec<domain::notification::Follow>,
    },
    /// The delivery log, "send me a test" and the messages' previews (admins).
    AdminNotifications {
        deliveries: Vec<domain::notification::Delivery>,
        previews: Vec<domain::notification::TemplatePreview>,
        broadcasts: Vec<domain::notification::Broadcast>,
        /// A broadcast counted before it is sent: as typed, and what it reaches.
        preview: Option<(domain::notification::BroadcastForm, domain::notification::Reach)>,
    },
    /// A one-click unsubscribe link from a mail.
    Unsubscribe {
        token: String,
        category: Option<domain::notification::Category>,
        state: crate::pages::notifications::Unsubscribe,
    },
    /// What the service worker shows for a page it does not keep.
    Offline,
    /// The books kept on this device.
    Downloads,
    NotFound,
    Error {
        code: ErrorCode,
    },
}

impl Page {
    /// Pages nobody else may ever be shown from a cache (`Cache-Control: no-store`): a
    /// profile, staff pages and their journal, forms that echo what was typed or carry a
    /// token. The service worker keeps none of them. Other pages (the catalogue, a book, a
    /// reader's library and reader) may be kept by the worker, whose page cache is dropped as
    /// soon as another account signs in on the device.
    pub fn is_private(&self) -> bool {
        matches!(
            self,
            Page::Login
                | Page::Register
                | Page::Profile
                | Page::VerifyEmail { .. }
                | Page::ForgotPassword { .. }
                | Page::ResetPassword { .. }
                | Page::AdminUsers { .. }
                | Page::AdminBooks { .. }
                | Page::AdminAudit { .. }
                | Page::AdminJobs { .. }
                | Page::AdminBook { .. }
                | Page::AdminEntries { .. }
                | Page::AdminEntry { .. }
                | Page::AdminUpload { .. }
                | Page::Checkout { .. }
                | Page::Payment { .. }
                | Page::Purchases { .. }
                | Page::AdminPayments { .. }
                | Page::AdminPayment { .. }
                | Page::AdminPlans { .. }
                | Page::AdminRevenue { .. }
                | Page::Notifications { .. }
                | Page::NotificationPrefs { .. }
                | Page::Unsubscribe { .. }
                | Page::AdminNotifications { .. }
                | Page::Moderation { .. }
                | Page::Error { .. }
        )
    }
}

/// What a checkout pays for.
#[derive(Debug, Clone, PartialEq)]
pub enum Buying {
    Book(Box<Book>),
    Plan(domain::payment::Plan),
}

impl Default for Page {
    fn default() -> Self {
        Page::Home { recent: Vec::new() }
    }
}

/// The "follow" button of an author's page or a category's catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowBox {
    pub kind: domain::notification::FollowKind,
    pub id: String,
    pub name: String,
    /// Whether the viewer follows it; `None`: nobody is signed in.
    pub following: Option<bool>,
    /// Where the page is (the form comes back to it).
    pub here: String,
}

/// A one-time message shown after a redirect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flash {
    Registered,
    SignedIn,
    SignedOut,
    ProfileSaved,
    PasswordChanged,
    VerificationSent,
    PasswordReset,
    RoleChanged,
    BookImported,
    BookSaved,
    AlreadyPresent,
    AccessGranted,
    BookDeleted,
    BooksChanged,
    EntrySaved,
    EntryDeleted,
    CategoryAdded,
    PhotoSaved,
    EntriesMerged,
    JobRetried,
    JobAlreadyWaiting,
    PaymentChecked,
    PaymentRefunded,
    PlanSaved,
    RenewalStopped,
    NotificationsRead,
    NotificationArchived,
    NotificationPrefsSaved,
    NotificationTestSent,
    PhoneCodeSent,
    PhoneVerified,
    PhoneRemoved,
    PushDeviceRemoved,
    Followed,
    Unfollowed,
    BroadcastSent,
    ReviewSaved,
    ReviewHeld,
    ReviewDeleted,
    ReviewModerated,
    ReportFiled,
    FlagDecided,
    WordsSaved,
}

impl Flash {
    pub fn as_str(self) -> &'static str {
        match self {
            Flash::Registered => "registered",
            Flash::SignedIn => "signed_in",
            Flash::SignedOut => "signed_out",
            Flash::ProfileSaved => "profile_saved",
            Flash::PasswordChanged => "password_changed",
            Flash::VerificationSent => "verification_sent",
            Flash::PasswordReset => "password_reset",
            Flash::RoleChanged => "role_changed",
            Flash::BookImported => "book_imported",
            Flash::BookSaved => "book_saved",
            Flash::BooksChanged => "books_changed",
            Flash::AlreadyPresent => "already_present",
            Flash::AccessGranted => "access_granted",
            Flash::BookDeleted => "book_deleted",
            Flash::EntrySaved => "entry_saved",
            Flash::EntryDeleted => "entry_deleted",
            Flash::CategoryAdded => "category_added",
            Flash::PhotoSaved => "photo_saved",
            Flash::EntriesMerged => "entries_merged",
            Flash::JobRetried => "job_retried",
            Flash::JobAlreadyWaiting => "job_already_waiting",
            Flash::PaymentChecked => "payment_checked",
            Flash::PaymentRefunded => "payment_refunded",
            Flash::PlanSaved => "plan_saved",
            Flash::RenewalStopped => "renewal_stopped",
            Flash::NotificationsRead => "notifications_read",
            Flash::NotificationArchived => "notification_archived",
            Flash::NotificationPrefsSaved => "notification_prefs_saved",
            Flash::NotificationTestSent => "notification_test_sent",
            Flash::PhoneCodeSent => "phone_code_sent",
            Flash::PhoneVerified => "phone_verified",
            Flash::PhoneRemoved => "phone_removed",
            Flash::PushDeviceRemoved => "push_device_removed",
            Flash::Followed => "followed",
            Flash::Unfollowed => "unfollowed",
            Flash::BroadcastSent => "broadcast_sent",
            Flash::ReviewSaved => "review_saved",
            Flash::ReviewHeld => "review_held",
            Flash::ReviewDeleted => "review_deleted",
            Flash::ReviewModerated => "review_moderated",
            Flash::ReportFiled => "report_filed",
            Flash::FlagDecided => "flag_decided",
            Flash::WordsSaved => "words_saved",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        use Flash::*;
        [
            Registered,
            SignedIn,
            SignedOut,
            ProfileSaved,
            PasswordChanged,
            VerificationSent,
            PasswordReset,
            RoleChanged,
            BookImported,
            BookSaved,
            AlreadyPresent,
            AccessGranted,
            BookDeleted,
            BooksChanged,
            EntrySaved,
            EntryDeleted,
            CategoryAdded,
            PhotoSaved,
            EntriesMerged,
            JobRetried,
            JobAlreadyWaiting,
            PaymentChecked,
            PaymentRefunded,
            PlanSaved,
            RenewalStopped,
            NotificationsRead,
            NotificationArchived,
            NotificationPrefsSaved,
            NotificationTestSent,
            PhoneCodeSent,
            PhoneVerified,
            PhoneRemoved,
            PushDeviceRemoved,
            Followed,
            Unfollowed,
            BroadcastSent,
            ReviewSaved,
            ReviewHeld,
            ReviewDeleted,
            ReviewModerated,
            ReportFiled,
            FlagDecided,
            WordsSaved,
        ]
        .into_iter()
        .find(|f| f.as_str() == s)
    }
}

/// A refused form: what was typed (never passwords) and what was wrong.
#[derive(Debug, Clone, Default)]
pub struct FormState {
    /// Which form on the page was submitted (a page may hold several).
    pub form: &'static str,
    pub values: Vec<(String, String)>,
    pub fields: Vec<FieldError>,
    pub error: Option<ErrorCode>,
    pub retry_after_secs: Option<u64>,
    /// A machine code giving more detail (e.g. why an upload was refused).
    pub detail: Option<String>,
}

impl FormState {
    pub fn value(&self, name: &str) -> Option<&str> {
        self.values.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    pub fn field_error(&self, name: &str) -> Option<&FieldError> {
        self.fields.iter().find(|f| f.field == name)
    }
}

/// Everything a page needs from the server.
#[derive(Debug, Clone, Default)]
pub struct PageCtx {
    pub lang: Language,
    pub theme: Theme,
    pub viewer: Option<User>,
    /// Path and query of the request, for "come back here" links.
    pub path: String,
    pub flash: Option<Flash>,
    pub form: Option<FormState>,
    pub page: Page,
    /// The signed-in reader's unread notifications (for the bell; capped).
    pub unread: u32,
    /// Where Coko is served (`COKO_BASE_URL`), for the absolute links of share previews.
    pub base_url: String,
}

impl PageCtx {
    /// The refused form named `form`, if that is the one that was submitted.
    pub fn form_for(&self, form: &str) -> Option<&FormState> {
        self.form.as_ref().filter(|f| f.form == form)
    }
}

/// The request's context; an empty default where none was provided (e.g. in the browser).
pub fn page_ctx() -> PageCtx {
    leptos::prelude::use_context::<PageCtx>().unwrap_or_default()
}
