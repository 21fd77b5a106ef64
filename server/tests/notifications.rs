//! Notifications against the real server on both databases: the REST inbox, marking read,
//! preferences with their errors, the bell and the pages, and the one-click unsubscribe a mail
//! client posts (RFC 8058) without anyone signed in.

mod support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{backends, bearer, client, spawn};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_the_preferences_and_unsubscribing_work_over_rest_and_pages() {
    for db in backends() {
        let app = spawn(db).await;
        let email = "admin-notif@coko.test";
        let token = bearer(&app, email, "admin").await;
        let api = |path: &str| app.url(&format!("/api/v1/notifications/{path}"));
        let c = client();

        // Nothing yet; signed out: refused.
        let body: Value = c.get(api("")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        assert_eq!(body, json!({"notifications": [], "unread": 0}), "{}", app.label);
        assert_eq!(c.get(api("")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);

        // "Send me a test" (admins only), in the payments category: in the app and by mail.
        let res = c.post(api("test/")).bearer_auth(&token).json(&json!({"category": "payments"})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::ACCEPTED, "{}", app.label);
        let reader = bearer(&app, "lectrice-notif@coko.test", "reader").await;
        let res = c.post(api("test/")).bearer_auth(&reader).json(&json!({})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = c.post(api("test/")).bearer_auth(&token).json(&json!({"category": "weather"})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["error"]["details"]["field"], "category", "{err}");
        app.settle().await;
        app.wait_for_mails(email, 1).await;

        let body: Value = c.get(api("")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        assert_eq!(body["unread"], 1, "{}: {body}", app.label);
        let n = &body["notifications"][0];
        assert_eq!(
            (n["kind"].as_str(), n["title"].as_str(), n["category"].as_str()),
            (Some("test"), Some("Message d'essai"), Some("payments"))
        );
        assert!(n["read_at"].is_null() && n["id"].is_string());
        // The mail: HTML and text, one-click unsubscribe.
        let mail = app.last_mail_to(email).unwrap();
        assert!(mail.contains("Subject: Message d'essai") && mail.contains("multipart/alternative"), "{mail}");
        assert!(mail.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
        let one_click = mail.split("List-Unsubscribe: <").nth(1).and_then(|r| r.split('>').next()).unwrap().to_owned();
        assert!(one_click.contains("/api/v1/notifications/unsubscribe/?t="), "{one_click}");
        let log: Value = c.get(api("deliveries/?all=1")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        assert_eq!(log["deliveries"][0]["state"], "sent", "{}: {log}", app.label);
        assert_eq!(log["deliveries"][0]["recipient"], email);
        assert_eq!(c.get(api("deliveries/?all=1")).bearer_auth(&reader).send().await.unwrap().status(), StatusCode::FORBIDDEN);

        // Marking read: refused without ids, then all.
        let res = c.post(api("read/")).bearer_auth(&token).json(&json!({})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let err: Value = res.json().await.unwrap();
        assert_eq!((err["error"]["code"].as_str(), err["error"]["details"]["field"].as_str()), (Some("VALIDATION_ERROR"), Some("ids")));
        let res: Value = c.post(api("read/")).bearer_auth(&token).json(&json!({"all": true})).send().await.unwrap().json().await.unwrap();
        assert_eq!(res, json!({"marked": 1, "unread": 0}), "{}", app.label);

        // Preferences: defaults, a change, a refusal naming its field.
        let prefs: Value = c.get(api("preferences/")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        assert_eq!(prefs["preferences"]["time_zone"], "Africa/Dakar", "{prefs}");
        // Web Push needs no provider account (Coko signs with its own VAPID key): always offered.
        assert_eq!(prefs["channels"], json!(["in_app", "email", "push"]));
        let locked = prefs["preferences"]["cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["category"] == "account" && c["channel"] == "email")
            .unwrap();
        assert_eq!((locked["enabled"].as_bool(), locked["locked"].as_bool()), (Some(true), Some(true)));
        let change = json!({"cells": [{"category": "news", "channel": "email", "enabled": true}], "quiet_hours": {"start": 22, "end": 7}, "time_zone": "Africa/Abidjan"});
        let res = c.put(api("preferences/")).bearer_auth(&token).json(&change).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{}", app.label);
        let saved: Value = res.json().await.unwrap();
        assert_eq!(saved["preferences"]["quiet_hours"], json!({"start": 22, "end": 7}));
        assert_eq!(saved["preferences"]["time_zone"], "Africa/Abidjan");
        let bad = json!({"time_zone": "Mars/Olympus"});
        let res = c.put(api("preferences/")).bearer_auth(&token).json(&bad).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let err: Value = res.json().await.unwrap();
        assert_eq!(
            (err["error"]["details"]["field"].as_str(), err["error"]["details"]["reason"].as_str()),
            (Some("time_zone"), Some("unknown"))
        );
        let res = c.put(api("preferences/")).bearer_auth(&token).json(&json!({"quiet_hours": null})).send().await.unwrap();
        let cleared: Value = res.json().await.unwrap();
        assert!(cleared["preferences"]["quiet_hours"].is_null(), "{cleared}");
        assert_eq!(cleared["preferences"]["time_zone"], "Africa/Abidjan", "absent fields are kept");

        // The mail client's one-click POST: no session, no token but the link's.
        let path = one_click.split_once("/api/v1").map(|(_, p)| format!("/api/v1{p}")).unwrap();
        let res = c
            .post(app.url(&path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{}", app.label);
        assert_eq!(res.json::<Value>().await.unwrap(), json!({"unsubscribed": true}));
        let prefs: Value = c.get(api("preferences/")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        let cell = prefs["preferences"]["cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["category"] == "payments" && c["channel"] == "email")
            .unwrap();
        assert_eq!(cell["enabled"], false, "{}", app.label);
        let res = c.post(api("unsubscribe/?t=forged&c=payments")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);

        // Pages: the bell counts, the inbox shows, the preferences form refuses with its field.
        c.post(api("test/")).bearer_auth(&token).json(&json!({"category": "payments"})).send().await.unwrap();
        app.settle().await;
        let browser = support::browser();
        let res = browser.post(app.url("/connexion")).form(&[("email", email), ("password", "motdepasse-1")]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let home = browser.get(app.url("/catalogue")).send().await.unwrap().text().await.unwrap();
        let bell =
            |html: &str| html.split("data-testid=\"bell\"").nth(1).and_then(|b| b.split("</a>").next()).unwrap_or_default().to_owned();
        assert!(
            bell(&home).contains("data-testid=\"bell-count\"") && bell(&home).contains(">1</span>"),
            "{}: the bell counts one",
            app.label
        );
        assert!(home.contains("aria-label=\"Notifications : 1 non lue\""));
        let inbox = browser.get(app.url("/notifications")).send().await.unwrap().text().await.unwrap();
        assert!(
            inbox.contains("data-unread=\"true\"") && inbox.contains("Message d&#x27;essai") || inbox.contains("Message d'essai"),
            "{}",
            app.label
        );
        let res = browser
            .post(app.url("/profil/notifications"))
            .form(&[("quiet", "on"), ("quiet_start", "25"), ("quiet_end", "7"), ("time_zone", "UTC")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{}", app.label);
        assert!(res.text().await.unwrap().contains("href=\"#quiet_start\""), "the error summary names the field");
        let res = browser.post(app.url("/notifications/lues")).form(&[("all", "1")]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let home = browser.get(app.url("/catalogue")).send().await.unwrap().text().await.unwrap();
        assert!(!bell(&home).contains("bell-count"), "{}: read, the bell is quiet", app.label);
        let admin = browser.get(app.url("/admin/notifications")).send().await.unwrap().text().await.unwrap();
        assert!(admin.contains("data-testid=\"delivery\" data-state=\"sent\""), "{}", app.label);
        // The unsubscribe page asks before it acts (a GET changes nothing).
        let page = format!("/notifications/desabonnement?{}", path.split_once('?').unwrap().1);
        assert_eq!(client().get(app.url(&page)).send().await.unwrap().status(), StatusCode::OK);
        assert_eq!(client().get(app.url("/notifications/desabonnement?t=forged")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
        app.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follows_and_broadcasts_over_rest_and_forms() {
    for db in backends() {
        let app = spawn(db).await;
        let c = client();
        let book = support::import(&app, "epub/moby-dick.epub", false).await;
        let author = book.authors[0].id.clone();
        let reader = bearer(&app, "suiveuse@coko.test", "reader").await;
        let api = |path: &str| app.url(&format!("/api/v1/follows/{path}"));

        // Signed out: refused. Unknown kinds and authors: named.
        assert_eq!(c.get(api("")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED, "{}", app.label);
        assert_eq!(c.put(api(&format!("author/{author}/"))).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
        let res = c.put(api("planet/x/")).bearer_auth(&reader).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["error"]["details"]["field"], "kind", "{err}");
        assert_eq!(c.put(api("author/nobody/")).bearer_auth(&reader).send().await.unwrap().status(), StatusCode::NOT_FOUND);

        // Followed, twice (once), listed, let go.
        let res: Value = c.put(api(&format!("author/{author}/"))).bearer_auth(&reader).send().await.unwrap().json().await.unwrap();
        assert_eq!(res, json!({"following": true, "changed": true}), "{}", app.label);
        let res: Value = c.put(api(&format!("author/{author}/"))).bearer_auth(&reader).send().await.unwrap().json().await.unwrap();
        assert_eq!(res["changed"], false);
        let list: Value = c.get(api("")).bearer_auth(&reader).send().await.unwrap().json().await.unwrap();
        assert_eq!(list["follows"][0]["kind"], "author", "{list}");
        assert_eq!(list["follows"][0]["name"], book.authors[0].name.as_str());

        // Published: the follower hears of it in the app.
        support::set_price(&app, &book.id, 0).await;
        app.settle().await;
        let inbox: Value = c.get(app.url("/api/v1/notifications/")).bearer_auth(&reader).send().await.unwrap().json().await.unwrap();
        assert_eq!(inbox["notifications"][0]["kind"], "new_book", "{}: {inbox}", app.label);
        assert_eq!(inbox["notifications"][0]["link"], format!("/livres/{}", book.id));
        let res: Value = c.delete(api(&format!("author/{author}/"))).bearer_auth(&reader).send().await.unwrap().json().await.unwrap();
        assert_eq!(res, json!({"following": false, "changed": true}));

        // The page's button, as a form: follows and comes back.
        let browser = support::signed_in(&app, "lecteur-page@coko.test", "reader").await;
        let page = browser.get(app.url(&format!("/auteurs/{author}"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains(r#"action="/suivis""#) && page.contains(r#"aria-pressed="false""#), "{}", app.label);
        let next = format!("/auteurs/{author}");
        let res = browser
            .post(app.url("/suivis"))
            .form(&[("kind", "author"), ("id", author.as_str()), ("following", "true"), ("next", next.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(res.headers()["location"], next.as_str());
        let page = browser.get(app.url(&next)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains(r#"aria-pressed="true""#), "{}", app.label);
        let prefs = browser.get(app.url("/profil/notifications")).send().await.unwrap().text().await.unwrap();
        assert!(prefs.contains(r#"data-testid="follow-item""#));

        // Broadcasts: readers may not; an admin counts, then sends.
        let res = browser.post(app.url("/admin/notifications/annonce")).form(&[("title", "x"), ("body", "y")]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{}", app.label);
        let admin = support::signed_in(&app, "diffuseuse@coko.test", "admin").await;
        let fields = [("title", "Nouveautés"), ("body", "Dix livres."), ("country", "sn"), ("language", ""), ("plan", "")];
        let res = admin
            .post(app.url("/admin/notifications/annonce"))
            .form(&[&fields[..], &[("action", "preview")][..]].concat())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let page = res.text().await.unwrap();
        assert!(page.contains(r#"data-testid="broadcast-reach""#) && page.contains(r#"value="SN||""#), "{}", app.label);
        // Sent with another segment than the one counted: counted again, not sent.
        let moved = [&fields[..], &[("action", "send"), ("counted", "CI||")][..]].concat();
        let page = admin.post(app.url("/admin/notifications/annonce")).form(&moved).send().await.unwrap().text().await.unwrap();
        assert!(page.contains(r#"data-testid="broadcast-reach""#));
        let send = [&fields[..], &[("action", "send"), ("counted", "SN||")][..]].concat();
        let res = admin.post(app.url("/admin/notifications/annonce")).form(&send).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", app.label);
        app.settle().await;
        let inbox: Value = c.get(app.url("/api/v1/notifications/")).bearer_auth(&reader).send().await.unwrap().json().await.unwrap();
        let kinds: Vec<&str> = inbox["notifications"].as_array().unwrap().iter().filter_map(|n| n["kind"].as_str()).collect();
        assert_eq!(kinds.iter().filter(|k| **k == "broadcast").count(), 1, "{}: {inbox}", app.label);
        // A refused one names its field.
        let res = admin
            .post(app.url("/admin/notifications/annonce"))
            .form(&[("title", ""), ("body", "Dix livres."), ("action", "preview")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.unwrap().contains(r##"href="#title""##));
        app.finish().await;
    }
}
