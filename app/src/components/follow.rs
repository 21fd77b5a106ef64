//! The "follow" button of an author's page and of a category's catalogue: a plain form (no
//! script needed) that posts to `/suivis` and comes back to the page; a link to sign in for
//! visitors.

use crate::components::styles;
use crate::context::FollowBox;
use crate::i18n::{fill, texts};
use domain::notification::FollowKind;
use domain::validation::Language;
use leptos::prelude::*;

#[component]
pub fn FollowButton(follow: FollowBox, lang: Language) -> impl IntoView {
    let t = texts(lang);
    let hint = match follow.kind {
        FollowKind::Author => t.follow_author_hint,
        FollowKind::Category => t.follow_category_hint,
    };
    let hint = fill(hint, &[("name", &follow.name)]);
    let control = match follow.following {
        None => {
            let href = format!("/connexion?next={}", follow.here);
            view! { <a href=href class=styles::BUTTON_SECONDARY data-testid="follow">{t.follow_sign_in}</a> }.into_any()
        }
        Some(following) => {
            let (label, class) = if following { (t.unfollow, styles::BUTTON_SECONDARY) } else { (t.follow, styles::BUTTON) };
            view! {
                <form method="post" action="/suivis">
                    <input type="hidden" name="kind" value=follow.kind.as_str()/>
                    <input type="hidden" name="id" value=follow.id.clone()/>
                    <input type="hidden" name="following" value=if following { "false" } else { "true" }/>
                    <input type="hidden" name="next" value=follow.here.clone()/>
                    <button type="submit" class=class aria-pressed=if following { "true" } else { "false" } data-testid="follow">{label}</button>
                </form>
            }
            .into_any()
        }
    };
    view! {
        <div class="mb-6 flex flex-wrap items-center gap-3">
            {control}
            <p class="text-sm text-slate-700 dark:text-slate-300" dir="auto">{hint}</p>
        </div>
    }
}
