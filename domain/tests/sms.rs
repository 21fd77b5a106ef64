//! The SMS channel on SQLite and PostgreSQL: a number receives texts only once its reader typed
//! back the code sent to it; a notice reaches a verified number once (handed over twice or
//! retried), in GSM-7; refusals the provider calls final are not retried; delivery reports settle
//! a text only for the message id and number it was sent with, even when they come first. (The adapter against the
//! provider's contract over HTTP is tested in `server/tests/sms_sandbox.rs`.)

#[macro_use]
mod support;

use async_trait::async_trait;
use domain::account::User;
use domain::jobs::{Handler, Job, Runner};
use domain::notification::gsm::{cost, Encoding};
use domain::notification::sms::{DeliveryReport, SmsAck, SmsDeliveries, SmsError, SmsSender, SMS_QUEUE};
use domain::notification::{
    Category, Channel, DeliveryState, Kind, Notice, NotificationError, NotificationService, NotificationStore, PreferencesForm,
};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Keeps the texts it is given; `mode` 1: a transient failure, 2: a final refusal.
#[derive(Default)]
struct Phone {
    texts: Mutex<Vec<(String, String)>>,
    mode: AtomicU8,
}

#[async_trait]
impl SmsSender for Phone {
    fn name(&self) -> &'static str {
        "Test"
    }

    async fn send(&self, to: &str, text: &str) -> Result<SmsAck, SmsError> {
        match self.mode.load(Ordering::SeqCst) {
            1 => Err(SmsError { permanent: false, message: "500 gateway error".into() }),
            2 => Err(SmsError { permanent: true, message: "403 InvalidPhoneNumber".into() }),
            _ => {
                let mut texts = self.texts.lock().unwrap();
                texts.push((to.to_owned(), text.to_owned()));
                Ok(SmsAck { message_id: format!("ATXid_{}", texts.len()), status: "101 Success".into(), cost: Some("XOF 25.0000".into()) })
            }
        }
    }
}

impl Phone {
    fn last(&self) -> Option<(String, String)> {
        self.texts.lock().unwrap().last().cloned()
    }

    fn count(&self) -> usize {
        self.texts.lock().unwrap().len()
    }
}

async fn reader(db: &support::TestDb) -> User {
    support::reader(db, "Fatou Sarr", "SN").await
}

struct Kit {
    service: NotificationService,
    phone: Arc<Phone>,
    sms: Arc<SmsDeliveries>,
    runner: Runner,
}

fn kit(db: &support::TestDb) -> Kit {
    let store = Arc::new(db.store.clone());
    let service = NotificationService::new(store.clone(), store.clone(), store.clone()).with_channel(Channel::Sms);
    let phone = Arc::new(Phone::default());
    let sms = Arc::new(SmsDeliveries {
        service: service.clone(),
        accounts: store.clone(),
        sender: phone.clone(),
        base_url: "https://coko.example".into(),
    });
    let runner = Runner::new(store).with(sms.clone());
    Kit { service, phone, sms, runner }
}

fn code_of(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6).expect("a six-digit code").to_owned()
}

fn receipt(user: &User, source: &str) -> Notice {
    let params = serde_json::json!({"item": "book", "title": "Forêt des âmes", "amount": 1500, "currency": "XOF", "provider": "Wave"});
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

/// Texts allowed for payments.
async fn allow_payments_by_sms(k: &Kit, user: &User) {
    let on = PreferencesForm { cells: vec![("payments".into(), "sms".into(), true)], ..Default::default() };
    k.service.set_preferences(user, &on, "").await.unwrap();
}

async fn verified(k: &Kit, user: &User, number: &str) {
    k.service.set_phone(user, number, "").await.unwrap();
    k.runner.settle(Duration::from_secs(10)).await.unwrap();
    let code = code_of(&k.phone.last().unwrap().1);
    assert!(k.service.confirm_phone(user, &code, "").await.unwrap().verified);
}

backend_test!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    a_number_receives_texts_only_once_proved_by_its_code,
    |db: support::TestDb| async move {
        let k = kit(&db);
        let user = reader(&db).await;
        allow_payments_by_sms(&k, &user).await;

        // Refused numbers say which field and why.
        for (typed, reason) in [("", "required"), ("77 123 45 67", "invalid_format"), ("+22177abc", "invalid_format")] {
            match k.service.set_phone(&user, typed, "").await {
                Err(NotificationError::Invalid(f)) => {
                    assert_eq!((f[0].field.as_str(), f[0].reason.as_str()), ("sms_phone", reason), "{typed}")
                }
                other => panic!("{typed}: {other:?}"),
            }
        }
        // A notice before any number: skipped, nothing sent.
        k.service.notify(&receipt(&user, "receipt:before")).await.unwrap();
        k.runner.settle(Duration::from_secs(10)).await.unwrap();
        assert_eq!(k.phone.count(), 0);
        let log = k.service.deliveries(&user, false, 10).await.unwrap();
        assert_eq!((log[0].state, log[0].answer.as_deref()), (DeliveryState::Skipped, Some("no verified phone number")), "{}", db.label);

        let p = k.service.set_phone(&user, "+221 77 123 45 67", "").await.unwrap();
        assert_eq!((p.number.as_str(), p.verified), ("+221771234567", false));
        // Asked again at once: a minute to wait.
        assert!(
            matches!(k.service.set_phone(&user, "+221771234568", "").await, Err(NotificationError::TooSoon(s)) if (1..=60).contains(&s))
        );
        k.runner.settle(Duration::from_secs(10)).await.unwrap();
        let (to, text) = k.phone.last().unwrap();
        assert_eq!(to, "+221771234567");
        assert!(text.starts_with("Coko: votre code de vérification est "), "{text}");
        assert_eq!(cost(&text).encoding, Encoding::Gsm7, "{text}");
        let code = code_of(&text);
        // The code is not stored: only its digest.
        let stored = format!("{:?}", db.store.phone(&user.id).await.unwrap().unwrap());
        assert!(!stored.contains(&code) && stored.contains("code_digest: Some"), "{stored}");

        // A pending number receives no notices.
        k.service.notify(&receipt(&user, "receipt:pending")).await.unwrap();
        k.runner.settle(Duration::from_secs(10)).await.unwrap();
        assert_eq!(k.phone.count(), 1, "{}", db.label);

        let wrong = if code == "000000" { "111111" } else { "000000" };
        match k.service.confirm_phone(&user, wrong, "").await {
            Err(NotificationError::Invalid(f)) => assert_eq!((f[0].field.as_str(), f[0].reason.as_str()), ("sms_code", "mismatch")),
            other => panic!("{other:?}"),
        }
        match k.service.confirm_phone(&user, "12a", "").await {
            Err(NotificationError::Invalid(f)) => assert_eq!(f[0].reason.as_str(), "invalid_format"),
            other => panic!("{other:?}"),
        }
        assert!(k.service.confirm_phone(&user, &format!(" {code} "), "").await.unwrap().verified);
        assert!(k.service.phone(&user).await.unwrap().unwrap().verified);
        // The same number again: nothing sent, still verified.
        assert!(k.service.set_phone(&user, "+221771234567", "").await.unwrap().verified);

        // Handed over twice, run twice: one text, in GSM-7 with its link.
        let n = receipt(&user, "receipt:p1");
        k.service.notify(&n).await.unwrap();
        k.service.notify(&n).await.unwrap();
        k.runner.settle(Duration::from_secs(10)).await.unwrap();
        k.service.notify(&n).await.unwrap();
        k.runner.settle(Duration::from_secs(10)).await.unwrap();
        assert_eq!(k.phone.count(), 2, "{}", db.label);
        let (to, text) = k.phone.last().unwrap();
        assert_eq!(to, "+221771234567");
        assert!(text.starts_with("Coko: Paiement confirmé : Foret des ames."), "{text}");
        assert!(text.ends_with(" https://coko.example/achats/p1"), "{text}");
        assert_eq!(cost(&text).encoding, Encoding::Gsm7, "{text}");
        let key = format!("receipt:p1:{}:sms", user.id);
        let d = k.service.store().delivery(&key).await.unwrap().unwrap().delivery;
        assert_eq!((d.state, d.address.as_deref()), (DeliveryState::Sent, Some("+221771234567")), "{}", db.label);
        assert!(d.answer.as_deref().is_some_and(|a| a.contains("101 Success") && a.contains("GSM-7")), "{:?}", d.answer);

        // Reports: another number or an unknown id change nothing; then delivered, and a late
        // "Sent" does not take it back.
        let report = |id: &str, status: &str, phone: &str| DeliveryReport {
            message_id: id.into(),
            status: status.into(),
            phone: phone.into(),
            failure_reason: None,
        };
        assert!(!k.service.sms_report(&report("ATXid_2", "Success", "+221700000000")).await.unwrap());
        assert!(!k.service.sms_report(&report("ATXid_99", "Success", "+221771234567")).await.unwrap());
        assert!(k.service.sms_report(&report("ATXid_2", "Buffered", "+221771234567")).await.unwrap());
        assert_eq!(k.service.store().delivery(&key).await.unwrap().unwrap().delivery.state, DeliveryState::Sent);
        assert!(k.service.sms_report(&report("ATXid_2", "Success", "+221771234567")).await.unwrap());
        assert!(k.service.sms_report(&report("ATXid_2", "Failed", "+221771234567")).await.unwrap());
        let d = k.service.store().delivery(&key).await.unwrap().unwrap().delivery;
        assert_eq!((d.state, d.answer.as_deref()), (DeliveryState::Delivered, Some("report: Success")), "{}", db.label);

        // A report that comes before the send's answer is written down is kept, then settles
        // its text once the message id is known.
        assert!(!k.service.sms_report(&report("ATXid_3", "Success", "+221771234567")).await.unwrap());
        k.service.notify(&receipt(&user, "receipt:early")).await.unwrap();
        k.runner.settle(Duration::from_secs(10)).await.unwrap();
        let d = k.service.store().delivery(&format!("receipt:early:{}:sms", user.id)).await.unwrap().unwrap().delivery;
        assert_eq!((d.state, d.answer.as_deref()), (DeliveryState::Delivered, Some("report: Success")), "{}", db.label);
        assert!(k.service.store().take_early_report("ATXid_3").await.unwrap().is_none(), "claimed once");

        // Turned off: skipped. Removed: no more texts.
        let off = PreferencesForm { cells: vec![("payments".into(), "sms".into(), false)], ..Default::default() };
        k.service.set_preferences(&user, &off, "").await.unwrap();
        k.service.notify(&receipt(&user, "receipt:off")).await.unwrap();
        k.runner.settle(Duration::from_secs(10)).await.unwrap();
        assert_eq!(k.phone.count(), 3);
        assert!(k.service.remove_phone(&user, "").await.unwrap());
        assert!(k.service.phone(&user).await.unwrap().is_none());
        assert!(!k.service.remove_phone(&user, "").await.unwrap());
        db
    }
);

backend_test!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    a_code_wears_out_after_five_wrong_tries,
    |db: support::TestDb| async move {
        let k = kit(&db);
        let user = reader(&db).await;
        k.service.set_phone(&user, "+225 07 12 34 56 78", "").await.unwrap();
        k.runner.settle(Duration::from_secs(10)).await.unwrap();
        let code = code_of(&k.phone.last().unwrap().1);
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for _ in 0..5 {
            assert!(matches!(k.service.confirm_phone(&user, wrong, "").await, Err(NotificationError::Invalid(_))));
        }
        match k.service.confirm_phone(&user, &code, "").await {
            Err(NotificationError::Invalid(f)) => {
                assert_eq!(f[0].reason.as_str(), "out_of_range", "{}: the right code, too late", db.label)
            }
            other => panic!("{other:?}"),
        }
        assert!(!k.service.phone(&user).await.unwrap().unwrap().verified);
        db
    }
);

backend_test!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    refusals_the_provider_calls_final_are_not_retried,
    |db: support::TestDb| async move {
        let k = kit(&db);
        let user = reader(&db).await;
        allow_payments_by_sms(&k, &user).await;
        verified(&k, &user, "+221781112233").await;

        k.phone.mode.store(1, Ordering::SeqCst);
        k.service.notify(&receipt(&user, "receipt:t")).await.unwrap();
        let key = format!("receipt:t:{}:sms", user.id);
        let job = |attempts| Job {
            id: "j".into(),
            queue: SMS_QUEUE.into(),
            payload: serde_json::json!({ "key": key }),
            attempts,
            max_attempts: 3,
        };
        assert!(k.sms.run(&job(1)).await.unwrap_err().contains("500"));
        let d = k.service.store().delivery(&key).await.unwrap().unwrap().delivery;
        assert_eq!((d.state, d.attempts), (DeliveryState::Queued, 1), "{}: a transient failure waits for its retry", db.label);
        k.phone.mode.store(0, Ordering::SeqCst);
        k.sms.run(&job(2)).await.unwrap();
        k.sms.run(&job(3)).await.unwrap();
        assert_eq!(k.phone.count(), 2, "the code, then the receipt once");

        k.phone.mode.store(2, Ordering::SeqCst);
        k.service.notify(&receipt(&user, "receipt:f")).await.unwrap();
        k.runner.settle(Duration::from_secs(10)).await.unwrap();
        let d = k.service.store().delivery(&format!("receipt:f:{}:sms", user.id)).await.unwrap().unwrap().delivery;
        assert_eq!((d.state, d.attempts), (DeliveryState::Failed, 1), "{}: refused for good at once", db.label);
        assert_eq!(d.answer.as_deref(), Some("403 InvalidPhoneNumber"));
        db
    }
);
