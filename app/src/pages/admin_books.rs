//! Editors' pages: every book (drafts too), one book's status and offer, and the upload form.

use crate::components::book_card::{price_text, Cover};
use crate::components::danger::DangerZone;
use crate::components::form::{ErrorSummary, Field};
use crate::components::notice::{Notice, Tone};
use crate::components::styles;
use crate::context::page_ctx;
use crate::i18n::{fill, texts, Texts};
use domain::catalog::{Book, BookPage, BookStatus};
use leptos::prelude::*;

fn status_label(t: &'static Texts, s: BookStatus) -> &'static str {
    match s {
        BookStatus::Draft => t.status_draft,
        BookStatus::Published => t.status_published,
    }
}

/// Why an upload was refused, from the ingest code.
pub fn ingest_reason(t: &'static Texts, code: &str) -> &'static str {
    match code {
        "too_large" => t.ingest_too_large,
        "unknown_format" => t.ingest_unknown_format,
        "wrong_type" => t.ingest_wrong_type,
        "not_a_zip" => t.ingest_not_a_zip,
        "zip_bomb" => t.ingest_zip_bomb,
        "path_traversal" => t.ingest_path_traversal,
        "missing_container" => t.ingest_missing_container,
        "missing_package" => t.ingest_missing_package,
        "malformed_xml" => t.ingest_malformed_xml,
        "hostile_xml" => t.ingest_hostile_xml,
        "empty_spine" => t.ingest_empty_spine,
        "metadata_too_long" => t.ingest_metadata_too_long,
        "too_slow" => t.ingest_too_slow,
        "encrypted" => t.ingest_encrypted,
        "unreadable_pdf" => t.ingest_unreadable_pdf,
        "missing" => t.upload_missing,
        _ => t.err_internal,
    }
}

#[component]
pub fn AdminBooksPage(page: BookPage, cursor: Option<String>) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let form = ctx.form_for("bulk").cloned();
    let category_err = form.as_ref().and_then(|f| f.field_error("categorie").cloned());
    let category_value = form.as_ref().and_then(|f| f.value("categorie")).unwrap_or_default().to_owned();
    let chosen = form.as_ref().and_then(|f| f.value("action")).unwrap_or_default().to_owned();
    let actions = [
        ("publier", t.bulk_publish),
        ("depublier", t.bulk_unpublish),
        ("vedette", t.bulk_feature),
        ("retirer-vedette", t.bulk_unfeature),
        ("classer", t.bulk_file),
    ]
    .into_iter()
    .map(|(v, label)| view! { <option value=v selected=v == chosen>{label}</option> })
    .collect_view();
    let rows = page
        .books
        .iter()
        .map(|b| {
            let href = format!("/admin/livres/{}", b.id);
            let pick = fill(t.bulk_pick, &[("title", &b.title)]);
            view! {
                <tr class="border-t border-slate-200 dark:border-slate-700" data-testid="admin-book-row">
                    <td class="py-2 pe-2"><input type="checkbox" form="bulk" name="livres" value=b.id.clone() aria-label=pick class="h-5 w-5 accent-teal-700"/></td>
                    <td class="py-2 pe-3"><a class=styles::LINK href=href dir="auto">{b.title.clone()}</a></td>
                    <td class="py-2 pe-3">{status_label(t, b.status)}</td>
                    <td class="hidden py-2 pe-3 sm:table-cell">{price_text(t, b, ctx.lang)}</td>
                </tr>
            }
        })
        .collect_view();
    let next = page.next_cursor.map(|c| format!("/admin/livres?apres={c}"));
    view! {
        <super::admin_entries::AdminTabs current="/admin/livres"/>
        <div class="mb-6 flex flex-wrap items-center justify-between gap-3">
            <h1 class=format!("{} !mb-0", styles::H1)>{t.admin_books_title}</h1>
            <a href="/admin/livres/importer" class=styles::BUTTON>{t.upload_title}</a>
        </div>
        <p class="mb-2 text-sm">{crate::i18n::book_count(t, page.total)}</p>
        // The ticked rows go with this form (their boxes name it): no script needed.
        <form id="bulk" method="post" action="/admin/livres/lot" aria-labelledby="bulk-heading"
            class=format!("{} mb-4 !p-3 sm:!p-4", styles::CARD)>
            <h2 id="bulk-heading" class="mb-2 font-semibold text-slate-950 dark:text-white">{t.bulk_title}</h2>
            <ErrorSummary t=t form=form.clone()/>
            <div class="grid gap-3 sm:grid-cols-[1fr_1fr_auto] sm:items-end">
                <div>
                    <label for="action" class=styles::LABEL>{t.bulk_action}</label>
                    <select id="action" name="action" class=format!("{} !py-2", styles::INPUT)>{actions}</select>
                </div>
                <div>
                    <label for="categorie" class=styles::LABEL>{t.bulk_category}</label>
                    <input id="categorie" name="categorie" type="text" value=category_value placeholder="Fiction > Romans" dir="auto"
                        aria-describedby=crate::components::form::described_by("categorie", false, category_err.is_some())
                        aria-invalid=category_err.is_some().then_some("true") class=format!("{} !py-2", styles::INPUT)/>
                    <crate::components::form::FieldHelp t=t name="categorie" hint=None error=category_err/>
                </div>
                <button type="submit" class=styles::BUTTON>{t.bulk_apply}</button>
            </div>
        </form>
        <div class=format!("{} overflow-x-auto !p-3 sm:!p-5", styles::CARD)>
            <table id="livres" class="w-full text-start">
                <thead class="text-sm text-slate-700 dark:text-slate-300">
                    <tr>
                        <th scope="col" class="pb-2 text-start"><span class="sr-only">{t.bulk_selection}</span></th>
                        <th scope="col" class="pb-2 text-start">{t.col_title}</th>
                        <th scope="col" class="pb-2 text-start">{t.status_label}</th>
                        <th scope="col" class="hidden pb-2 text-start sm:table-cell">{t.col_price}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <nav aria-label="pagination" class="mt-4 flex justify-between">
            {cursor.map(|_| view! { <a class=styles::LINK href="/admin/livres">{t.first_books}</a> })}
            {next.map(|h| view! { <a class=styles::LINK rel="next" href=h>{t.next_books}</a> })}
        </nav>
    }
}

#[component]
pub fn AdminBookPage(book: Book) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let action = format!("/admin/livres/{}", book.id);
    let public = format!("/livres/{}", book.id);
    let offer = ctx.form_for("offer").cloned();
    let price = offer.as_ref().and_then(|f| f.value("price")).map(str::to_owned).unwrap_or_else(|| book.price.amount.to_string());
    let price_err = offer.as_ref().and_then(|f| f.field_error("price").cloned());
    let statuses = [BookStatus::Draft, BookStatus::Published]
        .into_iter()
        .map(|s| view! { <option value=s.as_str() selected=s == book.status>{status_label(t, s)}</option> })
        .collect_view();
    view! {
        <div class="grid gap-6 sm:grid-cols-[12rem_1fr]">
            <div class="mx-auto w-40 sm:w-full"><Cover t=t book=book.clone() eager=true sizes="12rem"/></div>
            <div>
                <h1 class=styles::H1 dir="auto">{book.title.clone()}</h1>
                <p class="mb-4 text-slate-800 dark:text-slate-200" dir="auto">{book.author_names()}</p>
                <form method="post" action=action class=styles::CARD>
                    <div class="mb-4">
                        <label for="status" class=styles::LABEL>{t.status_label}</label>
                        <select id="status" name="status" class=styles::INPUT>{statuses}</select>
                    </div>
                    <Field t=t name="price" label=t.price_label value=price error=price_err hint=t.price_hint/>
                    <label class="mb-4 flex items-center gap-3">
                        <input type="checkbox" name="featured" value="on" checked=book.featured class="h-5 w-5 accent-teal-700"/>
                        {t.featured_label}
                    </label>
                    <label class="mb-4 flex items-start gap-3">
                        <input type="checkbox" name="premium" value="on" checked=book.premium class="mt-0.5 h-5 w-5 accent-teal-700"/>
                        <span>{t.premium_label}<span class="block text-sm text-slate-700 dark:text-slate-300">{t.premium_label_hint}</span></span>
                    </label>
                    <div class="flex flex-wrap gap-3">
                        <button type="submit" class=styles::BUTTON>{t.profile_save}</button>
                        <a href=public class=styles::BUTTON_SECONDARY>{t.view_public}</a>
                    </div>
                </form>
                <MetadataForm book=book.clone()/>
                <SubjectSuggestions book=book.clone()/>
                {(!book.is_free()).then(|| view! { <GrantForm book_id=book.id.clone()/> })}
                <DeleteForm book_id=book.id.clone()/>
            </div>
        </div>
    }
}

/// Corrections to what the file said: a refused form shows what was typed.
#[component]
fn MetadataForm(book: Book) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let form = ctx.form_for("metadata").cloned();
    let val = |k: &str, stored: String| form.as_ref().and_then(|f| f.value(k)).map(str::to_owned).unwrap_or(stored);
    let err = |k: &str| form.as_ref().and_then(|f| f.field_error(k).cloned());
    let authors_stored = book.authors.iter().map(|a| a.name.clone()).collect::<Vec<_>>().join("\n");
    let (title, subtitle, authors, publisher) = (
        val("title", book.title.clone()),
        val("subtitle", book.subtitle.clone()),
        val("authors", authors_stored),
        val("publisher", book.publisher.as_ref().map(|p| p.name.clone()).unwrap_or_default()),
    );
    let categories = val("categories", book.categories.iter().map(|c| c.name.clone()).collect::<Vec<_>>().join("\n"));
    let categories_err = err("categories");
    let (language, isbn, date, description) = (
        val("language", book.language.clone()),
        val("isbn", book.isbn.clone().unwrap_or_default()),
        val("published_date", book.published_date.clone()),
        val("description", book.description.clone()),
    );
    let (title_err, subtitle_err, publisher_err, language_err, isbn_err, date_err) =
        (err("title"), err("subtitle"), err("publisher"), err("language"), err("isbn"), err("published_date"));
    let area = |id: &'static str, label: &'static str, value: String, rows: u32| {
        view! {
            <div class="mb-4">
                <label for=id class=styles::LABEL>{label}</label>
                <textarea id=id name=id rows=rows class=styles::INPUT dir="auto">{value}</textarea>
            </div>
        }
    };
    view! {
        <section class=format!("{} mt-6", styles::CARD) aria-labelledby="metadata-heading">
            <h2 id="metadata-heading" class="mb-4 text-lg font-bold text-slate-950 dark:text-white">{t.metadata_title}</h2>
            <ErrorSummary t=t form=form.clone()/>
            <form method="post" action=format!("/admin/livres/{}/metadonnees", book.id) novalidate>
                <Field t=t name="title" label=t.meta_title value=title required=true error=title_err/>
                <Field t=t name="subtitle" label=t.meta_subtitle value=subtitle error=subtitle_err/>
                {area("authors", t.meta_authors, authors, 3)}
                <Field t=t name="publisher" label=t.meta_publisher value=publisher error=publisher_err/>
                <Field t=t name="language" label=t.meta_language value=language error=language_err/>
                <Field t=t name="isbn" label=t.meta_isbn value=isbn error=isbn_err/>
                <Field t=t name="published_date" label=t.meta_date value=date error=date_err/>
                {area("description", t.meta_description, description, 6)}
                <div class="mb-4">
                    <label for="categories" class=styles::LABEL>{t.meta_categories}</label>
                    <textarea id="categories" name="categories" rows="3" class=styles::INPUT dir="auto"
                        aria-describedby=crate::components::form::described_by("categories", true, categories_err.is_some())
                        aria-invalid=categories_err.is_some().then_some("true")>{categories}</textarea>
                    <crate::components::form::FieldHelp t=t name="categories" hint=Some(t.meta_categories_hint) error=categories_err/>
                </div>
                <button type="submit" class=styles::BUTTON>{t.profile_save}</button>
            </form>
        </section>
    }
    .into_any()
}

/// The file's subjects as categories to file the book in, one click each (the bulk action on
/// this one book, coming back here).
#[component]
fn SubjectSuggestions(book: Book) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let paths = domain::catalog::suggested_categories(&book);
    (!paths.is_empty()).then(|| {
        let back = format!("/admin/livres/{}", book.id);
        let items = paths
            .into_iter()
            .map(|path| {
                view! {
                    <li class="flex flex-wrap items-center justify-between gap-2 border-t border-slate-200 py-2 first:border-t-0 dark:border-slate-700">
                        <span dir="auto" class="font-medium">{path.clone()}</span>
                        <form method="post" action="/admin/livres/lot">
                            <input type="hidden" name="livres" value=book.id.clone()/>
                            <input type="hidden" name="action" value="classer"/>
                            <input type="hidden" name="categorie" value=path.clone()/>
                            <input type="hidden" name="retour" value=back.clone()/>
                            <button type="submit" class=format!("{} !py-1.5 text-sm", styles::BUTTON_SECONDARY) aria-label=format!("{} : {path}", t.subjects_file)>{t.subjects_file}</button>
                        </form>
                    </li>
                }
            })
            .collect_view();
        view! {
            <section class=format!("{} mt-6", styles::CARD) aria-labelledby="subjects-heading" data-testid="subject-suggestions">
                <h2 id="subjects-heading" class="mb-1 text-lg font-bold text-slate-950 dark:text-white">{t.subjects_title}</h2>
                <p class="mb-3 text-sm text-slate-700 dark:text-slate-300">{t.subjects_help}</p>
                <ul>{items}</ul>
            </section>
        }
    })
}

/// Deleting, behind a second step.
#[component]
fn DeleteForm(book_id: String) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let refused = ctx.form_for("delete").is_some().then(|| t.delete_book_in_use.to_owned());
    view! {
        <DangerZone title=t.delete_book warning=t.delete_book_warning confirm=t.delete_book_confirm
            action=format!("/admin/livres/{book_id}/supprimer") refused/>
    }
}

/// Lets a reader open a paid book (until payments do it).
#[component]
fn GrantForm(book_id: String) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let form = ctx.form_for("grant").cloned();
    let email = form.as_ref().and_then(|f| f.value("email")).map(str::to_owned).unwrap_or_default();
    let email_err = form.as_ref().and_then(|f| f.field_error("email").cloned());
    view! {
        <section class=format!("{} mt-6", styles::CARD) aria-labelledby="grant-heading">
            <h2 id="grant-heading" class="mb-2 text-lg font-bold text-slate-950 dark:text-white">{t.grant_title}</h2>
            <p class="mb-4 text-slate-800 dark:text-slate-200">{t.grant_help}</p>
            <ErrorSummary t=t form=form.clone()/>
            <form method="post" action=format!("/admin/livres/{book_id}/acces") novalidate>
                <Field t=t name="email" label=t.grant_email value=email kind="email" required=true error=email_err/>
                <button type="submit" class=styles::BUTTON>{t.grant_submit}</button>
            </form>
        </section>
    }
}

#[component]
pub fn UploadPage(max_mb: u64) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let form = ctx.form_for("upload").cloned();
    let refused = form.as_ref().and_then(|f| f.detail.clone());
    view! {
        <div class="mx-auto max-w-lg">
            <h1 class=styles::H1>{t.upload_title}</h1>
            {refused.map(|code| view! {
                <Notice tone=Tone::Error><p data-testid="upload-refused">{fill(t.upload_refused, &[("reason", ingest_reason(t, &code))])}</p></Notice>
            })}
            <ErrorSummary t=t form=form.filter(|f| f.detail.is_none())/>
            <form method="post" action="/admin/livres/importer" enctype="multipart/form-data" data-upload="true"
                data-t-progress=t.upload_progress data-t-reading=t.upload_reading data-t-failed=t.upload_failed data-t-chosen=t.upload_chosen
                class=format!("{} data-[dragging]:border-teal-700 data-[dragging]:bg-teal-50 dark:data-[dragging]:bg-slate-800", styles::CARD)>
                <label for="file" class=styles::LABEL>{t.upload_label}</label>
                <p class="mb-2 text-sm text-slate-700 dark:text-slate-300">{t.upload_drop}</p>
                <input id="file" name="file" type="file" accept=".epub,.pdf,application/epub+zip,application/pdf" required=true aria-describedby="file-hint upload-status"
                    class="block w-full rounded-lg border border-dashed border-slate-400 bg-slate-50 p-4 text-slate-900 file:me-3 file:rounded-md file:border-0 file:bg-teal-700 file:px-3 file:py-2 file:font-semibold file:text-white dark:bg-slate-900 dark:text-slate-100"/>
                <p id="file-hint" class="mt-1 mb-4 text-sm text-slate-700 dark:text-slate-300">{fill(t.upload_hint, &[("mb", &max_mb.to_string())])}</p>
                <progress hidden=true max="100" value="0" aria-labelledby="upload-status" data-testid="upload-progress" class="mb-2 h-3 w-full accent-teal-700"></progress>
                <p id="upload-status" data-upload-status="" role="status" aria-live="polite" class="mb-3 min-h-5 text-sm font-medium text-slate-900 dark:text-slate-100"></p>
                <button type="submit" class=styles::BUTTON>{t.upload_submit}</button>
            </form>
            <script src="/upload.js" defer=true></script>
        </div>
    }
}
