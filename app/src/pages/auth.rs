//! Sign in, sign up, e-mail verification and password reset.

use crate::components::form::{country_options, language_options, ErrorSummary, Field, Select};
use crate::components::notice::{Notice, Tone};
use crate::components::password_input::PasswordField;
use crate::components::styles;
use crate::context::page_ctx;
use crate::i18n::texts;
use leptos::prelude::*;

/// A narrow card holding one form.
#[component]
fn FormCard(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <div class="mx-auto max-w-md">
            <h1 class=styles::H1>{title}</h1>
            <div class=styles::CARD>{children()}</div>
        </div>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let form = ctx.form_for("login").cloned();
    let email = form.as_ref().and_then(|f| f.value("email")).unwrap_or_default().to_owned();
    let next = form.as_ref().and_then(|f| f.value("next")).map(str::to_owned).unwrap_or_else(|| next_param(&ctx.path));
    view! {
        <FormCard title=t.login_title>
            <ErrorSummary t=t form=form.clone()/>
            <form method="post" action="/connexion" novalidate>
                <input type="hidden" name="next" value=next/>
                <Field t=t name="email" label=t.email_label kind="email" value=email autocomplete="email" required=true
                    error=form.as_ref().and_then(|f| f.field_error("email").cloned())/>
                <PasswordField t=t name="password" label=t.password_label autocomplete="current-password"
                    error=form.as_ref().and_then(|f| f.field_error("password").cloned())/>
                <button type="submit" class=format!("{} w-full", styles::BUTTON)>{t.login_submit}</button>
            </form>
            <div class="mt-5 space-y-2 text-sm">
                <p><a class=styles::LINK href="/mot-de-passe/oublie">{t.forgot_link}</a></p>
                <p>{t.no_account}" "<a class=styles::LINK href="/inscription">{t.nav_register}</a></p>
            </div>
        </FormCard>
    }
}

/// The `next` query parameter, if it is a local path.
fn next_param(path: &str) -> String {
    path.split_once("?next=")
        .map(|(_, n)| n.split('&').next().unwrap_or("").replace("%2F", "/"))
        .filter(|n| n.starts_with('/') && !n.starts_with("//"))
        .unwrap_or_default()
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let form = ctx.form_for("register").cloned();
    let val = |k: &str| form.as_ref().and_then(|f| f.value(k)).unwrap_or_default().to_owned();
    let err = |k: &str| form.as_ref().and_then(|f| f.field_error(k).cloned());
    let (name, email, country) = (val("name"), val("email"), val("country"));
    let (name_err, email_err, password_err, country_err, language_err) =
        (err("name"), err("email"), err("password"), err("country"), err("language"));
    let lang = form.as_ref().and_then(|f| f.value("language")).unwrap_or(ctx.lang.as_str()).to_owned();
    view! {
        <FormCard title=t.register_title>
            <ErrorSummary t=t form=form.clone()/>
            <form method="post" action="/inscription" novalidate>
                <Field t=t name="name" label=t.name_label value=name autocomplete="name" required=true error=name_err/>
                <Field t=t name="email" label=t.email_label kind="email" value=email autocomplete="email" required=true error=email_err/>
                <PasswordField t=t name="password" label=t.password_label autocomplete="new-password" hint=t.password_hint error=password_err/>
                <Select t=t name="country" label=t.country_label options=country_options(ctx.lang) selected=country placeholder=t.choose_country error=country_err/>
                <Select t=t name="language" label=t.language_pref_label options=language_options() selected=lang error=language_err/>
                <button type="submit" class=format!("{} w-full", styles::BUTTON)>{t.register_submit}</button>
            </form>
            <p class="mt-5 text-sm">{t.have_account}" "<a class=styles::LINK href="/connexion">{t.nav_login}</a></p>
        </FormCard>
    }
}

#[component]
pub fn VerifyEmailPage(verified: bool) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    view! {
        <FormCard title=t.verify_title>
            {if verified {
                view! { <Notice tone=Tone::Success><p>{t.verify_ok}</p></Notice> }.into_any()
            } else {
                view! { <Notice tone=Tone::Error><p>{t.verify_failed}</p></Notice> }.into_any()
            }}
            <a href=if ctx.viewer.is_some() { "/profil" } else { "/connexion" } class=styles::BUTTON>
                {if ctx.viewer.is_some() { t.nav_profile } else { t.nav_login }}
            </a>
        </FormCard>
    }
}

#[component]
pub fn ForgotPasswordPage(sent: bool) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let form = ctx.form_for("forgot").cloned();
    let email = form.as_ref().and_then(|f| f.value("email")).unwrap_or_default().to_owned();
    let error = form.as_ref().and_then(|f| f.field_error("email").cloned());
    view! {
        <FormCard title=t.forgot_title>
            {sent.then(|| view! { <Notice tone=Tone::Success><p>{t.forgot_sent}</p></Notice> })}
            <ErrorSummary t=t form=form.clone()/>
            <p class="mb-4 text-slate-800 dark:text-slate-200">{t.forgot_lead}</p>
            <form method="post" action="/mot-de-passe/oublie" novalidate>
                <Field t=t name="email" label=t.email_label kind="email" value=email autocomplete="email" required=true error=error/>
                <button type="submit" class=format!("{} w-full", styles::BUTTON)>{t.forgot_submit}</button>
            </form>
        </FormCard>
    }
}

#[component]
pub fn ResetPasswordPage(token: String) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let form = ctx.form_for("reset").cloned();
    let error = form.as_ref().and_then(|f| f.field_error("password").cloned());
    view! {
        <FormCard title=t.reset_title>
            <ErrorSummary t=t form=form.clone()/>
            <form method="post" action="/mot-de-passe/nouveau" novalidate>
                <input type="hidden" name="token" value=token/>
                <PasswordField t=t name="password" label=t.new_password_label autocomplete="new-password" hint=t.password_hint error=error/>
                <button type="submit" class=format!("{} w-full", styles::BUTTON)>{t.reset_submit}</button>
            </form>
        </FormCard>
    }
}
