//! Outgoing mail: a port and two adapters (a local outbox folder, SMTP).

use async_trait::async_trait;
use std::path::PathBuf;

/// A message: plain text, and an HTML alternative when it has one.
#[derive(Debug, Clone, Default)]
pub struct Message {
    pub to: String,
    pub subject: String,
    pub body: String,
    pub html: Option<String>,
    /// Extra headers (`List-Unsubscribe`, `List-Unsubscribe-Post`), ASCII names and values.
    pub headers: Vec<(String, String)>,
    /// A stable `Message-ID` (without brackets): the same message sent again carries the same
    /// one, so that a receiving server or client can tell it is a repeat.
    pub id: Option<String>,
}

impl Message {
    pub fn plain(to: impl Into<String>, subject: impl Into<String>, body: impl Into<String>) -> Self {
        Message { to: to.into(), subject: subject.into(), body: body.into(), ..Message::default() }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("mail not sent: {0}")]
pub struct MailError(pub String);

#[async_trait]
pub trait Mailer: Send + Sync + 'static {
    /// Sends it; the server's answer (SMTP reply, outbox file) when it was taken.
    async fn send(&self, message: Message) -> Result<String, MailError>;
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
    async fn send(&self, m: Message) -> Result<String, MailError> {
        tokio::fs::create_dir_all(&self.dir).await.map_err(|e| MailError(e.to_string()))?;
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.6f");
        let safe_to: String = m.to.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' { c } else { '_' }).collect();
        let name = format!("{stamp}-{safe_to}.eml");
        let mut text = format!("From: {}\r\nTo: {}\r\nSubject: {}\r\n", self.from, m.to, m.subject);
        if let Some(id) = &m.id {
            text.push_str(&format!("Message-ID: <{id}>\r\n"));
        }
        for (k, v) in &m.headers {
            text.push_str(&format!("{k}: {v}\r\n"));
        }
        match &m.html {
            None => text.push_str(&format!("Content-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n", m.body)),
            Some(html) => {
                let b = "coko-alternative";
                text.push_str(&format!(
                    "MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"{b}\"\r\n\r\n\
                     --{b}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n\
                     --{b}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n--{b}--\r\n",
                    m.body
                ));
            }
        }
        tokio::fs::write(self.dir.join(&name), text).await.map_err(|e| MailError(e.to_string()))?;
        Ok(format!("outbox {name}"))
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
    async fn send(&self, m: Message) -> Result<String, MailError> {
        use lettre::message::header::{ContentType, HeaderName, HeaderValue};
        use lettre::message::{MultiPart, SinglePart};
        use lettre::AsyncTransport;
        let mut builder = lettre::Message::builder()
            .from(self.from.clone())
            .to(m.to.parse().map_err(|e| MailError(format!("bad recipient: {e}")))?)
            .subject(m.subject)
            .message_id(m.id.map(|id| format!("<{id}>")));
        for (k, v) in m.headers {
            let name = HeaderName::new_from_ascii(k).map_err(|e| MailError(format!("bad header name: {e}")))?;
            builder = builder.raw_header(HeaderValue::new(name, v));
        }
        let email = match m.html {
            None => builder.header(ContentType::TEXT_PLAIN).body(m.body),
            Some(html) => {
                builder.multipart(MultiPart::alternative().singlepart(SinglePart::plain(m.body)).singlepart(SinglePart::html(html)))
            }
        }
        .map_err(|e| MailError(e.to_string()))?;
        let reply = self.transport.send(email).await.map_err(|e| MailError(e.to_string()))?;
        Ok(format!("{} {}", reply.code(), reply.message().collect::<Vec<_>>().join(" ")))
    }
}
