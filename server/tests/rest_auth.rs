//! The REST authentication API against the real server, on SQLite and PostgreSQL.

mod support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{backends, client, spawn, spawn_with, TestApp};

async fn post(app: &TestApp, path: &str, body: Value) -> (StatusCode, Value) {
    let res = client().post(app.url(path)).json(&body).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn registration(email: &str) -> Value {
    json!({ "email": email, "password": "motdepasse-1", "name": "Awa Diop", "country": "SN" })
}

/// Registers through the API and signs in: the login's tokens.
async fn register_and_login(app: &TestApp, email: &str) -> Value {
    let (status, body) = post(app, "/api/v1/auth/register/", registration(email)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (status, login) = post(app, "/api/v1/auth/login/", json!({"email": email, "password": "motdepasse-1"})).await;
    assert_eq!(status, StatusCode::OK, "{login}");
    login
}

#[tokio::test]
async fn register_login_profile_update_refresh_logout() {
    for db in backends() {
        let app = spawn(db).await;
        let (status, body) = post(&app, "/api/v1/auth/register/", registration("Awa@Example.sn")).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{}: {body}", app.label);
        assert!(body["message"].as_str().unwrap().contains("un e-mail vient d'y être envoyé"), "{body}");
        assert!(body.get("user").is_none() && body.get("access_token").is_none(), "nothing that tells a new account from an old one");
        app.mailed_token("awa@example.sn", "/verifier-email").await;

        let (status, login) = post(&app, "/api/v1/auth/login/", json!({"email": "awa@example.sn", "password": "motdepasse-1"})).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(login["user"]["email"], "awa@example.sn");
        assert_eq!(login["user"]["language"], "fr");
        assert_eq!(login["user"]["role"], "reader");
        assert_eq!(login["token_type"], "Bearer");
        assert_eq!(login["expires_in"], 900);
        assert!(login["user"].get("password_hash").is_none());
        let access = login["access_token"].as_str().unwrap().to_owned();
        let refresh = login["refresh_token"].as_str().unwrap().to_owned();

        let me: Value = client().get(app.url("/api/v1/auth/profile/")).bearer_auth(&access).send().await.unwrap().json().await.unwrap();
        assert_eq!(me["user"]["name"], "Awa Diop");
        assert_eq!(me["user"]["email_verified"], false);

        let res = client()
            .put(app.url("/api/v1/auth/profile/"))
            .bearer_auth(&access)
            .json(&json!({"name": "Awa D.", "language": "en", "theme": "dark", "notify_sms": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let updated: Value = res.json().await.unwrap();
        assert_eq!(updated["user"]["name"], "Awa D.");
        assert_eq!(updated["user"]["language"], "en");
        assert_eq!(updated["user"]["preferences"]["theme"], "dark");
        assert!(updated["user"]["preferences"].get("reader_font_size").is_none(), "the reader's text size lives in its settings");
        assert_eq!(updated["user"]["preferences"]["notify_sms"], true);

        let (status, rotated) = post(&app, "/api/v1/auth/refresh/", json!({"refresh_token": refresh})).await;
        assert_eq!(status, StatusCode::OK);
        let refresh2 = rotated["refresh_token"].as_str().unwrap().to_owned();
        assert_ne!(refresh2, refresh);
        let res =
            client().get(app.url("/api/v1/auth/profile/")).bearer_auth(rotated["access_token"].as_str().unwrap()).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);

        let access2 = rotated["access_token"].as_str().unwrap().to_owned();
        let res = client().post(app.url("/api/v1/auth/logout/")).json(&json!({"refresh_token": refresh2})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let (status, body) = post(&app, "/api/v1/auth/refresh/", json!({"refresh_token": refresh2})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        // The access tokens of that sign-in die with it, well before their 15 minutes.
        for token in [&access, &access2] {
            let res = client().get(app.url("/api/v1/auth/profile/")).bearer_auth(token).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{}: an access token outlived its logout", app.label);
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn reused_refresh_token_is_refused_and_revokes_its_family() {
    for db in backends() {
        let app = spawn(db).await;
        let reg = register_and_login(&app, "moussa@example.ml").await;
        let first = reg["refresh_token"].as_str().unwrap().to_owned();
        let (status, rotated) = post(&app, "/api/v1/auth/refresh/", json!({"refresh_token": first})).await;
        assert_eq!(status, StatusCode::OK);
        let second = rotated["refresh_token"].as_str().unwrap().to_owned();
        // A thief replays the first token: refused, and the family dies with it.
        let (status, body) = post(&app, "/api/v1/auth/refresh/", json!({"refresh_token": first})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{}", app.label);
        assert_eq!(body["error"]["code"], "INVALID_TOKEN");
        let (status, _) = post(&app, "/api/v1/auth/refresh/", json!({"refresh_token": second})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "successor revoked too");
        // Another sign-in starts a fresh family.
        let (_, login) = post(&app, "/api/v1/auth/login/", json!({"email": "moussa@example.ml", "password": "motdepasse-1"})).await;
        let (status, _) = post(&app, "/api/v1/auth/refresh/", json!({"refresh_token": login["refresh_token"]})).await;
        assert_eq!(status, StatusCode::OK);
        app.finish().await;
    }
}

#[tokio::test]
async fn expired_and_forged_access_tokens_are_refused() {
    let app = spawn(support::Db::Sqlite).await;
    let reg = register_and_login(&app, "t@example.sn").await;
    let id = reg["user"]["id"].as_str().unwrap();
    let family = app.state.accounts.issue_refresh_token(id).await.unwrap().family;
    let old = app.state.jwt.issue(id, "reader", &family, chrono::Utc::now().timestamp() - 3600, 900);
    let res = client().get(app.url("/api/v1/auth/profile/")).bearer_auth(old).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "TOKEN_EXPIRED");
    let forged = server::jwt::JwtKeys::from_secret(b"not-the-server-key-not-the-server").issue(
        id,
        "admin",
        &family,
        chrono::Utc::now().timestamp(),
        900,
    );
    let res = client().get(app.url("/api/v1/auth/profile/")).bearer_auth(forged).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // Signed with the server's key but naming no live sign-in (an older token's shape).
    let orphan = app.state.jwt.issue(id, "reader", "", chrono::Utc::now().timestamp(), 900);
    let res = client().get(app.url("/api/v1/auth/profile/")).bearer_auth(orphan).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = client().get(app.url("/api/v1/auth/profile/")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "UNAUTHENTICATED");
    app.finish().await;
}

#[tokio::test]
async fn error_bodies_name_the_field_in_the_clients_language() {
    let app = spawn_with(support::Db::Sqlite, &[("COKO_RATE_LIMIT_FACTOR", "10")]).await;
    let (status, first) = post(&app, "/api/v1/auth/register/", registration("dup@example.sn")).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (status, again) = post(&app, "/api/v1/auth/register/", registration("DUP@example.sn")).await;
    assert_eq!((status, &again), (StatusCode::ACCEPTED, &first), "an address with an account answers the same");
    assert!(first["message"].as_str().unwrap().contains("envoyé"), "French by default: {first}");

    let res = client()
        .post(app.url("/api/v1/auth/register/"))
        .header("accept-language", "en-GB,en;q=0.9")
        .json(&json!({"email": "new@example.sn", "password": "short", "name": "X", "country": "SN"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "VALIDATION_ERROR");
    assert_eq!(body["error"]["details"]["field"], "password");
    assert_eq!(body["error"]["details"]["reason"], "too_short");
    assert_eq!(body["error"]["message"], "Password : at least 8 characters");

    let (status, body) = post(&app, "/api/v1/auth/register/", json!({"email": "x", "password": "", "name": "", "country": "ZZ"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["email", "password", "name", "country"], "every bad field reported");

    let res =
        client().post(app.url("/api/v1/auth/login/")).header("content-type", "application/json").body("{not json").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["details"]["field"], "body");

    let (status, body) = post(&app, "/api/v1/auth/login/", json!({"email": "dup@example.sn", "password": "wrong-password"})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "INVALID_CREDENTIALS");
    let (status, body) = post(&app, "/api/v1/auth/login/", json!({"email": "nobody@example.sn", "password": "wrong-password"})).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("INVALID_CREDENTIALS")),
        "unknown e-mail looks the same"
    );

    let res = client().get(app.url("/api/v1/nope/")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "NOT_FOUND");
    app.finish().await;
}

#[tokio::test]
async fn rate_limits_answer_429_with_retry_after() {
    let app = spawn(support::Db::Sqlite).await;
    for i in 0..20 {
        let (status, _) = post(&app, "/api/v1/auth/login/", json!({"email": format!("x{i}@example.sn"), "password": "whatever-1"})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let res = client()
        .post(app.url("/api/v1/auth/login/"))
        .json(&json!({"email": "x99@example.sn", "password": "whatever-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "21st sign-in from one address in a minute");
    let wait: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait));
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "RATE_LIMITED");

    for i in 0..3 {
        let (status, _) = post(&app, "/api/v1/auth/register/", registration(&format!("r{i}@example.sn"))).await;
        assert_eq!(status, StatusCode::ACCEPTED);
    }
    let (status, _) = post(&app, "/api/v1/auth/register/", registration("r4@example.sn")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "fourth registration in a minute");

    for _ in 0..3 {
        let (status, _) = post(&app, "/api/v1/auth/forgot-password/", json!({"email": "r0@example.sn"})).await;
        assert_eq!(status, StatusCode::ACCEPTED);
    }
    let (status, _) = post(&app, "/api/v1/auth/forgot-password/", json!({"email": "r0@example.sn"})).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "fourth reset of one account from one address in an hour");
    app.finish().await;
}

#[tokio::test]
async fn verify_email_and_reset_password_through_mailed_links() {
    for db in backends() {
        let app = spawn_with(db, &[("COKO_RATE_LIMIT_FACTOR", "10")]).await;
        let reg = register_and_login(&app, "kofi@example.gh").await;
        let old_refresh = reg["refresh_token"].as_str().unwrap().to_owned();
        let old_access = reg["access_token"].as_str().unwrap().to_owned();
        let token = app.mailed_token("kofi@example.gh", "/verifier-email").await;
        let (status, body) = post(&app, "/api/v1/auth/verify-email/", json!({"token": token})).await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", app.label);
        assert_eq!(body["user"]["email_verified"], true);
        let (status, _) = post(&app, "/api/v1/auth/verify-email/", json!({"token": token})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "single use");

        let (status, _) = post(&app, "/api/v1/auth/forgot-password/", json!({"email": "nobody@example.gh"})).await;
        assert_eq!(status, StatusCode::ACCEPTED, "unknown address answers the same");
        let (status, _) = post(&app, "/api/v1/auth/forgot-password/", json!({"email": "kofi@example.gh"})).await;
        assert_eq!(status, StatusCode::ACCEPTED);
        let token = app.mailed_token("kofi@example.gh", "/mot-de-passe/nouveau").await;
        let (status, body) = post(&app, "/api/v1/auth/reset-password/", json!({"token": token, "password": "x"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (status, _) = post(&app, "/api/v1/auth/reset-password/", json!({"token": token, "password": "nouveau-secret"})).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = post(&app, "/api/v1/auth/reset-password/", json!({"token": token, "password": "encore-autre"})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "reset token is single use");
        let (status, _) = post(&app, "/api/v1/auth/login/", json!({"email": "kofi@example.gh", "password": "motdepasse-1"})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "old password gone");
        let (status, _) = post(&app, "/api/v1/auth/login/", json!({"email": "kofi@example.gh", "password": "nouveau-secret"})).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = post(&app, "/api/v1/auth/refresh/", json!({"refresh_token": old_refresh})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "reset ends the other sign-ins");
        let res = client().get(app.url("/api/v1/auth/profile/")).bearer_auth(&old_access).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{}: and their access tokens", app.label);
        app.finish().await;
    }
}
