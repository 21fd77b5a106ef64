//! Every string the interface shows, in each language. The texts live in `app/locales/`, one
//! file per language (`fr.txt` is the reference), and are compiled into the `Texts` values below
//! by `app/build.rs`, which refuses to build when a file lacks a key, a placeholder or a plural
//! form. The helpers here are plain Rust.
//!
//! Adding a language (Swahili, Wolof, Hausa…): a file `locales/<code>.txt` with every key of
//! `fr.txt` and the `@plural` rule of the language, and its variant in
//! `domain::validation::Language` (the compiler then names each place that needs it).

use domain::account::{Role, Theme};
use domain::validation::Language;

include!(concat!(env!("OUT_DIR"), "/texts.rs"));

/// How a language picks the form of a counted word (CLDR plural rules, integers only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PluralRule {
    /// English, Swahili, Hausa…: one for 1, other otherwise.
    OneOther,
    /// French: one for 0 and 1, many for whole millions ("1 000 000 de livres"), other otherwise.
    French,
    /// Arabic: zero, one, two, few (3–10 in each hundred), many (11–99), other.
    Arabic,
    /// Languages without plural forms.
    Other,
}

/// A form of a counted text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PluralForm {
    Zero,
    One,
    Two,
    Few,
    Many,
    Other,
}

impl PluralForm {
    /// The CLDR name (as `Intl.PluralRules` gives it in the browser).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Zero => "zero",
            Self::One => "one",
            Self::Two => "two",
            Self::Few => "few",
            Self::Many => "many",
            Self::Other => "other",
        }
    }
}

impl PluralRule {
    pub fn form(self, n: u64) -> PluralForm {
        match self {
            Self::OneOther if n == 1 => PluralForm::One,
            Self::French if n <= 1 => PluralForm::One,
            Self::French if n.is_multiple_of(1_000_000) => PluralForm::Many,
            Self::Arabic => match (n, n % 100) {
                (0, _) => PluralForm::Zero,
                (1, _) => PluralForm::One,
                (2, _) => PluralForm::Two,
                (_, 3..=10) => PluralForm::Few,
                (_, 11..=99) => PluralForm::Many,
                _ => PluralForm::Other,
            },
            _ => PluralForm::Other,
        }
    }
}

/// A counted text: the forms its language uses (the build checked that each is there).
#[derive(Debug, Clone, Copy)]
pub struct Plural {
    pub zero: Option<&'static str>,
    pub one: Option<&'static str>,
    pub two: Option<&'static str>,
    pub few: Option<&'static str>,
    pub many: Option<&'static str>,
    pub other: &'static str,
}

impl Plural {
    pub fn get(&self, form: PluralForm) -> &'static str {
        let f = match form {
            PluralForm::Zero => self.zero,
            PluralForm::One => self.one,
            PluralForm::Two => self.two,
            PluralForm::Few => self.few,
            PluralForm::Many => self.many,
            PluralForm::Other => None,
        };
        f.unwrap_or(self.other)
    }

    /// The forms as a JSON object (`{"one": …, "other": …}`), for scripts in the browser that
    /// pick one with `Intl.PluralRules` and fill `{n}` themselves.
    pub fn to_json(&self) -> String {
        let forms = [
            ("zero", self.zero),
            ("one", self.one),
            ("two", self.two),
            ("few", self.few),
            ("many", self.many),
            ("other", Some(self.other)),
        ];
        let map: serde_json::Map<String, serde_json::Value> =
            forms.iter().filter_map(|(k, v)| v.map(|v| (k.to_string(), serde_json::Value::from(v)))).collect();
        serde_json::Value::Object(map).to_string()
    }
}

impl Texts {
    /// `forms` for the count `n` in this language, with `{n}` and the other placeholders filled.
    pub fn count(&self, forms: &Plural, n: u64, args: &[(&str, &str)]) -> String {
        let n_text = domain::catalog::grouped(n, self.lang);
        let mut all = vec![("n", n_text.as_str())];
        all.extend_from_slice(args);
        fill(forms.get(self.plural.form(n)), &all)
    }
}

/// A language's name in that language, for the switcher.
pub fn language_name(lang: Language) -> &'static str {
    match lang {
        Language::Fr => "Français",
        Language::En => "English",
        Language::Ar => "العربية",
    }
}

/// A book language's own name (autonym) from its code (`ja`, `pt-BR`…), for the languages Coko
/// has no interface in; `None` for a code it does not know (shown as given).
pub fn book_language_name(code: &str) -> Option<&'static str> {
    let primary = code.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
    Some(match primary.as_str() {
        "fr" => "Français",
        "en" => "English",
        "ar" => "العربية",
        "ja" => "日本語",
        "zh" => "中文",
        "ko" => "한국어",
        "es" => "Español",
        "pt" => "Português",
        "de" => "Deutsch",
        "it" => "Italiano",
        "nl" => "Nederlands",
        "ru" => "Русский",
        "wo" => "Wolof",
        "ff" => "Pulaar",
        "bm" => "Bamanankan",
        "sw" => "Kiswahili",
        "ha" => "Hausa",
        "yo" => "Yorùbá",
        "ig" => "Igbo",
        "ln" => "Lingála",
        "am" => "አማርኛ",
        "zu" => "isiZulu",
        _ => return None,
    })
}

/// "1 livre", "12 livres", "1 000 000 de livres": a count of books in the language's forms.
pub fn book_count(t: &Texts, n: u64) -> String {
    t.count(&t.catalog_count, n, &[])
}

/// A theme's name.
pub fn theme_label(t: &Texts, theme: Theme) -> &'static str {
    match theme {
        Theme::System => t.theme_system,
        Theme::Light => t.theme_light,
        Theme::Dark => t.theme_dark,
    }
}

/// A role's name.
pub fn role_label(t: &Texts, role: Role) -> &'static str {
    match role {
        Role::Reader => t.role_reader,
        Role::Moderator => t.role_moderator,
        Role::Editor => t.role_editor,
        Role::Admin => t.role_admin,
    }
}

/// Fills `{name}`-style placeholders.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut s = template.to_owned();
    for (k, v) in args {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_in_every_language() {
        for lang in Language::ALL {
            let t = texts(lang);
            assert_eq!(t.lang, lang);
            assert!(!fill(t.page_x_of_y, &[("page", "2"), ("pages", "5")]).contains('{'));
            assert!(fill(t.welcome_user, &[("name", "Awa")]).contains("Awa"));
            for n in [0, 1, 2, 3, 11, 100, 1_000_000] {
                assert!(!t.count(&t.search_results, n, &[("q", "Sembène")]).contains('{'), "{lang:?} {n}");
            }
        }
    }

    #[test]
    fn each_language_counts_in_its_own_forms() {
        // French says "0 livre" and "1 000 000 de livres".
        assert_eq!(book_count(&FR, 0), "0 livre");
        assert_eq!(book_count(&FR, 1), "1 livre");
        assert_eq!(book_count(&FR, 2), "2 livres");
        assert_eq!(book_count(&FR, 2_000_000), "2\u{202f}000\u{202f}000 de livres");
        assert_eq!(book_count(&EN, 1500), "1,500 books");
        assert_eq!(book_count(&EN, 0), "0 books");
        assert_eq!(book_count(&EN, 1), "1 book");
        // Arabic has six forms: the dual, 3–10, 11–99 and hundreds differ.
        let ar: Vec<String> = [0, 1, 2, 5, 11, 100, 103].iter().map(|&n| book_count(&AR, n)).collect();
        assert_eq!(ar, ["لا كتب", "كتاب واحد", "كتابان", "5 كتب", "11 كتابًا", "100 كتاب", "103 كتب"]);
    }

    #[test]
    fn plural_rules_follow_cldr() {
        use PluralForm::*;
        let fr: Vec<_> = [0, 1, 2, 1_000_000, 1_000_001].iter().map(|&n| PluralRule::French.form(n)).collect();
        assert_eq!(fr, [One, One, Other, Many, Other]);
        let ar: Vec<_> = [0, 1, 2, 3, 10, 11, 99, 100, 102, 103, 111].iter().map(|&n| PluralRule::Arabic.form(n)).collect();
        assert_eq!(ar, [Zero, One, Two, Few, Few, Many, Many, Other, Other, Few, Many]);
        assert_eq!(PluralRule::OneOther.form(0), Other);
        assert_eq!(AR.catalog_count.to_json().matches("\":").count(), 6, "the browser gets every form");
    }

    #[test]
    fn book_languages_by_their_own_names() {
        assert_eq!(book_language_name("ja"), Some("日本語"));
        assert_eq!(book_language_name("pt-BR"), Some("Português"));
        assert_eq!(book_language_name("WO"), Some("Wolof"));
        assert_eq!(book_language_name("x-klingon"), None);
    }
}
