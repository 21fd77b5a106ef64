//! Texts end to end: the real server against Africa's Talking's sandbox (`coko payment-sandbox`,
//! a separate process on loopback that follows the SMS API's contract), over HTTP both ways —
//! the form-encoded send with its `apiKey`, the per-recipient status codes, and the unsigned
//! delivery reports posted back to the secret callback URL. A reader proves a number with the
//! code sent to it (from the preferences page), turns payments on for SMS over REST, and a
//! receipt reaches the phone once and is reported delivered; numbers that are blacklisted or
//! inactive, a forged report and a provider outage each end as they should.

mod support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;
use support::sandbox::Sandbox;
use support::{backends, client, signed_in, spawn_with, TestApp};

const TOKEN: &str = "sms-reports-0123456789abcdef";

async fn app_with(db: support::Db, sandbox: &Sandbox) -> TestApp {
    let vars = [
        ("COKO_AFRICASTALKING_USERNAME", "sandbox"),
        ("COKO_AFRICASTALKING_API_KEY", "atsk_sandbox"),
        ("COKO_AFRICASTALKING_BASE_URL", sandbox.base.as_str()),
        ("COKO_SMS_REPORT_TOKEN", TOKEN),
        ("COKO_PAYMENT_TIMEOUT_MS", "1500"),
    ];
    let app = spawn_with(db, &vars).await;
    let reports = app.url(&format!("/api/v1/notifications/sms/reports/{TOKEN}/"));
    sandbox.put("/_sandbox/africastalking/webhook", json!({ "url": reports })).await;
    app
}

async fn texts(sandbox: &Sandbox) -> Vec<Value> {
    let v: Value = client().get(sandbox.url("/_sandbox/africastalking/messages")).send().await.unwrap().json().await.unwrap();
    v["messages"].as_array().unwrap().clone()
}

/// The texts sent to `to`, once there are `n` of them.
async fn texts_to(sandbox: &Sandbox, to: &str, n: usize) -> Vec<Value> {
    for _ in 0..300 {
        let got: Vec<Value> = texts(sandbox).await.into_iter().filter(|m| m["to"] == to).collect();
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("fewer than {n} texts to {to}: {:?}", texts(sandbox).await)
}

fn code_in(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6).expect("a six-digit code").to_owned()
}

/// A reader signed in (pages) with an access token (REST), whose number `number` is proved
/// through the preferences page.
async fn reader_with_number(app: &TestApp, sandbox: &Sandbox, email: &str, number: &str) -> (reqwest::Client, String) {
    let browser = signed_in(app, email, "reader").await;
    let res = browser.post(app.url("/profil/notifications/telephone")).form(&[("sms_phone", number)]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", app.label);
    let compact: String = number.chars().filter(|c| !c.is_whitespace()).collect();
    let code = code_in(texts_to(sandbox, &compact, 1).await[0]["message"].as_str().unwrap());
    let res = browser.post(app.url("/profil/notifications/telephone/code")).form(&[("sms_code", code.as_str())]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", app.label);
    let login: Value = client()
        .post(app.url("/api/v1/auth/login/"))
        .json(&json!({"email": email, "password": "motdepasse-1"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["access_token"].as_str().unwrap().to_owned();
    let res = client()
        .put(app.url("/api/v1/notifications/preferences/"))
        .bearer_auth(&token)
        .json(&json!({"cells": [{"category": "payments", "channel": "sms", "enabled": true}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    (browser, token)
}

fn receipt(user_id: &str, source: &str) -> domain::notification::Notice {
    let params = json!({"item": "book", "title": "La Route de Kankan", "amount": 1500, "currency": "XOF", "provider": "Wave"});
    domain::notification::Notice {
        user_id: user_id.into(),
        category: domain::notification::Category::Payments,
        kind: domain::notification::Kind::PaymentReceipt,
        params: params.as_object().cloned().unwrap(),
        link: Some("/achats".into()),
        source: source.into(),
        pace: None,
    }
}

/// The reader's SMS deliveries over REST, once the newest is in `state`.
async fn sms_delivery(app: &TestApp, token: &str, kind: &str, state: &str) -> Value {
    let mut last = Value::Null;
    for _ in 0..300 {
        let v: Value =
            client().get(app.url("/api/v1/notifications/deliveries/")).bearer_auth(token).send().await.unwrap().json().await.unwrap();
        last = v["deliveries"].as_array().unwrap().iter().find(|d| d["channel"] == "sms" && d["kind"] == kind).cloned().unwrap_or_default();
        if last["state"] == state {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{}: no {kind} SMS {state}: {last}", app.label)
}

#[tokio::test]
async fn a_proved_number_gets_its_texts_once_and_their_reports_settle_them() {
    for db in backends() {
        let sandbox = Sandbox::start();
        let app = app_with(db, &sandbox).await;

        // The page offers texts; a number without its country code is refused on its field.
        let browser = signed_in(&app, "sms-essai@coko.test", "reader").await;
        let page = browser.get(app.url("/profil/notifications")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("data-testid=\"sms-phone\""), "{}", app.label);
        let res = browser.post(app.url("/profil/notifications/telephone")).form(&[("sms_phone", "77 555 12 34")]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = res.text().await.unwrap();
        assert!(
            page.contains("id=\"sms_phone-error\"") && page.contains("value=\"77 555 12 34\""),
            "the field says why and keeps what was typed"
        );
        // A wrong code is refused on its field; asked again at once, a minute to wait.
        browser.post(app.url("/profil/notifications/telephone")).form(&[("sms_phone", "+221 77 555 00 01")]).send().await.unwrap();
        let code = code_in(texts_to(&sandbox, "+221775550001", 1).await[0]["message"].as_str().unwrap());
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let res = browser.post(app.url("/profil/notifications/telephone/code")).form(&[("sms_code", wrong)]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.unwrap().contains("id=\"sms_code-error\""));
        let res =
            browser.post(app.url("/profil/notifications/telephone")).form(&[("sms_phone", "+221 77 555 00 02")]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);

        // Proved, allowed for payments: a receipt handed over twice is one text, reported delivered.
        let (browser, token) = reader_with_number(&app, &sandbox, "sms-lectrice@coko.test", "+221 77 555 12 34").await;
        let page = browser.get(app.url("/profil/notifications")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("data-testid=\"sms-phone-verified\"") && page.contains("+221775551234"), "{}", app.label);
        let user = app.state.accounts.verified_user_by_email("sms-lectrice@coko.test").await.unwrap();
        let phone: Value =
            client().get(app.url("/api/v1/notifications/phone/")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        assert_eq!(phone, json!({"phone": {"number": "+221775551234", "verified": true}, "sms": true}));
        app.state.notifications.notify(&receipt(&user.id, "receipt:sms-1")).await.unwrap();
        app.state.notifications.notify(&receipt(&user.id, "receipt:sms-1")).await.unwrap();
        let d = sms_delivery(&app, &token, "payment_receipt", "delivered").await;
        assert_eq!(d["address"], "+221775551234");
        assert_eq!(d["answer"], "report: Success");
        let sent = texts_to(&sandbox, "+221775551234", 2).await;
        assert_eq!(sent.len(), 2, "{}: the code and one receipt", app.label);
        let text = sent[1]["message"].as_str().unwrap();
        assert!(text.starts_with("Coko: Paiement confirmé : La Route de Kankan.") && text.contains("/achats"), "{text}");
        assert_eq!((sent[1]["encoding"].as_str(), sent[1]["parts"].as_u64()), (Some("GSM-7"), Some(1)), "{text}");

        // Reports: a wrong token is 404; another number's report about this message is dropped.
        let id = sent[1]["id"].as_str().unwrap().to_owned();
        let forged = [("id", id.as_str()), ("status", "Failed"), ("phoneNumber", "+221775551234")];
        let res = client().post(app.url("/api/v1/notifications/sms/reports/not-the-token-0000000/")).form(&forged).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let other = [("id", id.as_str()), ("status", "Failed"), ("phoneNumber", "+221700000000")];
        let res = client().post(app.url(&format!("/api/v1/notifications/sms/reports/{TOKEN}/"))).form(&other).send().await.unwrap();
        assert_eq!(res.json::<Value>().await.unwrap(), json!({"accepted": false}));
        assert_eq!(sms_delivery(&app, &token, "payment_receipt", "delivered").await["answer"], "report: Success");

        // An inactive number: accepted, then reported failed with the reason.
        let (_, inactive) = reader_with_number(&app, &sandbox, "sms-inactive@coko.test", "+221 77 555 12 99").await;
        let user = app.state.accounts.verified_user_by_email("sms-inactive@coko.test").await.unwrap();
        app.state.notifications.notify(&receipt(&user.id, "receipt:sms-2")).await.unwrap();
        let d = sms_delivery(&app, &inactive, "payment_receipt", "failed").await;
        assert_eq!(d["answer"], "report: Failed (UserIsInactive)", "{}", app.label);

        // A blacklisted number: its code is refused for good at once (no retry), and it stays unproved.
        let blocked = signed_in(&app, "sms-liste@coko.test", "reader").await;
        blocked.post(app.url("/profil/notifications/telephone")).form(&[("sms_phone", "+221775551298")]).send().await.unwrap();
        let log = app.state.store.clone();
        let user = app.state.accounts.verified_user_by_email("sms-liste@coko.test").await.unwrap();
        let mut failed = None;
        for _ in 0..200 {
            let list = domain::notification::NotificationStore::deliveries(&log, Some(&user.id), 5).await.unwrap();
            if let Some(d) = list.into_iter().find(|d| d.state == domain::notification::DeliveryState::Failed) {
                failed = Some(d);
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let d = failed.expect("the code's text failed");
        assert_eq!((d.attempts, d.answer.as_deref()), (1, Some("Africa's Talking 406 UserInBlacklist")), "{}", app.label);
        let page = blocked.get(app.url("/profil/notifications")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("data-testid=\"sms-phone-pending\""));

        // The provider down for one call: the text waits and goes on the retry, once.
        sandbox.put("/_sandbox/africastalking/faults", json!({"api": "error", "calls": 1})).await;
        let user = app.state.accounts.verified_user_by_email("sms-lectrice@coko.test").await.unwrap();
        app.state.notifications.notify(&receipt(&user.id, "receipt:sms-3")).await.unwrap();
        let mut d = Value::Null;
        for _ in 0..400 {
            let v: Value =
                client().get(app.url("/api/v1/notifications/deliveries/")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
            d = v["deliveries"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["key"].as_str().is_some_and(|k| k.starts_with("receipt:sms-3")))
                .cloned()
                .unwrap_or_default();
            if d["state"] == "delivered" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!((d["state"].as_str(), d["attempts"].as_u64()), (Some("delivered"), Some(2)), "{}: {d}", app.label);
        assert_eq!(texts_to(&sandbox, "+221775551234", 3).await.len(), 3);

        // Removed: no more texts.
        let res = client().delete(app.url("/api/v1/notifications/phone/")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.json::<Value>().await.unwrap(), json!({"removed": true}));
        app.finish().await;
    }
}
