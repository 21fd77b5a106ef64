//! Notifications as pages and forms (see `app::pages::notifications`): the inbox, marking read
//! and archiving, the preferences, and the unsubscribe link of a mail.

use super::errors::{PageResult, WebError};
use super::pages::signed_in;
use super::render::{redirect_with, render, safe_next};
use super::visit::Visit;
use crate::error::HttpError;
use crate::state::AppState;
use app::context::{Flash, FormState, Page};
use app::pages::notifications::Unsubscribe;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use domain::notification::{BroadcastForm, Category, Channel, PreferencesForm, Shelf};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize)]
pub struct InboxQuery {
    vue: Option<String>,
    apres: Option<String>,
}

/// `/notifications`: unread first, then the newest; `?vue=archives` for the archive.
pub async fn inbox(State(s): State<AppState>, v: Visit, Query(q): Query<InboxQuery>) -> PageResult {
    let user = signed_in(&v)?;
    let archived = q.vue.as_deref() == Some("archives");
    let shelf = if archived { Shelf::Archived } else { Shelf::Inbox };
    let page = s.notifications.page(user, shelf, q.apres.as_deref()).await.map_err(HttpError::from)?;
    let mut ctx = v.ctx(Page::Notifications { page, archived });
    ctx.unread = match &ctx.page {
        Page::Notifications { page, .. } => page.unread,
        _ => ctx.unread,
    };
    Ok(render(&s, ctx, StatusCode::OK).await)
}

/// `/notifications/{id}`: marks it read and follows its link (a plain link from the page and
/// the bell: no script needed).
pub async fn open(State(s): State<AppState>, v: Visit, Path(id): Path<String>) -> PageResult {
    let user = signed_in(&v)?;
    let link = s.notifications.open(user, &id).await.map_err(HttpError::from)?;
    Ok(Redirect::to(&safe_next(link.as_deref(), "/notifications")).into_response())
}

/// Marks one (`id`) or every unread notification (`all`) read.
pub async fn mark_read(State(s): State<AppState>, v: Visit, Form(f): Form<HashMap<String, String>>) -> PageResult {
    let user = signed_in(&v)?;
    let ids = f.get("id").map(|id| vec![id.clone()]);
    if ids.is_none() && !f.contains_key("all") {
        return Ok(Redirect::to("/notifications").into_response());
    }
    s.notifications.mark_read(user, ids.as_deref()).await?;
    let next = safe_next(f.get("next").map(String::as_str), "/notifications");
    Ok(redirect_with(&v.session, &next, Some(Flash::NotificationsRead)).await)
}

pub async fn archive(State(s): State<AppState>, v: Visit, Form(f): Form<HashMap<String, String>>) -> PageResult {
    let user = signed_in(&v)?;
    let ids: Vec<String> = f.get("id").cloned().into_iter().collect();
    s.notifications.archive(user, &ids).await?;
    Ok(redirect_with(&v.session, "/notifications", Some(Flash::NotificationArchived)).await)
}

async fn prefs_page(s: &AppState, user: &domain::account::User) -> Result<Page, HttpError> {
    let prefs = s.notifications.preferences(user).await.map_err(HttpError::from)?;
    let zones = domain::notification::quiet::zones().map(str::to_owned).collect();
    let phone = s.notifications.phone(user).await.map_err(HttpError::from)?;
    let channels = s.notifications.channels();
    let push = match channels.contains(&domain::notification::Channel::Push) {
        true => Some(domain::notification::PushSection {
            public_key: s.push_key.clone(),
            devices: s.notifications.push_devices(user).await.map_err(HttpError::from)?,
        }),
        false => None,
    };
    let follows = s.notifications.follows(user).await.map_err(HttpError::from)?;
    Ok(Page::NotificationPrefs { prefs, channels, zones, phone, push, follows })
}

/// `/profil/notifications`: what Coko tells the reader, on which channel, and when not.
pub async fn preferences(State(s): State<AppState>, v: Visit) -> PageResult {
    let user = signed_in(&v)?;
    Ok(render(&s, v.ctx(prefs_page(&s, user).await?), StatusCode::OK).await)
}

/// The preferences form: every cell shown is sent (a box not ticked is off).
pub async fn save_preferences(State(s): State<AppState>, v: Visit, Form(f): Form<HashMap<String, String>>) -> PageResult {
    let user = signed_in(&v)?;
    let cells = Category::ALL
        .into_iter()
        .flat_map(|c| s.notifications.channels().into_iter().map(move |ch| (c, ch)))
        .filter(|(c, ch)| !(c.is_critical() && matches!(ch, Channel::InApp | Channel::Email)))
        .map(|(c, ch)| {
            let on = f.contains_key(&format!("{}.{}", c.as_str(), ch.as_str()));
            (c.as_str().to_owned(), ch.as_str().to_owned(), on)
        })
        .collect();
    let field = |k: &str| f.get(k).cloned().unwrap_or_default();
    let quiet = match f.contains_key("quiet") {
        true => Some((field("quiet_start"), field("quiet_end"))),
        false => None,
    };
    let form = PreferencesForm { cells, quiet_hours: Some(quiet), time_zone: Some(field("time_zone")), digest: f.get("digest").cloned() };
    match s.notifications.set_preferences(user, &form, &v.ip).await {
        Ok(_) => Ok(redirect_with(&v.session, "/profil/notifications", Some(Flash::NotificationPrefsSaved)).await),
        Err(e) => {
            let err = HttpError::from(e);
            err.log();
            let mut ctx = v.ctx(prefs_page(&s, user).await?);
            let values = f.into_iter().collect();
            ctx.form = Some(FormState {
                form: "notification_prefs",
                values,
                fields: err.fields,
                error: None,
                retry_after_secs: None,
                detail: None,
            });
            Ok(render(&s, ctx, err.status).await)
        }
    }
}

#[derive(Deserialize)]
pub struct UnsubscribeQuery {
    t: Option<String>,
    c: Option<String>,
}

fn category_of(c: Option<&str>) -> Option<Category> {
    c.and_then(Category::parse)
}

/// A mail's unsubscribe link: asks for a click (a GET changes nothing: mail scanners and link
/// previews follow links).
pub async fn unsubscribe_page(State(s): State<AppState>, v: Visit, Query(q): Query<UnsubscribeQuery>) -> PageResult {
    let token = q.t.unwrap_or_default();
    let known = s.notifications.store().user_of_unsubscribe_token(&token).await.map_err(HttpError::from)?.is_some();
    let state = if known && token.len() <= 100 { Unsubscribe::Ask } else { Unsubscribe::Invalid };
    let page = Page::Unsubscribe { token, category: category_of(q.c.as_deref()), state };
    Ok(render(&s, v.ctx(page), if known { StatusCode::OK } else { StatusCode::NOT_FOUND }).await)
}

/// The page's confirmation.
pub async fn unsubscribe(State(s): State<AppState>, v: Visit, Query(q): Query<UnsubscribeQuery>) -> PageResult {
    let token = q.t.unwrap_or_default();
    let category = category_of(q.c.as_deref());
    let state = match s.notifications.unsubscribe(&token, category, &v.ip).await {
        Ok(_) => Unsubscribe::Done,
        Err(domain::notification::NotificationError::NotFound) => Unsubscribe::Invalid,
        Err(e) => return Err(HttpError::from(e).into()),
    };
    let status = if state == Unsubscribe::Done { StatusCode::OK } else { StatusCode::NOT_FOUND };
    Ok(render(&s, v.ctx(Page::Unsubscribe { token, category, state }), status).await)
}

/// `/admin/notifications`: the delivery log and "send me a test" (admins).
pub async fn admin(State(s): State<AppState>, v: Visit) -> PageResult {
    let user = signed_in(&v)?;
    if !user.role.can_manage_users() {
        return Err(HttpError::new(domain::ErrorCode::Forbidden).into());
    }
    Ok(render(&s, v.ctx(admin_page(&s, user, None).await?), StatusCode::OK).await)
}

async fn admin_page(
    s: &AppState,
    user: &domain::account::User,
    preview: Option<(BroadcastForm, domain::notification::Reach)>,
) -> Result<Page, WebError> {
    let deliveries = s.notifications.deliveries(user, true, 200).await.map_err(HttpError::from)?;
    let previews = domain::notification::sms::previews(&s.config.base_url);
    let broadcasts = s.notifications.broadcasts(user).await?;
    Ok(Page::AdminNotifications { deliveries, previews, broadcasts, preview })
}

/// `/admin/notifications/annonce`: counts a broadcast's recipients (`action=preview`), or sends
/// it (`action=send`) when the segment is the one just counted — otherwise it is counted again.
pub async fn broadcast(State(s): State<AppState>, v: Visit, Form(f): Form<HashMap<String, String>>) -> PageResult {
    let user = signed_in(&v)?;
    if !user.role.can_manage_users() {
        return Err(HttpError::new(domain::ErrorCode::Forbidden).into());
    }
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let form = BroadcastForm {
        title: get("title"),
        body: get("body"),
        title_en: get("title_en"),
        body_en: get("body_en"),
        title_ar: get("title_ar"),
        body_ar: get("body_ar"),
        link: get("link"),
        segment: domain::notification::Segment {
            country: get("country").trim().to_ascii_uppercase(),
            language: get("language"),
            plan: get("plan"),
        },
        id: get("broadcast_id"),
    };
    let counted = f.get("counted").is_some_and(|k| *k == app::pages::broadcast::segment_key(&form.segment));
    let outcome = if get("action") == "send" && counted {
        match s.notifications.send_broadcast(user, &form, &v.ip).await {
            Ok(_) => return Ok(redirect_with(&v.session, "/admin/notifications#broadcasts", Some(Flash::BroadcastSent)).await),
            Err(e) => Err(e),
        }
    } else {
        s.notifications.preview_broadcast(user, &form, &s.config.base_url).await
    };
    match outcome {
        Ok(reach) => Ok(render(&s, v.ctx(admin_page(&s, user, Some((form, reach))).await?), StatusCode::OK).await),
        Err(e) => {
            let err = HttpError::from(e);
            err.log();
            let mut ctx = v.ctx(admin_page(&s, user, None).await?);
            ctx.form = Some(FormState {
                form: "broadcast",
                values: f.into_iter().collect(),
                fields: err.fields,
                error: None,
                retry_after_secs: None,
                detail: None,
            });
            Ok(render(&s, ctx, err.status).await)
        }
    }
}

pub async fn send_test(State(s): State<AppState>, v: Visit, Form(f): Form<HashMap<String, String>>) -> PageResult {
    let user = signed_in(&v)?;
    s.notifications.send_test(user, f.get("category").map(String::as_str).unwrap_or("payments")).await?;
    Ok(redirect_with(&v.session, "/admin/notifications", Some(Flash::NotificationTestSent)).await)
}

/// The preferences page again with a phone form refused: what was typed and why.
async fn refused(
    s: &AppState,
    v: &Visit,
    user: &domain::account::User,
    form: &'static str,
    f: HashMap<String, String>,
    e: domain::notification::NotificationError,
) -> PageResult {
    let err = HttpError::from(e);
    err.log();
    let mut ctx = v.ctx(prefs_page(s, user).await?);
    ctx.form = Some(FormState {
        form,
        values: f.into_iter().collect(),
        fields: err.fields,
        error: (err.code == domain::ErrorCode::RateLimited).then_some(err.code),
        retry_after_secs: err.retry_after,
        detail: None,
    });
    Ok(render(s, ctx, err.status).await)
}

/// The number for texts: a code goes to it.
pub async fn set_phone(State(s): State<AppState>, v: Visit, Form(f): Form<HashMap<String, String>>) -> PageResult {
    let user = signed_in(&v)?;
    let number = f.get("sms_phone").cloned().unwrap_or_default();
    match s.notifications.set_phone(user, &number, &v.ip).await {
        Ok(p) if p.verified => Ok(Redirect::to("/profil/notifications#sms").into_response()),
        Ok(_) => Ok(redirect_with(&v.session, "/profil/notifications#sms", Some(Flash::PhoneCodeSent)).await),
        Err(e) => refused(&s, &v, user, "sms_phone", f, e).await,
    }
}

/// The code typed back.
pub async fn confirm_phone(State(s): State<AppState>, v: Visit, Form(f): Form<HashMap<String, String>>) -> PageResult {
    let user = signed_in(&v)?;
    let code = f.get("sms_code").cloned().unwrap_or_default();
    match s.notifications.confirm_phone(user, &code, &v.ip).await {
        Ok(_) => Ok(redirect_with(&v.session, "/profil/notifications#sms", Some(Flash::PhoneVerified)).await),
        Err(domain::notification::NotificationError::NotFound) => Ok(Redirect::to("/profil/notifications#sms").into_response()),
        Err(e) => refused(&s, &v, user, "sms_code", f, e).await,
    }
}

/// One of the reader's browsers removed from the preferences page (no script needed).
pub async fn remove_push_device(State(s): State<AppState>, v: Visit, Form(f): Form<HashMap<String, String>>) -> PageResult {
    let user = signed_in(&v)?;
    let id = f.get("id").map(String::as_str).unwrap_or("");
    s.notifications.remove_push_device(user, id, &v.ip).await?;
    Ok(redirect_with(&v.session, "/profil/notifications#push", Some(Flash::PushDeviceRemoved)).await)
}

pub async fn remove_phone(State(s): State<AppState>, v: Visit) -> PageResult {
    let user = signed_in(&v)?;
    s.notifications.remove_phone(user, &v.ip).await?;
    Ok(redirect_with(&v.session, "/profil/notifications", Some(Flash::PhoneRemoved)).await)
}

/// `/suivis`: follows (or stops following) an author or a category from its page, and goes
/// back to it.
pub async fn follow(State(s): State<AppState>, v: Visit, Form(f): Form<HashMap<String, String>>) -> PageResult {
    let user = signed_in(&v)?;
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
    let following = get("following") != "false";
    s.notifications.set_follow(user, get("kind"), get("id"), following, &v.ip).await?;
    let next = safe_next(f.get("next").map(String::as_str), "/profil/notifications#suivis");
    Ok(redirect_with(&v.session, &next, Some(if following { Flash::Followed } else { Flash::Unfollowed })).await)
}
