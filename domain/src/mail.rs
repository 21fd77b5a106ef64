//! Outgoing mail: a port and two adapters (a local outbox folder, SMTP).

use async_trait::async_trait;
use std::path::PathBuf;

/// A plain-text message.
#[derive(Debug, Clone)]
pub struct Message {
    pub to: String,
    pub subject: String,
    pub body: String,
}

#[derive(Debug, thiserror::Error)]
#[error("mail not sent: {0}")]
pub struct MailError(pub String);

#[async_trait]
pub trait Mailer: Send + Sync + 'static {
    async fn send(&self, message: Message) -> Result<(), MailError>;
}

/// Writes each message as an `.eml` file into a folder: the embedded default, and what
/// developers read to follow links from verification and reset mails.
pub struct OutboxMailer {
    dir: PathBuf,
    from: String,
}

impl OutboxMailer {
    pub fn new(dir: impl Into<PathBuf>, from: impl Into<String>) -> Self {
        Self { dir: dir.into(), from: from.into() }
    }
}

#[async_trait]
impl Mailer for OutboxMailer {
    async fn send(&self, m: Message) -> Result<(), MailError> {
        tokio::fs::create_dir_all(&self.dir).await.map_err(|e| MailError(e.to_string()))?;
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.6f");
        let safe_to: String = m.to.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' { c } else { '_' }).collect();
        let path = self.dir.join(format!("{stamp}-{safe_to}.eml"));
        let text = format!(
            "From: {}\r\nTo: {}\r\nSubject: {}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n",
            self.from, m.to, m.subject, m.body
        );
        tokio::fs::write(&path, text).await.map_err(|e| MailError(e.to_string()))
    }
}

/// Sends through an SMTP relay (`smtp://host:port`, optionally with `user:pass@`).
pub struct SmtpMailer {
    transport: lettre::AsyncSmtpTransport<lettre::Tokio1Executor>,
    from: lettre::message::Mailbox,
}

impl SmtpMailer {
    pub fn new(url: &str, from: &str) -> Result<Self, MailError> {
        let transport = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url)
            .map_err(|e| MailError(format!("bad SMTP URL: {e}")))?
            .build();
        let from = from.parse().map_err(|e| MailError(format!("bad sender address: {e}")))?;
        Ok(Self { transport, from })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, m: Message) -> Result<(), MailError> {
        use lettre::AsyncTransport;
        let email = lettre::Message::builder()
            .from(self.from.clone())
            .to(m.to.parse().map_err(|e| MailError(format!("bad recipient: {e}")))?)
            .subject(m.subject)
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(m.body)
            .map_err(|e| MailError(e.to_string()))?;
        self.transport.send(email).await.map_err(|e| MailError(e.to_string()))?;
        Ok(())
    }
}
