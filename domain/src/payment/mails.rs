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
        // A Premium period's mail says until when it opens premium books.
        let until = match &payment.item {
            super::Item::Plan(_) => self.payments.subscription(&user.id).await.map_err(|e| e.to_string())?.map(|s| s.access_until),
            super::Item::Book(_) => None,
        };
        let link = format!("{}/achats/{}", self.base_url, payment.id);
        let (subject, body) = text(user.language, kind, &user.name, &payment, until, &link);
        self.mailer.send(Message { to: user.email.clone(), subject, body }).await.map_err(|e| e.0)
    }
}

fn text(lang: Language, kind: Kind, name: &str, p: &Payment, until: Option<chrono::DateTime<chrono::Utc>>, link: &str) -> (String, String) {
    let amount = Money { amount: p.amount, currency: p.currency.clone() }.format(lang);
    let (provider, date) = (p.provider.label(), p.updated_at.format("%Y-%m-%d %H:%M UTC"));
    let title = match &p.item {
        super::Item::Plan(id) => format!("Coko {}", super::Plan::name(id, lang)),
        super::Item::Book(_) => p.title.clone(),
    };
    let day = until.map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default();
    // What the payment gave (or took back), in the reader's language.
    let gave = match (&p.item, lang, kind) {
        (super::Item::Book(_), Language::En, Kind::Receipt) => format!("« {title} » is in your library."),
        (super::Item::Book(_), Language::En, Kind::Refund) => "The book has left your library.".to_owned(),
        (super::Item::Book(_), Language::Ar, Kind::Receipt) => format!("«{title}» موجود الآن في مكتبتك."),
        (super::Item::Book(_), Language::Ar, Kind::Refund) => "وقد سُحب الكتاب من مكتبتك.".to_owned(),
        (super::Item::Book(_), _, Kind::Receipt) => format!("« {title} » est dans votre bibliothèque."),
        (super::Item::Book(_), _, Kind::Refund) => "Le livre a quitté votre bibliothèque.".to_owned(),
        (super::Item::Plan(_), Language::En, Kind::Receipt) => format!("Premium opens every premium book until {day}."),
        (super::Item::Plan(_), Language::En, Kind::Refund) => format!("The period it paid for was taken back: Premium now ends on {day}."),
        (super::Item::Plan(_), Language::Ar, Kind::Receipt) => format!("بريميوم يفتح لك كل الكتب المميزة حتى {day}."),
        (super::Item::Plan(_), Language::Ar, Kind::Refund) => format!("أُلغيت المدة التي دفعتها: ينتهي بريميوم الآن في {day}."),
        (super::Item::Plan(_), _, Kind::Receipt) => format!("Premium vous ouvre tous les livres premium jusqu'au {day}."),
        (super::Item::Plan(_), _, Kind::Refund) => format!("La période payée a été retirée : Premium se termine désormais le {day}."),
    };
    match (lang, kind) {
        (Language::En, Kind::Receipt) => (
            format!("Your receipt: {title}"),
            format!("Hello {name},\n\nThank you: your payment is confirmed. {gave}\n\nAmount: {amount}\nPaid with: {provider}\nDate: {date}\nPayment: {}\n\nYour purchases: {link}\n", p.id),
        ),
        (Language::En, Kind::Refund) => (
            format!("Refunded: {title}"),
            format!("Hello {name},\n\nYour payment for « {title} » ({amount}, {provider}) was refunded in full. {gave}\n\nDetails: {link}\n"),
        ),
        (Language::Ar, Kind::Receipt) => (
            format!("إيصال الدفع: {title}"),
            format!("مرحبًا {name}،\n\nشكرًا لك: تم تأكيد الدفع. {gave}\n\nالمبلغ: {amount}\nوسيلة الدفع: {provider}\nالتاريخ: {date}\nرقم العملية: {}\n\nمشترياتك: {link}\n", p.id),
        ),
        (Language::Ar, Kind::Refund) => (
            format!("تم الاسترداد: {title}"),
            format!("مرحبًا {name}،\n\nتم استرداد مبلغ «{title}» ({amount}، {provider}) كاملًا. {gave}\n\nالتفاصيل: {link}\n"),
        ),
        (_, Kind::Receipt) => (
            format!("Votre reçu : {title}"),
            format!("Bonjour {name},\n\nMerci : votre paiement est confirmé. {gave}\n\nMontant : {amount}\nPayé avec : {provider}\nDate : {date}\nPaiement : {}\n\nVos achats : {link}\n", p.id),
        ),
        (_, Kind::Refund) => (
            format!("Remboursement : {title}"),
            format!("Bonjour {name},\n\nVotre paiement pour « {title} » ({amount}, {provider}) vous a été remboursé en entier. {gave}\n\nDétails : {link}\n"),
        ),
    }
}
