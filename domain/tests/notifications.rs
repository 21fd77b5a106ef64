//! Notifications on SQLite and PostgreSQL: a notice reaches each channel its reader allows once
//! (handed over twice, retried, or not), the inbox pages unread first, preferences and quiet
//! hours decide who hears what and when, unsubscribe links stop one category, and a failing mail
//! server is retried and then shown failed.

#[macro_use]
mod support;

use async_trait::async_trait;
use domain::account::User;
use domain::jobs::{Handler, Job, JobStore, Runner};
use domain::mail::{MailError, Mailer, Message};
use domain::notification::{
    Category, Channel, DeliveryState, EmailDeliveries, Kind, Notice, NotificationError, NotificationService, NotificationStore,
    PreferencesForm, Shelf, EMAIL_QUEUE,
};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Keeps the mails it is given; refuses them while `down`.
#[derive(Default)]
struct Recorder {
    sent: Mutex<Vec<Message>>,
    down: AtomicBool,
}

#[async_trait]
impl Mailer for Recorder {
    async fn send(&self, m: Message) -> Result<String, MailError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(MailError("421 4.3.0 service not available".into()));
        }
        self.sent.lock().unwrap().push(m);
        Ok("250 2.0.0 OK queued".into())
    }
}

async fn reader(db: &support::TestDb) -> User {
    support::reader(db, "Awa Ndiaye", "SN").await
}

struct Kit {
    service: NotificationService,
    mails: Arc<Recorder>,
    email: Arc<EmailDeliveries>,
    runner: Runner,
}

fn kit(db: &support::TestDb) -> Kit {
    let store = Arc::new(db.store.clone());
    let service = NotificationService::new(store.clone(), store.clone(), store.clone());
    let mails = Arc::new(Recorder::default());
    let email = Arc::new(EmailDeliveries {
        service: service.clone(),
        accounts: store.clone(),
        mailer: mails.clone(),
        base_url: "https://coko.example".into(),
    });
    let runner = Runner::new(store).with(email.clone());
    Kit { service, mails, email, runner }
}

fn receipt(user: &User, source: &str, title: &str) -> Notice {
    let params = serde_json::json!({"item": "book", "title": title, "amount": 2000, "currency": "XOF", "provider": "Wave"});
    Notice {
        user_id: user.id.clone(),
        category: Category::Payments,
        kind: Kind::PaymentReceipt,
        params: params.as_object().cloned().unwrap(),
        link: Some("/achats/p1".into()),
        source: source.into(),
        pace: None,
    }
}

backend_test!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    a_notice_is_stored_and_sent_once_on_each_channel_the_reader_allows,
    |db: support::TestDb| async move {
        let k = kit(&db);
        let user = reader(&db).await;
        let n = receipt(&user, "receipt:p1", "Rain over <Lagos>");
        // Handed over twice (a retried job): one notification, one delivery, one mail.
        k.service.notify(&n).await.unwrap();
        k.service.notify(&n).await.unwrap();
        k.runner.settle(Duration::from_secs(20)).await.unwrap();
        k.service.notify(&n).await.unwrap();
        k.runner.settle(Duration::from_secs(20)).await.unwrap();
        let sent = k.mails.sent.lock().unwrap().clone();
        assert_eq!(sent.len(), 1, "{}", db.label);
        let m = &sent[0];
        assert_eq!((m.to.as_str(), m.subject.as_str()), (user.email.as_str(), "Paiement confirmé : Rain over <Lagos>"));
        assert!(m.body.starts_with("Bonjour Awa Ndiaye,") && m.body.contains("https://coko.example/achats/p1"), "{}", m.body);
        let html = m.html.as_deref().unwrap();
        assert!(html.contains("Rain over &lt;Lagos&gt;") && !html.contains("<Lagos>"), "the HTML escapes what it quotes");
        assert!(html.contains("lang=\"fr\" dir=\"ltr\""));
        let header = |name: &str| m.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let one_click = header("List-Unsubscribe").expect("List-Unsubscribe");
        assert!(
            one_click.starts_with("<https://coko.example/api/v1/notifications/unsubscribe/?t=") && one_click.ends_with("&c=payments>"),
            "{one_click}"
        );
        assert_eq!(header("List-Unsubscribe-Post").as_deref(), Some("List-Unsubscribe=One-Click"));
        assert!(m.body.contains("https://coko.example/notifications/desabonnement?t="), "the body links the confirmation page");
        assert!(m.id.as_deref().is_some_and(|id| id.ends_with("@coko")));

        let log = k.service.deliveries(&user, false, 10).await.unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!((log[0].channel, log[0].state, log[0].attempts), (Channel::Email, DeliveryState::Sent, 1), "{}", db.label);
        assert_eq!(log[0].answer.as_deref(), Some("250 2.0.0 OK queued"));
        let inbox = k.service.page(&user, Shelf::Inbox, None).await.unwrap();
        assert_eq!(inbox.unread, 1);
        assert_eq!(inbox.items.len(), 1);
        assert_eq!(inbox.items[0].title, "Paiement confirmé : Rain over <Lagos>");

        // Rendered in the reader's language when shown: switched to English, read in English.
        let mut en = user.clone();
        en.language = domain::validation::Language::En;
        assert_eq!(k.service.page(&en, Shelf::Inbox, None).await.unwrap().items[0].title, "Payment confirmed: Rain over <Lagos>");
        db
    }
);

backend_test!(the_inbox_lists_unread_first_and_marks_and_archives, |db: support::TestDb| async move {
    let k = kit(&db);
    let user = reader(&db).await;
    let other = reader(&db).await;
    for i in 0..45 {
        k.service.notify(&receipt(&user, &format!("receipt:p{i}"), &format!("Livre {i}"))).await.unwrap();
    }
    k.service.notify(&receipt(&other, "receipt:o1", "Autre")).await.unwrap();
    // Five of the oldest read.
    let all = k.service.store().notifications(&user.id, Shelf::Inbox, None, 200).await.unwrap();
    assert_eq!(all.len(), 45, "{}", db.label);
    let oldest: Vec<String> = all.iter().rev().take(5).map(|n| n.id.clone()).collect();
    // Someone else's ids change nothing.
    assert_eq!(k.service.mark_read(&other, Some(&oldest)).await.unwrap(), 0);
    assert_eq!(k.service.mark_read(&user, Some(&oldest)).await.unwrap(), 5);
    // Paged: every one once, the 40 unread before the 5 read.
    let (mut seen, mut after) = (Vec::new(), None::<String>);
    loop {
        let page = k.service.page(&user, Shelf::Inbox, after.as_deref()).await.unwrap();
        assert_eq!(page.unread, 40);
        seen.extend(page.items.iter().map(|n| (n.id.clone(), n.read_at.is_none())));
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    assert_eq!(seen.len(), 45, "{}", db.label);
    let ids: std::collections::HashSet<_> = seen.iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(ids.len(), 45, "{}: no notification twice across pages", db.label);
    assert!(seen[..40].iter().all(|(_, unread)| *unread) && seen[40..].iter().all(|(_, unread)| !unread));
    // Opening one reads it and gives its link; someone else's is not found.
    let first = seen[0].0.clone();
    assert_eq!(k.service.open(&user, &first).await.unwrap().as_deref(), Some("/achats/p1"));
    assert_eq!(k.service.unread(&user.id).await.unwrap(), 39);
    assert!(matches!(k.service.open(&other, &first).await, Err(NotificationError::NotFound)));
    // All read; two archived.
    assert_eq!(k.service.mark_read(&user, None).await.unwrap(), 39);
    assert_eq!(k.service.unread(&user.id).await.unwrap(), 0);
    assert_eq!(k.service.unread(&other.id).await.unwrap(), 1, "{}: only the reader's own", db.label);
    assert_eq!(k.service.archive(&user, &[seen[1].0.clone(), seen[2].0.clone()]).await.unwrap(), 2);
    let archived = k.service.page(&user, Shelf::Archived, None).await.unwrap();
    assert_eq!(archived.items.len(), 2);
    assert!(archived.items.iter().all(|n| n.archived_at.is_some()));
    let inbox = k.service.store().notifications(&user.id, Shelf::Inbox, None, 200).await.unwrap();
    assert_eq!(inbox.len(), 43, "{}", db.label);
    assert!(matches!(k.service.mark_read(&user, Some(&vec!["x".to_owned(); 201])).await, Err(NotificationError::Invalid(_))));
    db
});

backend_test!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    preferences_decide_the_channels_and_quiet_hours_hold_the_mail,
    |db: support::TestDb| async move {
        use chrono::Timelike;
        let k = kit(&db);
        let user = reader(&db).await;
        let defaults = k.service.preferences(&user).await.unwrap();
        assert_eq!(defaults.time_zone, "Africa/Dakar", "from the reader's country");
        assert!(defaults.allows(Category::Payments, Channel::Email) && !defaults.allows(Category::News, Channel::Email));
        assert!(!defaults.allows(Category::Payments, Channel::Sms), "SMS is asked for, not assumed");

        // Payments by mail off: in the app only.
        let off = |cat: &str, ch: &str| PreferencesForm { cells: vec![(cat.into(), ch.into(), false)], ..Default::default() };
        k.service.set_preferences(&user, &off("payments", "email"), "10.0.0.1").await.unwrap();
        k.service.notify(&receipt(&user, "receipt:a", "A")).await.unwrap();
        k.runner.settle(Duration::from_secs(10)).await.unwrap();
        assert!(k.mails.sent.lock().unwrap().is_empty(), "{}", db.label);
        assert_eq!(k.service.unread(&user.id).await.unwrap(), 1);
        assert!(k.service.deliveries(&user, false, 10).await.unwrap().is_empty());
        // Account messages cannot be turned off.
        k.service.set_preferences(&user, &off("account", "email"), "").await.unwrap();
        assert!(k.service.preferences(&user).await.unwrap().allows(Category::Account, Channel::Email));

        // Quiet hours now (in UTC, for the next two hours): the mail waits, the app does not.
        let on = PreferencesForm { cells: vec![("payments".into(), "email".into(), true)], ..Default::default() };
        k.service.set_preferences(&user, &on, "").await.unwrap();
        let h = chrono::Utc::now().hour();
        let quiet = PreferencesForm {
            quiet_hours: Some(Some((h.to_string(), ((h + 2) % 24).to_string()))),
            time_zone: Some("UTC".into()),
            ..Default::default()
        };
        let saved = k.service.set_preferences(&user, &quiet, "").await.unwrap();
        assert_eq!(saved.quiet_hours, Some((h as u8, ((h + 2) % 24) as u8)));
        k.service.notify(&receipt(&user, "receipt:b", "B")).await.unwrap();
        let left = k.runner.settle(Duration::from_secs(5)).await.unwrap();
        assert_eq!(left.ready, 1, "{}: the mail waits for the end of quiet hours", db.label);
        assert!(k.mails.sent.lock().unwrap().is_empty());
        assert_eq!(k.service.unread(&user.id).await.unwrap(), 2, "in the app at once");
        // An account message does not wait.
        let mut account = receipt(&user, "account:c", "C");
        account.category = Category::Account;
        k.service.notify(&account).await.unwrap();
        k.runner.settle(Duration::from_secs(10)).await.unwrap();
        let sent = k.mails.sent.lock().unwrap().clone();
        assert_eq!(sent.len(), 1, "{}", db.label);
        assert!(sent[0].headers.is_empty(), "no unsubscribe from account messages");

        // Refused input names its field; nothing is kept.
        let bad = PreferencesForm {
            cells: vec![("weather".into(), "email".into(), true)],
            quiet_hours: Some(Some(("25".into(), "x".into()))),
            time_zone: Some("Mars/Olympus".into()),
            digest: Some("hourly".into()),
        };
        let Err(NotificationError::Invalid(fields)) = k.service.set_preferences(&user, &bad, "").await else { panic!("refused") };
        let named: Vec<(String, &str)> = fields.iter().map(|f| (f.field.clone(), f.reason.as_str())).collect();
        assert_eq!(
            named,
            [
                ("weather.email".to_owned(), "unknown"),
                ("quiet_start".to_owned(), "out_of_range"),
                ("quiet_end".to_owned(), "invalid_format"),
                ("time_zone".to_owned(), "unknown"),
                ("digest".to_owned(), "unknown")
            ]
        );
        assert_eq!(k.service.preferences(&user).await.unwrap().time_zone, "UTC");
        db
    }
);

backend_test!(an_unsubscribe_link_stops_one_category_by_mail, |db: support::TestDb| async move {
    let k = kit(&db);
    let user = reader(&db).await;
    let query = k.service.unsubscribe_query(&user.id, Category::Payments).await.unwrap();
    assert_eq!(query, k.service.unsubscribe_query(&user.id, Category::Payments).await.unwrap(), "one token per reader");
    let token = query.trim_start_matches("t=").split('&').next().unwrap().to_owned();
    let (who, changed) = k.service.unsubscribe(&token, Some(Category::Payments), "").await.unwrap();
    assert_eq!((who.id.as_str(), changed), (user.id.as_str(), true), "{}", db.label);
    assert!(!k.service.unsubscribe(&token, Some(Category::Payments), "").await.unwrap().1, "already off");
    assert!(!k.service.unsubscribe(&token, Some(Category::Account), "").await.unwrap().1, "account mails stay");
    let prefs = k.service.preferences(&user).await.unwrap();
    assert!(!prefs.allows(Category::Payments, Channel::Email) && prefs.allows(Category::Payments, Channel::InApp));
    assert!(prefs.allows(Category::Groups, Channel::Email), "other categories untouched");
    assert!(matches!(k.service.unsubscribe("not-a-token", None, "").await, Err(NotificationError::NotFound)));
    assert!(matches!(k.service.unsubscribe("", None, "").await, Err(NotificationError::NotFound)));
    // Every category at once.
    assert!(k.service.unsubscribe(&token, None, "").await.unwrap().1);
    let prefs = k.service.preferences(&user).await.unwrap();
    assert!(Category::ALL.iter().filter(|c| !c.is_critical()).all(|c| !prefs.allows(*c, Channel::Email)));
    db
});

backend_test!(a_failing_mail_server_is_retried_then_the_delivery_is_shown_failed, |db: support::TestDb| async move {
    let k = kit(&db);
    let user = reader(&db).await;
    k.mails.down.store(true, Ordering::SeqCst);
    k.service.notify(&receipt(&user, "receipt:f", "F")).await.unwrap();
    let key = format!("receipt:f:{}:email", user.id);
    let job =
        |attempts| Job { id: "j".into(), queue: EMAIL_QUEUE.into(), payload: serde_json::json!({ "key": key }), attempts, max_attempts: 3 };
    let err = k.email.run(&job(1)).await.unwrap_err();
    assert!(err.contains("421"), "{err}");
    let d = k.service.store().delivery(&key).await.unwrap().unwrap().delivery;
    assert_eq!(
        (d.state, d.attempts, d.answer.as_deref()),
        (DeliveryState::Queued, 1, Some("421 4.3.0 service not available")),
        "{}",
        db.label
    );
    k.email.run(&job(3)).await.unwrap_err();
    let d = k.service.store().delivery(&key).await.unwrap().unwrap().delivery;
    assert_eq!((d.state, d.attempts), (DeliveryState::Failed, 2), "{}: given up after its last attempt", db.label);
    // Back up: a failed delivery is not sent by a late run.
    k.mails.down.store(false, Ordering::SeqCst);
    k.email.run(&job(1)).await.unwrap();
    assert!(k.mails.sent.lock().unwrap().is_empty());

    // Turned off while it waited: skipped, not sent.
    k.service.notify(&receipt(&user, "receipt:g", "G")).await.unwrap();
    let off = PreferencesForm { cells: vec![("payments".into(), "email".into(), false)], ..Default::default() };
    k.service.set_preferences(&user, &off, "").await.unwrap();
    k.runner.settle(Duration::from_secs(10)).await.unwrap();
    let d = k.service.store().delivery(&format!("receipt:g:{}:email", user.id)).await.unwrap().unwrap().delivery;
    assert_eq!(d.state, DeliveryState::Skipped, "{}", db.label);
    assert!(k.mails.sent.lock().unwrap().is_empty());
    let _ = JobStore::backlog(&db.store).await.unwrap();
    db
});

backend_test!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    account_mails_leave_from_the_queue_once_and_their_links_are_never_stored,
    |db: support::TestDb| async move {
        use domain::account::{AccountMails, AccountService, NewAccount};
        let store = Arc::new(db.store.clone());
        let mails = Arc::new(Recorder::default());
        let accounts = AccountService::new(store.clone(), mails.clone(), "https://coko.example");
        let handler = Arc::new(AccountMails { accounts: accounts.clone(), deliveries: store.clone() });
        let runner = Runner::new(store.clone()).with(handler.clone());
        let form = NewAccount {
            email: "queue@example.sn".into(),
            password: "motdepasse-1".into(),
            name: "Queue".into(),
            country: "SN".into(),
            language: None,
        };
        accounts.register(form, "10.0.0.1").await.unwrap();
        // Nothing sent before the queue runs: the mail follows the account's event.
        assert!(mails.sent.lock().unwrap().is_empty());
        runner.settle(Duration::from_secs(20)).await.unwrap();
        let sent = mails.sent.lock().unwrap().clone();
        assert_eq!(sent.len(), 1, "{}", db.label);
        assert_eq!(sent[0].subject, "Confirmez votre adresse e-mail");
        let token = sent[0].body.split("/verifier-email?token=").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
        let log = store.deliveries(None, 10).await.unwrap();
        assert_eq!((log.len(), log[0].kind, log[0].state), (1, Kind::VerifyEmail, DeliveryState::Sent), "{}", db.label);
        // The link is in the mail only.
        let d = store.delivery(&log[0].key).await.unwrap().unwrap();
        assert!(d.params.is_empty() && !format!("{d:?}").contains(&token));
        // A retry of the same job (a worker killed after the server's reply, its lease over):
        // the delivery is sent already, nothing goes twice.
        let user = accounts.store().user_by_email("queue@example.sn").await.unwrap().unwrap().user;
        let key = log[0].key.clone();
        let job = Job {
            id: "j".into(),
            queue: domain::account::ACCOUNT_MAIL_QUEUE.into(),
            payload: serde_json::json!({ "kind": "verify", "user_id": user.id, "key": key }),
            attempts: 2,
            max_attempts: 10,
        };
        handler.run(&job).await.unwrap();
        assert_eq!(mails.sent.lock().unwrap().len(), 1, "{}", db.label);
        // The link works.
        accounts.verify_email(&token, "").await.unwrap();
        // Reset links: asked three times at once, mailed once.
        let (a, b, c) = tokio::join!(
            accounts.forgot_password("queue@example.sn"),
            accounts.forgot_password("queue@example.sn"),
            accounts.forgot_password("queue@example.sn")
        );
        a.unwrap();
        b.unwrap();
        c.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        runner.settle(Duration::from_secs(20)).await.unwrap();
        let sent = mails.sent.lock().unwrap().clone();
        assert_eq!(sent.len(), 2, "{}: one reset mail", db.label);
        assert!(sent[1].body.contains("/mot-de-passe/nouveau?token="));
        db
    }
);
