//! Readers' reviews on a book's page (`#avis`): the rating, the reader's own review and its
//! form, the others in three orders with "helpful" votes, and the moderators' queue
//! (`/moderation`). Plain forms and links: it all works before (and without) WASM.

use crate::components::form::{described_by, ErrorSummary, FieldHelp};
use crate::components::styles;
use crate::context::page_ctx;
use crate::i18n::{fill, texts, Texts};
use crate::pages::premium::long_date;
use domain::community::{
    FlaggedReview, HeldReview, ModAction, ModlogEntry, RatingSummary, ReportReason, Review, ReviewPage, ReviewSort, ReviewStatus, MAX_BODY,
    MAX_TITLE,
};
use domain::validation::Language;
use leptos::prelude::*;

/// Readers' sanitised Markdown: long words wrap, quotes and lists look like quotes and lists
/// (Tailwind's reset takes their styles away), links are underlined.
const USER_TEXT: &str = "max-w-prose break-words leading-relaxed [overflow-wrap:anywhere] [&_p+p]:mt-2 \
    [&_blockquote]:my-2 [&_blockquote]:border-s-4 [&_blockquote]:border-slate-300 [&_blockquote]:ps-3 [&_blockquote]:italic \
    [&_ul]:my-2 [&_ul]:list-disc [&_ul]:ps-6 [&_ol]:my-2 [&_ol]:list-decimal [&_ol]:ps-6 [&_a]:underline [&_a]:text-teal-800 \
    dark:[&_a]:text-teal-300 [&_code]:rounded [&_code]:bg-slate-100 [&_code]:px-1 dark:[&_code]:bg-slate-800 [&_pre]:overflow-x-auto";

/// A sort's word in the book page's URL (`avis=`).
pub fn sort_word(sort: ReviewSort) -> &'static str {
    match sort {
        ReviewSort::Helpful => "utiles",
        ReviewSort::Newest => "recents",
        ReviewSort::Rating => "notes",
    }
}

pub fn sort_from_word(word: &str) -> Option<ReviewSort> {
    ReviewSort::ALL.into_iter().find(|s| sort_word(*s) == word)
}

/// `4,3` in French, `4.3` in English and Arabic.
pub fn rating_number(avg: f64, lang: Language) -> String {
    let s = format!("{avg:.1}");
    if lang == Language::Fr {
        s.replace('.', ",")
    } else {
        s
    }
}

/// Five stars, `filled` of them full (drawn, for the eyes only: the words say it).
fn stars(filled: u8) -> String {
    (1..=5).map(|i| if i <= filled { '★' } else { '☆' }).collect()
}

/// "4,3 sur 5 (12 avis)" for a book card or a page.
pub fn rating_line(t: &'static Texts, average: f64, count: u64, lang: Language) -> String {
    let reviews = t.count(&t.review_count, count, &[]);
    fill(t.rating_out_of_five, &[("rating", &rating_number(average, lang)), ("reviews", &reviews)])
}

#[component]
fn Summary(t: &'static Texts, summary: RatingSummary, lang: Language) -> impl IntoView {
    let Some(avg) = summary.average else {
        return view! { <p class="text-slate-700 dark:text-slate-300" data-testid="rating-summary">{t.reviews_none}</p> }.into_any();
    };
    let total = summary.count.max(1);
    let bars = (1..=5u8)
        .rev()
        .map(|n| {
            let count = summary.histogram[(n - 1) as usize];
            let label = t.count(&t.stars_count, n as u64, &[]);
            view! {
                <li class="flex items-center gap-2 text-sm">
                    <span class="w-20 shrink-0">{label}</span>
                    <progress class="h-2 w-full accent-amber-500" max=total.to_string() value=count.to_string() aria-label=t.count(&t.review_count, count as u64, &[])></progress>
                    <span class="w-8 shrink-0 text-end tabular-nums">{count}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="grid gap-4 sm:grid-cols-[auto_1fr] sm:items-center" data-testid="rating-summary">
            <p class="text-center">
                <span class="block text-5xl font-extrabold text-slate-950 dark:text-white">{rating_number(avg, lang)}</span>
                <span class="block text-xl text-amber-600 dark:text-amber-400" aria-hidden="true">{stars(avg.round() as u8)}</span>
                <span class="block text-sm text-slate-700 dark:text-slate-300">{rating_line(t, avg, summary.count as u64, lang)}</span>
            </p>
            <ul class="grid gap-1" aria-label=t.reviews_histogram>{bars}</ul>
        </div>
    }
    .into_any()
}

/// One review in the list (or the reader's own, with its status).
#[component]
fn ReviewItem(t: &'static Texts, review: Review, book_id: String, #[prop(default = false)] own: bool) -> impl IntoView {
    let ctx = page_ctx();
    let viewer = ctx.viewer.clone();
    let may_vote = viewer.as_ref().is_some_and(|u| u.id != review.author_id) && review.status == ReviewStatus::Published;
    let moderator = viewer.as_ref().is_some_and(|u| u.role.can_moderate());
    let here = format!("/livres/{book_id}#avis-{}", review.id);
    let rating_label = t.count(&t.stars_count, review.rating as u64, &[]);
    let status = match review.status {
        ReviewStatus::Published => None,
        ReviewStatus::Pending => Some(t.review_pending.to_owned()),
        ReviewStatus::Hidden => Some(fill(t.review_hidden, &[("reason", &review.status_reason)])),
    };
    let body = (!review.body_html.is_empty()).then(|| {
        let html = review.body_html.clone();
        let text = view! { <div class=format!("review-text mt-2 {USER_TEXT}") dir="auto" inner_html=html></div> };
        if review.spoiler {
            view! {
                <details class="mt-2 rounded-lg border border-amber-300 bg-amber-50 p-3 dark:border-amber-700 dark:bg-amber-950">
                    <summary class="cursor-pointer font-semibold text-amber-950 dark:text-amber-100">{t.review_spoiler_show}</summary>
                    {text}
                </details>
            }
            .into_any()
        } else {
            text.into_any()
        }
    });
    let vote = may_vote.then(|| {
        let (label, next) = if review.voted { (t.review_unhelpful, "false") } else { (t.review_helpful, "true") };
        view! {
            <form method="post" action=format!("/avis/{}/utile", review.id)>
                <input type="hidden" name="helpful" value=next/>
                <input type="hidden" name="next" value=here.clone()/>
                <button type="submit" class="rounded-md border border-slate-300 px-3 py-1 text-sm font-medium hover:bg-slate-100 focus-visible:outline focus-visible:outline-3 focus-visible:outline-amber-500 dark:border-slate-600 dark:hover:bg-slate-800" aria-pressed=if review.voted { "true" } else { "false" }>{label}</button>
            </form>
        }
    });
    let moderate = (moderator && !own).then(|| {
        let id = review.id.clone();
        view! {
            <details class="text-sm">
                <summary class="cursor-pointer font-medium text-slate-700 dark:text-slate-300">{t.moderation_act}</summary>
                <HideForm t=t action=format!("/moderation/avis/{id}") next=here.clone()/>
                <form method="post" action=format!("/avis/{id}/supprimer") class="mt-2">
                    <button type="submit" class="text-red-800 underline dark:text-red-300">{t.review_delete}</button>
                </form>
            </details>
        }
    });
    let report = may_vote.then(|| {
        let options =
            ReportReason::ALL.into_iter().map(|r| view! { <option value=r.as_str()>{reason_label(t, r)}</option> }).collect_view();
        let (select_id, note_id) = (format!("report-reason-{}", review.id), format!("report-note-{}", review.id));
        view! {
            <details class="text-sm" data-testid="report">
                <summary class="cursor-pointer font-medium text-slate-700 dark:text-slate-300">{t.report_act}</summary>
                <form method="post" action="/signalements" class="mt-2 grid gap-2 sm:max-w-md">
                    <input type="hidden" name="target_kind" value="review"/>
                    <input type="hidden" name="target_id" value=review.id.clone()/>
                    <input type="hidden" name="next" value=here.clone()/>
                    <label for=select_id.clone() class=styles::LABEL>{t.report_reason_label}</label>
                    <select id=select_id name="reason" class=styles::INPUT>{options}</select>
                    <label for=note_id.clone() class=styles::LABEL>{t.report_note_label}</label>
                    <input id=note_id type="text" name="note" maxlength="500" dir="auto" class=styles::INPUT/>
                    <button type="submit" class=styles::BUTTON_SECONDARY>{t.report_send}</button>
                </form>
            </details>
        }
    });
    let helpful = (review.helpful > 0).then(|| t.count(&t.review_helpful_count, review.helpful as u64, &[]));
    let share = (review.status == ReviewStatus::Published).then(|| {
        let url = format!("{}/livres/{book_id}#avis-{}", ctx.base_url.trim_end_matches('/'), review.id);
        let text = fill(t.share_review_text, &[("name", &review.author_name), ("rating", &review.rating.to_string()), ("url", &url)]);
        view! { <crate::components::share::WhatsAppLink t=t text=text class="text-sm"/> }
    });
    view! {
        <article id=format!("avis-{}", review.id) class="border-t border-slate-200 py-4 dark:border-slate-700" data-testid="review">
            <header class="flex flex-wrap items-center gap-x-3 gap-y-1">
                <span class="text-amber-600 dark:text-amber-400" aria-hidden="true">{stars(review.rating)}</span>
                <span class="sr-only">{rating_label}</span>
                <strong dir="auto" class="[overflow-wrap:anywhere]">{review.author_name.clone()}</strong>
                {review.verified.then(|| view! {
                    <span class="rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-semibold text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100" data-testid="verified-reader" title=t.review_verified_hint>{t.review_verified}</span>
                })}
                <time class="text-sm text-slate-700 dark:text-slate-300" datetime=review.created_at.to_rfc3339()>{long_date(t, review.created_at)}</time>
                {review.edited().then(|| view! { <span class="text-sm text-slate-700 dark:text-slate-300">{t.review_edited}</span> })}
            </header>
            {status.map(|s| view! { <p class="mt-2 rounded-md bg-amber-100 px-3 py-2 text-sm font-medium text-amber-950 dark:bg-amber-950 dark:text-amber-100" data-testid="review-status">{s}</p> })}
            {(!review.title.is_empty()).then(|| view! { <h3 class="mt-2 font-bold [overflow-wrap:anywhere]" dir="auto">{review.title.clone()}</h3> })}
            {body}
            <footer class="mt-3 flex flex-wrap items-center gap-3 text-sm text-slate-700 dark:text-slate-300">
                {helpful.map(|h| view! { <span data-testid="helpful-count">{h}</span> })}
                {vote}
                {share}
                {report}
                {moderate}
            </footer>
        </article>
    }
    .into_any()
}

/// The reader's review form: new, or their own to change.
#[component]
fn ReviewForm(t: &'static Texts, book_id: String, mine: Option<Review>) -> impl IntoView {
    let ctx = page_ctx();
    let form = ctx.form_for("review").cloned();
    let value = |name: &str, stored: String| form.as_ref().and_then(|f| f.value(name)).map(str::to_owned).unwrap_or(stored);
    let err = |name: &str| form.as_ref().and_then(|f| f.field_error(name)).cloned();
    let rating: u8 = value("rating", mine.as_ref().map(|r| r.rating.to_string()).unwrap_or_default()).parse().unwrap_or(0);
    let title = value("title", mine.as_ref().map(|r| r.title.clone()).unwrap_or_default());
    let body = value("body", mine.as_ref().map(|r| r.body.clone()).unwrap_or_default());
    let spoiler = match &form {
        Some(f) => f.value("spoiler").is_some(),
        None => mine.as_ref().is_some_and(|r| r.spoiler),
    };
    let (rating_err, title_err, body_err) = (err("rating"), err("title"), err("body"));
    let rating_desc = described_by("rating", false, rating_err.is_some());
    let (title_desc, title_invalid) = (described_by("title", false, title_err.is_some()), title_err.is_some().then_some("true"));
    let (body_desc, body_invalid) = (described_by("body", true, body_err.is_some()), body_err.is_some().then_some("true"));
    let heading = if mine.is_some() { t.review_edit_title } else { t.review_write_title };
    let submit = if mine.is_some() { t.review_update } else { t.review_publish };
    let radios = (1..=5u8)
        .map(|n| {
            let id = format!("rating-{n}");
            let label_for = id.clone();
            view! {
                <label for=label_for class="flex cursor-pointer items-center gap-1 rounded-lg border border-slate-300 px-3 py-2 has-[:checked]:border-amber-500 has-[:checked]:bg-amber-50 has-[:focus-visible]:outline has-[:focus-visible]:outline-3 has-[:focus-visible]:outline-amber-500 dark:border-slate-600 dark:has-[:checked]:bg-amber-950">
                    <input type="radio" id=id name="rating" value=n.to_string() checked=rating == n required=true class="accent-amber-600"/>
                    <span aria-hidden="true" class="text-amber-600 dark:text-amber-400">{stars(n)}</span>
                    <span class="sr-only">{t.count(&t.stars_count, n as u64, &[])}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <form method="post" action=format!("/livres/{book_id}/avis") class="mt-4" id="review-form" novalidate=true>
            <h3 class="mb-3 text-lg font-bold">{heading}</h3>
            <ErrorSummary t=t form=form.clone()/>
            <fieldset class="mb-4" id="rating" aria-describedby=rating_desc>
                <legend class=styles::LABEL>{t.review_rating_label}</legend>
                <div class="flex flex-wrap gap-2">{radios}</div>
                <FieldHelp t=t name="rating" hint=None error=rating_err/>
            </fieldset>
            <div class="mb-4">
                <label for="title" class=styles::LABEL>{t.review_title_label}</label>
                <input id="title" name="title" type="text" dir="auto" maxlength=MAX_TITLE.to_string() value=title class=styles::INPUT
                    aria-invalid=title_invalid aria-describedby=title_desc/>
                <FieldHelp t=t name="title" hint=None error=title_err/>
            </div>
            <div class="mb-4">
                <label for="body" class=styles::LABEL>{t.review_body_label}</label>
                <textarea id="body" name="body" rows="6" dir="auto" maxlength=MAX_BODY.to_string() class=styles::INPUT
                    aria-invalid=body_invalid aria-describedby=body_desc>{body}</textarea>
                <FieldHelp t=t name="body" hint=Some(t.review_body_hint) error=body_err/>
            </div>
            <label class="mb-4 flex items-center gap-2">
                <input type="checkbox" name="spoiler" value="1" checked=spoiler class="h-5 w-5 accent-teal-700"/>
                <span>{t.review_spoiler_label}</span>
            </label>
            <button type="submit" class=styles::BUTTON>{submit}</button>
        </form>
    }
}

/// The reviews part of a book's page.
#[component]
pub fn ReviewsSection(book_id: String, page: ReviewPage) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let lang = ctx.lang;
    let signed_in = ctx.viewer.is_some();
    let sort = page.sort;
    let sorts = ReviewSort::ALL
        .into_iter()
        .map(|s| {
            let label = match s {
                ReviewSort::Helpful => t.reviews_sort_helpful,
                ReviewSort::Newest => t.reviews_sort_newest,
                ReviewSort::Rating => t.reviews_sort_rating,
            };
            let current = (s == sort).then_some("page");
            view! {
                <a href=format!("/livres/{book_id}?avis={}#avis", sort_word(s)) aria-current=current
                    class="rounded-full px-3 py-1 text-sm font-medium ring-1 ring-slate-300 hover:bg-slate-100 aria-[current=page]:bg-teal-700 aria-[current=page]:text-white aria-[current=page]:ring-teal-700 dark:ring-slate-600 dark:hover:bg-slate-800">{label}</a>
            }
        })
        .collect_view();
    let next = page.next_cursor.as_ref().map(|c| format!("/livres/{book_id}?avis={}&avis_apres={c}#avis", sort_word(sort)));
    let empty = page.reviews.is_empty();
    let mine = page.mine.clone();
    let own = mine.clone().map(|r| {
        view! {
            <div id="mon-avis" class="mt-4 rounded-xl bg-slate-100 px-4 dark:bg-slate-800" data-testid="my-review">
                <ReviewItem t=t review=r.clone() book_id=book_id.clone() own=true/>
                <form method="post" action=format!("/avis/{}/supprimer", r.id) class="pb-4">
                    <button type="submit" class="text-sm text-red-800 underline dark:text-red-300">{t.review_delete}</button>
                </form>
            </div>
        }
    });
    let write = if signed_in {
        view! { <ReviewForm t=t book_id=book_id.clone() mine=mine/> }.into_any()
    } else {
        let href = format!("/connexion?next=/livres/{book_id}%23avis");
        view! { <p class="mt-4"><a href=href class=styles::LINK>{t.review_sign_in}</a></p> }.into_any()
    };
    view! {
        <section id="avis" class="mt-10 max-w-3xl" aria-labelledby="avis-heading">
            <h2 id="avis-heading" class="mb-4 text-xl font-bold">{t.reviews_title}</h2>
            <Summary t=t summary=page.summary.clone() lang=lang/>
            {own}
            {write}
            <nav class="mt-6 flex flex-wrap items-center gap-2" aria-label=t.reviews_sort_label>
                <span class="text-sm font-medium">{t.reviews_sort_label}</span>
                {sorts}
            </nav>
            <div class="mt-2" data-testid="review-list">
                {page.reviews.into_iter().map(|r| view! { <ReviewItem t=t review=r book_id=book_id.clone()/> }).collect_view()}
                {empty.then(|| view! { <p class="py-4 text-slate-700 dark:text-slate-300">{t.reviews_empty}</p> })}
            </div>
            {next.map(|href| view! { <a href=href class=styles::BUTTON_SECONDARY rel="next">{t.reviews_more}</a> })}
            <p class="mt-4 text-sm"><a href="/moderation/journal" class=styles::LINK>{t.modlog_title}</a></p>
        </section>
    }
}

/// "Masquer" with the reason its author will receive (the book page's "Modérer", the held
/// reviews, the reports); `next`: where to come back.
#[component]
fn HideForm(t: &'static Texts, action: String, #[prop(optional)] next: Option<String>) -> impl IntoView {
    view! {
        <form method="post" action=action class="mt-2 flex grow flex-wrap items-end gap-2">
            <input type="hidden" name="decision" value="hide"/>
            {next.map(|n| view! { <input type="hidden" name="next" value=n/> })}
            <label class="grow">
                <span class=styles::LABEL>{t.moderation_reason}</span>
                <input type="text" name="reason" required=true maxlength="500" class=styles::INPUT/>
            </label>
            <button type="submit" class=styles::BUTTON_SECONDARY>{t.moderation_hide}</button>
        </form>
    }
}

/// A report's reason in the reader's words.
pub fn reason_label(t: &'static Texts, r: ReportReason) -> &'static str {
    match r {
        ReportReason::Spam => t.report_reason_spam,
        ReportReason::Offensive => t.report_reason_offensive,
        ReportReason::Spoiler => t.report_reason_spoiler,
        ReportReason::OffTopic => t.report_reason_off_topic,
        ReportReason::Other => t.report_reason_other,
        ReportReason::WatchedWord => t.report_reason_watched,
    }
}

/// One reported review and the four decisions.
#[component]
fn FlagItem(t: &'static Texts, flag: FlaggedReview) -> impl IntoView {
    let r = flag.review;
    let action = format!("/moderation/signalements/review/{}", r.id);
    let reasons = flag
        .reasons
        .iter()
        .map(|(reason, n)| view! { <li class="rounded-full bg-red-50 px-2 py-0.5 text-red-900 ring-1 ring-red-200 dark:bg-red-950 dark:text-red-100 dark:ring-red-800">{format!("{} × {n}", reason_label(t, *reason))}</li> })
        .collect_view();
    let weight = rating_number(flag.score as f64 / 100.0, page_ctx().lang);
    let meta =
        fill(t.moderation_flag_meta, &[("reports", &t.count(&t.moderation_flag_reports, flag.reports as u64, &[])), ("score", &weight)]);
    let button = |decision: &'static str, label: &'static str| {
        let action = action.clone();
        view! {
            <form method="post" action=action>
                <input type="hidden" name="decision" value=decision/>
                <button type="submit" class=styles::BUTTON_SECONDARY>{label}</button>
            </form>
        }
    };
    view! {
        <li class=format!("{} mb-4", styles::CARD) data-testid="flagged-review">
            <p class="text-sm text-slate-700 dark:text-slate-300">
                <a href=format!("/livres/{}#avis-{}", r.book_id, r.id) class=styles::LINK dir="auto">{flag.book_title.clone()}</a>" · "{meta}
            </p>
            <ul class="mt-2 flex flex-wrap gap-2 text-sm" aria-label=t.report_reason_label>{reasons}</ul>
            {flag.notes.into_iter().map(|n| view! { <blockquote class="mt-2 border-s-4 border-slate-300 ps-3 text-sm italic [overflow-wrap:anywhere]" dir="auto">{n}</blockquote> }).collect_view()}
            <p class="mt-3"><span class="text-amber-600" aria-hidden="true">{stars(r.rating)}</span>
                <span class="sr-only">{t.count(&t.stars_count, r.rating as u64, &[])}</span>" "
                <strong dir="auto">{r.author_name.clone()}</strong></p>
            {(!r.title.is_empty()).then(|| view! { <h3 class="mt-1 font-bold [overflow-wrap:anywhere]" dir="auto">{r.title.clone()}</h3> })}
            <div class=format!("mt-1 {USER_TEXT}") dir="auto" inner_html=r.body_html.clone()></div>
            <div class="mt-3 flex flex-wrap items-end gap-3">
                <HideForm t=t action=action.clone()/>
                {button("delete", t.moderation_flag_delete)}
                {button("reject", t.moderation_flag_reject)}
                {button("ignore", t.moderation_flag_ignore)}
            </div>
        </li>
    }
}

/// `/moderation`: reviews readers reported, and reviews held back (moderators and admins).
#[component]
pub fn ModerationPage(held: Vec<HeldReview>, flagged: Vec<FlaggedReview>, words: Vec<(String, String)>) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let empty = held.is_empty();
    let no_flags = flagged.is_empty();
    let flags = flagged.into_iter().map(|flag| view! { <FlagItem t=t flag/> }).collect_view();
    let items = held
        .into_iter()
        .map(|h| {
            let r = h.review;
            let why = match r.status_reason.as_str() {
                domain::community::HELD_NEW_ACCOUNT => t.moderation_why_new.to_owned(),
                domain::community::HELD_BURST => t.moderation_why_burst.to_owned(),
                "edited" => t.moderation_why_edited.to_owned(),
                domain::community::HELD_REPORTED => t.moderation_why_reported.to_owned(),
                other => other.to_owned(),
            };
            let since = fill(t.moderation_author_since, &[("date", &long_date(t, h.author_since))]);
            let id = r.id.clone();
            view! {
                <li class=format!("{} mb-4", styles::CARD) data-testid="held-review">
                    <p class="text-sm text-slate-700 dark:text-slate-300">
                        <a href=format!("/livres/{}#avis", r.book_id) class=styles::LINK dir="auto">{h.book_title.clone()}</a>
                        " · "{since}" · "<strong>{why}</strong>
                    </p>
                    <p class="mt-2"><span class="text-amber-600" aria-hidden="true">{stars(r.rating)}</span>
                        <span class="sr-only">{t.count(&t.stars_count, r.rating as u64, &[])}</span>" "
                        <strong dir="auto">{r.author_name.clone()}</strong></p>
                    {(!r.title.is_empty()).then(|| view! { <h2 class="mt-1 font-bold [overflow-wrap:anywhere]" dir="auto">{r.title.clone()}</h2> })}
                    <div class=format!("mt-1 {USER_TEXT}") dir="auto" inner_html=r.body_html.clone()></div>
                    <div class="mt-3 flex flex-wrap items-end gap-3">
                        <form method="post" action=format!("/moderation/avis/{id}")>
                            <input type="hidden" name="decision" value="publish"/>
                            <button type="submit" class=styles::BUTTON>{t.moderation_publish}</button>
                        </form>
                        <HideForm t=t action=format!("/moderation/avis/{id}")/>
                    </div>
                </li>
            }
        })
        .collect_view();
    view! {
        <h1 class=styles::H1>{t.moderation_title}</h1>
        <p class="mb-2 max-w-prose text-slate-800 dark:text-slate-200">{t.moderation_lead}</p>
        <p class="mb-6"><a href="/moderation/journal" class=styles::LINK>{t.modlog_title}</a></p>
        <ErrorSummary t=t form=ctx.form_for("moderation").cloned()/>
        <h2 class="mb-3 text-xl font-bold">{t.moderation_flags_title}</h2>
        {no_flags.then(|| view! { <p class=format!("{} mb-6", styles::CARD)>{t.moderation_flags_empty}</p> })}
        <ul class="mb-8">{flags}</ul>
        <h2 class="mb-3 text-xl font-bold">{t.moderation_held_title}</h2>
        {empty.then(|| view! { <p class=styles::CARD>{t.moderation_empty}</p> })}
        <ul>{items}</ul>
        <WatchedWords t=t words/>
    }
}

/// `/moderation/journal`: what moderators decided, on which book and why — never who, nor
/// whose words.
#[component]
pub fn ModlogPage(entries: Vec<ModlogEntry>, next: Option<String>) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let empty = entries.is_empty();
    let rows = entries
        .into_iter()
        .map(|e| {
            let action = match e.action {
                ModAction::Published => t.modlog_published,
                ModAction::Hidden => t.modlog_hidden,
                ModAction::Deleted => t.modlog_deleted,
                ModAction::Kept => t.modlog_kept,
                ModAction::Ignored => t.modlog_ignored,
            };
            view! {
                <li class="border-t border-slate-200 py-3 dark:border-slate-700" data-testid="modlog-entry">
                    <p class="text-sm text-slate-700 dark:text-slate-300"><time datetime=e.at.to_rfc3339()>{long_date(t, e.at)}</time></p>
                    <p><strong>{action}</strong>" · "<a href=format!("/livres/{}", e.book_id) class=styles::LINK dir="auto">{e.book_title.clone()}</a></p>
                    {(!e.reason.is_empty()).then(|| view! { <p class="mt-1 [overflow-wrap:anywhere]" dir="auto">{fill(t.modlog_reason, &[("reason", &e.reason)])}</p> })}
                </li>
            }
        })
        .collect_view();
    view! {
        <h1 class=styles::H1>{t.modlog_title}</h1>
        <p class="mb-6 max-w-prose text-slate-800 dark:text-slate-200">{t.modlog_lead}</p>
        {empty.then(|| view! { <p class=styles::CARD>{t.modlog_empty}</p> })}
        <ul class="max-w-3xl">{rows}</ul>
        {next.map(|c| view! { <a href=format!("/moderation/journal?apres={c}") class=format!("{} mt-4", styles::BUTTON_SECONDARY) rel="next">{t.modlog_more}</a> })}
    }
}

/// The words moderators watch, per language, and the form that adds one.
#[component]
fn WatchedWords(t: &'static Texts, words: Vec<(String, String)>) -> impl IntoView {
    let ctx = page_ctx();
    let form = ctx.form_for("words").cloned();
    let word_err = form.as_ref().and_then(|f| f.field_error("word")).cloned();
    let word_desc = described_by("word", true, word_err.is_some());
    let languages = [("fr", "Français"), ("en", "English"), ("ar", "العربية")];
    let lists = languages
        .into_iter()
        .map(|(code, name)| {
            let mine: Vec<String> = words.iter().filter(|(l, _)| l == code).map(|(_, w)| w.clone()).collect();
            let empty = mine.is_empty();
            view! {
                <div class="mb-3">
                    <h3 class="font-semibold">{name}</h3>
                    {empty.then(|| view! { <p class="text-sm text-slate-700 dark:text-slate-300">{t.words_none}</p> })}
                    <ul class="mt-1 flex flex-wrap gap-2" lang=code>
                        {mine.into_iter().map(|w| view! {
                            <li class="flex items-center gap-1 rounded-full bg-slate-100 ps-3 dark:bg-slate-800" data-testid="watched-word">
                                <span dir="auto">{w.clone()}</span>
                                <form method="post" action="/moderation/mots">
                                    <input type="hidden" name="language" value=code/>
                                    <input type="hidden" name="word" value=w.clone()/>
                                    <input type="hidden" name="watching" value="false"/>
                                    <button type="submit" class="rounded-full px-2 py-1 text-sm hover:bg-slate-200 dark:hover:bg-slate-700" aria-label=fill(t.words_remove, &[("word", &w)])>"×"</button>
                                </form>
                            </li>
                        }).collect_view()}
                    </ul>
                </div>
            }
        })
        .collect_view();
    view! {
        <section id="mots" class="mt-10" aria-labelledby="mots-heading">
            <h2 id="mots-heading" class="mb-2 text-xl font-bold">{t.words_title}</h2>
            <p class="mb-4 max-w-prose text-slate-800 dark:text-slate-200">{t.words_lead}</p>
            <ErrorSummary t=t form=form.clone()/>
            {lists}
            <form method="post" action="/moderation/mots" class="mt-4 flex flex-wrap items-end gap-3">
                <input type="hidden" name="watching" value="true"/>
                <div>
                    <label for="language" class=styles::LABEL>{t.filter_language}</label>
                    <select id="language" name="language" class=styles::INPUT>
                        {languages.into_iter().map(|(code, name)| view! { <option value=code>{name}</option> }).collect_view()}
                    </select>
                </div>
                <div class="grow">
                    <label for="word" class=styles::LABEL>{t.words_label}</label>
                    <input id="word" name="word" type="text" maxlength="60" dir="auto" class=styles::INPUT
                        aria-invalid=word_err.is_some().then_some("true") aria-describedby=word_desc/>
                    <FieldHelp t=t name="word" hint=Some(t.words_hint) error=word_err/>
                </div>
                <button type="submit" class=styles::BUTTON>{t.words_add}</button>
            </form>
        </section>
    }
}
