//! The account service: registration, sign-in, profile, e-mail verification, password reset,
//! refresh-token rotation and role management. Web forms and REST call the same functions.

use super::tokens::{self, Purpose};
use super::{password, Preferences, Role, Theme, User, UserPage};
use super::{AccountStore, ProfileRecord, RefreshUse};
use crate::audit::{Actor, AuditAction, AuditEntry};
use crate::clock::now_ms;
use crate::error::{ErrorCode, FieldError, Reason};
use crate::events::Event;
use crate::mail::{Mailer, Message};
use crate::store::{StoreError, Tx};
use crate::validation::{CountryCode, DisplayName, Email, Language, Password};
use std::sync::Arc;

const VERIFY_TTL_MS: i64 = 24 * 3600 * 1000;
const RESET_TTL_MS: i64 = 3600 * 1000;
/// Refresh tokens last seven days.
pub const REFRESH_TTL_MS: i64 = 7 * 24 * 3600 * 1000;
/// A sign-in (a refresh-token family) ends after 90 days, however often it refreshes.
pub const FAMILY_TTL_MS: i64 = 90 * 24 * 3600 * 1000;
/// A reset link is mailed at most once in this time per account.
pub const RESET_SPACING_MS: i64 = 2 * 60 * 1000;

/// A refresh token as handed to a client, and the sign-in (family) its access tokens name.
#[derive(Debug, Clone)]
pub struct RefreshToken {
    pub raw: String,
    pub family: String,
}

/// What `coko create-admin` did.
#[derive(Debug, Clone)]
pub enum AdminOutcome {
    /// A new admin account.
    Created(User),
    /// A verified account promoted as asked, its password kept.
    Promoted(User),
    /// An existing account given the operator's password (sessions and tokens ended) and made admin.
    PasswordSet(User),
}

impl AdminOutcome {
    pub fn user(&self) -> &User {
        match self {
            AdminOutcome::Created(u) | AdminOutcome::Promoted(u) | AdminOutcome::PasswordSet(u) => u,
        }
    }
}

/// Everything that can refuse an account operation.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    #[error("e-mail already registered")]
    EmailTaken,
    #[error("wrong e-mail or password")]
    InvalidCredentials,
    #[error("token unknown, used or expired")]
    InvalidToken,
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("internal: {0}")]
    Internal(String),
}

impl AccountError {
    pub fn code(&self) -> ErrorCode {
        match self {
            AccountError::Invalid(_) => ErrorCode::ValidationError,
            AccountError::EmailTaken => ErrorCode::EmailTaken,
            AccountError::InvalidCredentials => ErrorCode::InvalidCredentials,
            AccountError::InvalidToken => ErrorCode::InvalidToken,
            AccountError::Forbidden => ErrorCode::Forbidden,
            AccountError::NotFound => ErrorCode::NotFound,
            AccountError::Conflict(_) => ErrorCode::Conflict,
            AccountError::Store(StoreError::Conflict(_)) => ErrorCode::Conflict,
            AccountError::Store(_) | AccountError::Internal(_) => ErrorCode::Internal,
        }
    }
    pub fn fields(&self) -> &[FieldError] {
        match self {
            AccountError::Invalid(f) => f,
            _ => &[],
        }
    }
}

fn invalid(e: FieldError) -> AccountError {
    AccountError::Invalid(vec![e])
}

/// Collects every field error instead of stopping at the first, so a form can mark them all.
#[derive(Default)]
struct Checks(Vec<FieldError>);

impl Checks {
    fn take<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        r.map_err(|e| self.0.push(e)).ok()
    }
    fn finish(self) -> Result<(), AccountError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AccountError::Invalid(self.0))
        }
    }
}

/// A registration form, as submitted.
#[derive(Debug, Clone, Default)]
pub struct NewAccount {
    pub email: String,
    pub password: String,
    pub name: String,
    pub country: String,
    pub language: Option<String>,
}

/// A profile edit, as submitted. Absent fields keep their value.
#[derive(Debug, Clone, Default)]
pub struct ProfileChanges {
    pub name: Option<String>,
    pub country: Option<String>,
    pub language: Option<String>,
    pub avatar_url: Option<String>,
    pub theme: Option<String>,
    pub notify_email: Option<bool>,
    pub notify_sms: Option<bool>,
    pub notify_push: Option<bool>,
}

#[derive(Clone)]
pub struct AccountService {
    store: Arc<dyn AccountStore>,
    mailer: Arc<dyn Mailer>,
    base_url: String,
    /// Serialises "was a link mailed lately?" with asking for the next one, and remembers who
    /// asked lately (their mail may not be made yet), so that requests arriving together mail
    /// once (per process: several servers may each mail one).
    reset_gate: Arc<tokio::sync::Mutex<std::collections::HashMap<String, i64>>>,
}

impl AccountService {
    pub fn new(store: Arc<dyn AccountStore>, mailer: Arc<dyn Mailer>, base_url: impl Into<String>) -> Self {
        Self { store, mailer, base_url: base_url.into().trim_end_matches('/').to_owned(), reset_gate: Arc::default() }
    }

    pub fn store(&self) -> &Arc<dyn AccountStore> {
        &self.store
    }

    /// Creates a reader account and mails a verification link from the background. An address
    /// that already has an account answers exactly the same (after the same password hashing),
    /// and its owner is told by mail instead: registration never reveals who has an account.
    /// `ip` is the client's address, for the audit journal (as for every command a reader
    /// makes on their own account).
    pub async fn register(&self, form: NewAccount, ip: &str) -> Result<(), AccountError> {
        // The verification mail follows the account's event, from the job queue (`AccountMails`).
        match self.create_user(None, ip, form, Role::Reader, false).await {
            Ok(_) | Err(AccountError::EmailTaken) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// An account made by staff or the command line, its address taken as verified.
    pub async fn create_verified(&self, by: &Actor, form: NewAccount, role: Role) -> Result<User, AccountError> {
        self.create_user(Some(by), &by.ip, form, role, true).await
    }

    /// Creates an account in one unit of work: the user, its audit entry (by `by`, or by the
    /// reader who registered) and its event.
    async fn create_user(&self, by: Option<&Actor>, ip: &str, form: NewAccount, role: Role, verified: bool) -> Result<User, AccountError> {
        let mut checks = Checks::default();
        let email = checks.take(Email::parse(&form.email));
        let pass = checks.take(Password::parse(&form.password));
        let name = checks.take(DisplayName::parse(&form.name));
        let country = checks.take(CountryCode::parse(&form.country));
        let language = match form.language.as_deref().map(str::trim) {
            None | Some("") => Some(Language::Fr),
            Some(l) => checks.take(Language::parse(l)),
        };
        checks.finish()?;
        let (Some(email), Some(pass), Some(name), Some(country), Some(language)) = (email, pass, name, country, language) else {
            return Err(AccountError::Internal("checked fields missing".into()));
        };
        let hash = password::hash(pass.expose().to_owned()).await.map_err(AccountError::Internal)?;
        let now = chrono::Utc::now();
        let user = User {
            id: uuid::Uuid::now_v7().to_string(),
            email: email.as_str().to_owned(),
            name: name.as_str().to_owned(),
            country: country.as_str().to_owned(),
            language,
            avatar_url: None,
            role,
            email_verified: verified,
            preferences: Preferences::default(),
            created_at: now,
        };
        let mut tx = self.store.begin().await?;
        match self.store.insert_user(&mut tx, &user, &hash).await {
            Ok(()) => {
                let after = serde_json::json!({ "role": user.role.as_str(), "verified": verified, "language": user.language.as_str() });
                let by = by.cloned().unwrap_or_else(|| Actor::user(&user, ip));
                tx.audit(&AuditEntry::new(&by, AuditAction::AccountCreated, &user.id, &user.email, None, Some(after))).await?;
                if role != Role::Reader {
                    audit_role(&mut tx, &by, &user, None).await?;
                }
                tx.event(&Event::AccountCreated { user_id: user.id.clone() }).await?;
                tx.commit().await?;
                Ok(user)
            }
            Err(StoreError::Conflict(_)) => {
                drop(tx);
                if !verified {
                    self.tell_owner_of_registration(&user.email).await;
                }
                Err(AccountError::EmailTaken)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Someone registered with an address that has an account: its owner hears of it, with the
    /// ways back in, from the job queue.
    async fn tell_owner_of_registration(&self, email: &str) {
        let Ok(Some(rec)) = self.store.user_by_email(email).await else { return };
        if let Err(e) = self.announce(Event::DuplicateRegistration { user_id: rec.user.id }).await {
            tracing::error!(error = %e, "the owner of an address registered again is not told");
        }
    }

    /// Writes an event alone in its unit of work (what asks the job queue for a mail).
    async fn announce(&self, event: Event) -> Result<(), StoreError> {
        let mut tx = self.store.begin().await?;
        tx.event(&event).await?;
        tx.commit().await
    }

    /// `coko create-admin`: creates an admin, or makes an existing account the operator's.
    /// An existing account keeps its password only when `promote` is asked and its address is
    /// verified; otherwise it gets the given password and loses every session and token, so
    /// whoever registered the operator's address first is shut out. Every change is audited.
    pub async fn ensure_admin(&self, by: &Actor, form: NewAccount, promote: bool) -> Result<AdminOutcome, AccountError> {
        let email = Email::parse(&form.email).map_err(invalid)?;
        let Some(existing) = self.store.user_by_email(email.as_str()).await? else {
            return Ok(AdminOutcome::Created(self.create_user(Some(by), &by.ip, form, Role::Admin, true).await?));
        };
        let user = existing.user;
        if promote && user.email_verified {
            let mut tx = self.store.begin().await?;
            self.change_role(&mut tx, by, &user, Role::Admin).await?;
            tx.commit().await?;
            return Ok(AdminOutcome::Promoted(self.user(&user.id).await?));
        }
        if form.password.is_empty() {
            return Err(invalid(FieldError::new("password", Reason::Required)));
        }
        let pass = Password::parse(&form.password).map_err(invalid)?;
        let hash = password::hash(pass.expose().to_owned()).await.map_err(AccountError::Internal)?;
        // The new password, the verified address, the sessions ended and the role: together.
        let mut tx = self.store.begin().await?;
        self.set_password(&mut tx, &user.id, &hash, None).await?;
        self.store.mark_email_verified(&mut tx, &user.id, now_ms()).await?;
        tx.audit(&AuditEntry::new(by, AuditAction::PasswordSet, &user.id, &user.email, None, None)).await?;
        self.change_role(&mut tx, by, &user, Role::Admin).await?;
        tx.commit().await?;
        Ok(AdminOutcome::PasswordSet(self.user(&user.id).await?))
    }

    async fn change_role(&self, tx: &mut Tx, by: &Actor, user: &User, role: Role) -> Result<(), AccountError> {
        if user.role == role {
            return Ok(());
        }
        self.store.set_role(tx, &user.id, role, now_ms()).await?;
        audit_role(tx, by, &User { role, ..user.clone() }, Some(user.role)).await?;
        Ok(tx.event(&Event::RoleChanged { user_id: user.id.clone() }).await?)
    }

    /// Checks an e-mail and password. Unknown e-mails take as long as wrong passwords.
    pub async fn login(&self, email: &str, pass: &str) -> Result<User, AccountError> {
        let email = Email::parse(email).map_err(invalid)?;
        if pass.is_empty() {
            return Err(invalid(FieldError::new("password", Reason::Required)));
        }
        match self.store.user_by_email(email.as_str()).await? {
            Some(rec) => {
                if password::verify(pass.to_owned(), rec.password_hash).await {
                    Ok(rec.user)
                } else {
                    Err(AccountError::InvalidCredentials)
                }
            }
            None => {
                password::dummy_verify(pass.to_owned()).await;
                Err(AccountError::InvalidCredentials)
            }
        }
    }

    pub async fn user(&self, id: &str) -> Result<User, AccountError> {
        self.store.user_by_id(id).await?.map(|r| r.user).ok_or(AccountError::NotFound)
    }

    /// The account with this verified e-mail, for staff forms that give something to a reader
    /// by address (access to a paid book…): an invalid address is refused as such, an unknown
    /// one is `email: unknown`, one whose owner has not proved it is `email: unverified` —
    /// whoever typed someone else's address at registration gets nothing meant for them.
    pub async fn verified_user_by_email(&self, email: &str) -> Result<User, AccountError> {
        let email = Email::parse(email).map_err(|e| AccountError::Invalid(vec![e]))?;
        match self.store.user_by_email(email.as_str()).await? {
            Some(r) if r.user.email_verified => Ok(r.user),
            Some(_) => Err(AccountError::Invalid(vec![FieldError::new("email", Reason::Unverified)])),
            None => Err(AccountError::Invalid(vec![FieldError::new("email", Reason::Unknown)])),
        }
    }

    pub async fn update_profile(&self, id: &str, changes: ProfileChanges, ip: &str) -> Result<User, AccountError> {
        let current = self.user(id).await?;
        let mut checks = Checks::default();
        let name = match changes.name {
            Some(n) => checks.take(DisplayName::parse(&n)).map(|n| n.as_str().to_owned()),
            None => Some(current.name.clone()),
        };
        let country = match changes.country {
            Some(c) => checks.take(CountryCode::parse(&c)).map(|c| c.as_str().to_owned()),
            None => Some(current.country.clone()),
        };
        let language = match changes.language {
            Some(l) => checks.take(Language::parse(&l)),
            None => Some(current.language),
        };
        let avatar_url = match changes.avatar_url.map(|a| a.trim().to_owned()) {
            Some(a) if a.is_empty() => None,
            Some(a) => checks.take(parse_avatar_url(&a)),
            None => current.avatar_url.clone(),
        };
        let theme = match changes.theme {
            Some(t) => checks.take(Theme::parse(&t).ok_or(FieldError::new("theme", Reason::Unknown))),
            None => Some(current.preferences.theme),
        };
        checks.finish()?;
        let (Some(name), Some(country), Some(language), Some(theme)) = (name, country, language, theme) else {
            return Err(AccountError::Internal("checked fields missing".into()));
        };
        let p = &current.preferences;
        let record = ProfileRecord {
            name,
            country,
            language: language.as_str().to_owned(),
            avatar_url,
            preferences: Preferences {
                theme,
                notify_email: changes.notify_email.unwrap_or(p.notify_email),
                notify_sms: changes.notify_sms.unwrap_or(p.notify_sms),
                notify_push: changes.notify_push.unwrap_or(p.notify_push),
            },
        };
        let mut tx = self.store.begin().await?;
        if !self.store.update_profile(&mut tx, id, &record, now_ms()).await? {
            return Err(AccountError::NotFound);
        }
        let after = self.store.user_in(&mut tx, id).await?.ok_or(AccountError::NotFound)?.user;
        let (before_json, after_json) = (profile_json(&current), profile_json(&after));
        if before_json != after_json {
            let entry = AuditEntry::new(
                &Actor::user(&current, ip),
                AuditAction::ProfileChanged,
                id,
                &current.email,
                Some(before_json),
                Some(after_json),
            );
            tx.audit(&entry).await?;
            tx.event(&Event::ProfileChanged { user_id: id.to_owned() }).await?;
        }
        tx.commit().await?;
        Ok(after)
    }

    /// Changes the password after checking the current one, then ends every other session and
    /// refresh token of the user. `keep_session` is the web session that asked, if any.
    pub async fn change_password(
        &self,
        id: &str,
        current: &str,
        new: &str,
        keep_session: Option<&str>,
        ip: &str,
    ) -> Result<(), AccountError> {
        let new = Password::parse_field("new_password", new).map_err(invalid)?;
        let rec = self.store.user_by_id(id).await?.ok_or(AccountError::NotFound)?;
        if !password::verify(current.to_owned(), rec.password_hash).await {
            return Err(invalid(FieldError::new("current_password", Reason::Mismatch)));
        }
        let hash = password::hash(new.expose().to_owned()).await.map_err(AccountError::Internal)?;
        let mut tx = self.store.begin().await?;
        self.set_password(&mut tx, id, &hash, keep_session).await?;
        tx.audit(&AuditEntry::new(&Actor::user(&rec.user, ip), AuditAction::PasswordChanged, id, &rec.user.email, None, None)).await?;
        Ok(tx.commit().await?)
    }

    /// A new password hash, every other session and refresh token of the user ended, and the
    /// event (a security notice for the owner, once notifications read it): in the caller's
    /// unit of work, so a password never changes while a thief's session lives on.
    async fn set_password(&self, tx: &mut Tx, id: &str, hash: &str, keep_session: Option<&str>) -> Result<(), AccountError> {
        if !self.store.set_password_hash(tx, id, hash, now_ms()).await? {
            return Err(AccountError::NotFound);
        }
        self.store.delete_user_sessions(tx, id, keep_session).await?;
        self.store.revoke_user_refresh_tokens(tx, id, now_ms()).await?;
        Ok(tx.event(&Event::PasswordChanged { user_id: id.to_owned() }).await?)
    }

    /// Asks for a fresh verification link to be mailed (no-op once verified), from the job queue.
    pub async fn send_verification(&self, user: &User) {
        if user.email_verified {
            return;
        }
        if let Err(e) = self.announce(Event::VerificationAsked { user_id: user.id.clone() }).await {
            tracing::error!(error = %e, "verification mail not asked for");
        }
    }

    /// Makes the link of an account mail and sends it: the raw token goes into the mail only
    /// (its digest is stored). The mail server's reply, or why it failed. `key` names the
    /// delivery (the mail's `Message-ID` comes from it).
    pub(crate) async fn deliver(&self, kind: MailKind, user: &User, key: &str) -> Result<String, String> {
        let link = match kind {
            MailKind::AlreadyRegistered => format!("{0}/connexion\n{0}/mot-de-passe/oublie", self.base_url),
            MailKind::Verify | MailKind::Reset => {
                let (purpose, ttl, path) = match kind {
                    MailKind::Verify => (Purpose::VerifyEmail, VERIFY_TTL_MS, "verifier-email"),
                    _ => (Purpose::ResetPassword, RESET_TTL_MS, "mot-de-passe/nouveau"),
                };
                let raw = tokens::generate();
                let mut tx = self.store.begin().await.map_err(|e| e.to_string())?;
                self.store
                    .insert_one_time_token(&mut tx, &tokens::digest(&raw), &user.id, purpose.as_str(), now_ms() + ttl)
                    .await
                    .map_err(|e| e.to_string())?;
                tx.commit().await.map_err(|e| e.to_string())?;
                format!("{}/{path}?token={raw}", self.base_url)
            }
        };
        let (subject, body) = mail_text(user.language, kind, &user.name, &link);
        let id = format!("{}@coko", tokens::digest(key).get(..32).unwrap_or_default());
        let msg = Message { id: Some(id), ..Message::plain(user.email.clone(), subject, body) };
        self.mailer.send(msg).await.map_err(|e| e.0)
    }

    /// Spends a verification link: the token and the verified address together.
    pub async fn verify_email(&self, raw: &str, ip: &str) -> Result<User, AccountError> {
        let mut tx = self.store.begin().await?;
        let user_id = self
            .store
            .consume_one_time_token(&mut tx, &tokens::digest(raw.trim()), Purpose::VerifyEmail.as_str(), now_ms())
            .await?
            .ok_or(AccountError::InvalidToken)?;
        let user = self.mark_verified(&mut tx, &user_id, ip).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Marks an address verified (once: audited and announced the first time only).
    async fn mark_verified(&self, tx: &mut Tx, user_id: &str, ip: &str) -> Result<User, AccountError> {
        let before = self.store.user_in(tx, user_id).await?.ok_or(AccountError::NotFound)?.user;
        self.store.mark_email_verified(tx, user_id, now_ms()).await?;
        if !before.email_verified {
            tx.audit(&AuditEntry::new(&Actor::user(&before, ip), AuditAction::EmailVerified, user_id, &before.email, None, None)).await?;
            tx.event(&Event::EmailVerified { user_id: user_id.to_owned() }).await?;
        }
        Ok(User { email_verified: true, ..before })
    }

    /// Mails a reset link if the address has an account. Answers at once and the same either
    /// way: the look-up happens in the background, the mail from the job queue. A link mailed
    /// (or asked for) less than [`RESET_SPACING_MS`] ago is not mailed again (the owner has it),
    /// so nobody can flood an inbox from many addresses.
    pub async fn forgot_password(&self, email: &str) -> Result<(), AccountError> {
        let email = Email::parse(email).map_err(invalid)?;
        let service = self.clone();
        tokio::spawn(async move {
            if let Err(e) = service.ask_reset_link(email.as_str()).await {
                tracing::error!(error = %e, "reset link not asked for");
            }
        });
        Ok(())
    }

    async fn ask_reset_link(&self, email: &str) -> Result<(), AccountError> {
        let Some(rec) = self.store.user_by_email(email).await? else { return Ok(()) };
        let purpose = Purpose::ResetPassword.as_str();
        let mut asked = self.reset_gate.lock().await;
        if let Some(last) = self.store.last_one_time_token_at(&rec.user.id, purpose).await? {
            if now_ms() - last < RESET_SPACING_MS {
                return Ok(());
            }
        }
        // Asked lately, its mail not made yet: the same mail.
        asked.retain(|_, at| now_ms() - *at < RESET_SPACING_MS);
        if asked.contains_key(&rec.user.id) {
            return Ok(());
        }
        self.announce(Event::PasswordResetAsked { user_id: rec.user.id.clone() }).await?;
        asked.insert(rec.user.id, now_ms());
        Ok(())
    }

    /// Sets a new password from a reset token; ends all the user's sessions and refresh tokens.
    pub async fn reset_password(&self, raw: &str, new: &str, ip: &str) -> Result<User, AccountError> {
        let new = Password::parse_field("password", new).map_err(invalid)?;
        let hash = password::hash(new.expose().to_owned()).await.map_err(AccountError::Internal)?;
        // The token spent, the password, the sessions ended, the address proved: together, so
        // a crash never leaves a spent link and the old password.
        let mut tx = self.store.begin().await?;
        let user_id = self
            .store
            .consume_one_time_token(&mut tx, &tokens::digest(raw.trim()), Purpose::ResetPassword.as_str(), now_ms())
            .await?
            .ok_or(AccountError::InvalidToken)?;
        self.set_password(&mut tx, &user_id, &hash, None).await?;
        // Following the link proves the address too.
        let user = self.mark_verified(&mut tx, &user_id, ip).await?;
        tx.audit(&AuditEntry::new(&Actor::user(&user, ip), AuditAction::PasswordReset, &user.id, &user.email, None, None)).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Starts a refresh-token family for a newly signed-in client.
    pub async fn issue_refresh_token(&self, user_id: &str) -> Result<RefreshToken, AccountError> {
        let family = uuid::Uuid::now_v7().to_string();
        self.new_refresh_in_family(user_id, &family, now_ms() + FAMILY_TTL_MS).await
    }

    async fn new_refresh_in_family(&self, user_id: &str, family: &str, family_expires_ms: i64) -> Result<RefreshToken, AccountError> {
        let mut tx = self.store.begin().await?;
        let token = self.refresh_in(&mut tx, user_id, family, family_expires_ms).await?;
        tx.commit().await?;
        Ok(token)
    }

    async fn refresh_in(&self, tx: &mut Tx, user_id: &str, family: &str, family_expires_ms: i64) -> Result<RefreshToken, AccountError> {
        let raw = tokens::generate();
        self.store.insert_refresh_token(tx, &tokens::digest(&raw), user_id, family, now_ms() + REFRESH_TTL_MS, family_expires_ms).await?;
        Ok(RefreshToken { raw, family: family.to_owned() })
    }

    /// Spends a refresh token and returns its successor, in the same family (which keeps its
    /// end). A token presented twice revokes its whole family: whoever holds a copy is locked
    /// out along with the thief.
    /// The old token spent and its successor stored together: a failure in between never leaves
    /// the client with no token that works.
    pub async fn rotate_refresh_token(&self, raw: &str) -> Result<(User, RefreshToken), AccountError> {
        let mut tx = self.store.begin().await?;
        match self.store.use_refresh_token(&mut tx, &tokens::digest(raw), now_ms()).await? {
            RefreshUse::Valid { user_id, family_id, family_expires_ms } => {
                let user = self.store.user_in(&mut tx, &user_id).await?.ok_or(AccountError::InvalidToken)?.user;
                let next = self.refresh_in(&mut tx, &user_id, &family_id, family_expires_ms).await?;
                tx.commit().await?;
                Ok((user, next))
            }
            RefreshUse::Reused { family_id } => {
                tracing::warn!(family = %family_id, "refresh token reused; family revoked");
                self.store.revoke_refresh_family(&mut tx, &family_id, now_ms()).await?;
                tx.commit().await?;
                Err(AccountError::InvalidToken)
            }
            RefreshUse::Expired | RefreshUse::Unknown => Err(AccountError::InvalidToken),
        }
    }

    /// Signs a client out: revokes the family of the refresh token it holds (its access tokens
    /// stop working with it).
    pub async fn revoke_refresh_token(&self, raw: &str) -> Result<(), AccountError> {
        let mut tx = self.store.begin().await?;
        match self.store.use_refresh_token(&mut tx, &tokens::digest(raw), now_ms()).await? {
            RefreshUse::Valid { family_id, .. } | RefreshUse::Reused { family_id } => {
                self.store.revoke_refresh_family(&mut tx, &family_id, now_ms()).await?;
                Ok(tx.commit().await?)
            }
            RefreshUse::Expired | RefreshUse::Unknown => Ok(()),
        }
    }

    /// The user an access token speaks for, while the sign-in it came from (its refresh-token
    /// family) is live: a logout, a password change or reset, or the family's end stops it.
    pub async fn user_for_access(&self, user_id: &str, family: &str) -> Result<User, AccountError> {
        if family.is_empty() || !self.store.refresh_family_live(family, now_ms()).await? {
            return Err(AccountError::InvalidToken);
        }
        match self.user(user_id).await {
            Err(AccountError::NotFound) => Err(AccountError::InvalidToken),
            other => other,
        }
    }

    pub async fn list_users(&self, actor: &User, search: &str, page: u32, per_page: u32) -> Result<UserPage, AccountError> {
        if !actor.role.can_manage_users() {
            return Err(AccountError::Forbidden);
        }
        let per_page = per_page.clamp(1, 100);
        let page = page.max(1);
        let search: String = search.chars().take(100).collect();
        let (users, total) = self.store.list_users(&search, per_page, (page as u64 - 1) * per_page as u64).await?;
        Ok(UserPage { users, total, page, per_page })
    }

    /// Changes a user's role, into the audit journal. The last admin cannot demote themselves.
    pub async fn set_role(&self, by: &Actor, target_id: &str, role: &str) -> Result<User, AccountError> {
        if !by.role.can_manage_users() {
            return Err(AccountError::Forbidden);
        }
        let role = Role::parse(role).ok_or_else(|| invalid(FieldError::new("role", Reason::Unknown)))?;
        let target = self.user(target_id).await?;
        let mut tx = self.store.begin().await?;
        if target.role == Role::Admin && role != Role::Admin && self.store.count_admins(&mut tx).await? <= 1 {
            return Err(AccountError::Conflict("last_admin"));
        }
        self.change_role(&mut tx, by, &target, role).await?;
        tx.commit().await?;
        self.user(target_id).await
    }
}

async fn audit_role(tx: &mut Tx, by: &Actor, user: &User, before: Option<Role>) -> Result<(), AccountError> {
    let before = before.map(|r| serde_json::json!({ "role": r.as_str() }));
    let after = Some(serde_json::json!({ "role": user.role.as_str() }));
    Ok(tx.audit(&AuditEntry::new(by, AuditAction::RoleChanged, &user.id, &user.email, before, after)).await?)
}

/// What a profile edit changed, as the audit journal keeps it.
fn profile_json(u: &User) -> serde_json::Value {
    let p = &u.preferences;
    serde_json::json!({
        "name": u.name, "country": u.country, "language": u.language.as_str(), "avatar_url": u.avatar_url,
        "theme": p.theme.as_str(),
        "notify_email": p.notify_email, "notify_sms": p.notify_sms, "notify_push": p.notify_push,
    })
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum MailKind {
    Verify,
    Reset,
    AlreadyRegistered,
}

fn mail_text(lang: Language, kind: MailKind, name: &str, link: &str) -> (String, String) {
    match (lang, kind) {
        (Language::En, MailKind::Verify) => (
            "Confirm your e-mail address".into(),
            format!("Hello {name},\n\nWelcome to Coko! Confirm your e-mail address by opening this link (valid 24 hours):\n\n{link}\n\nIf you did not create an account, ignore this message.\n"),
        ),
        (Language::En, MailKind::Reset) => (
            "Reset your password".into(),
            format!("Hello {name},\n\nTo choose a new password, open this link (valid one hour, usable once):\n\n{link}\n\nIf you did not ask for it, ignore this message: your password stays the same.\n"),
        ),
        (Language::En, MailKind::AlreadyRegistered) => (
            "Someone tried to create an account with your address".into(),
            format!("Hello {name},\n\nSomeone just tried to create a Coko account with this e-mail address, which already has one. If it was you, sign in, or choose a new password if you forgot it:\n\n{link}\n\nIf it was not you, ignore this message: nothing changed on your account.\n"),
        ),
        (Language::Ar, MailKind::AlreadyRegistered) => (
            "حاول أحدهم إنشاء حساب بعنوانك".into(),
            format!("مرحبًا {name}،\n\nحاول أحدهم للتو إنشاء حساب على كوكو بهذا البريد الإلكتروني، وله حساب بالفعل. إن كنت أنت، فسجّل الدخول، أو اختر كلمة مرور جديدة إن نسيتها:\n\n{link}\n\nإن لم تكن أنت، فتجاهل هذه الرسالة: لم يتغيّر شيء في حسابك.\n"),
        ),
        (_, MailKind::AlreadyRegistered) => (
            "Quelqu'un a voulu créer un compte avec votre adresse".into(),
            format!("Bonjour {name},\n\nQuelqu'un vient d'essayer de créer un compte Coko avec cette adresse e-mail, qui en a déjà un. Si c'était vous, connectez-vous, ou choisissez un nouveau mot de passe si vous l'avez oublié :\n\n{link}\n\nSi ce n'était pas vous, ignorez ce message : rien n'a changé sur votre compte.\n"),
        ),
        (_, MailKind::Verify) => (
            "Confirmez votre adresse e-mail".into(),
            format!("Bonjour {name},\n\nBienvenue sur Coko ! Confirmez votre adresse e-mail en ouvrant ce lien (valable 24 heures) :\n\n{link}\n\nSi vous n'avez pas créé de compte, ignorez ce message.\n"),
        ),
        (_, MailKind::Reset) => (
            "Réinitialisez votre mot de passe".into(),
            format!("Bonjour {name},\n\nPour choisir un nouveau mot de passe, ouvrez ce lien (valable une heure, utilisable une fois) :\n\n{link}\n\nSi vous n'avez rien demandé, ignorez ce message : votre mot de passe ne change pas.\n"),
        ),
    }
}

fn parse_avatar_url(raw: &str) -> Result<String, FieldError> {
    let ok = raw.len() <= 500
        && (raw.starts_with("https://") || raw.starts_with("http://") || raw.starts_with("/files/"))
        && !raw.chars().any(|c| c.is_whitespace() || c == '"' || c == '<' || c == '>');
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(FieldError::new("avatar_url", Reason::InvalidFormat))
    }
}
