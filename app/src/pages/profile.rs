//! The signed-in reader's profile: identity, preferences, password.

use crate::components::form::{country_options, language_options, ErrorSummary, Field, Select};
use crate::components::notice::{Notice, Tone};
use crate::components::password_input::PasswordField;
use crate::components::styles;
use crate::context::page_ctx;
use crate::i18n::{role_label, texts, theme_label};
use domain::account::Theme;
use leptos::prelude::*;

const FIELDSET: &str = "mb-4 rounded-lg border border-slate-300 p-4 dark:border-slate-600";
const LEGEND: &str = "px-1 font-semibold text-slate-900 dark:text-slate-100";

#[component]
pub fn ProfilePage() -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let Some(user) = ctx.viewer.clone() else { return ().into_any() };
    let form = ctx.form_for("profile").cloned();
    // A refused form shows what was typed; otherwise the stored profile.
    let val = |k: &str, stored: String| form.as_ref().and_then(|f| f.value(k)).map(str::to_owned).unwrap_or(stored);
    let err = |k: &str| form.as_ref().and_then(|f| f.field_error(k).cloned());
    let p = user.preferences.clone();
    let name = val("name", user.name.clone());
    let country = val("country", user.country.clone());
    let language = val("language", user.language.as_str().to_owned());
    let avatar = val("avatar_url", user.avatar_url.clone().unwrap_or_default());
    let theme = val("theme", p.theme.as_str().to_owned());
    let (name_err, country_err, language_err, avatar_err, theme_err) =
        (err("name"), err("country"), err("language"), err("avatar_url"), err("theme"));
    let theme_options = Theme::ALL.into_iter().map(|th| (th.as_str().to_owned(), theme_label(t, th).to_owned())).collect::<Vec<_>>();
    let pw_form = ctx.form_for("password").cloned();
    let current_err = pw_form.as_ref().and_then(|f| f.field_error("current_password").cloned());
    let new_err = pw_form.as_ref().and_then(|f| f.field_error("new_password").cloned());
    let role_name = role_label(t, user.role);
    view! {
        <h1 class=styles::H1>{t.profile_title}</h1>
        <div class="grid gap-6 lg:grid-cols-[2fr_1fr]">
            <section class=styles::CARD>
                <dl class="mb-5 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-slate-800 dark:text-slate-200">
                    <dt class="font-medium">{t.email_label}</dt><dd class="break-all" data-testid="profile-email">{user.email.clone()}</dd>
                    <dt class="font-medium">{t.role_label}</dt><dd data-testid="profile-role">{role_name}</dd>
                </dl>
                {if user.email_verified {
                    view! { <p class="mb-5 text-sm font-medium text-emerald-800 dark:text-emerald-300" data-testid="email-verified">"✓ "{t.email_verified}</p> }.into_any()
                } else {
                    view! {
                        <Notice tone=Tone::Info>
                            <form method="post" action="/verifier-email/renvoyer" class="flex flex-wrap items-center gap-3">
                                <p>{t.email_unverified}</p>
                                <button type="submit" class=styles::BUTTON_SECONDARY>{t.resend_verification}</button>
                            </form>
                        </Notice>
                    }.into_any()
                }}
                <ErrorSummary t=t form=form.clone()/>
                <form method="post" action="/profil" novalidate>
                    <Field t=t name="name" label=t.name_label value=name autocomplete="name" required=true error=name_err/>
                    <Select t=t name="country" label=t.country_label options=country_options(ctx.lang) selected=country error=country_err/>
                    <Select t=t name="language" label=t.language_pref_label options=language_options() selected=language error=language_err/>
                    <Field t=t name="avatar_url" label=t.avatar_label kind="url" value=avatar error=avatar_err/>
                    <fieldset class=FIELDSET>
                        <legend class=LEGEND>{t.preferences_title}</legend>
                        <Select t=t name="theme" label=t.theme_label options=theme_options selected=theme error=theme_err/>
                    </fieldset>
                    <fieldset class=FIELDSET id="notifications">
                        <legend class=LEGEND>{t.notify_title}</legend>
                        <a href="/profil/notifications" class=styles::LINK data-testid="notification-prefs-link">{t.notif_prefs_link}</a>
                    </fieldset>
                    <button type="submit" class=styles::BUTTON>{t.profile_save}</button>
                </form>
            </section>
            <section class=styles::CARD aria-labelledby="password-heading">
                <h2 id="password-heading" class="mb-1 text-lg font-bold text-slate-950 dark:text-white">{t.change_password_title}</h2>
                <p class="mb-4 text-sm text-slate-700 dark:text-slate-300">{t.change_password_lead}</p>
                <ErrorSummary t=t form=pw_form.clone()/>
                <form method="post" action="/profil/mot-de-passe" novalidate>
                    <PasswordField t=t name="current_password" label=t.current_password_label autocomplete="current-password" error=current_err/>
                    <PasswordField t=t name="new_password" label=t.new_password_label autocomplete="new-password" hint=t.password_hint error=new_err/>
                    <button type="submit" class=styles::BUTTON_SECONDARY>{t.change_password_submit}</button>
                </form>
            </section>
        </div>
    }
    .into_any()
}
