//! Digests on SQLite and PostgreSQL: a reader who takes the chatty categories as a daily digest
//! sees each in the app at once, but gets one summary by mail at 8 o'clock their time instead of
//! a mail each (payments still come at once); a notice handed over twice is summed up once; the
//! summary is sent once even when its job runs again; a category turned off by mail before the
//! morning is left out; back to "as they come", mails come one by one again.

#[macro_use]
mod support;

use domain::account::User;
use domain::notification::{Category, Channel, Digest, Kind, Notice, NotificationService, NotificationStore, PreferencesForm, Shelf};
use std::sync::Arc;

fn new_book(user: &User, id: &str) -> Notice {
    let p = serde_json::json!({"title": format!("Livre {id}"), "authors": "Aminata Sow", "via": "author", "via_name": "Aminata Sow"});
    Notice {
        user_id: user.id.clone(),
        category: Category::NewBooks,
        kind: Kind::NewBook,
        params: p.as_object().cloned().unwrap(),
        link: Some(format!("/livres/{id}")),
        source: format!("new_book:{id}"),
        pace: None,
    }
}

fn receipt(user: &User) -> Notice {
    let p = serde_json::json!({"item": "book", "title": "X", "amount": 500, "currency": "XOF", "provider": "Wave"});
    Notice {
        user_id: user.id.clone(),
        category: Category::Payments,
        kind: Kind::PaymentReceipt,
        params: p.as_object().cloned().unwrap(),
        link: Some("/achats/p1".into()),
        source: "receipt:p1".into(),
        pace: None,
    }
}

fn digest(every: &str) -> PreferencesForm {
    PreferencesForm { digest: Some(every.into()), ..Default::default() }
}

backend_test!(a_daily_digest_sums_up_the_chatty_categories_once, |db: support::TestDb| async move {
    let store = Arc::new(db.store.clone());
    let service = NotificationService::new(store.clone(), store.clone(), store.clone());
    let user = support::reader(&db, "Awa Ndiaye", "SN").await;
    let saved = service.set_preferences(&user, &digest("daily"), "").await.unwrap();
    assert_eq!(saved.digest, Digest::Daily);
    assert_eq!(service.preferences(&user).await.unwrap().digest, Digest::Daily, "{}", db.label);

    service.notify(&new_book(&user, "a")).await.unwrap();
    service.notify(&new_book(&user, "a")).await.unwrap();
    service.notify(&new_book(&user, "b")).await.unwrap();
    service.notify(&receipt(&user)).await.unwrap();
    // In the app at once; by mail, only the receipt; two notices held for the morning.
    assert_eq!(service.page(&user, Shelf::Inbox, None).await.unwrap().items.len(), 3, "{}", db.label);
    let log = service.deliveries(&user, false, 10).await.unwrap();
    assert_eq!(log.iter().map(|d| d.kind).collect::<Vec<_>>(), [Kind::PaymentReceipt], "{}", db.label);
    assert_eq!(store.digest_items(&user.id, 100).await.unwrap().len(), 2);
    // One digest job, waiting for 8 o'clock in Dakar.
    let runner =
        domain::jobs::Runner::new(store.clone()).with(Arc::new(domain::notification::DigestDeliveries { service: service.clone() }));
    let left = runner.settle(std::time::Duration::from_secs(5)).await.unwrap();
    assert_eq!(left.ready, 2, "{}: the digest and the receipt's mail wait", db.label);

    // The morning: one summary by mail, the items gone; run again, nothing more.
    assert_eq!(service.send_digest(&user.id).await.unwrap(), 2, "{}", db.label);
    assert_eq!(service.send_digest(&user.id).await.unwrap(), 0);
    let log = service.deliveries(&user, false, 10).await.unwrap();
    let digests: Vec<_> = log.iter().filter(|d| d.kind == Kind::Digest).collect();
    assert_eq!(digests.len(), 1, "{}", db.label);
    assert_eq!((digests[0].channel, digests[0].category), (Channel::Email, Category::NewBooks));
    assert!(store.digest_items(&user.id, 100).await.unwrap().is_empty());
    let sent = store.delivery(&digests[0].key).await.unwrap().unwrap();
    assert_eq!(sent.params["count"], 2);
    assert_eq!(sent.params["lines"][0], "Nouveau livre de Aminata Sow : Livre a");

    // New books turned off by mail before the morning: held, then left out.
    service.notify(&new_book(&user, "c")).await.unwrap();
    let off = PreferencesForm { cells: vec![("new_books".into(), "email".into(), false)], ..Default::default() };
    service.set_preferences(&user, &off, "").await.unwrap();
    assert_eq!(service.send_digest(&user.id).await.unwrap(), 1);
    assert_eq!(service.deliveries(&user, false, 10).await.unwrap().iter().filter(|d| d.kind == Kind::Digest).count(), 1, "{}", db.label);

    // Back to "as they come": a mail for the next one.
    let on =
        PreferencesForm { cells: vec![("new_books".into(), "email".into(), true)], digest: Some("immediate".into()), ..Default::default() };
    service.set_preferences(&user, &on, "").await.unwrap();
    service.notify(&new_book(&user, "d")).await.unwrap();
    let log = service.deliveries(&user, false, 10).await.unwrap();
    assert_eq!(log.iter().filter(|d| d.kind == Kind::NewBook).count(), 1, "{}", db.label);
    assert!(store.digest_items(&user.id, 100).await.unwrap().is_empty());
    db
});
