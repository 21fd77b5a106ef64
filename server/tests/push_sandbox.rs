//! Web Push end to end: the real server against the push sandbox (`coko payment-sandbox`, a
//! separate process on loopback that plays a push service and the browsers behind it). A
//! browser subscribes with Coko's VAPID key and hands its subscription to Coko over REST; a
//! receipt is encrypted to it (RFC 8291), signed (RFC 8292), and the sandbox decrypts it with
//! the subscription's private key — the proof that the encryption is right. Two browsers get one
//! message each, once; an outage is retried; a subscription the push service forgot (410) is
//! deleted; a renewal reminder replaces an undelivered one by its Topic; bad subscriptions are
//! refused with their field.

mod support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;
use support::sandbox::Sandbox;
use support::{backends, bearer, client, spawn_with, TestApp};

async fn app_with(db: support::Db) -> TestApp {
    spawn_with(db, &[("COKO_PUSH_ALLOW_LOOPBACK", "true")]).await
}

/// A browser's subscription, made by the sandbox for Coko's key.
async fn browser_subscription(sandbox: &Sandbox, key: &str) -> Value {
    let res = client().post(sandbox.url("/_sandbox/push/subscriptions")).json(&json!({"applicationServerKey": key})).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

async fn received(sandbox: &Sandbox, subscription: &str) -> Vec<Value> {
    let v: Value = client().get(sandbox.url("/_sandbox/push/messages")).send().await.unwrap().json().await.unwrap();
    v["messages"].as_array().unwrap().iter().filter(|m| m["subscription"] == subscription).cloned().collect()
}

async fn received_n(sandbox: &Sandbox, subscription: &str, n: usize) -> Vec<Value> {
    for _ in 0..300 {
        let got = received(sandbox, subscription).await;
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("fewer than {n} messages for {subscription}: {:?}", received(sandbox, subscription).await)
}

fn notice(user_id: &str, kind: domain::notification::Kind, params: Value, source: &str) -> domain::notification::Notice {
    domain::notification::Notice {
        user_id: user_id.into(),
        category: domain::notification::Category::Payments,
        kind,
        params: params.as_object().cloned().unwrap(),
        link: Some("/achats".into()),
        source: source.into(),
        pace: None,
    }
}

fn receipt(user_id: &str, source: &str) -> domain::notification::Notice {
    let p = json!({"item": "book", "title": "La Route de Kankan", "amount": 1500, "currency": "XOF", "provider": "Wave"});
    notice(user_id, domain::notification::Kind::PaymentReceipt, p, source)
}

/// The push deliveries of the reader whose key starts with `source`, once all are final.
async fn settled(app: &TestApp, token: &str, source: &str, n: usize) -> Vec<Value> {
    let mut last = Vec::new();
    for _ in 0..500 {
        let v: Value =
            client().get(app.url("/api/v1/notifications/deliveries/")).bearer_auth(token).send().await.unwrap().json().await.unwrap();
        last = v["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["channel"] == "push" && d["key"].as_str().is_some_and(|k| k.starts_with(source)))
            .cloned()
            .collect::<Vec<_>>();
        if last.len() == n && last.iter().all(|d| ["sent", "failed", "skipped"].contains(&d["state"].as_str().unwrap_or(""))) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{}: {source}: not {n} settled push deliveries: {last:?}", app.label)
}

#[tokio::test]
async fn a_subscribed_browser_gets_each_message_once_encrypted_to_its_keys() {
    for db in backends() {
        let sandbox = Sandbox::start();
        let app = app_with(db).await;
        let token = bearer(&app, "push-lectrice@coko.test", "reader").await;
        let user = app.state.accounts.verified_user_by_email("push-lectrice@coko.test").await.unwrap();
        let auth = |r: reqwest::RequestBuilder| r.bearer_auth(&token);

        // The key browsers subscribe with; no browser yet.
        let push: Value = auth(client().get(app.url("/api/v1/notifications/push/"))).send().await.unwrap().json().await.unwrap();
        let key = push["public_key"].as_str().expect("a VAPID key").to_owned();
        assert_eq!(key.len(), 87, "65 bytes, base64url");
        assert_eq!(push["devices"], json!([]));

        // Bad subscriptions are refused on their field; unknown fields are 400.
        let bad = json!({"endpoint": "http://10.0.0.7/push/x", "expirationTime": null, "keys": {"p256dh": "AAAA", "auth": "c2hvcnQ"}});
        let res = auth(client().post(app.url("/api/v1/notifications/push/devices/"))).json(&bad).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let e: Value = res.json().await.unwrap();
        assert_eq!(e["error"]["details"]["field"], "endpoint", "{e}");
        let res = auth(client().post(app.url("/api/v1/notifications/push/devices/")))
            .json(&json!({"endpoint": "https://push.example.com/x", "keys": {"p256dh": "x", "auth": "y"}, "extra": 1}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);

        // A browser subscribes: 201, then 200 when it sends the same subscription again.
        let phone = browser_subscription(&sandbox, &key).await;
        let sub = json!({"endpoint": phone["endpoint"], "expirationTime": null, "keys": phone["keys"]});
        let res = auth(client().post(app.url("/api/v1/notifications/push/devices/")))
            .header(
                "user-agent",
                "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
            )
            .json(&sub)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let device: Value = res.json().await.unwrap();
        assert_eq!(device["device"]["device"], "Chrome · Android");
        assert!(device["device"].get("endpoint").is_none(), "the endpoint is a capability: never shown back");
        let res = auth(client().post(app.url("/api/v1/notifications/push/devices/"))).json(&sub).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let res = auth(client().put(app.url("/api/v1/notifications/preferences/")))
            .json(&json!({"cells": [{"category": "payments", "channel": "push", "enabled": true}]}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);

        // A receipt handed over twice: one message, decrypted by the sandbox with the browser's key.
        app.state.notifications.notify(&receipt(&user.id, "receipt:push-1")).await.unwrap();
        app.state.notifications.notify(&receipt(&user.id, "receipt:push-1")).await.unwrap();
        let d = settled(&app, &token, "receipt:push-1", 1).await;
        assert_eq!(d[0]["state"], "sent", "{}: {d:?}", app.label);
        assert!(d[0]["answer"].as_str().unwrap().starts_with("push 201"), "{d:?}");
        let phone_id = phone["id"].as_str().unwrap();
        let got = received_n(&sandbox, phone_id, 1).await;
        assert_eq!(got.len(), 1);
        let m = &got[0];
        assert_eq!(m["payload"]["title"], "Paiement confirmé : La Route de Kankan", "{m}");
        assert_eq!((m["payload"]["link"].as_str(), m["payload"]["lang"].as_str()), (Some("/achats"), Some("fr")));
        assert_eq!((m["ttl"].as_u64(), m["urgency"].as_str()), (Some(86_400), Some("normal")));

        // A second browser: each gets the next message once.
        let laptop = browser_subscription(&sandbox, &key).await;
        let sub2 = json!({"endpoint": laptop["endpoint"], "keys": laptop["keys"]});
        let res = auth(client().post(app.url("/api/v1/notifications/push/devices/"))).json(&sub2).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        app.state.notifications.notify(&receipt(&user.id, "receipt:push-2")).await.unwrap();
        settled(&app, &token, "receipt:push-2", 2).await;
        assert_eq!(received_n(&sandbox, phone_id, 2).await.len(), 2);
        assert_eq!(received_n(&sandbox, laptop["id"].as_str().unwrap(), 1).await.len(), 1);

        // The push service down for one message: retried, delivered once.
        sandbox.put("/_sandbox/push/faults", json!({"status": 503, "calls": 1})).await;
        app.state.notifications.notify(&receipt(&user.id, "receipt:push-3")).await.unwrap();
        let d = settled(&app, &token, "receipt:push-3", 2).await;
        assert!(d.iter().all(|d| d["state"] == "sent"), "{}: {d:?}", app.label);
        assert_eq!(d.iter().map(|d| d["attempts"].as_u64().unwrap()).sum::<u64>(), 3, "{d:?}");
        assert_eq!(received_n(&sandbox, phone_id, 3).await.len(), 3);

        // Renewal reminders replace an undelivered earlier one (Topic), and are not urgent.
        let until = chrono::Utc::now().timestamp_millis() + 3 * 86_400_000;
        for (n, days) in [(1, 3), (2, 1)] {
            let p = json!({"plan": "monthly", "until_ms": until, "days": days});
            app.state
                .notifications
                .notify(&notice(&user.id, domain::notification::Kind::RenewalReminder, p, &format!("renewal:push-{n}")))
                .await
                .unwrap();
            settled(&app, &token, &format!("renewal:push-{n}"), 2).await;
        }
        let got = received_n(&sandbox, phone_id, 5).await;
        let reminders: Vec<&Value> = got.iter().filter(|m| m["topic"] == "renewal").collect();
        assert_eq!(reminders.len(), 2);
        assert_eq!((reminders[0]["replaced"].as_bool(), reminders[1]["replaced"].as_bool()), (Some(true), Some(false)));
        assert_eq!(reminders[1]["urgency"], "low");

        // The laptop's subscription forgotten by its push service: 410, the delivery fails and
        // Coko forgets the browser.
        let res =
            client().delete(sandbox.url(&format!("/_sandbox/push/subscriptions/{}", laptop["id"].as_str().unwrap()))).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        app.state.notifications.notify(&receipt(&user.id, "receipt:push-4")).await.unwrap();
        let d = settled(&app, &token, "receipt:push-4", 2).await;
        let failed: Vec<&Value> = d.iter().filter(|d| d["state"] == "failed").collect();
        assert_eq!(failed.len(), 1, "{d:?}");
        assert!(failed[0]["answer"].as_str().unwrap().starts_with("push 410"), "{d:?}");
        let push: Value = auth(client().get(app.url("/api/v1/notifications/push/"))).send().await.unwrap().json().await.unwrap();
        assert_eq!(push["devices"].as_array().unwrap().len(), 1, "{push}");

        // The phone removed by its reader: nothing more reaches it.
        let id = push["devices"][0]["id"].as_str().unwrap();
        let res = auth(client().delete(app.url(&format!("/api/v1/notifications/push/devices/{id}/")))).send().await.unwrap();
        assert_eq!(res.json::<Value>().await.unwrap(), json!({"removed": true}));
        app.state.notifications.notify(&receipt(&user.id, "receipt:push-5")).await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(received(&sandbox, phone_id).await.len(), 6);

        // The sandbox itself refuses what a push service refuses.
        let raw = client().post(phone["endpoint"].as_str().unwrap()).body("x").send().await.unwrap();
        assert_eq!(raw.status(), StatusCode::BAD_REQUEST, "no TTL");
        let raw = client()
            .post(phone["endpoint"].as_str().unwrap())
            .header("ttl", "60")
            .header("content-encoding", "aes128gcm")
            .body(vec![0u8; 100])
            .send()
            .await
            .unwrap();
        assert_eq!(raw.status(), StatusCode::UNAUTHORIZED, "no VAPID");
        app.finish().await;
    }
}
