//! The reader hears of their payment by e-mail: a receipt once it is confirmed, a notice once
//! it is refunded — sent from the job queue in reaction to the payment's events (never inline
//! in the unit of work that moved it), in the reader's language.
//!
//! One job per event and kind (`receipt:{payment}`, `refund:{payment}`): a redelivered
//! webhook or a second lookup makes no second mail. A crash between the mail server's
//! acknowledgement and the job's completion could still send one twice; the notifications
//! issue's delivery keys close that for every channel.

use super::{Payment, PaymentStore};
use crate::account::AccountStore;
use crate::catalog::Money;
use crate::events::Event;
use crate::jobs::{Handler, Job, NewJob};
use crate::mail::{Mailer, Message};
use crate::validation::Language;
use async_trait::async_trait;
use std::sync::Arc;

pub const MAIL_QUEUE: &str = "payments.mail";

pub struct PaymentMails {
    pub payments: Arc<dyn PaymentStore>,
    pub accounts: Arc<dyn AccountStore>,
    pub mailer: Arc<dyn Mailer>,
    /// Coko's public address, for the links in the mails.
    pub base_url: String,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Receipt,
    Refund,
}

#[async_trait]
impl Handler for PaymentMails {
    fn queue(&self) -> &'static str {
        MAIL_QUEUE
    }

    fn job_for(&self, event: &Event) -> Option<NewJob> {
        let (kind, payment_id) = match event {
            Event::PaymentSucceeded { payment_id, .. } => ("receipt", payment_id),
            Event::PaymentRefunded { payment_id, .. } => ("refund", payment_id),
            _ => return None,
        };
        let payload = serde_json::json!({ "kind": kind, "payment_id": payment_id });
        Some(NewJob::now(MAIL_QUEUE, format!("{kind}:{payment_id}"), payload))
    }

    async fn run(&self, job: &Job) -> Result<(), String> {
        let field = |k: &str| job.payload.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        let kind = match field("kind").as_deref() {
            Some("receipt") => Kind::Receipt,
            Some("refund") => Kind::Refund,
            other => return Err(format!("unknown payment mail {other:?}")),
        };
        let id = field("payment_id").ok_or("no payment_id in the job")?;
        let Some(payment) = self.payments.payment(&id).await.map_err(|e| e.to_string())? else { return Ok(()) };
        let Some(reader) = self.accounts.user_by_id(&payment.user_id).await.map_err(|e| e.to_string())? else { return Ok(()) };
        let user = reader.user;
        let (subject, body) = text(user.language, kind, &user.name, &payment, &format!("{}/achats/{}", self.base_url, payment.id));
        self.mailer.send(Message { to: user.email.clone(), subject, body }).await.map_err(|e| e.0)
    }
}

fn text(lang: Language, kind: Kind, name: &str, p: &Payment, link: &str) -> (String, String) {
    let amount = Money { amount: p.amount, currency: p.currency.clone() }.format(lang);
    let (title, provider, date) = (&p.title, p.provider.label(), p.updated_at.format("%Y-%m-%d %H:%M UTC"));
    match (lang, kind) {
        (Language::En, Kind::Receipt) => (
            format!("Your receipt: {title}"),
            format!("Hello {name},\n\nThank you: your payment is confirmed and « {title} » is in your library.\n\nAmount: {amount}\nPaid with: {provider}\nDate: {date}\nPayment: {}\n\nYour purchases: {link}\n", p.id),
        ),
        (Language::En, Kind::Refund) => (
            format!("Refunded: {title}"),
            format!("Hello {name},\n\nYour payment for « {title} » ({amount}, {provider}) was refunded in full. The book has left your library.\n\nDetails: {link}\n"),
        ),
        (Language::Ar, Kind::Receipt) => (
            format!("إيصال الدفع: {title}"),
            format!("مرحبًا {name}،\n\nشكرًا لك: تم تأكيد الدفع و«{title}» موجود الآن في مكتبتك.\n\nالمبلغ: {amount}\nوسيلة الدفع: {provider}\nالتاريخ: {date}\nرقم العملية: {}\n\nمشترياتك: {link}\n", p.id),
        ),
        (Language::Ar, Kind::Refund) => (
            format!("تم الاسترداد: {title}"),
            format!("مرحبًا {name}،\n\nتم استرداد مبلغ «{title}» ({amount}، {provider}) كاملًا. وقد سُحب الكتاب من مكتبتك.\n\nالتفاصيل: {link}\n"),
        ),
        (_, Kind::Receipt) => (
            format!("Votre reçu : {title}"),
            format!("Bonjour {name},\n\nMerci : votre paiement est confirmé et « {title} » est dans votre bibliothèque.\n\nMontant : {amount}\nPayé avec : {provider}\nDate : {date}\nPaiement : {}\n\nVos achats : {link}\n", p.id),
        ),
        (_, Kind::Refund) => (
            format!("Remboursement : {title}"),
            format!("Bonjour {name},\n\nVotre paiement pour « {title} » ({amount}, {provider}) vous a été remboursé en entier. Le livre a quitté votre bibliothèque.\n\nDétails : {link}\n"),
        ),
    }
}
