//! Form fields that show what was wrong, next to the field and in a summary at the top.

use super::notice::{Notice, Tone};
use super::styles;
use crate::context::FormState;
use crate::i18n::{fill, Texts};
use domain::error::{ErrorCode, FieldError, Reason};
use leptos::prelude::*;

/// The label of a field, as the person saw it on the form.
pub fn field_label(t: &'static Texts, field: &str) -> &'static str {
    match field {
        "email" => t.email_label,
        "password" => t.password_label,
        "name" => t.name_label,
        "country" => t.country_label,
        "language" => t.filter_language,
        "title" => t.meta_title,
        "subtitle" => t.meta_subtitle,
        "authors" => t.meta_authors,
        "publisher" => t.meta_publisher,
        "isbn" => t.meta_isbn,
        "published_date" => t.meta_date,
        "description" => t.meta_description,
        "categories" => t.meta_categories,
        "categorie" => t.bulk_category,
        "livres" => t.bulk_selection,
        "action" => t.bulk_action,
        "avatar_url" => t.avatar_label,
        "theme" => t.theme_label,
        "current_password" => t.current_password_label,
        "new_password" => t.new_password_label,
        "role" => t.role_label,
        "biography" => t.entry_biography,
        "slug" => t.entry_slug,
        "parent" => t.entry_parent,
        "photo" => t.entry_photo,
        "fusion" => t.entry_merge_search,
        "file" => t.upload_label,
        "provider" => t.field_provider,
        "phone" => t.field_phone,
        "price-monthly" | "price-yearly" => t.plan_price_label,
        "plan" => t.field_plan,
        "quiet_start" => t.field_quiet_start,
        "quiet_end" => t.field_quiet_end,
        "time_zone" => t.prefs_time_zone,
        "sms_phone" => t.field_sms_phone,
        "sms_code" => t.field_sms_code,
        "confirm" => t.admin_payment_refund_confirm,
        "body" => t.broadcast_body,
        "rating" => t.review_rating_label,
        "word" => t.words_label,
        "reason" => t.moderation_reason,
        "title_en" => t.broadcast_title_en,
        "body_en" => t.broadcast_body_en,
        "title_ar" => t.broadcast_title_ar,
        "body_ar" => t.broadcast_body_ar,
        "link" => t.broadcast_link,
        "follows" => t.follows_title,
        "digest" => t.prefs_digest_label,
        _ => "",
    }
}

/// Why a field was refused, in words.
pub fn reason_text(t: &'static Texts, e: &FieldError) -> &'static str {
    match e.reason {
        Reason::Required if e.field == "confirm" => t.err_refund_unconfirmed,
        Reason::Required => t.err_required,
        Reason::TooShort if e.field.contains("password") => t.err_password_too_short,
        Reason::TooShort => t.err_too_short,
        Reason::TooLong => t.err_too_long,
        Reason::InvalidFormat if matches!(e.field.as_str(), "phone" | "sms_phone") => t.err_phone_format,
        Reason::InvalidFormat if e.field == "sms_code" => t.err_code_format,
        Reason::InvalidFormat if e.field == "link" => t.err_link_format,
        Reason::InvalidFormat if e.field == "country" => t.err_country_code,
        Reason::InvalidFormat => t.err_invalid_format,
        Reason::Unknown if e.field == "phone" => t.err_phone_country,
        Reason::Unknown => t.err_unknown,
        Reason::Mismatch => t.err_mismatch,
        Reason::OutOfRange if matches!(e.field.as_str(), "parent" | "fusion" | "into") => t.err_own_branch,
        Reason::OutOfRange if e.field == "sms_code" => t.err_code_expired,
        Reason::OutOfRange if e.field == "follows" => t.err_too_many_follows,
        Reason::OutOfRange => t.err_out_of_range,
        Reason::Taken => t.err_taken,
        Reason::Unverified => t.err_unverified,
    }
}

/// A whole-form error in words.
pub fn error_text(t: &'static Texts, code: ErrorCode, retry_after: Option<u64>) -> String {
    match code {
        ErrorCode::EmailTaken => t.err_email_taken.into(),
        ErrorCode::InvalidCredentials => t.err_invalid_credentials.into(),
        ErrorCode::InvalidToken | ErrorCode::TokenExpired => t.err_invalid_token.into(),
        ErrorCode::Forbidden => t.err_forbidden.into(),
        ErrorCode::Unauthenticated => t.err_unauthenticated.into(),
        ErrorCode::NotFound => t.err_not_found.into(),
        ErrorCode::Conflict => t.err_conflict.into(),
        // Two minutes and more: said in minutes (a posting limit waits an hour).
        ErrorCode::RateLimited => match retry_after.unwrap_or(60) {
            s if s >= 120 => fill(t.err_rate_limited_minutes, &[("minutes", &s.div_ceil(60).to_string())]),
            s => fill(t.err_rate_limited, &[("seconds", &s.to_string())]),
        },
        ErrorCode::ValidationError => t.form_has_errors.into(),
        ErrorCode::NotEntitled => t.reader_locked.into(),
        ErrorCode::Unsupported => t.reader_pdf_soon.into(),
        ErrorCode::Unreadable => t.reader_unreadable.into(),
        ErrorCode::AccountMismatch => t.err_account_mismatch.into(),
        ErrorCode::SearchUnavailable => t.err_search_unavailable.into(),
        ErrorCode::PaymentUnavailable => t.err_payment_unavailable.into(),
        ErrorCode::PaymentRefused => t.err_payment_refused.into(),
        ErrorCode::AlreadyOwned => t.err_already_owned.into(),
        ErrorCode::AlreadyReviewed => t.err_already_reviewed.into(),
        ErrorCode::NotForSale => t.err_not_for_sale.into(),
        ErrorCode::InvalidSignature => t.err_forbidden.into(),
        ErrorCode::Internal => t.err_internal.into(),
    }
}

/// The errors of a refused form, at its top, each linking to its field.
#[component]
pub fn ErrorSummary(t: &'static Texts, form: Option<FormState>) -> impl IntoView {
    form.filter(|f| f.error.is_some() || !f.fields.is_empty()).map(|f| {
        let headline = match f.error {
            Some(code) => error_text(t, code, f.retry_after_secs),
            None => t.form_has_errors.to_owned(),
        };
        let items = f
            .fields
            .iter()
            .map(|e| {
                let href = format!("#{}", e.field);
                let text = format!("{} : {}", field_label(t, &e.field), reason_text(t, e));
                view! { <li><a class="underline" href=href>{text}</a></li> }
            })
            .collect_view();
        view! {
            <Notice tone=Tone::Error>
                <p class="font-semibold">{headline}</p>
                <ul class="mt-1 list-disc ps-5">{items}</ul>
            </Notice>
        }
    })
}

/// The ids of a field's hint and error, for `aria-describedby`.
pub fn described_by(name: &str, hint: bool, error: bool) -> Option<String> {
    let ids: Vec<String> = [hint.then(|| format!("{name}-hint")), error.then(|| format!("{name}-error"))].into_iter().flatten().collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// The hint and the error under a field.
#[component]
pub fn FieldHelp(t: &'static Texts, name: &'static str, hint: Option<&'static str>, error: Option<FieldError>) -> impl IntoView {
    view! {
        {hint.map(|h| view! { <p id=format!("{name}-hint") class="mt-1 text-sm text-slate-700 dark:text-slate-300">{h}</p> })}
        {error.map(|e| view! { <p id=format!("{name}-error") class="mt-1 text-sm font-medium text-red-800 dark:text-red-300">{reason_text(t, &e)}</p> })}
    }
}

/// A labelled input with its hint and error.
#[component]
pub fn Field(
    t: &'static Texts,
    name: &'static str,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(default = false)] required: bool,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = None)] error: Option<FieldError>,
    #[prop(optional)] extra: Option<(&'static str, &'static str)>,
) -> impl IntoView {
    let described = described_by(name, hint.is_some(), error.is_some());
    let invalid = error.is_some();
    let (min, max) = extra.unwrap_or(("", ""));
    view! {
        <div class="mb-4">
            <label for=name class=styles::LABEL>{label}</label>
            <input
                id=name
                name=name
                type=kind
                value=value
                autocomplete=(!autocomplete.is_empty()).then_some(autocomplete)
                required=required
                min=(!min.is_empty()).then_some(min)
                max=(!max.is_empty()).then_some(max)
                aria-invalid=invalid.then_some("true")
                aria-describedby=described
                class=styles::INPUT
            />
            <FieldHelp t=t name=name hint=hint error=error/>
        </div>
    }
}

/// A labelled `<select>` of (value, label) options.
#[component]
pub fn Select(
    t: &'static Texts,
    name: &'static str,
    label: &'static str,
    options: Vec<(String, String)>,
    #[prop(optional, into)] selected: String,
    #[prop(optional)] placeholder: Option<&'static str>,
    #[prop(default = None)] error: Option<FieldError>,
    /// With a placeholder that is a real choice (value ""), the field is not required.
    #[prop(default = true)]
    required: bool,
) -> impl IntoView {
    let invalid = error.is_some();
    let opts = options
        .into_iter()
        .map(|(value, text)| {
            let sel = value == selected;
            view! { <option value=value selected=sel>{text}</option> }
        })
        .collect_view();
    view! {
        <div class="mb-4">
            <label for=name class=styles::LABEL>{label}</label>
            <select
                id=name
                name=name
                required=required
                aria-invalid=invalid.then_some("true")
                aria-describedby=described_by(name, false, invalid)
                class=styles::INPUT
            >
                {placeholder.map(|p| view! { <option value="">{p}</option> })}
                {opts}
            </select>
            <FieldHelp t=t name=name hint=None error=error/>
        </div>
    }
}

/// Countries named in the interface language, in alphabetical order.
pub fn country_options(lang: domain::validation::Language) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = domain::validation::COUNTRIES
        .iter()
        .map(|(c, ..)| (c.to_string(), domain::validation::country_name(c, lang).unwrap_or(c).to_string()))
        .collect();
    v.sort_by_key(|(_, name)| sort_key(name));
    v
}

/// Orders "Égypte" with the E's, not after "Zimbabwe".
fn sort_key(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'û' | 'ü' | 'ù' => 'u',
            'ç' => 'c',
            other => other,
        })
        .collect()
}

/// Interface languages, each named in itself.
pub fn language_options() -> Vec<(String, String)> {
    domain::validation::Language::ALL.iter().map(|l| (l.as_str().to_owned(), crate::i18n::language_name(*l).to_owned())).collect()
}
