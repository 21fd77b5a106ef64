//! Buying a book, as pages, against the real server with no provider configured: the pages
//! say so and refuse a forged choice (the Wave flow is in `wave_sandbox.rs`).

mod support;

use reqwest::StatusCode;
use support::{backends, client, signed_in, spawn};

#[tokio::test]
async fn a_paid_book_offers_buy_and_the_purchase_pages_answer() {
    for db in backends() {
        let app = spawn(db).await;
        let paid = support::import(&app, "epub/trees.epub", true).await;
        support::set_price(&app, &paid.id, 1500).await;
        let reader = signed_in(&app, "acheteuse@coko.test", "reader").await;

        let html = reader.get(app.url(&format!("/livres/{}", paid.id))).send().await.unwrap().text().await.unwrap();
        assert!(html.contains(&format!("href=\"/livres/{}/acheter\"", paid.id)), "{}: a buy link", app.label);
        assert!(html.contains("Acheter — 1\u{202f}500\u{a0}FCFA") || html.contains("Acheter — 1\u{a0}500\u{a0}FCFA"), "{}", app.label);
        assert!(!html.contains("data-testid=\"read-button\""), "{}: no read button before paying", app.label);

        let res = reader.get(app.url(&format!("/livres/{}/acheter", paid.id))).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{}", app.label);
        assert!(res.text().await.unwrap().contains("Aucun moyen de paiement n'est disponible"));
        // A provider that is not offered is refused on its field, and nothing is stored.
        let url = app.url(&format!("/livres/{}/acheter", paid.id));
        let res = reader.post(&url).form(&[("provider", "wave"), ("phone", "+221771234567")]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{}", app.label);
        let res = reader.get(app.url("/achats")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.text().await.unwrap().contains("Aucun achat pour l'instant."));
        assert_eq!(reader.get(app.url("/achats/nope")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
        let res = client().get(app.url("/achats")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}: signed out, sent to sign in", app.label);
        app.finish().await;
    }
}
