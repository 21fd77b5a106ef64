//! Pages and forms over plain HTTP (as a browser without WASM would use them), health, and the
//! headers every response carries.

mod support;

use reqwest::StatusCode;
use support::{backends, signed_in, spawn, Db, TestApp};

fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn page(c: &reqwest::Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let res = c.get(app.url(path)).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

async fn form(c: &reqwest::Client, app: &TestApp, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    c.post(app.url(path)).form(fields).send().await.unwrap()
}

#[tokio::test]
async fn health_ready_and_headers() {
    let app = spawn(Db::Sqlite).await;
    let c = browser();
    let res = c.get(app.url("/health")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = c.get(app.url("/ready")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<serde_json::Value>().await.unwrap()["database"], "ok");

    let res = c.get(app.url("/")).header("accept-encoding", "br").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers();
    assert_eq!(h["content-encoding"], "br", "pages are compressed");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert!(h["referrer-policy"].to_str().unwrap().contains("strict-origin"));
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("'nonce-"), "{csp}");
    assert!(!csp.contains("unsafe-inline"));
    assert!(h.contains_key("x-request-id"));
    let res = c.get(app.url("/health")).header("accept-encoding", "gzip").send().await.unwrap();
    assert!(res.headers()["content-security-policy"].to_str().unwrap().starts_with("default-src 'none'"));
    app.finish().await;
}

#[tokio::test]
async fn language_follows_cookie_then_accept_language_and_arabic_is_rtl() {
    let app = spawn(Db::Sqlite).await;
    let (_, html) = page(&browser(), &app, "/").await;
    assert!(html.contains(r#"<html lang="fr" dir="ltr""#), "French by default");
    assert!(html.contains("Des milliers de livres"));
    assert!(html.contains("<title>Coko — Lire partout, même hors ligne</title>"), "title is plain text");
    let res = browser().get(app.url("/")).header("accept-language", "en-US,en;q=0.8").send().await.unwrap();
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"lang="en""#) && html.contains("Thousands of books"));
    let c = browser();
    let res = form(&c, &app, "/preferences/langue", &[("lang", "ar"), ("next", "/connexion")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/connexion");
    let (_, html) = page(&c, &app, "/connexion").await;
    assert!(html.contains(r#"<html lang="ar" dir="rtl""#), "Arabic sets dir=rtl");
    let res = form(&c, &app, "/preferences/theme", &[("theme", "dark"), ("next", "https://evil.example/")]).await;
    assert_eq!(res.headers()["location"], "/", "no open redirect");
    let (_, html) = page(&c, &app, "/").await;
    assert!(html.contains(r#"class="dark""#));
    app.finish().await;
}

#[tokio::test]
async fn unknown_pages_are_friendly_404s() {
    let app = spawn(Db::Sqlite).await;
    let (status, html) = page(&browser(), &app, "/nulle-part").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Page introuvable") && html.contains(r#"href="/""#));
    app.finish().await;
}

#[tokio::test]
async fn forms_work_without_javascript_and_sessions_end_server_side() {
    for db in backends() {
        let app = spawn(db).await;
        let c = browser();
        // A refused form keeps what was typed and names the field.
        let res =
            form(&c, &app, "/inscription", &[("name", "Awa"), ("email", "awa@example.sn"), ("password", "court"), ("country", "SN")]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.unwrap();
        assert!(html.contains("8 caractères minimum"), "{}", app.label);
        assert!(html.contains(r#"value="awa@example.sn""#));
        assert!(!html.contains("court"), "passwords are never echoed");

        let fields =
            [("name", "Awa Diop"), ("email", "awa@example.sn"), ("password", "motdepasse-1"), ("country", "SN"), ("language", "fr")];
        let res = form(&c, &app, "/inscription", &fields).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(res.headers()["location"], "/connexion", "registering does not sign in: the answer must not depend on the address");
        let (status, html) = page(&c, &app, "/connexion").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Un e-mail vient de partir"), "flash shown once");
        let (_, html) = page(&c, &app, "/connexion").await;
        assert!(!html.contains("Un e-mail vient de partir"), "flash gone");
        let res = form(&c, &app, "/connexion", &[("email", "awa@example.sn"), ("password", "motdepasse-1")]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
        // The service worker fetching its offline page during the redirect (as Chromium does on
        // the first visit) does not use up the notice meant for the page that follows.
        let worker = c.get(app.url("/hors-ligne")).header("sec-fetch-mode", "same-origin").send().await.unwrap();
        assert_eq!(worker.status(), StatusCode::OK);
        let prefetch = c.get(app.url("/")).header("sec-purpose", "prefetch").send().await.unwrap();
        assert!(!prefetch.text().await.unwrap().contains("Vous êtes connecté"), "a prefetch does not take the notice");
        // A page's own script (the upload form's XHR) does read it.
        let home = c.get(app.url("/")).header("sec-fetch-mode", "cors").send().await.unwrap();
        assert!(home.text().await.unwrap().contains("Vous êtes connecté."), "{}: the notice reaches the page", app.label);
        let (status, html) = page(&c, &app, "/profil").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Awa Diop"));

        // The same address again, from another browser: the same answer, and its owner is told.
        let other = browser();
        app.wait_for_mails("awa@example.sn", 1).await;
        let res = form(&other, &app, "/inscription", &fields).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(res.headers()["location"], "/connexion");
        app.wait_for_mails("awa@example.sn", 2).await;
        assert!(app.last_mail_to("awa@example.sn").unwrap().contains("Quelqu'un vient d'essayer de créer un compte"));

        // A second browser signs in; changing the password in the first ends the second.
        let res = form(&other, &app, "/connexion", &[("email", "awa@example.sn"), ("password", "motdepasse-1")]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(page(&other, &app, "/profil").await.0, StatusCode::OK);
        let res = form(&c, &app, "/profil/mot-de-passe", &[("current_password", "mauvais-mdp"), ("new_password", "nouveau-mdp-1")]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let res = form(&c, &app, "/profil/mot-de-passe", &[("current_password", "motdepasse-1"), ("new_password", "nouveau-mdp-1")]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(page(&c, &app, "/profil").await.0, StatusCode::OK, "this browser stays signed in");
        let res = other.get(app.url("/profil")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}: the other session ended", app.label);

        // Logging out deletes the session server-side: replaying the old cookie gets nothing.
        let replay = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let session_cookie = cookie.split(';').next().unwrap().to_owned();
        let res = form(&c, &app, "/connexion", &[("email", "awa@example.sn"), ("password", "nouveau-mdp-1")]).await;
        let signed_in = res.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
        assert_ne!(signed_in, session_cookie, "session id rotated at sign-in");
        let res = replay.get(app.url("/profil")).header("cookie", &signed_in).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let res = form(&c, &app, "/deconnexion", &[]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let res = replay.get(app.url("/profil")).header("cookie", &signed_in).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "old cookie no longer signs in");
        app.finish().await;
    }
}

#[tokio::test]
async fn cross_site_form_posts_are_refused() {
    let app = spawn(Db::Sqlite).await;
    let res = browser()
        .post(app.url("/connexion"))
        .header("origin", "https://evil.example")
        .form(&[("email", "a@b.sn"), ("password", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    app.finish().await;
}

#[tokio::test]
async fn only_admins_manage_users_and_the_last_admin_stays() {
    let app = spawn(Db::Sqlite).await;
    let admin = support::account(&app, "root@coko.test", "admin-secret", "admin").await;
    let reader = browser();
    form(
        &reader,
        &app,
        "/inscription",
        &[("name", "Lamine"), ("email", "lamine@example.sn"), ("password", "motdepasse-1"), ("country", "SN")],
    )
    .await;
    form(&reader, &app, "/connexion", &[("email", "lamine@example.sn"), ("password", "motdepasse-1")]).await;
    let (status, html) = page(&reader, &app, "/admin/utilisateurs").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("pas accès"));
    let (status, _) = page(&browser(), &app, "/admin/utilisateurs").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "guests are sent to sign in");

    let c = browser();
    form(&c, &app, "/connexion", &[("email", "root@coko.test"), ("password", "admin-secret")]).await;
    let (status, html) = page(&c, &app, "/admin/utilisateurs?q=lamine").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("lamine@example.sn"));
    assert_eq!(html.matches(r#"data-testid="user-row""#).count(), 1, "search narrows the list");
    let lamine = app.state.accounts.store().user_by_email("lamine@example.sn").await.unwrap().unwrap().user;
    let res = form(&c, &app, &format!("/admin/utilisateurs/{}/role", lamine.id), &[("role", "editor")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.state.accounts.user(&lamine.id).await.unwrap().role, domain::account::Role::Editor);
    let (_, html) = page(&c, &app, "/admin/journal?action=role_changed").await;
    assert!(html.contains("lamine@example.sn") && html.contains("Rôle modifié"), "role changes are in the audit journal");
    let res = form(&c, &app, &format!("/admin/utilisateurs/{}/role", admin.id), &[("role", "reader")]).await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "the last admin cannot demote themselves");
    app.finish().await;
}

#[tokio::test]
async fn admins_see_failed_jobs_and_give_them_a_new_run() {
    use domain::jobs::{JobStore, NewJob};
    use domain::store::UnitOfWork;
    for db in backends() {
        let app = spawn(db).await;
        let admin = signed_in(&app, "admin-jobs@coko.test", "admin").await;
        let reader = signed_in(&app, "lecteur-jobs@coko.test", "reader").await;
        // A job that failed its last attempt (a queue nobody in this server handles).
        let store = app.state.store.clone();
        let mut tx = store.begin().await.unwrap();
        let job = NewJob { max_attempts: 1, ..NewJob::now("test.mail", "mail-42", serde_json::json!({})) };
        store.enqueue(&mut tx, &job).await.unwrap();
        tx.commit().await.unwrap();
        let now = domain::clock::now_ms();
        let claimed = store.claim_jobs(&[("test.mail", std::time::Duration::from_secs(60))], "w", now, 1).await.unwrap().remove(0);
        store.fail_job(&claimed.id, "w", "SMTP 554: relay refused <b>x</b>", None, now).await.unwrap();

        let res = reader.get(app.url("/admin/taches")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{}: admins only", app.label);
        let res = support::browser().get(app.url("/admin/taches")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}: signed out, sent to sign in", app.label);
        assert_eq!(res.headers()["location"], "/connexion?next=/admin/taches");
        let res = support::browser().post(app.url("/admin/taches/anything/relancer")).send().await.unwrap();
        assert_eq!(res.headers()["location"], "/connexion?next=/admin/taches/anything/relancer", "nothing retried signed out");
        let page = admin.get(app.url("/admin/taches")).send().await.unwrap().text().await.unwrap();
        assert!(
            page.contains("mail-42") && page.contains("SMTP 554: relay refused &lt;b&gt;x&lt;/b&gt;"),
            "{}: listed, escaped",
            app.label
        );
        let retry = format!("/admin/taches/{}/relancer", claimed.id);
        assert!(page.contains(&format!("action=\"{retry}\"")));
        assert_eq!(reader.post(app.url(&retry)).send().await.unwrap().status(), StatusCode::FORBIDDEN);
        let res = admin.post(app.url(&retry)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", app.label);
        let page = admin.get(app.url("/admin/taches")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Tâche relancée") && !page.contains("mail-42"), "{}: a notice, and off the list", app.label);
        assert_eq!(admin.post(app.url(&retry)).send().await.unwrap().status(), StatusCode::NOT_FOUND, "only a dead job runs again");
        app.finish().await;
    }
}
