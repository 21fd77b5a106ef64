//! Reviews against the real server on both databases: REST (`/api/v1/community/`) and the book
//! page's forms on the same service — a new account's review held until a moderator publishes
//! it, one review per reader and book (409), field errors, the book's `stats`, helpful votes,
//! hiding with a reason the author is told, deleting, and who may do what (401/403).

mod support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{backends, bearer, client, import, signed_in, spawn};

/// Makes an account a month old: its reviews no longer wait for a moderator.
async fn age_account(app: &support::TestApp, email: &str) {
    let month_ago = domain::clock::now_ms() - 30 * 86_400_000;
    app.state.store.execute_raw(&format!("UPDATE users SET created_at = {month_ago} WHERE email = '{email}'")).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reviews_over_rest_and_forms() {
    for db in backends() {
        let app = spawn(db).await;
        let book = import(&app, "epub/moby-dick.epub", true).await;
        let c = client();
        let reviews = app.url(&format!("/api/v1/community/books/{}/reviews/", book.id));
        let reader = bearer(&app, "lectrice-avis@coko.test", "reader").await;
        let moderator = bearer(&app, "moderatrice@coko.test", "moderator").await;

        // Signed out: reading is open, writing is not.
        let empty: Value = c.get(&reviews).send().await.unwrap().json().await.unwrap();
        assert_eq!((empty["count"].as_u64(), empty["average"].is_null()), (Some(0), true), "{}: {empty}", app.label);
        let res = c.post(&reviews).json(&json!({"rating": 4})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        // A bad token is refused, never read as "signed out".
        assert_eq!(c.get(&reviews).bearer_auth("nonsense").send().await.unwrap().status(), StatusCode::UNAUTHORIZED);

        // A new account's review waits for a moderator; script never survives.
        let res = c
            .post(&reviews)
            .bearer_auth(&reader)
            .json(&json!({"rating": 4, "title": "Immense", "body": "La **baleine** <script>alert(1)</script>"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED, "{}", app.label);
        let held: Value = res.json().await.unwrap();
        assert_eq!(held["status"], "pending", "{held}");
        let html = held["body_html"].as_str().unwrap();
        assert!(html.contains("<strong>baleine</strong>") && html.contains("&lt;script&gt;") && !html.contains("<script"), "{html}");
        let id = held["id"].as_str().unwrap().to_owned();
        let res = c.post(&reviews).bearer_auth(&reader).json(&json!({"rating": 2})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::CONFLICT);
        assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "ALREADY_REVIEWED");
        let res = c.post(&reviews).bearer_auth(&moderator).json(&json!({"rating": 9})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let err: Value = res.json().await.unwrap();
        assert_eq!(
            (err["error"]["details"]["field"].as_str(), err["error"]["details"]["reason"].as_str()),
            (Some("rating"), Some("out_of_range"))
        );
        let visitor: Value = c.get(&reviews).send().await.unwrap().json().await.unwrap();
        assert_eq!(visitor["count"], 0, "held: not counted");
        let own: Value = c.get(&reviews).bearer_auth(&reader).send().await.unwrap().json().await.unwrap();
        assert_eq!(own["mine"]["status"], "pending");

        // The moderators' queue: theirs only.
        let queue = app.url("/api/v1/community/moderation/queue/");
        assert_eq!(c.get(&queue).bearer_auth(&reader).send().await.unwrap().status(), StatusCode::FORBIDDEN);
        assert_eq!(c.get(&queue).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
        let q: Value = c.get(&queue).bearer_auth(&moderator).send().await.unwrap().json().await.unwrap();
        assert_eq!(q["reviews"][0]["review"]["id"], id.as_str(), "{q}");
        let decide = app.url(&format!("/api/v1/community/moderation/reviews/{id}/"));
        let res = c.post(&decide).bearer_auth(&moderator).json(&json!({"decision": "publish"})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let page: Value = c.get(&reviews).send().await.unwrap().json().await.unwrap();
        assert_eq!((page["count"].as_u64(), page["average"].as_f64()), (Some(1), Some(4.0)), "{}: {page}", app.label);
        let detail: Value = c.get(app.url(&format!("/api/v1/catalog/books/{}/", book.id))).send().await.unwrap().json().await.unwrap();
        assert_eq!((detail["stats"]["rating"].as_f64(), detail["stats"]["reviewCount"].as_u64()), (Some(4.0), Some(1)), "{detail}");

        // The book page's form, for a reader of a month: published at once; the page shows it.
        let web = signed_in(&app, "ancien@coko.test", "reader").await;
        age_account(&app, "ancien@coko.test").await;
        let form = app.url(&format!("/livres/{}/avis", book.id));
        let res = web.post(&form).form(&[("title", "Sans note")]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "no rating");
        let refused = res.text().await.unwrap();
        assert!(refused.contains("href=\"#rating\"") && refused.contains("Sans note"), "the error links to its field, the title is kept");
        let res = web.post(&form).form(&[("rating", "5"), ("body", "Un *chef-d'œuvre*."), ("spoiler", "1")]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", app.label);
        let html = web.get(app.url(&format!("/livres/{}", book.id))).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Votre avis est publié."), "the notice");
        assert!(html.contains("4,5 sur 5 (2 avis)"), "the average and count");
        assert!(html.contains("<em>chef-d’œuvre</em>") || html.contains("<em>chef-d'œuvre</em>"), "rendered Markdown");
        assert!(
            html.contains("Cet avis révèle l'intrigue") || html.contains("Cet avis révèle l&#x27;intrigue"),
            "behind the spoiler warning"
        );
        // Changed from the same form (one review per reader and book).
        let res = web.post(&form).form(&[("rating", "3"), ("body", "Finalement, long.")]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let page: Value = c.get(&reviews).send().await.unwrap().json().await.unwrap();
        assert_eq!((page["count"].as_u64(), page["average"].as_f64()), (Some(2), Some(3.5)));

        // Helpful: from the page, never one's own.
        let res = web.post(app.url(&format!("/avis/{id}/utile"))).form(&[("helpful", "true")]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let one: Value = c.get(app.url(&format!("/api/v1/community/reviews/{id}/"))).send().await.unwrap().json().await.unwrap();
        assert_eq!(one["helpful"], 1, "{one}");
        let own_vote = c.put(app.url(&format!("/api/v1/community/reviews/{id}/helpful/"))).bearer_auth(&reader).send().await.unwrap();
        assert_eq!(own_vote.status(), StatusCode::FORBIDDEN);

        // Hidden with a reason: required; the author is told.
        let res = c.post(&decide).bearer_auth(&moderator).json(&json!({"decision": "hide", "reason": " "})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let res = c.post(&decide).bearer_auth(&moderator).json(&json!({"decision": "hide", "reason": "Hors sujet"})).send().await.unwrap();
        assert_eq!(res.json::<Value>().await.unwrap()["status"], "hidden");
        app.settle().await;
        let inbox: Value = c.get(app.url("/api/v1/notifications/")).bearer_auth(&reader).send().await.unwrap().json().await.unwrap();
        let hidden = inbox["notifications"].as_array().unwrap().iter().find(|n| n["kind"] == "review_hidden").cloned();
        assert!(hidden.is_some_and(|n| n["body"].as_str().unwrap().contains("Hors sujet")), "{}: {inbox}", app.label);
        assert_eq!(c.get(app.url(&format!("/api/v1/community/reviews/{id}/"))).send().await.unwrap().status(), StatusCode::NOT_FOUND);

        // Deleting: not someone else's (unless a moderator), one's own.
        let other = bearer(&app, "autre-avis@coko.test", "reader").await;
        let one = app.url(&format!("/api/v1/community/reviews/{id}/"));
        assert_eq!(c.delete(&one).bearer_auth(&other).send().await.unwrap().status(), StatusCode::NOT_FOUND, "hidden: not even seen");
        assert_eq!(c.delete(&one).bearer_auth(&reader).send().await.unwrap().status(), StatusCode::NO_CONTENT);
        assert_eq!(c.get(&one).bearer_auth(&reader).send().await.unwrap().status(), StatusCode::NOT_FOUND);
        app.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_over_rest_and_the_moderation_page() {
    for db in backends() {
        let app = spawn(db).await;
        let book = import(&app, "epub/moby-dick.epub", true).await;
        let c = client();
        let author = bearer(&app, "auteur-avis@coko.test", "reader").await;
        age_account(&app, "auteur-avis@coko.test").await;
        let res = c
            .post(app.url(&format!("/api/v1/community/books/{}/reviews/", book.id)))
            .bearer_auth(&author)
            .json(&json!({"rating": 1, "body": "Achetez sur http://spam.example"}))
            .send()
            .await
            .unwrap();
        let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
        let reports = app.url("/api/v1/community/reports/");

        // Signed out: refused; a reason nobody knows: which field.
        let body = json!({"target_kind": "review", "target_id": id, "reason": "spam", "note": "un lien de pub"});
        assert_eq!(c.post(&reports).json(&body).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
        let reader = bearer(&app, "rapporteuse@coko.test", "reader").await;
        let res = c
            .post(&reports)
            .bearer_auth(&reader)
            .json(&json!({"target_kind": "review", "target_id": id, "reason": "ennui"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(res.json::<Value>().await.unwrap()["error"]["details"]["field"], "reason");
        assert_eq!(c.post(&reports).bearer_auth(&author).json(&body).send().await.unwrap().status(), StatusCode::FORBIDDEN, "one's own");
        let res = c.post(&reports).bearer_auth(&reader).json(&body).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::CREATED, "{}", app.label);
        let res = c.post(&reports).bearer_auth(&reader).json(&body).send().await.unwrap();
        assert_eq!(
            (res.status(), res.json::<Value>().await.unwrap()["reported"].as_bool()),
            (StatusCode::OK, Some(false)),
            "twice is once"
        );

        // A reader reports from the book page too (a form): merged into the same flag.
        let web = signed_in(&app, "lecteur-signale@coko.test", "reader").await;
        let form = [("target_kind", "review"), ("target_id", id.as_str()), ("reason", "offensive"), ("note", ""), ("next", "/catalogue")];
        let res = web.post(app.url("/signalements")).form(&form).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);

        // The queue: moderators only; the flag merged both, reasons counted.
        let moderator = bearer(&app, "moderateur@coko.test", "moderator").await;
        let queue = app.url("/api/v1/community/moderation/queue/");
        assert_eq!(c.get(&queue).bearer_auth(&reader).send().await.unwrap().status(), StatusCode::FORBIDDEN);
        let q: Value = c.get(&queue).bearer_auth(&moderator).send().await.unwrap().json().await.unwrap();
        let flag = &q["flags"][0];
        assert_eq!(
            (flag["reports"].as_u64(), flag["score"].as_i64(), flag["review"]["id"].as_str()),
            (Some(2), Some(200), Some(id.as_str())),
            "{}: {q}",
            app.label
        );
        assert_eq!(flag["notes"], json!(["un lien de pub"]));

        // The moderation page shows it; hidden from there with a reason, the author is told.
        let page = signed_in(&app, "moderatrice-page@coko.test", "moderator").await;
        let html = page.get(app.url("/moderation")).send().await.unwrap().text().await.unwrap();
        assert!(
            html.contains("Signalements") && html.contains("un lien de pub") && html.contains("Publicité ou spam × 1"),
            "{}",
            app.label
        );
        let decide = app.url(&format!("/moderation/signalements/review/{id}"));
        let res = page.post(&decide).form(&[("decision", "hide"), ("reason", "")]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "a reason is required to hide");
        let res = page.post(&decide).form(&[("decision", "hide"), ("reason", "Publicité")]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let q: Value = c.get(&queue).bearer_auth(&moderator).send().await.unwrap().json().await.unwrap();
        assert_eq!(q["flags"], json!([]), "decided");
        let res = c
            .post(app.url(&format!("/api/v1/community/moderation/flags/review/{id}/")))
            .bearer_auth(&moderator)
            .json(&json!({"decision": "reject"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "nothing pending any more");
        app.settle().await;
        let inbox: Value = c.get(app.url("/api/v1/notifications/")).bearer_auth(&author).send().await.unwrap().json().await.unwrap();
        assert!(inbox["notifications"].as_array().unwrap().iter().any(|n| n["kind"] == "review_hidden"), "{inbox}");

        // The public log, for anyone: the decision and its reason, nobody's name.
        let html = client().get(app.url("/moderation/journal")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Avis masqué") && html.contains("Raison : Publicité"), "{}", app.label);
        assert!(!html.contains("Éditrice") && !html.contains("moderatrice-page"), "no names");
        // Watched words over REST: moderators only; a review that uses one is in the queue.
        let word = app.url("/api/v1/community/moderation/words/fr/arnaque/");
        assert_eq!(c.put(&word).bearer_auth(&reader).send().await.unwrap().status(), StatusCode::FORBIDDEN);
        let res: Value = c.put(&word).bearer_auth(&moderator).send().await.unwrap().json().await.unwrap();
        assert_eq!(res, json!({"watching": true, "changed": true}));
        let words: Value =
            c.get(app.url("/api/v1/community/moderation/words/")).bearer_auth(&moderator).send().await.unwrap().json().await.unwrap();
        assert_eq!(words["words"], json!([{"language": "fr", "word": "arnaque"}]));
        let res = c
            .post(app.url(&format!("/api/v1/community/books/{}/reviews/", book.id)))
            .bearer_auth(&moderator)
            .json(&json!({"rating": 1, "body": "Une Arnaque."}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let q: Value = c.get(&queue).bearer_auth(&moderator).send().await.unwrap().json().await.unwrap();
        assert_eq!(q["flags"][0]["reasons"], json!([["watched_word", 1]]), "{}: {q}", app.label);

        let log: Value = c.get(app.url("/api/v1/community/moderation/log/")).send().await.unwrap().json().await.unwrap();
        assert_eq!(
            (log["entries"][0]["action"].as_str(), log["entries"][0]["reason"].as_str()),
            (Some("hidden"), Some("Publicité")),
            "{log}"
        );
        app.finish().await;
    }
}
