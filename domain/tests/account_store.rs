//! The account store contract: the same tests on SQLite and PostgreSQL.

mod support;

use chrono::Utc;
use domain::account::{Preferences, Role, Theme, User};
use domain::store::{AccountStore, ProfileRecord, RefreshUse, StoreError};
use domain::validation::Language;
use support::on_each_backend;

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

#[tokio::test]
async fn users_round_trip_and_emails_are_unique() {
    on_each_backend(|db| async move {
        let s = &db.store;
        let u = user("awa@example.sn");
        s.insert_user(&u, "hash").await.unwrap();
        let got = s.user_by_email("awa@example.sn").await.unwrap().expect(db.label);
        assert_eq!(got.user.id, u.id, "{}", db.label);
        assert_eq!(got.password_hash, "hash");
        assert_eq!(got.user.preferences, Preferences::default());
        assert_eq!(got.user.role, Role::Reader);
        assert!(!got.user.email_verified);
        assert_eq!(got.user.created_at.timestamp_millis(), u.created_at.timestamp_millis());
        let dup = s.insert_user(&user("awa@example.sn"), "h2").await;
        assert!(matches!(dup, Err(StoreError::Conflict(_))), "{}: {dup:?}", db.label);
        assert!(s.user_by_id("nope").await.unwrap().is_none());
        db
    })
    .await;
}

#[tokio::test]
async fn profile_role_password_and_verification_updates() {
    on_each_backend(|db| async move {
        let s = &db.store;
        let u = user("moussa@example.ml");
        s.insert_user(&u, "h").await.unwrap();
        let profile = ProfileRecord {
            name: "Moussa Keïta".into(),
            country: "ML".into(),
            language: "en".into(),
            avatar_url: Some("https://img.example/m.png".into()),
            preferences: Preferences {
                theme: Theme::Dark,
                reader_font_size: 140,
                notify_email: false,
                notify_sms: true,
                notify_push: true,
            },
        };
        assert!(s.update_profile(&u.id, &profile, 1).await.unwrap());
        assert!(s.set_role(&u.id, Role::Editor, 2).await.unwrap());
        assert!(s.set_password_hash(&u.id, "h2", 3).await.unwrap());
        assert!(s.mark_email_verified(&u.id, 4).await.unwrap());
        let got = s.user_by_id(&u.id).await.unwrap().unwrap();
        assert_eq!(got.user.name, "Moussa Keïta");
        assert_eq!(got.user.language, Language::En);
        assert_eq!(got.user.preferences, profile.preferences, "{}", db.label);
        assert_eq!(got.user.role, Role::Editor);
        assert_eq!(got.password_hash, "h2");
        assert!(got.user.email_verified);
        assert!(!s.update_profile("missing", &profile, 5).await.unwrap());
        db
    })
    .await;
}

#[tokio::test]
async fn listing_searches_and_paginates() {
    on_each_backend(|db| async move {
        let s = &db.store;
        for i in 0..25 {
            let mut u = user(&format!("reader{i:02}@example.ci"));
            u.name = if i % 5 == 0 { format!("Fatou_{i}") } else { format!("Kofi {i}") };
            u.created_at = chrono::DateTime::from_timestamp_millis(1_700_000_000_000 + i * 1000).unwrap();
            s.insert_user(&u, "h").await.unwrap();
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
        assert_eq!(s.count_admins().await.unwrap(), 0);
        db
    })
    .await;
}

#[tokio::test]
async fn one_time_tokens_are_single_use_and_expire() {
    on_each_backend(|db| async move {
        let s = &db.store;
        let u = user("t@example.sn");
        s.insert_user(&u, "h").await.unwrap();
        s.insert_one_time_token("live", &u.id, "verify_email", 1_000).await.unwrap();
        s.insert_one_time_token("old", &u.id, "verify_email", 10).await.unwrap();
        assert_eq!(s.consume_one_time_token("live", "reset_password", 500).await.unwrap(), None, "wrong purpose");
        assert_eq!(s.consume_one_time_token("live", "verify_email", 500).await.unwrap(), Some(u.id.clone()));
        assert_eq!(s.consume_one_time_token("live", "verify_email", 501).await.unwrap(), None, "second use");
        assert_eq!(s.consume_one_time_token("old", "verify_email", 500).await.unwrap(), None, "expired");
        assert_eq!(s.consume_one_time_token("nope", "verify_email", 500).await.unwrap(), None);
        db
    })
    .await;
}

#[tokio::test]
async fn refresh_tokens_rotate_and_detect_reuse() {
    on_each_backend(|db| async move {
        let s = &db.store;
        let u = user("r@example.sn");
        s.insert_user(&u, "h").await.unwrap();
        s.insert_refresh_token("a", &u.id, "fam", 1_000, 5_000).await.unwrap();
        s.insert_refresh_token("b", &u.id, "fam", 1_000, 5_000).await.unwrap();
        s.insert_refresh_token("expired", &u.id, "fam2", 5, 5_000).await.unwrap();
        assert!(s.refresh_family_live("fam", 10).await.unwrap());
        assert_eq!(
            s.use_refresh_token("a", 10).await.unwrap(),
            RefreshUse::Valid { user_id: u.id.clone(), family_id: "fam".into(), family_expires_ms: 5_000 }
        );
        assert_eq!(s.use_refresh_token("a", 11).await.unwrap(), RefreshUse::Reused { family_id: "fam".into() });
        assert_eq!(s.use_refresh_token("expired", 11).await.unwrap(), RefreshUse::Expired);
        assert_eq!(s.use_refresh_token("zzz", 11).await.unwrap(), RefreshUse::Unknown);
        s.revoke_refresh_family("fam", 12).await.unwrap();
        assert!(!s.refresh_family_live("fam", 12).await.unwrap(), "{}: a revoked family is dead", db.label);
        assert_eq!(s.use_refresh_token("b", 13).await.unwrap(), RefreshUse::Reused { family_id: "fam".into() }, "{}", db.label);
        s.insert_refresh_token("c", &u.id, "fam3", 1_000, 5_000).await.unwrap();
        s.revoke_user_refresh_tokens(&u.id, 14).await.unwrap();
        assert!(matches!(s.use_refresh_token("c", 15).await.unwrap(), RefreshUse::Reused { .. }));
        db
    })
    .await;
}

#[tokio::test]
async fn a_refresh_family_ends_at_its_absolute_end_however_it_refreshes() {
    on_each_backend(|db| async move {
        let s = &db.store;
        let u = user("fam@example.sn");
        s.insert_user(&u, "h").await.unwrap();
        // A token that would live past its family's end is cut to it.
        s.insert_refresh_token("late", &u.id, "f", 9_000, 2_000).await.unwrap();
        assert!(s.refresh_family_live("f", 1_999).await.unwrap());
        assert!(!s.refresh_family_live("f", 2_000).await.unwrap(), "{}: the family is over", db.label);
        assert_eq!(s.use_refresh_token("late", 2_500).await.unwrap(), RefreshUse::Expired, "{}", db.label);
        assert_eq!(s.last_one_time_token_at(&u.id, "reset_password").await.unwrap(), None);
        s.insert_one_time_token("t1", &u.id, "reset_password", i64::MAX / 2).await.unwrap();
        let at = s.last_one_time_token_at(&u.id, "reset_password").await.unwrap().expect(db.label);
        assert!((domain::clock::now_ms() - at).abs() < 60_000);
        assert_eq!(s.last_one_time_token_at(&u.id, "verify_email").await.unwrap(), None);
        db
    })
    .await;
}

#[tokio::test]
async fn sessions_save_load_expire_and_end_per_user() {
    on_each_backend(|db| async move {
        let s = &db.store;
        let u = user("s@example.sn");
        s.insert_user(&u, "h").await.unwrap();
        assert!(s.create_session("s1", Some(&u.id), b"one", 1_000).await.unwrap());
        assert!(!s.create_session("s1", None, b"dup", 1_000).await.unwrap(), "id collision");
        s.save_session("s2", Some(&u.id), b"two", 1_000).await.unwrap();
        s.save_session("s3", None, b"anon", 1_000).await.unwrap();
        s.save_session("s2", Some(&u.id), b"two-b", 2_000).await.unwrap();
        assert_eq!(s.load_session("s1", 10).await.unwrap().as_deref(), Some(&b"one"[..]));
        assert_eq!(s.load_session("s2", 1_500).await.unwrap().as_deref(), Some(&b"two-b"[..]), "{}", db.label);
        assert_eq!(s.load_session("s1", 1_500).await.unwrap(), None, "expired");
        assert_eq!(s.delete_user_sessions(&u.id, Some("s2")).await.unwrap(), 1);
        assert!(s.load_session("s2", 10).await.unwrap().is_some());
        assert_eq!(s.delete_user_sessions(&u.id, None).await.unwrap(), 1);
        assert!(s.load_session("s3", 10).await.unwrap().is_some(), "anonymous session kept");
        s.delete_session("s3").await.unwrap();
        assert!(s.load_session("s3", 10).await.unwrap().is_none());
        s.save_session("s4", None, b"x", 5).await.unwrap();
        assert_eq!(s.delete_expired_sessions(10).await.unwrap(), 1);
        s.ping().await.unwrap();
        db
    })
    .await;
}
