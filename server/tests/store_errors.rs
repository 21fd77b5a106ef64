//! A database that fails during a request is the server's trouble, not the visitor's: the web
//! session survives it (a 503 page), the REST API answers 500 and never 401 (a client would
//! throw its valid tokens away). On SQLite and PostgreSQL.

mod support;

use reqwest::StatusCode;
use support::{backends, bearer, client, signed_in, spawn};

#[tokio::test]
async fn a_store_error_is_never_a_sign_out() {
    for db in backends() {
        let app = spawn(db).await;
        let web = signed_in(&app, "lectrice@coko.test", "reader").await;
        let token = bearer(&app, "lecteur@coko.test", "reader").await;
        let profile = app.url("/api/v1/auth/profile/");
        assert_eq!(client().get(&profile).bearer_auth(&token).send().await.unwrap().status(), StatusCode::OK);
        assert!(web.get(app.url("/profil")).send().await.unwrap().status().is_success());

        // The accounts table stops answering (a failover, a lost connection…).
        app.state.store.execute_raw("ALTER TABLE users RENAME TO users_away").await.unwrap();
        let res = web.get(app.url("/profil")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "{}", app.label);
        assert!(res.text().await.unwrap().contains("Réessayez dans un instant"), "said plainly");
        let res = client().get(&profile).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR, "{}: not 401", app.label);
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "INTERNAL");

        // Back: both are still signed in.
        app.state.store.execute_raw("ALTER TABLE users_away RENAME TO users").await.unwrap();
        assert_eq!(client().get(&profile).bearer_auth(&token).send().await.unwrap().status(), StatusCode::OK, "{}", app.label);
        let res = web.get(app.url("/profil")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{}: the web session survived", app.label);
        app.finish().await;
    }
}
