//! The broadcast box of `/admin/notifications`: an admin writes Coko's news (French, and English
//! and Arabic when they wish), picks a segment (country, language, Premium or not), sees first
//! how many readers and messages per channel it makes, what its SMS costs and how long it
//! takes, then sends it; and the broadcasts sent lately. A plain form: no WASM needed.

use crate::components::form::{described_by, ErrorSummary, FieldHelp};
use crate::components::styles;
use crate::context::page_ctx;
use crate::i18n::{language_name, texts, Texts};
use domain::notification::{Broadcast, BroadcastForm, Channel, Reach, Segment};
use domain::validation::Language;
use leptos::prelude::*;

/// The segment in words ("SN · français · Premium").
fn segment_words(t: &'static Texts, s: &Segment) -> String {
    let mut parts = Vec::new();
    if !s.country.is_empty() {
        parts.push(s.country.clone());
    }
    if let Some(l) = Language::ALL.into_iter().find(|l| l.as_str() == s.language) {
        parts.push(language_name(l).to_owned());
    }
    match s.plan.as_str() {
        "premium" => parts.push(t.broadcast_plan_premium.to_owned()),
        "free" => parts.push(t.broadcast_plan_free.to_owned()),
        _ => {}
    }
    if parts.is_empty() {
        t.broadcast_everyone.to_owned()
    } else {
        parts.join(" · ")
    }
}

/// What a segment is, as the form sends it back on "send" (a send whose segment changed since
/// it was counted is counted again instead).
pub fn segment_key(s: &Segment) -> String {
    format!("{}|{}|{}", s.country, s.language, s.plan)
}

#[component]
pub fn BroadcastBox(broadcasts: Vec<Broadcast>, preview: Option<(BroadcastForm, Reach)>) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let form = ctx.form_for("broadcast").cloned();
    let typed = preview.as_ref().map(|(f, _)| f.clone());
    // What the box shows: a refused form as sent, a counted one as counted, or nothing.
    let value = |k: &str| -> String {
        if let Some(f) = &form {
            return f.value(k).unwrap_or_default().to_owned();
        }
        let Some(b) = &typed else { return String::new() };
        match k {
            "title" => b.title.clone(),
            "body" => b.body.clone(),
            "title_en" => b.title_en.clone(),
            "body_en" => b.body_en.clone(),
            "title_ar" => b.title_ar.clone(),
            "body_ar" => b.body_ar.clone(),
            "link" => b.link.clone(),
            "country" => b.segment.country.clone(),
            "language" => b.segment.language.clone(),
            "plan" => b.segment.plan.clone(),
            _ => String::new(),
        }
    };
    let error = |k: &str| form.as_ref().and_then(|f| f.field_error(k)).cloned();
    let text_field = move |name: &'static str, label: &'static str, multiline: bool, dir: &'static str| {
        let err = error(name);
        let invalid = err.is_some().then_some("true");
        let describedby = described_by(name, false, err.is_some());
        let v = value(name);
        let input = if multiline {
            view! { <textarea id=name name=name rows="3" dir=dir class=styles::INPUT aria-invalid=invalid aria-describedby=describedby.clone()>{v}</textarea> }
                .into_any()
        } else {
            view! { <input id=name name=name type="text" dir=dir value=v class=styles::INPUT aria-invalid=invalid aria-describedby=describedby.clone()/> }
                .into_any()
        };
        view! {
            <div>
                <label for=name class=styles::LABEL>{label}</label>
                {input}
                <FieldHelp t=t name=name hint=None error=err/>
            </div>
        }
    };
    let language = value("language");
    let plan = value("plan");
    let languages = std::iter::once(("".to_owned(), t.broadcast_everyone.to_owned()))
        .chain(Language::ALL.into_iter().map(|l| (l.as_str().to_owned(), language_name(l).to_owned())))
        .map(|(v, label)| {
            let sel = v == language;
            view! { <option value=v selected=sel>{label}</option> }
        })
        .collect_view();
    let plans = [("", t.broadcast_everyone), ("premium", t.broadcast_plan_premium), ("free", t.broadcast_plan_free)]
        .into_iter()
        .map(|(v, label)| view! { <option value=v selected=v == plan>{label}</option> })
        .collect_view();
    let country_err = error("country");
    let counted = preview.map(|(f, reach)| {
        let key = segment_key(&f.segment);
        let channels = reach
            .channels
            .iter()
            .map(|(c, n)| {
                let label = match c {
                    Channel::InApp => t.prefs_ch_in_app,
                    Channel::Email => t.prefs_ch_email,
                    Channel::Sms => t.prefs_ch_sms,
                    Channel::Push => t.prefs_ch_push,
                };
                view! { <li data-testid="reach-channel" data-channel=c.as_str()>{label}" : "<span class="font-semibold tabular-nums">{*n}</span></li> }
            })
            .collect_view();
        let sms = t.count(&t.preview_sms_cost, u64::from(reach.sms_parts), &[("encoding", &reach.sms_encoding)]);
        view! {
            <div class="mt-4 rounded-xl border border-teal-700 bg-teal-50 p-4 dark:border-teal-400 dark:bg-teal-950" data-testid="broadcast-reach" role="status">
                <h3 class="mb-2 font-semibold text-slate-950 dark:text-white">{t.broadcast_reach_title}</h3>
                <p>{t.broadcast_readers}" : "<span class="font-semibold tabular-nums" data-testid="reach-readers">{reach.readers}</span>" — "{segment_words(t, &f.segment)}</p>
                <ul class="mt-1 list-disc ps-5">{channels}</ul>
                <p class="mt-2 text-sm">{t.broadcast_sms_label}" : "<bdi dir="ltr" class="break-words">{reach.sms_text.clone()}</bdi></p>
                <p class="text-sm">{sms}</p>
                <p class="text-sm">{t.broadcast_minutes}" : "<span class="tabular-nums">{reach.minutes}</span></p>
                <input type="hidden" name="counted" value=key/>
                <input type="hidden" name="broadcast_id" value=reach.id.clone()/>
                <button type="submit" name="action" value="send" class=format!("{} mt-3", styles::BUTTON) data-testid="broadcast-send">{t.broadcast_send}</button>
            </div>
        }
    });
    let list = if broadcasts.is_empty() {
        view! { <p class="text-sm text-slate-700 dark:text-slate-300">{t.broadcast_none}</p> }.into_any()
    } else {
        let rows = broadcasts
            .into_iter()
            .map(|b| {
                view! {
                    <tr class="border-t border-slate-200 align-top dark:border-slate-700" data-testid="broadcast">
                        <td class="p-2 text-sm"><time datetime=b.created_at.to_rfc3339()>{b.created_at.format("%Y-%m-%d %H:%M UTC").to_string()}</time></td>
                        <td class="p-2" dir="auto">{b.title.clone()}</td>
                        <td class="p-2">{segment_words(t, &b.segment)}</td>
                        <td class="p-2 tabular-nums">{b.readers}</td>
                        <td class="p-2 break-all text-sm">{b.sent_by.clone()}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="overflow-x-auto">
                <table class="w-full min-w-[36rem] border-collapse text-slate-900 dark:text-slate-100">
                    <thead><tr>
                        <th scope="col" class="p-2 text-start">{t.delivery_when}</th>
                        <th scope="col" class="p-2 text-start">{t.meta_title}</th>
                        <th scope="col" class="p-2 text-start">{t.broadcast_segment}</th>
                        <th scope="col" class="p-2 text-start">{t.broadcast_readers}</th>
                        <th scope="col" class="p-2 text-start">{t.broadcast_sent_by}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section class=format!("{} mb-6", styles::CARD) aria-labelledby="broadcast-heading" id="broadcasts" data-testid="broadcast-box">
            <h2 id="broadcast-heading" class="mb-1 text-lg font-bold text-slate-950 dark:text-white">{t.broadcast_heading}</h2>
            <p class="mb-4 max-w-prose text-sm text-slate-700 dark:text-slate-300">{t.broadcast_lead}</p>
            <ErrorSummary t=t form=form.clone()/>
            <form method="post" action="/admin/notifications/annonce" class="space-y-4" novalidate=true>
                {text_field("title", t.meta_title, false, "auto")}
                {text_field("body", t.broadcast_body, true, "auto")}
                <details class="rounded-lg border border-slate-200 p-3 dark:border-slate-700">
                    <summary class="cursor-pointer font-medium">{t.broadcast_translations}</summary>
                    <div class="mt-3 space-y-4">
                        {text_field("title_en", t.broadcast_title_en, false, "ltr")}
                        {text_field("body_en", t.broadcast_body_en, true, "ltr")}
                        {text_field("title_ar", t.broadcast_title_ar, false, "rtl")}
                        {text_field("body_ar", t.broadcast_body_ar, true, "rtl")}
                    </div>
                </details>
                {text_field("link", t.broadcast_link, false, "ltr")}
                <fieldset class="grid gap-4 sm:grid-cols-3">
                    <legend class="mb-2 font-semibold">{t.broadcast_segment}</legend>
                    <div>
                        <label for="country" class=styles::LABEL>{t.broadcast_country}</label>
                        <input id="country" name="country" type="text" maxlength="2" autocomplete="off" value=value("country") placeholder="SN"
                            class=styles::INPUT aria-invalid=country_err.is_some().then_some("true") aria-describedby=described_by("country", false, country_err.is_some())/>
                        <FieldHelp t=t name="country" hint=None error=country_err/>
                    </div>
                    <div>
                        <label for="language" class=styles::LABEL>{t.filter_language}</label>
                        <select id="language" name="language" class=styles::INPUT>{languages}</select>
                    </div>
                    <div>
                        <label for="plan" class=styles::LABEL>{t.field_plan}</label>
                        <select id="plan" name="plan" class=styles::INPUT>{plans}</select>
                    </div>
                </fieldset>
                <button type="submit" name="action" value="preview" class=styles::BUTTON_SECONDARY data-testid="broadcast-preview">{t.broadcast_preview}</button>
                {counted}
            </form>
            <h3 class="mt-6 mb-2 font-semibold text-slate-950 dark:text-white">{t.broadcast_recent}</h3>
            {list}
        </section>
    }
}
