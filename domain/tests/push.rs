//! The Web Push channel's store and fan-out on SQLite and PostgreSQL: one delivery per browser,
//! each sent once; a browser subscribing again keeps its id, an endpoint taken over by another
//! reader moves to them; beyond ten browsers the oldest is dropped; a browser the push service
//! forgot (410) is deleted; a category turned off is skipped. (Encryption and VAPID against a
//! push service over HTTP are tested in `server/tests/push_sandbox.rs`.)

#[macro_use]
mod support;

use async_trait::async_trait;
use domain::account::User;
use domain::jobs::Runner;
use domain::notification::push::{NewDevice, PushAck, PushDeliveries, PushError, PushOptions, PushSender};
use domain::notification::Channel;
use domain::notification::{Category, DeliveryState, Kind, Notice, NotificationService, PreferencesForm, PushDevice};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const KEY: &str = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM";
const AUTH: &str = "tBHItJI5svbpez7KI4CCXg";

/// Keeps what it is asked to push; endpoints containing `gone` answer 410.
#[derive(Default)]
struct PushService {
    got: Mutex<Vec<(String, serde_json::Value, PushOptions)>>,
}

#[async_trait]
impl PushSender for PushService {
    fn public_key(&self) -> String {
        KEY.into()
    }

    async fn push(&self, device: &PushDevice, payload: &[u8], options: &PushOptions) -> Result<PushAck, PushError> {
        if device.endpoint.contains("gone") {
            return Err(PushError::Gone("push 410".into()));
        }
        let v: serde_json::Value = serde_json::from_slice(payload).unwrap();
        self.got.lock().unwrap().push((device.endpoint.clone(), v, options.clone()));
        Ok(PushAck { answer: "push 201".into() })
    }
}

async fn reader(db: &support::TestDb) -> User {
    support::reader(db, "Awa Koné", "CI").await
}

fn device(endpoint: &str) -> NewDevice {
    NewDevice { endpoint: endpoint.into(), p256dh: KEY.into(), auth: AUTH.into(), device: "Chrome · Android".into() }
}

fn receipt(user: &User, source: &str) -> Notice {
    let params =
        serde_json::json!({"item": "book", "title": "Le Soleil des indépendances", "amount": 1500, "currency": "XOF", "provider": "Wave"});
    Notice {
        user_id: user.id.clone(),
        category: Category::Payments,
        kind: Kind::PaymentReceipt,
        params: params.as_object().cloned().unwrap(),
        link: Some("/achats/p1".into()),
        source: source.into(),
        pace: None,
    }
}

backend_test!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    each_browser_gets_a_message_once_and_forgotten_ones_are_dropped,
    |db: support::TestDb| async move {
        let store = Arc::new(db.store.clone());
        let service = NotificationService::new(store.clone(), store.clone(), store.clone()).with_channel(Channel::Push);
        let pushes = Arc::new(PushService::default());
        let runner = Runner::new(store.clone()).with(Arc::new(PushDeliveries {
            service: service.clone(),
            accounts: store.clone(),
            sender: pushes.clone(),
        }));
        let awa = reader(&db).await;
        let on = PreferencesForm { cells: vec![("payments".into(), "push".into(), true)], ..Default::default() };
        service.set_preferences(&awa, &on, "").await.unwrap();

        // Refused: not https on a named host (no loopback here).
        assert!(service.add_push_device(&awa, &device("http://127.0.0.1:9/push/a"), "").await.is_err());
        // Two browsers; the first subscribing again keeps its id.
        let (phone, added) = service.add_push_device(&awa, &device("https://push.example.com/p/phone"), "").await.unwrap();
        let (again, added_again) = service.add_push_device(&awa, &device("https://push.example.com/p/phone"), "").await.unwrap();
        assert_eq!(phone.id, again.id);
        assert!(added && !added_again, "the same browser again is not new");
        service.add_push_device(&awa, &device("https://push.example.com/p/gone-laptop"), "").await.unwrap();
        assert_eq!(service.push_devices(&awa).await.unwrap().len(), 2, "{}", db.label);

        // A receipt handed over twice: one message per browser; the forgotten one fails and goes.
        service.notify(&receipt(&awa, "receipt:push")).await.unwrap();
        service.notify(&receipt(&awa, "receipt:push")).await.unwrap();
        runner.settle(Duration::from_secs(10)).await.unwrap();
        runner.settle(Duration::from_secs(10)).await.unwrap();
        let got = pushes.got.lock().unwrap().clone();
        assert_eq!(got.len(), 1, "{}: {got:?}", db.label);
        assert_eq!(got[0].0, "https://push.example.com/p/phone");
        assert_eq!(got[0].1["title"], "Paiement confirmé : Le Soleil des indépendances");
        assert_eq!((got[0].2.ttl_secs, got[0].2.urgency), (86_400, "normal"));
        let log = service.deliveries(&awa, false, 10).await.unwrap();
        let states: Vec<(DeliveryState, Option<&str>)> =
            log.iter().filter(|d| d.channel == Channel::Push).map(|d| (d.state, d.answer.as_deref())).collect();
        assert_eq!(states.len(), 2);
        assert!(states.contains(&(DeliveryState::Sent, Some("push 201"))), "{states:?}");
        assert!(states.contains(&(DeliveryState::Failed, Some("push 410"))), "{states:?}");
        let left = service.push_devices(&awa).await.unwrap();
        assert_eq!((left.len(), left[0].id.as_str()), (1, phone.id.as_str()), "{}", db.label);
        assert!(left[0].last_sent_at.is_some());

        // The same endpoint subscribed by another reader (a shared phone) moves to them.
        let binta = reader(&db).await;
        let (moved, added) = service.add_push_device(&binta, &device("https://push.example.com/p/phone"), "").await.unwrap();
        assert_eq!(moved.id, phone.id);
        assert!(added, "new to this reader");
        assert!(service.push_devices(&awa).await.unwrap().is_empty(), "{}", db.label);

        // Beyond ten browsers the oldest is dropped.
        for n in 0..11 {
            service.add_push_device(&binta, &device(&format!("https://push.example.com/p/b{n}")), "").await.unwrap();
        }
        let list = service.push_devices(&binta).await.unwrap();
        assert_eq!(list.len(), 10, "{}", db.label);
        assert!(list.iter().all(|d| d.id != phone.id && !d.endpoint.ends_with("/b0")), "the oldest two went");

        // Turned off for payments: skipped, nothing pushed.
        let off = PreferencesForm { cells: vec![("payments".into(), "push".into(), false)], ..Default::default() };
        service.set_preferences(&binta, &on, "").await.unwrap();
        service.notify(&receipt(&binta, "receipt:off")).await.unwrap();
        service.set_preferences(&binta, &off, "").await.unwrap();
        runner.settle(Duration::from_secs(10)).await.unwrap();
        assert_eq!(pushes.got.lock().unwrap().len(), 1);
        let log = service.deliveries(&binta, false, 20).await.unwrap();
        let push: Vec<_> = log.iter().filter(|d| d.channel == Channel::Push).collect();
        assert_eq!(push.len(), 10, "{}: one per browser", db.label);
        assert!(push.iter().all(|d| d.state == DeliveryState::Skipped), "{}", db.label);
        assert!(service.remove_push_device(&binta, &list[0].id, "").await.unwrap());
        assert!(!service.remove_push_device(&binta, &list[0].id, "").await.unwrap());
        db
    }
);
