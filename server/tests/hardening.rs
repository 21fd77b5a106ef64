//! The holes an attacker's review found in accounts, each closed, against the real server (and
//! the real `coko` binary for the command line), on SQLite and PostgreSQL.

mod support;

use domain::account::AccountStore;
use domain::reading::ReadingStore;
use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{backends, browser, client, coko, spawn_with, TestApp};

async fn post_from(app: &TestApp, ip: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let res = client().post(app.url(path)).header("x-forwarded-for", ip).json(&body).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn login_from(app: &TestApp, ip: &str, email: &str, password: &str) -> (StatusCode, Value) {
    post_from(app, ip, "/api/v1/auth/login/", json!({ "email": email, "password": password })).await
}

fn said(out: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[tokio::test]
async fn create_admin_never_hands_an_attackers_account_the_admin_role() {
    for db in backends() {
        let app = spawn_with(db, &[("COKO_TRUST_PROXY", "true")]).await;
        // The attacker registers the operator's address first and signs in everywhere.
        let (status, _) = post_from(
            &app,
            "6.6.6.6",
            "/api/v1/auth/register/",
            json!({
                "email": "ops@coko.test", "password": "attacker-pass", "name": "Mallory", "country": "SN"
            }),
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED);
        let (_, tokens) = login_from(&app, "6.6.6.6", "ops@coko.test", "attacker-pass").await;
        let web = browser();
        web.post(app.url("/connexion")).form(&[("email", "ops@coko.test"), ("password", "attacker-pass")]).send().await.unwrap();
        assert_eq!(web.get(app.url("/profil")).send().await.unwrap().status(), StatusCode::OK);

        // --promote on an address nobody proved: refused without a password.
        let out = coko(&app, &["create-admin", "--email", "ops@coko.test", "--promote"], &[]);
        assert!(!out.status.success(), "{}: {}", app.label, said(&out));
        assert!(said(&out).contains("password"), "{}", said(&out));
        assert!(app.state.accounts.verified_user_by_email("ops@coko.test").await.is_err(), "nothing changed");

        // The operator runs create-admin with the password in the environment.
        let out = coko(&app, &["create-admin", "--email", "ops@coko.test"], &[("COKO_ADMIN_PASSWORD", "operator-secret")]);
        assert!(out.status.success(), "{}: {}", app.label, said(&out));
        assert!(said(&out).contains("sessions and tokens were ended"), "{}", said(&out));

        let (status, _) = login_from(&app, "6.6.6.6", "ops@coko.test", "attacker-pass").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{}: the attacker's password no longer opens the account", app.label);
        let res =
            client().get(app.url("/api/v1/auth/profile/")).bearer_auth(tokens["access_token"].as_str().unwrap()).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "the attacker's access token is dead");
        let (status, _) = post_from(&app, "6.6.6.6", "/api/v1/auth/refresh/", json!({ "refresh_token": tokens["refresh_token"] })).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "and the refresh token");
        assert_eq!(web.get(app.url("/profil")).send().await.unwrap().status(), StatusCode::SEE_OTHER, "and the web session");
        let (status, me) = login_from(&app, "41.82.1.2", "ops@coko.test", "operator-secret").await;
        assert_eq!((status, me["user"]["role"].as_str()), (StatusCode::OK, Some("admin")), "{me}");
        assert_eq!(me["user"]["email_verified"], true);

        // The audit journal says what happened.
        let log = app.state.catalog.audit_log(domain::account::Role::Admin, &Default::default(), None).await.unwrap();
        let actions: Vec<&str> = log.entries.iter().filter(|e| e.target_label == "ops@coko.test").map(|e| e.action.as_str()).collect();
        assert!(actions.contains(&"password_set") && actions.contains(&"role_changed"), "{}: {actions:?}", app.label);

        // A verified account is promoted with --promote and keeps its own password.
        support::account(&app, "editrice@coko.test", "sa-propre-cle", "editor").await;
        let out = coko(&app, &["create-admin", "--email", "editrice@coko.test", "--promote"], &[]);
        assert!(out.status.success(), "{}", said(&out));
        let (status, me) = login_from(&app, "41.82.1.3", "editrice@coko.test", "sa-propre-cle").await;
        assert_eq!((status, me["user"]["role"].as_str()), (StatusCode::OK, Some("admin")));

        // The password is never an argument.
        let out = coko(&app, &["create-admin", "--email", "x@coko.test", "--password", "visible-to-ps"], &[]);
        assert!(!out.status.success() && said(&out).contains("COKO_ADMIN_PASSWORD"), "{}", said(&out));
        app.finish().await;
    }
}

#[tokio::test]
async fn demo_data_is_refused_off_loopback() {
    let app = spawn_with(support::Db::Sqlite, &[]).await;
    let out = coko(&app, &["seed", "--demo"], &[("LEPTOS_SITE_ADDR", "0.0.0.0:3999")]);
    assert!(!out.status.success(), "{}", said(&out));
    assert!(said(&out).contains("not a loopback address"), "{}", said(&out));
    let out = coko(&app, &["seed", "--demo"], &[("COKO_BASE_URL", "https://coko.africa")]);
    assert!(!out.status.success() && said(&out).contains("COKO_BASE_URL"), "{}", said(&out));
    assert!(app.state.store.user_by_email("admin@coko.demo").await.unwrap().is_none(), "no demo account was made");

    // Demo accounts made on loopback stop the server from serving anywhere else.
    support::account(&app, "admin@coko.demo", server::cli::DEMO_PASSWORD, "admin").await;
    let out = coko(&app, &["serve"], &[("LEPTOS_SITE_ADDR", "0.0.0.0:3999")]);
    assert!(!out.status.success(), "{}", said(&out));
    assert!(said(&out).contains("demo account admin@coko.demo exists"), "{}", said(&out));
    app.finish().await;
}

#[tokio::test]
async fn a_strangers_wrong_passwords_never_lock_the_reader_out() {
    for db in backends() {
        let app = spawn_with(db, &[("COKO_TRUST_PROXY", "true")]).await;
        support::account(&app, "awa@coko.test", "le-bon-secret", "reader").await;
        for i in 0..5 {
            let (status, _) = login_from(&app, "6.6.6.6", "awa@coko.test", &format!("devine-{i}")).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
        // The guesser meets a wall, longer at each try; writing another address on the left of
        // X-Forwarded-For does not help, the proxy's hop is what counts.
        let res = client()
            .post(app.url("/api/v1/auth/login/"))
            .header("x-forwarded-for", "1.2.3.4, 6.6.6.6")
            .json(&json!({ "email": "awa@coko.test", "password": "devine-5" }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "{}", app.label);
        let wait: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=30).contains(&wait), "{wait}");
        let (status, _) = login_from(&app, "6.6.6.6", "awa@coko.test", "le-bon-secret").await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits, from the guesser's address");
        // The reader, from her own phone, signs in at once: through the API and the form.
        let (status, body) = login_from(&app, "41.82.1.2", "awa@coko.test", "le-bon-secret").await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", app.label);
        let res = browser()
            .post(app.url("/connexion"))
            .header("x-forwarded-for", "41.82.9.9")
            .form(&[("email", "awa@coko.test"), ("password", "le-bon-secret")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(res.headers()["location"], "/");

        // Resets likewise: a stranger spends only their own.
        for _ in 0..3 {
            let (status, _) = post_from(&app, "6.6.6.6", "/api/v1/auth/forgot-password/", json!({ "email": "awa@coko.test" })).await;
            assert_eq!(status, StatusCode::ACCEPTED);
        }
        let (status, _) = post_from(&app, "6.6.6.6", "/api/v1/auth/forgot-password/", json!({ "email": "awa@coko.test" })).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        let (status, _) = post_from(&app, "41.82.1.2", "/api/v1/auth/forgot-password/", json!({ "email": "awa@coko.test" })).await;
        assert_eq!(status, StatusCode::ACCEPTED, "the reader can still ask for a link");
        app.mailed_token("awa@coko.test", "/mot-de-passe/nouveau").await;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert_eq!(app.mails_to("awa@coko.test"), 1, "{}: one link mailed, however many asked within two minutes", app.label);
        app.finish().await;
    }
}

#[tokio::test]
async fn registration_and_reset_answer_the_same_for_any_address() {
    for db in backends() {
        let app = spawn_with(db, &[("COKO_RATE_LIMIT_FACTOR", "10")]).await;
        support::account(&app, "binta@coko.test", "motdepasse-1", "reader").await;
        let form = |email: &str| json!({ "email": email, "password": "motdepasse-2", "name": "Binta", "country": "SN" });
        let taken = post_from(&app, "9.9.9.1", "/api/v1/auth/register/", form("binta@coko.test")).await;
        let free = post_from(&app, "9.9.9.2", "/api/v1/auth/register/", form("nouvelle@coko.test")).await;
        assert_eq!(taken, free, "{}", app.label);
        assert_eq!(taken.0, StatusCode::ACCEPTED);
        app.wait_for_mails("binta@coko.test", 1).await;
        assert!(app.last_mail_to("binta@coko.test").unwrap().contains("mot-de-passe/oublie"), "the owner is told, with the way back in");
        let (status, _) = login_from(&app, "9.9.9.1", "binta@coko.test", "motdepasse-2").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "the account kept its own password");

        let known = post_from(&app, "9.9.9.3", "/api/v1/auth/forgot-password/", json!({ "email": "binta@coko.test" })).await;
        let unknown = post_from(&app, "9.9.9.4", "/api/v1/auth/forgot-password/", json!({ "email": "personne@coko.test" })).await;
        assert_eq!(known, unknown);
        app.mailed_token("binta@coko.test", "/mot-de-passe/nouveau").await;
        app.finish().await;
    }
}

#[tokio::test]
async fn access_to_a_paid_book_by_email_reaches_only_verified_accounts() {
    for db in backends() {
        let app = spawn_with(db, &[("COKO_RATE_LIMIT_FACTOR", "10")]).await;
        let paid = support::import(&app, "epub/trees.epub", true).await;
        support::set_price(&app, &paid.id, 1500).await;
        // Someone registered the reader's address before she did: unverified.
        let (status, _) = post_from(
            &app,
            "6.6.6.6",
            "/api/v1/auth/register/",
            json!({
                "email": "fatou@coko.test", "password": "squatteur-1", "name": "Fatou", "country": "SN"
            }),
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED);
        let editor = support::signed_in(&app, "editrice@coko.test", "editor").await;
        let grant = app.url(&format!("/admin/livres/{}/acces", paid.id));
        let res = editor.post(&grant).form(&[("email", "fatou@coko.test")]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{}", app.label);
        assert!(res.text().await.unwrap().contains("pas encore confirmé son adresse"));
        let squatter = app.state.store.user_by_email("fatou@coko.test").await.unwrap().unwrap().user;
        assert!(!app.state.store.is_entitled(&squatter.id, &paid.id).await.unwrap());

        // Once the owner of the mailbox confirms it, the grant goes through.
        let token = app.mailed_token("fatou@coko.test", "/verifier-email").await;
        app.state.accounts.verify_email(&token, "127.0.0.1").await.unwrap();
        let res = editor.post(&grant).form(&[("email", "fatou@coko.test")]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert!(app.state.store.is_entitled(&squatter.id, &paid.id).await.unwrap());
        app.finish().await;
    }
}

#[tokio::test]
async fn signing_out_anonymously_writes_no_session_rows() {
    for db in backends() {
        let app = spawn_with(db, &[]).await;
        let before = app.state.store.count_sessions().await.unwrap();
        for _ in 0..25 {
            let res = client().post(app.url("/deconnexion")).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
            assert!(res.headers().get("set-cookie").is_none(), "no session handed out");
        }
        assert_eq!(app.state.store.count_sessions().await.unwrap(), before, "{}", app.label);
        // A real sign-out leaves only a short-lived notice, gone once shown.
        let c = support::signed_in(&app, "awa@coko.test", "reader").await;
        c.post(app.url("/deconnexion")).send().await.unwrap();
        let html = c.get(app.url("/")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Vous êtes déconnecté"));
        assert_eq!(app.state.store.count_sessions().await.unwrap(), before, "{}: the notice's session is gone", app.label);
        app.finish().await;
    }
}

#[tokio::test]
async fn direction_controls_never_reach_a_title_or_a_name() {
    for db in backends() {
        let app = spawn_with(db, &[]).await;
        let book = support::import(&app, "epub/trees.epub", true).await;
        let form = domain::catalog::MetadataForm {
            title: "\u{202E}gpj.exe".into(),
            authors: "Ali\u{2066}ce\u{2069}".into(),
            categories: Some("Ro\u{202D}mans > Poli\u{202C}ciers".into()),
            language: book.language.clone(),
            ..Default::default()
        };
        let editor = domain::audit::Actor::system(domain::account::Role::Editor);
        let saved = app.state.catalog.correct(&editor, &book.id, &form).await.unwrap();
        assert_eq!(saved.title, "gpj.exe", "{}", app.label);
        assert_eq!(saved.authors[0].name, "Alice");
        assert_eq!(saved.categories.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["Policiers"], "{:?}", saved.categories);
        app.finish().await;
    }
}
