//! Payments on SQLite and PostgreSQL: any order of provider answers (duplicates, failures after
//! success, expiry) grants the book exactly once, or never when the amount is wrong; a double
//! checkout opens one provider session; a create whose answer was lost is found by reference.
//! The provider here is a double of the port (the adapters are tested against the sandbox).

#[macro_use]
mod support;

use async_trait::async_trait;
use domain::account::{AccountStore, Preferences, Role, User};
use domain::audit::{Actor, AuditAction};
use domain::catalog::{CatalogStore, ImportOutcome, Money};
use domain::payment::providers::{Headers, Lookup, Order, PaymentProvider, ProviderError, Session, WebhookHint, WebhookRejected};
use domain::payment::state::Observed;
use domain::payment::{Checkout, PaymentError, PaymentService, PaymentState, PaymentStore, Provider};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// Opens sessions `cos-<n>`; answers lookups with `observed`; can be made to fail its creates
/// after the session was made (an answer lost on the way back).
#[derive(Default)]
struct Double {
    creates: AtomicU32,
    lose_answer: AtomicBool,
    sessions: Mutex<Vec<(String, String)>>,
}

#[async_trait]
impl PaymentProvider for Double {
    fn provider(&self) -> Provider {
        Provider::Wave
    }
    async fn create(&self, order: &Order<'_>) -> Result<Session, ProviderError> {
        let n = self.creates.fetch_add(1, Ordering::SeqCst);
        let id = format!("cos-{n}");
        self.sessions.lock().unwrap().push((order.payment_id.to_owned(), id.clone()));
        if self.lose_answer.swap(false, Ordering::SeqCst) {
            return Err(ProviderError::Unavailable("timed out".into()));
        }
        Ok(Session {
            provider_ref: id.clone(),
            redirect_url: format!("https://pay.example/c/{id}"),
            secret: None,
            expires_at_ms: None,
            raw: "{}".into(),
        })
    }
    async fn lookup(&self, provider_ref: &str) -> Result<Lookup, ProviderError> {
        Ok(Lookup { provider_ref: provider_ref.into(), observed: Observed::Open, raw: "{}".into() })
    }
    async fn find_by_reference(&self, payment_id: &str) -> Result<Option<Session>, ProviderError> {
        let found = self.sessions.lock().unwrap().iter().find(|(p, _)| p == payment_id).map(|(_, s)| s.clone());
        Ok(found.map(|id| Session {
            redirect_url: format!("https://pay.example/c/{id}"),
            provider_ref: id,
            secret: None,
            expires_at_ms: None,
            raw: "{}".into(),
        }))
    }
    async fn refund(&self, _provider_ref: &str) -> Result<String, ProviderError> {
        Ok("{}".into())
    }
    fn verify_webhook(&self, _headers: Headers<'_>, _body: &[u8], _now: i64) -> Result<WebhookHint, WebhookRejected> {
        Err(WebhookRejected::Unsigned)
    }
    fn kept_headers(&self) -> &'static [&'static str] {
        &[]
    }

    fn checkout_origin(&self) -> String {
        "https://pay.example".into()
    }
}

fn reader() -> User {
    User {
        id: uuid::Uuid::now_v7().to_string(),
        email: format!("{}@example.sn", uuid::Uuid::now_v7().simple()),
        name: "Awa Ndiaye".into(),
        country: "SN".into(),
        language: domain::validation::Language::Fr,
        avatar_url: None,
        role: Role::Reader,
        email_verified: true,
        preferences: Preferences::default(),
        created_at: chrono::Utc::now(),
    }
}

async fn setup(db: &support::TestDb) -> (tempfile::TempDir, Arc<Double>, PaymentService, String) {
    let files = tempfile::tempdir().unwrap();
    let store = Arc::new(db.store.clone());
    let catalog = support::catalog(db, files.path());
    let corpus = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/epub/trees.epub");
    let ImportOutcome::Created(book) = catalog.import(&std::fs::read(corpus).unwrap(), "trees.epub", true).await.unwrap() else { panic!() };
    catalog.edit(&Actor::system(Role::Editor), &book.id, domain::catalog::BookStatus::Published, Money::xof(1500), false).await.unwrap();
    let double = Arc::new(Double::default());
    let payments = PaymentService::new(
        store.clone() as Arc<dyn PaymentStore>,
        store as Arc<dyn CatalogStore>,
        vec![double.clone()],
        "http://127.0.0.1:3000",
    );
    (files, double, payments, book.id)
}

async fn buyer(db: &support::TestDb) -> User {
    let u = reader();
    let store = Arc::new(db.store.clone());
    in_tx!(store, insert_user(&u, "h")).unwrap();
    u
}

fn wave(book_id: &str) -> Checkout {
    Checkout { book_id: book_id.into(), provider: "wave".into(), phone: "+221 77 123 45 67".into() }
}

async fn owns(db: &support::TestDb, user: &User, book: &str) -> bool {
    db.store.owns_book(&user.id, book).await.unwrap()
}

backend_test!(any_order_of_answers_grants_once_or_never, |db: support::TestDb| async move {
    let (_files, _double, payments, book) = setup(&db).await;
    let paid = || Observed::Paid { amount: 1500, currency: "XOF".into() };
    let answers = [Observed::Open, Observed::Failed { reason: "insufficient-funds".into() }, paid(), paid(), Observed::Expired];
    // Every order of these five answers (duplicates, a failure after success, expiry before
    // payment): the book granted once, the success audited once.
    let mut orders = 0;
    permutations(answers.len(), &mut |_| orders += 1);
    assert_eq!(orders, 120);
    let mut all = Vec::new();
    permutations(answers.len(), &mut |order| all.push(order.to_vec()));
    for order in all.iter().step_by(if db.label == "postgres" { 3 } else { 1 }) {
        let user = buyer(&db).await;
        let p = payments.checkout(&user, &wave(&book), "").await.unwrap();
        for &i in order {
            payments.apply(&p.id, &answers[i], "lookup", "{}", None).await.unwrap();
        }
        let p = payments.payment_for(&user, &p.id).await.unwrap();
        assert_eq!(p.state, PaymentState::Succeeded, "{}: {order:?}", db.label);
        assert!(owns(&db, &user, &book).await);
        let audit = db.store.audit_log(&Default::default(), None, 1000).await.unwrap();
        let successes = audit.iter().filter(|e| e.action == AuditAction::PaymentSucceeded && e.target_id == p.id).count();
        assert_eq!(successes, 1, "{}: {order:?}", db.label);
    }
    // A wrong amount or currency never grants, whatever comes after.
    let user = buyer(&db).await;
    let p = payments.checkout(&user, &wave(&book), "").await.unwrap();
    for o in [Observed::Paid { amount: 150, currency: "XOF".into() }, Observed::Paid { amount: 1500, currency: "EUR".into() }] {
        payments.apply(&p.id, &o, "lookup", "{}", None).await.unwrap();
    }
    let p = payments.payment_for(&user, &p.id).await.unwrap();
    assert_eq!((p.state, p.failure.as_deref()), (PaymentState::Failed, Some("amount-mismatch")), "{}", db.label);
    assert!(!owns(&db, &user, &book).await);
    db
});

backend_test!(two_confirmations_at_once_grant_once, |db: support::TestDb| async move {
    let (_files, _double, payments, book) = setup(&db).await;
    let user = buyer(&db).await;
    let p = payments.checkout(&user, &wave(&book), "").await.unwrap();
    let paid = Observed::Paid { amount: 1500, currency: "XOF".into() };
    let (a, b) = tokio::join!(payments.apply(&p.id, &paid, "webhook", "{}", None), payments.apply(&p.id, &paid, "lookup", "{}", None));
    assert_eq!((a.unwrap().state, b.unwrap().state), (PaymentState::Succeeded, PaymentState::Succeeded));
    let history = db.store.provider_events(&p.id).await.unwrap();
    assert_eq!(history.iter().filter(|e| e.state_after == Some(PaymentState::Succeeded)).count(), 1, "{}", db.label);
    // Refunded: the book goes with it; a second refund changes nothing.
    let admin = Actor { role: Role::Admin, ..Actor::system(Role::Admin) };
    assert_eq!(payments.refund(&admin, &p.id).await.unwrap().state, PaymentState::Refunded);
    assert_eq!(payments.refund(&admin, &p.id).await.unwrap().state, PaymentState::Refunded);
    assert!(!owns(&db, &user, &book).await, "{}", db.label);
    assert!(matches!(payments.refund(&Actor::system(Role::Reader), &p.id).await, Err(PaymentError::Forbidden)));
    db
});

backend_test!(a_double_checkout_opens_one_session, |db: support::TestDb| async move {
    let (_files, double, payments, book) = setup(&db).await;
    let user = buyer(&db).await;
    let order = wave(&book);
    let (a, b) = tokio::join!(payments.checkout(&user, &order, ""), payments.checkout(&user, &order, ""));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.id, b.id, "{}", db.label);
    assert_eq!(double.creates.load(Ordering::SeqCst), 1, "{}: one provider session", db.label);
    assert_eq!(a.state, PaymentState::Pending);
    assert!(a.redirect_url.as_deref().unwrap().starts_with("https://pay.example/c/"));
    // Bad input names its field.
    let bad = Checkout { phone: "+33 6 12 34 56 78".into(), ..wave(&book) };
    let Err(PaymentError::Invalid(fields)) = payments.checkout(&user, &bad, "").await else { panic!() };
    assert_eq!((fields[0].field.as_str(), fields[0].reason), ("phone", domain::Reason::Unknown));
    let bad = Checkout { provider: "paypal".into(), ..wave(&book) };
    assert!(matches!(payments.checkout(&user, &bad, "").await, Err(PaymentError::Invalid(_))));
    db
});

backend_test!(a_lost_create_answer_is_found_by_reference, |db: support::TestDb| async move {
    let (_files, double, payments, book) = setup(&db).await;
    let user = buyer(&db).await;
    double.lose_answer.store(true, Ordering::SeqCst);
    assert!(matches!(payments.checkout(&user, &wave(&book), "").await, Err(PaymentError::Unavailable(_))), "{}", db.label);
    // The retry looks the session up instead of opening a second one.
    let p = payments.checkout(&user, &wave(&book), "").await.unwrap();
    assert_eq!(double.creates.load(Ordering::SeqCst), 1, "{}", db.label);
    assert_eq!((p.state, p.provider_ref.as_deref()), (PaymentState::Pending, Some("cos-0")));
    db
});

/// Calls `f` with every order of `0..n` (Heap's algorithm).
fn permutations(n: usize, f: &mut dyn FnMut(&[usize])) {
    fn heap(k: usize, a: &mut Vec<usize>, f: &mut dyn FnMut(&[usize])) {
        if k <= 1 {
            f(a);
            return;
        }
        for i in 0..k {
            heap(k - 1, a, f);
            let j = if k.is_multiple_of(2) { i } else { 0 };
            a.swap(j, k - 1);
        }
    }
    let mut a: Vec<usize> = (0..n).collect();
    heap(n, &mut a, f);
}
