//! Broadcasts on SQLite and PostgreSQL: an admin counts a segment (country, language, Premium)
//! and its messages per channel before sending; the news reaches each reader of the segment
//! once (a retried page sends nothing twice), in their language where the admin wrote it, on
//! the channels they allow for news, paced per channel; readers outside it hear nothing.

#[macro_use]
mod support;

use domain::account::Role;
use domain::jobs::{Handler, Job, JobStore};
use domain::notification::{
    BroadcastFanOut, BroadcastForm, Channel, DeliveryState, Kind, NotificationError, NotificationService, PreferencesForm, Segment, Shelf,
    BROADCAST_QUEUE,
};
use std::sync::Arc;

async fn news(service: &NotificationService, user: &domain::account::User) -> Vec<String> {
    let page = service.page(user, Shelf::Inbox, None).await.unwrap();
    page.items.iter().filter(|n| n.kind == Kind::Broadcast).map(|n| n.title.clone()).collect()
}

fn form(segment: Segment) -> BroadcastForm {
    BroadcastForm {
        title: "Dix nouveaux livres".into(),
        body: "Des romans de Dakar et d'Abidjan.".into(),
        title_en: "Ten new books".into(),
        link: "/catalogue".into(),
        segment,
        ..Default::default()
    }
}

backend_test!(an_admin_counts_a_segment_then_each_of_its_readers_hears_once, |db: support::TestDb| async move {
    let store = Arc::new(db.store.clone());
    let service = NotificationService::new(store.clone(), store.clone(), store.clone()).with_channel(Channel::Push);
    let fan_out = Arc::new(BroadcastFanOut { notifications: service.clone(), jobs: store.clone() });
    let runner = domain::jobs::Runner::new(store.clone()).with(fan_out.clone());

    let mut admin = support::reader(&db, "Admin", "FR").await;
    admin.role = Role::Admin;
    let fr = support::reader(&db, "Awa Ndiaye", "SN").await;
    let mut en = support::reader(&db, "John Mensah", "SN").await;
    en.language = domain::validation::Language::En;
    db.store.execute_raw(&format!("UPDATE users SET language = 'en' WHERE id = '{}'", en.id)).await.unwrap();
    let premium = support::reader(&db, "Fatou Sow", "SN").await;
    let until = domain::clock::now_ms() + 30 * 86_400_000;
    db.store
        .execute_raw(&format!(
            "INSERT INTO subscriptions (user_id, plan_id, access_until, created_at, updated_at) VALUES ('{}', 'monthly', {until}, 1, 1)",
            premium.id
        ))
        .await
        .unwrap();
    let quiet = support::reader(&db, "Moussa Diop", "SN").await;
    let off = PreferencesForm { cells: vec![("news".into(), "in_app".into(), false)], ..Default::default() };
    service.set_preferences(&quiet, &off, "").await.unwrap();
    let by_mail = support::reader(&db, "Binta Ba", "SN").await;
    let on = PreferencesForm { cells: vec![("news".into(), "email".into(), true)], ..Default::default() };
    service.set_preferences(&by_mail, &on, "").await.unwrap();
    let elsewhere = support::reader(&db, "Koffi Yao", "CI").await;
    let unverified = support::reader(&db, "Ali Kane", "SN").await;
    db.store.execute_raw(&format!("UPDATE users SET email_verified_at = NULL WHERE id = '{}'", unverified.id)).await.unwrap();

    // Counted first: five verified readers in Senegal; one turned news off in the app; one
    // takes news by mail; nobody has a browser for push yet.
    let sn = Segment { country: "sn".into(), ..Default::default() };
    let reach = service.preview_broadcast(&admin, &form(sn.clone()), "https://coko.example").await.unwrap();
    assert_eq!(reach.readers, 5, "{}", db.label);
    let count = |c: Channel| reach.channels.iter().find(|(ch, _)| *ch == c).map(|(_, n)| *n);
    assert_eq!((count(Channel::InApp), count(Channel::Email), count(Channel::Push)), (Some(4), Some(1), Some(0)), "{}", db.label);
    assert!(reach.sms_text.starts_with("Coko: Dix nouveaux livres.") && reach.sms_text.ends_with("https://coko.example/catalogue"));
    assert_eq!((reach.sms_encoding.as_str(), reach.sms_parts), ("GSM-7", 1), "{}", reach.sms_text);
    let premium_only = Segment { country: "SN".into(), plan: "premium".into(), ..Default::default() };
    assert_eq!(service.preview_broadcast(&admin, &form(premium_only), "").await.unwrap().readers, 1);
    let free_en = Segment { plan: "free".into(), language: "en".into(), ..Default::default() };
    assert_eq!(service.preview_broadcast(&admin, &form(free_en), "").await.unwrap().readers, 1);
    // Readers cannot, and a bad form names its fields.
    assert!(matches!(service.preview_broadcast(&fr, &form(sn.clone()), "").await, Err(NotificationError::Forbidden)));
    let bad = BroadcastForm { title: String::new(), ..form(Segment { plan: "gold".into(), ..Default::default() }) };
    let Err(NotificationError::Invalid(f)) = service.send_broadcast(&admin, &bad, "").await else { panic!("refused") };
    assert_eq!(f.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["title", "plan"]);

    // Sent: each reader of the segment once, in their language where it was written. Sent
    // again with the id its count gave it (a double click): nothing more.
    let counted = BroadcastForm { id: reach.id.clone(), ..form(sn.clone()) };
    let id = service.send_broadcast(&admin, &counted, "10.0.0.1").await.unwrap();
    assert_eq!(id, reach.id);
    assert_eq!(service.send_broadcast(&admin, &counted, "10.0.0.1").await.unwrap(), id);
    runner.settle(std::time::Duration::from_secs(30)).await.unwrap();
    assert_eq!(news(&service, &fr).await, ["Dix nouveaux livres"], "{}", db.label);
    assert_eq!(news(&service, &en).await, ["Ten new books"]);
    assert_eq!(news(&service, &premium).await.len(), 1);
    assert_eq!(news(&service, &by_mail).await.len(), 1);
    assert!(news(&service, &quiet).await.is_empty(), "news off in the app");
    assert!(news(&service, &elsewhere).await.is_empty() && news(&service, &unverified).await.is_empty());
    let mails = service.deliveries(&by_mail, false, 10).await.unwrap();
    assert_eq!(mails.len(), 1);
    assert_eq!((mails[0].channel, mails[0].kind, mails[0].state), (Channel::Email, Kind::Broadcast, DeliveryState::Queued));

    // The page run again (a worker died after its work): nothing twice.
    let job = Job {
        id: "again".into(),
        queue: BROADCAST_QUEUE.into(),
        payload: serde_json::json!({ "broadcast_id": id, "after": "", "index": 0 }),
        attempts: 2,
        max_attempts: 8,
    };
    fan_out.run(&job).await.unwrap();
    assert_eq!(news(&service, &fr).await.len(), 1, "{}", db.label);
    assert_eq!(service.deliveries(&by_mail, false, 10).await.unwrap().len(), 1);

    let listed = service.broadcasts(&admin).await.unwrap();
    assert_eq!((listed.len(), listed[0].title.as_str(), listed[0].readers), (1, "Dix nouveaux livres", 5));
    assert_eq!(listed[0].segment.country, "SN");
    let backlog = store.backlog().await.unwrap();
    assert_eq!(backlog.dead, 0);
    db
});
