//! The account store contract: the same tests on SQLite and PostgreSQL.

#[macro_use]
mod support;

use chrono::Utc;
use domain::account::{AccountStore, ProfileRecord, RefreshUse};
use domain::account::{Preferences, Role, Theme, User};
use domain::store::StoreError;
use domain::validation::Language;

fn user(email: &str) -> User {
    User {
        id: uuid::Uuid::now_v7().to_string(),
        email: email.to_owned(),
        name: "Awa Diop".into(),
        country: "SN".into(),
        language: Language::Fr,
        avatar_url: None,
        role: Role::Reader,
        email_verified: false,
        preferences: Preferences::default(),
        created_at: Utc::now(),
    }
}

backend_test!(users_round_trip_and_emails_are_unique, |db: support::TestDb| async move {
    let s = &db.store;
    let u = user("awa@example.sn");
    in_tx!(s, insert_user(&u, "hash")).unwrap();
    let got = s.user_by_email("awa@example.sn").await.unwrap().expect(db.label);
    assert_eq!(got.user.id, u.id, "{}", db.label);
    assert_eq!(got.password_hash, "hash");
    assert_eq!(got.user.preferences, Preferences::default());
    assert_eq!(got.user.role, Role::Reader);
    assert!(!got.user.email_verified);
    assert_eq!(got.user.created_at.timestamp_millis(), u.created_at.timestamp_millis());
    let dup = in_tx!(s, insert_user(&user("awa@example.sn"), "h2"));
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{}: {dup:?}", db.label);
    assert!(s.user_by_id("nope").await.unwrap().is_none());
    db
});

backend_test!(profile_role_password_and_verification_updates, |db: support::TestDb| async move {
    let s = &db.store;
    let u = user("moussa@example.ml");
    in_tx!(s, insert_user(&u, "h")).unwrap();
    let profile = ProfileRecord {
        name: "Moussa Keïta".into(),
        country: "ML".into(),
        language: "en".into(),
        avatar_url: Some("https://img.example/m.png".into()),
        preferences: Preferences { theme: Theme::Dark, notify_email: false, notify_sms: true, notify_push: true },
    };
    assert!(in_tx!(s, update_profile(&u.id, &profile, 1)).unwrap());
    assert!(in_tx!(s, set_role(&u.id, Role::Editor, 2)).unwrap());
    assert!(in_tx!(s, set_password_hash(&u.id, "h2", 3)).unwrap());
    assert!(in_tx!(s, mark_email_verified(&u.id, 4)).unwrap());
    let got = s.user_by_id(&u.id).await.unwrap().unwrap();
    assert_eq!(got.user.name, "Moussa Keïta");
    assert_eq!(got.user.language, Language::En);
    assert_eq!(got.user.preferences, profile.preferences, "{}", db.label);
    assert_eq!(got.user.role, Role::Editor);
    assert_eq!(got.password_hash, "h2");
    assert!(got.user.email_verified);
    assert!(!in_tx!(s, update_profile("missing", &profile, 5)).unwrap());
    db
});

backend_test!(listing_searches_and_paginates, |db: support::TestDb| async move {
    let s = &db.store;
    for i in 0..25 {
        let mut u = user(&format!("reader{i:02}@example.ci"));
        u.name = if i % 5 == 0 { format!("Fatou_{i}") } else { format!("Kofi {i}") };
        u.created_at = chrono::DateTime::from_timestamp_millis(1_700_000_000_000 + i * 1000).unwrap();
        in_tx!(s, insert_user(&u, "h")).unwrap();
    }
    let (page1, total) = s.list_users("", 10, 0).await.unwrap();
    assert_eq!(total, 25);
    assert_eq!(page1.len(), 10);
    assert_eq!(page1[0].email, "reader24@example.ci", "newest first on {}", db.label);
    let (page3, _) = s.list_users("", 10, 20).await.unwrap();
    assert_eq!(page3.len(), 5);
    let (fatous, n) = s.list_users("FATOU", 10, 0).await.unwrap();
    assert_eq!(n, 5, "case-insensitive search on {}", db.label);
    assert!(fatous.iter().all(|u| u.name.starts_with("Fatou")));
    // `_` is a literal, not a wildcard.
    let (_, n) = s.list_users("_", 10, 0).await.unwrap();
    assert_eq!(n, 5, "{}", db.label);
    let (_, n) = s.list_users("reader07@", 10, 0).await.unwrap();
    assert_eq!(n, 1);
    assert_eq!(in_tx!(s, count_admins()).unwrap(), 0);
    db
});

backend_test!(one_time_tokens_are_single_use_and_expire, |db: support::TestDb| async move {
    let s = &db.store;
    let u = user("t@example.sn");
    in_tx!(s, insert_user(&u, "h")).unwrap();
    in_tx!(s, insert_one_time_token("live", &u.id, "verify_email", 1_000)).unwrap();
    in_tx!(s, insert_one_time_token("old", &u.id, "verify_email", 10)).unwrap();
    assert_eq!(in_tx!(s, consume_one_time_token("live", "reset_password", 500)).unwrap(), None, "wrong purpose");
    assert_eq!(in_tx!(s, consume_one_time_token("live", "verify_email", 500)).unwrap(), Some(u.id.clone()));
    assert_eq!(in_tx!(s, consume_one_time_token("live", "verify_email", 501)).unwrap(), None, "second use");
    assert_eq!(in_tx!(s, consume_one_time_token("old", "verify_email", 500)).unwrap(), None, "expired");
    assert_eq!(in_tx!(s, consume_one_time_token("nope", "verify_email", 500)).unwrap(), None);
    db
});

backend_test!(refresh_tokens_rotate_and_detect_reuse, |db: support::TestDb| async move {
    let s = &db.store;
    let u = user("r@example.sn");
    in_tx!(s, insert_user(&u, "h")).unwrap();
    in_tx!(s, insert_refresh_token("a", &u.id, "fam", 1_000, 5_000)).unwrap();
    in_tx!(s, insert_refresh_token("b", &u.id, "fam", 1_000, 5_000)).unwrap();
    in_tx!(s, insert_refresh_token("expired", &u.id, "fam2", 5, 5_000)).unwrap();
    assert!(s.refresh_family_live("fam", 10).await.unwrap());
    assert_eq!(
        in_tx!(s, use_refresh_token("a", 10)).unwrap(),
        RefreshUse::Valid { user_id: u.id.clone(), family_id: "fam".into(), family_expires_ms: 5_000 }
    );
    assert_eq!(in_tx!(s, use_refresh_token("a", 11)).unwrap(), RefreshUse::Reused { family_id: "fam".into() });
    assert_eq!(in_tx!(s, use_refresh_token("expired", 11)).unwrap(), RefreshUse::Expired);
    assert_eq!(in_tx!(s, use_refresh_token("zzz", 11)).unwrap(), RefreshUse::Unknown);
    in_tx!(s, revoke_refresh_family("fam", 12)).unwrap();
    assert!(!s.refresh_family_live("fam", 12).await.unwrap(), "{}: a revoked family is dead", db.label);
    assert_eq!(in_tx!(s, use_refresh_token("b", 13)).unwrap(), RefreshUse::Reused { family_id: "fam".into() }, "{}", db.label);
    in_tx!(s, insert_refresh_token("c", &u.id, "fam3", 1_000, 5_000)).unwrap();
    in_tx!(s, revoke_user_refresh_tokens(&u.id, 14)).unwrap();
    assert!(matches!(in_tx!(s, use_refresh_token("c", 15)).unwrap(), RefreshUse::Reused { .. }));
    db
});

backend_test!(a_refresh_family_ends_at_its_absolute_end_however_it_refreshes, |db: support::TestDb| async move {
    let s = &db.store;
    let u = user("fam@example.sn");
    in_tx!(s, insert_user(&u, "h")).unwrap();
    // A token that would live past its family's end is cut to it.
    in_tx!(s, insert_refresh_token("late", &u.id, "f", 9_000, 2_000)).unwrap();
    assert!(s.refresh_family_live("f", 1_999).await.unwrap());
    assert!(!s.refresh_family_live("f", 2_000).await.unwrap(), "{}: the family is over", db.label);
    assert_eq!(in_tx!(s, use_refresh_token("late", 2_500)).unwrap(), RefreshUse::Expired, "{}", db.label);
    assert_eq!(s.last_one_time_token_at(&u.id, "reset_password").await.unwrap(), None);
    in_tx!(s, insert_one_time_token("t1", &u.id, "reset_password", i64::MAX / 2)).unwrap();
    let at = s.last_one_time_token_at(&u.id, "reset_password").await.unwrap().expect(db.label);
    assert!((domain::clock::now_ms() - at).abs() < 60_000);
    assert_eq!(s.last_one_time_token_at(&u.id, "verify_email").await.unwrap(), None);
    db
});

backend_test!(sessions_save_load_expire_and_end_per_user, |db: support::TestDb| async move {
    let s = &db.store;
    let u = user("s@example.sn");
    in_tx!(s, insert_user(&u, "h")).unwrap();
    assert!(s.create_session("s1", Some(&u.id), b"one", 1_000).await.unwrap());
    assert!(!s.create_session("s1", None, b"dup", 1_000).await.unwrap(), "id collision");
    s.save_session("s2", Some(&u.id), b"two", 1_000).await.unwrap();
    s.save_session("s3", None, b"anon", 1_000).await.unwrap();
    s.save_session("s2", Some(&u.id), b"two-b", 2_000).await.unwrap();
    assert_eq!(s.load_session("s1", 10).await.unwrap().as_deref(), Some(&b"one"[..]));
    assert_eq!(s.load_session("s2", 1_500).await.unwrap().as_deref(), Some(&b"two-b"[..]), "{}", db.label);
    assert_eq!(s.load_session("s1", 1_500).await.unwrap(), None, "expired");
    assert_eq!(in_tx!(s, delete_user_sessions(&u.id, Some("s2"))).unwrap(), 1);
    assert!(s.load_session("s2", 10).await.unwrap().is_some());
    assert_eq!(in_tx!(s, delete_user_sessions(&u.id, None)).unwrap(), 1);
    assert!(s.load_session("s3", 10).await.unwrap().is_some(), "anonymous session kept");
    s.delete_session("s3").await.unwrap();
    assert!(s.load_session("s3", 10).await.unwrap().is_none());
    s.save_session("s4", None, b"x", 5).await.unwrap();
    assert_eq!(s.delete_expired_sessions(10).await.unwrap(), 1);
    s.ping().await.unwrap();
    db
});

backend_test!(account_commands_write_rows_audit_and_event_together_or_nothing, |db: support::TestDb| async move {
    use domain::account::{AccountService, NewAccount, ProfileChanges};
    use domain::audit::{Actor, AuditAction};
    use domain::catalog::CatalogStore;
    use std::sync::Arc;
    let store = Arc::new(db.store.clone());
    let outbox = tempfile::tempdir().unwrap();
    let mailer = Arc::new(domain::mail::OutboxMailer::new(outbox.path(), "coko@example.test"));
    let accounts = AccountService::new(store.clone(), mailer, "http://coko.test");
    let jobs = domain::jobs::Runner::new(store.clone());
    let actions = || async {
        let mut a: Vec<AuditAction> =
            store.audit_log(&Default::default(), None, 100).await.unwrap().into_iter().map(|e| e.action).collect();
        a.reverse();
        a
    };
    let events = || async { jobs.backlog().await.unwrap().events };
    let form = NewAccount {
        email: "awa@example.sn".into(),
        password: "first long secret".into(),
        name: "Awa Diop".into(),
        country: "SN".into(),
        language: None,
    };
    let awa = accounts.create_verified(&Actor::system(Role::Admin), form, Role::Reader).await.unwrap();
    assert_eq!(actions().await, vec![AuditAction::AccountCreated], "{}", db.label);
    assert_eq!(events().await, 1, "{}: account_created", db.label);

    // A password change ends the other sessions and tokens, in the same unit as its audit line.
    let token = accounts.issue_refresh_token(&awa.id).await.unwrap();
    store.create_session("other-phone", Some(&awa.id), b"{}", i64::MAX / 2).await.unwrap();
    store.create_session("this-laptop", Some(&awa.id), b"{}", i64::MAX / 2).await.unwrap();
    accounts.change_password(&awa.id, "first long secret", "second long secret", Some("this-laptop"), "41.82.7.9").await.unwrap();
    assert_eq!(actions().await, vec![AuditAction::AccountCreated, AuditAction::PasswordChanged], "{}", db.label);
    let log = store.audit_log(&Default::default(), None, 1).await.unwrap();
    assert_eq!(log[0].ip, "41.82.7.9", "{}: a reader's own command is journaled with their address", db.label);
    assert_eq!(events().await, 2, "{}: password_changed", db.label);
    assert!(store.load_session("other-phone", 0).await.unwrap().is_none(), "{}", db.label);
    assert!(store.load_session("this-laptop", 0).await.unwrap().is_some(), "{}: the asking session stays", db.label);
    assert!(accounts.rotate_refresh_token(&token.raw).await.is_err(), "{}: the old sign-ins end", db.label);

    // A profile edit is audited with what changed; an edit that changes nothing writes nothing.
    let renamed = ProfileChanges { name: Some("Awa N. Diop".into()), ..Default::default() };
    assert_eq!(accounts.update_profile(&awa.id, renamed.clone(), "41.82.7.9").await.unwrap().name, "Awa N. Diop");
    accounts.update_profile(&awa.id, renamed, "41.82.7.9").await.unwrap();
    let log = store.audit_log(&Default::default(), None, 1).await.unwrap();
    assert_eq!(log[0].action, AuditAction::ProfileChanged, "{}", db.label);
    let (before, after) = (log[0].before.as_deref().unwrap(), log[0].after.as_deref().unwrap());
    assert!(before.contains(r#""name":"Awa Diop""#) && after.contains(r#""name":"Awa N. Diop""#), "{before} → {after}");
    assert_eq!(events().await, 3, "{}: one profile_changed, none for the edit that changed nothing", db.label);
    accounts.set_role(&Actor::system(Role::Admin), &awa.id, "editor").await.unwrap();
    assert_eq!(events().await, 4, "{}: role_changed", db.label);

    // When the audit line cannot be written, nothing of the command stays.
    support::break_the_audit_journal(&db).await;
    let token = accounts.issue_refresh_token(&awa.id).await.unwrap();
    assert!(accounts.change_password(&awa.id, "second long secret", "third long secret", None, "41.82.7.9").await.is_err());
    assert!(accounts.login("awa@example.sn", "second long secret").await.is_ok(), "{}: the password is unchanged", db.label);
    assert!(store.load_session("this-laptop", 0).await.unwrap().is_some(), "{}: no session ended", db.label);
    assert!(accounts.rotate_refresh_token(&token.raw).await.is_ok(), "{}: no token revoked", db.label);
    assert!(accounts.set_role(&Actor::system(Role::Admin), &awa.id, "reader").await.is_err());
    assert_eq!(accounts.user(&awa.id).await.unwrap().role, Role::Editor, "{}: the role is unchanged", db.label);
    assert!(accounts
        .update_profile(&awa.id, ProfileChanges { country: Some("ML".into()), ..Default::default() }, "41.82.7.9")
        .await
        .is_err());
    assert_eq!(accounts.user(&awa.id).await.unwrap().country, "SN", "{}", db.label);
    assert_eq!(events().await, 4, "{}: no event of what did not happen", db.label);
    db
});

backend_test!(two_admins_demoting_each_other_at_once_leave_one_admin, |db: support::TestDb| async move {
    use domain::account::{AccountService, NewAccount};
    use domain::audit::Actor;
    let store = std::sync::Arc::new(db.store.clone());
    let outbox = tempfile::tempdir().unwrap();
    let mailer = std::sync::Arc::new(domain::mail::OutboxMailer::new(outbox.path(), "coko@example.test"));
    let accounts = AccountService::new(store.clone(), mailer, "http://coko.test");
    let admin = |email: &str| NewAccount {
        email: email.into(),
        password: "a long admin secret".into(),
        name: "Admin".into(),
        country: "SN".into(),
        language: None,
    };
    let operator = Actor::system(Role::Admin);
    let awa = accounts.create_verified(&operator, admin("awa@example.sn"), Role::Admin).await.unwrap();
    let ali = accounts.create_verified(&operator, admin("ali@example.sn"), Role::Admin).await.unwrap();
    for _ in 0..5 {
        // Each demotes the other in the same instant: one of them must stay admin.
        let (by_awa, by_ali) = (Actor::user(&awa, "192.0.2.1"), Actor::user(&ali, "192.0.2.2"));
        let (a, b) = tokio::join!(accounts.set_role(&by_awa, &ali.id, "reader"), accounts.set_role(&by_ali, &awa.id, "reader"));
        let admins = in_tx!(store, count_admins()).unwrap();
        assert_eq!(admins, 1, "{}: {a:?} / {b:?}", db.label);
        assert!(a.is_ok() != b.is_ok(), "{}: exactly one demotion went through", db.label);
        // Both admins again for the next round.
        for u in [&awa, &ali] {
            let _ = accounts.set_role(&operator, &u.id, "admin").await;
        }
    }
    db
});
