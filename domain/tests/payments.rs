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
use domain::payment::providers::{
    Headers, Lookup, Order, PaymentProvider, ProviderError, Session, SessionRef, WebhookHint, WebhookRejected,
};
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
    async fn lookup(&self, session: &SessionRef<'_>) -> Result<Lookup, ProviderError> {
        Ok(Lookup { provider_ref: session.provider_ref.into(), observed: Observed::Open, raw: "{}".into() })
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
    async fn verify_webhook(&self, _headers: Headers<'_>, _body: &[u8], _now: i64) -> Result<WebhookHint, WebhookRejected> {
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
    catalog
        .edit(
            &Actor::system(Role::Editor),
            &book.id,
            domain::catalog::BookStatus::Published,
            domain::catalog::Offer { price: Money::xof(1500), featured: false, premium: false },
        )
        .await
        .unwrap();
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
    Checkout { book_id: book_id.into(), plan: String::new(), provider: "wave".into(), phone: "+221 77 123 45 67".into() }
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

fn plan(id: &str) -> Checkout {
    Checkout { book_id: String::new(), plan: id.into(), provider: "wave".into(), phone: "+221 77 123 45 67".into() }
}

backend_test!(premium_periods_add_up_and_a_refund_takes_back_exactly_its_own, |db: support::TestDb| async move {
    use domain::reading::ReadingStore;
    let (files, _double, payments, book) = setup(&db).await;
    let catalog = support::catalog(&db, files.path());
    let editor = Actor::system(Role::Editor);
    // Kept for Premium, not on sale on its own.
    let offer = domain::catalog::Offer { price: Money::xof(0), featured: false, premium: true };
    catalog.edit(&editor, &book, domain::catalog::BookStatus::Published, offer).await.unwrap();
    assert!(matches!(payments.checkout(&buyer(&db).await, &wave(&book), "").await, Err(PaymentError::NotForSale)), "{}", db.label);
    let user = buyer(&db).await;
    let entitled = || async { db.store.is_entitled(&user.id, &book).await.unwrap() };
    let file_entitled = || async { db.store.file_access(&book, Some(&user.id)).await.unwrap().unwrap() };
    assert!(!entitled().await && !file_entitled().await.entitled);
    assert!(!file_entitled().await.file.free, "a premium book's files are not everyone's");
    assert!(payments.subscription(&user).await.unwrap().is_none());

    let plans = payments.plans(false).await.unwrap();
    let prices: Vec<(&str, i64, i64)> = plans.iter().map(|p| (p.id.as_str(), p.period_days, p.price.amount)).collect();
    assert_eq!(prices, [("monthly", 30, 2000), ("yearly", 365, 20000)], "{}: the defaults", db.label);
    let paid = |amount| Observed::Paid { amount, currency: "XOF".into() };

    let monthly = payments.checkout(&user, &plan("monthly"), "").await.unwrap();
    assert_eq!((monthly.amount, monthly.item.kind()), (2000, "plan"));
    // Underpaid: nothing granted.
    payments.apply(&monthly.id, &paid(200), "lookup", "{}", None).await.unwrap();
    assert!(payments.subscription(&user).await.unwrap().is_none(), "{}", db.label);
    let monthly = payments.checkout(&user, &plan("monthly"), "").await.unwrap();
    // (Instants are kept to the millisecond.)
    let before = chrono::Utc::now() - chrono::Duration::milliseconds(1);
    payments.apply(&monthly.id, &paid(2000), "webhook", "{}", None).await.unwrap();
    payments.apply(&monthly.id, &paid(2000), "lookup", "{}", None).await.unwrap(); // a replay adds nothing
    let first = payments.subscription(&user).await.unwrap().unwrap();
    let thirty = chrono::Duration::days(30);
    assert!(first.access_until >= before + thirty && first.access_until <= chrono::Utc::now() + thirty, "{}", db.label);
    assert!(entitled().await && file_entitled().await.entitled, "{}: Premium opens the book", db.label);

    // Paying early adds the year to the end of the month, not to today.
    let yearly = payments.checkout(&user, &plan("yearly"), "").await.unwrap();
    payments.apply(&yearly.id, &paid(20000), "lookup", "{}", None).await.unwrap();
    let second = payments.subscription(&user).await.unwrap().unwrap();
    assert_eq!(second.access_until, first.access_until + chrono::Duration::days(365), "{}", db.label);
    assert_eq!(second.plan_id, "yearly");

    // Refunding the month takes back its 30 days, and only those.
    let admin = Actor::system(Role::Admin);
    assert_eq!(payments.refund(&admin, &monthly.id).await.unwrap().state, PaymentState::Refunded);
    payments.refund(&admin, &monthly.id).await.unwrap();
    let third = payments.subscription(&user).await.unwrap().unwrap();
    assert_eq!(third.access_until, second.access_until - thirty, "{}", db.label);
    assert!(entitled().await);
    // Refunding the year too ends it.
    payments.refund(&admin, &yearly.id).await.unwrap();
    assert!(!payments.subscription(&user).await.unwrap().unwrap().is_active(chrono::Utc::now()));
    assert!(!entitled().await && !file_entitled().await.entitled, "{}", db.label);

    // Admins set prices (audited); what was paid keeps its price; a plan off sale is not sold.
    assert!(matches!(payments.set_plan(&Actor::system(Role::Reader), "monthly", 2500, true).await, Err(PaymentError::Forbidden)));
    assert!(matches!(payments.set_plan(&admin, "monthly", 5, true).await, Err(PaymentError::Invalid(_))));
    assert!(matches!(payments.set_plan(&admin, "weekly", 500, true).await, Err(PaymentError::NotFound)));
    assert_eq!(payments.set_plan(&admin, "monthly", 2500, true).await.unwrap().price.amount, 2500);
    let other = buyer(&db).await;
    assert_eq!(payments.checkout(&other, &plan("monthly"), "").await.unwrap().amount, 2500);
    assert_eq!(payments.payment_for(&user, &monthly.id).await.unwrap().amount, 2000);
    payments.set_plan(&admin, "yearly", 20000, false).await.unwrap();
    let Err(PaymentError::Invalid(fields)) = payments.checkout(&other, &plan("yearly"), "").await else { panic!() };
    assert_eq!((fields[0].field.as_str(), fields[0].reason), ("plan", domain::Reason::Unknown));
    assert_eq!(payments.plans(false).await.unwrap().len(), 1);
    assert_eq!(payments.plans(true).await.unwrap().len(), 2);
    let audit = db.store.audit_log(&Default::default(), None, 1000).await.unwrap();
    assert_eq!(audit.iter().filter(|e| e.action == AuditAction::PlanChanged).count(), 2, "{}", db.label);
    // A book and a plan at once is refused.
    let both = Checkout { book_id: book.clone(), ..plan("monthly") };
    assert!(matches!(payments.checkout(&other, &both, "").await, Err(PaymentError::Invalid(_))));
    db
});

backend_test!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    invoices_are_numbered_without_gaps_or_twins_even_when_payments_succeed_at_once,
    |db: support::TestDb| async move {
        use chrono::Datelike;
        let (_files, _double, payments, _book) = setup(&db).await;
        let paid = Observed::Paid { amount: 2000, currency: "XOF".into() };
        let mut started = Vec::new();
        for _ in 0..8 {
            let user = buyer(&db).await;
            let p = payments.checkout(&user, &plan("monthly"), "").await.unwrap();
            started.push((user, p));
        }
        // Confirmed all at once, each twice (a webhook and a lookup).
        let confirmations = started.iter().flat_map(|(_, p)| [p.id.clone(), p.id.clone()]).map(|id| {
            let (payments, paid) = (payments.clone(), paid.clone());
            tokio::spawn(async move { payments.apply(&id, &paid, "webhook", "{}", None).await.unwrap() })
        });
        for c in confirmations.collect::<Vec<_>>() {
            c.await.unwrap();
        }
        let seller = domain::payment::invoice::Seller::default();
        let mut numbers = Vec::new();
        for (user, p) in &started {
            let (number, pdf) = payments.invoice(user, &p.id, &seller).await.unwrap();
            assert!(String::from_utf8_lossy(&pdf).contains(&number));
            numbers.push(number);
        }
        numbers.sort();
        let year = chrono::Utc::now().year();
        let expected: Vec<String> = (1..=8).map(|n| domain::payment::invoice::number(year, n)).collect();
        assert_eq!(numbers, expected, "{}", db.label);
        // Asked again: the same invoice; someone else's: not found.
        let (user, p) = &started[0];
        let again = payments.invoice(user, &p.id, &seller).await.unwrap().0;
        assert!(numbers.contains(&again));
        let stranger = buyer(&db).await;
        assert!(matches!(payments.invoice(&stranger, &p.id, &seller).await, Err(PaymentError::NotFound)));
        // Unpaid: no invoice.
        let open = payments.checkout(&stranger, &plan("monthly"), "").await.unwrap();
        assert!(matches!(payments.invoice(&stranger, &open.id, &seller).await, Err(PaymentError::NotFound)));
        db
    }
);

/// Keeps the mails it is given.
#[derive(Default)]
struct Recorder(Mutex<Vec<domain::mail::Message>>);

#[async_trait]
impl domain::mail::Mailer for Recorder {
    async fn send(&self, m: domain::mail::Message) -> Result<String, domain::mail::MailError> {
        self.0.lock().unwrap().push(m);
        Ok("250 OK".into())
    }
}

backend_test!(renewal_reminders_come_three_days_then_one_day_before_the_end, |db: support::TestDb| async move {
    use domain::events::Event;
    use domain::jobs::{Handler, Job, JobStore, Runner};
    use domain::payment::{RenewalReminders, RENEWAL_QUEUE};
    const DAY: i64 = 86_400_000;
    let (_files, _double, payments, _book) = setup(&db).await;
    let user = buyer(&db).await;
    let paid = |amount| Observed::Paid { amount, currency: "XOF".into() };
    let p = payments.checkout(&user, &plan("monthly"), "").await.unwrap();
    payments.apply(&p.id, &paid(2000), "lookup", "{}", None).await.unwrap();
    let until = payments.subscription(&user).await.unwrap().unwrap().access_until.timestamp_millis();

    let store = Arc::new(db.store.clone());
    let mails = Arc::new(Recorder::default());
    let notifications = domain::notification::NotificationService::new(store.clone(), store.clone(), store.clone());
    let reminders = Arc::new(RenewalReminders { payments: store.clone(), jobs: store.clone(), notifications: notifications.clone() });
    let email = Arc::new(domain::notification::EmailDeliveries {
        service: notifications.clone(),
        accounts: store.clone(),
        mailer: mails.clone(),
        base_url: "https://coko.example".into(),
    });
    // The period's event plans the three-day reminder, at its time.
    let event = Event::SubscriptionExtended { payment_id: p.id.clone(), user_id: user.id.clone(), until_ms: until };
    let planned = reminders.job_for(&event).unwrap();
    assert_eq!(planned.run_at_ms, until - 3 * DAY);
    let runner = Runner::new(store.clone()).with(reminders.clone()).with(email);
    runner.dispatch().await.unwrap();
    assert_eq!(store.backlog().await.unwrap().ready, 1, "{}: one reminder waits for its day", db.label);
    assert!(mails.0.lock().unwrap().is_empty(), "not before its time");

    // Its day come: the mail, with a link to the plan's checkout, and the one-day reminder queued.
    let job = |payload: serde_json::Value| Job { id: "j".into(), queue: RENEWAL_QUEUE.into(), payload, attempts: 1, max_attempts: 10 };
    reminders.run(&job(planned.payload.clone())).await.unwrap();
    runner.settle(std::time::Duration::from_secs(10)).await.unwrap();
    {
        let sent = mails.0.lock().unwrap();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].subject, "Votre Premium se termine dans 3 jours");
        assert!(sent[0].body.contains("https://coko.example/premium/monthly") && sent[0].to == user.email, "{}", sent[0].body);
    }
    assert_eq!(store.backlog().await.unwrap().ready, 2, "{}: the 3-day one and the 1-day one wait", db.label);
    // In the app too, with the same words.
    let inbox = notifications.page(&user, domain::notification::Shelf::Inbox, None).await.unwrap();
    assert_eq!((inbox.unread, inbox.items[0].title.as_str()), (1, "Votre Premium se termine dans 3 jours"), "{}", db.label);
    assert_eq!(inbox.items[0].link.as_deref(), Some("/premium/monthly"));
    // Run again (a retry after a crash): nothing new on any channel.
    reminders.run(&job(planned.payload.clone())).await.unwrap();
    runner.settle(std::time::Duration::from_secs(10)).await.unwrap();
    assert_eq!(mails.0.lock().unwrap().len(), 1, "{}", db.label);
    assert_eq!(notifications.unread(&user.id).await.unwrap(), 1);
    let one_day = domain::payment::reminder(&user.id, until, 1, domain::clock::now_ms()).unwrap();
    reminders.run(&job(one_day.payload.clone())).await.unwrap();
    runner.settle(std::time::Duration::from_secs(10)).await.unwrap();
    assert_eq!(mails.0.lock().unwrap()[1].subject, "Votre Premium se termine demain");

    // Extended since: an older reminder says nothing.
    let y = payments.checkout(&user, &plan("yearly"), "").await.unwrap();
    payments.apply(&y.id, &paid(20000), "lookup", "{}", None).await.unwrap();
    reminders.run(&job(planned.payload)).await.unwrap();
    reminders.run(&job(one_day.payload)).await.unwrap();
    runner.settle(std::time::Duration::from_secs(10)).await.unwrap();
    assert_eq!(mails.0.lock().unwrap().len(), 2, "{}", db.label);
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
