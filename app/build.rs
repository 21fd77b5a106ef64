//! Compiles the interface texts (`locales/<language>.txt`, one file per language) into Rust, and
//! refuses to build when a file is wrong: a key missing or unknown next to `fr.txt` (the
//! reference), a placeholder missing or added, a plural form missing or not in the language's
//! rule, a key given twice. The texts become one `Texts` value per language (`$OUT_DIR/texts.rs`,
//! included by `src/i18n.rs`), so using a key that does not exist is a compile error too.
//!
//! The format is plain: `key = text` per line, `key[form] = text` for each plural form of a
//! count, `@plural = <rule>` once, `#` for comments. Rules: `one-other` (English, Swahili,
//! Hausa…), `french` (one for 0 and 1, many for millions), `arabic` (zero, one, two, few, many,
//! other), `other` (no plural: Wolof, Yorùbá…); see `i18n::PluralRule` for how each picks a form.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

const FORMS: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

fn rule_forms(rule: &str) -> Option<&'static [&'static str]> {
    Some(match rule {
        "one-other" => &["one", "other"],
        "french" => &["one", "many", "other"],
        "arabic" => &["zero", "one", "two", "few", "many", "other"],
        "other" => &["other"],
        _ => return None,
    })
}

fn rule_variant(rule: &str) -> &'static str {
    match rule {
        "one-other" => "OneOther",
        "french" => "French",
        "arabic" => "Arabic",
        _ => "Other",
    }
}

enum Text {
    Plain(String),
    Plural(BTreeMap<String, String>),
}

struct Locale {
    code: String,
    rule: String,
    /// In the file's order.
    keys: Vec<String>,
    texts: BTreeMap<String, Text>,
}

fn placeholders(s: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = s;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else { break };
        out.insert(rest[open + 1..open + close].to_owned());
        rest = &rest[open + close + 1..];
    }
    out
}

fn parse(code: &str, text: &str, errors: &mut Vec<String>) -> Locale {
    let mut locale = Locale { code: code.to_owned(), rule: String::new(), keys: Vec::new(), texts: BTreeMap::new() };
    for (n, line) in text.lines().enumerate() {
        let at = format!("locales/{code}.txt:{}", n + 1);
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            errors.push(format!("{at}: expected `key = text`"));
            continue;
        };
        let (key, value) = (key.trim(), value.trim().to_owned());
        if key == "@plural" {
            if rule_forms(&value).is_none() {
                errors.push(format!("{at}: unknown plural rule `{value}` (one-other, french, arabic, other)"));
            }
            locale.rule = value;
            continue;
        }
        let (name, form) = match key.split_once('[') {
            Some((name, form)) => (name, Some(form.trim_end_matches(']'))),
            None => (key, None),
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
            errors.push(format!("{at}: a key is lower-case letters, digits and `_`: `{name}`"));
            continue;
        }
        if value.is_empty() {
            errors.push(format!("{at}: `{key}` has no text"));
        }
        match (form, locale.texts.get_mut(name)) {
            (None, None) => {
                locale.keys.push(name.to_owned());
                locale.texts.insert(name.to_owned(), Text::Plain(value));
            }
            (Some(form), None) => {
                locale.keys.push(name.to_owned());
                locale.texts.insert(name.to_owned(), Text::Plural(BTreeMap::from([(form.to_owned(), value)])));
            }
            (Some(form), Some(Text::Plural(forms))) => {
                if forms.insert(form.to_owned(), value).is_some() {
                    errors.push(format!("{at}: `{key}` is given twice"));
                }
            }
            _ => errors.push(format!("{at}: `{name}` is given twice")),
        }
    }
    if locale.rule.is_empty() {
        errors.push(format!("locales/{code}.txt: no `@plural = …` line"));
    }
    locale
}

/// Everything wrong with `locale` next to the reference.
fn check(locale: &Locale, reference: &Locale, errors: &mut Vec<String>) {
    let file = format!("locales/{}.txt", locale.code);
    let wanted: BTreeSet<&str> = rule_forms(&locale.rule).unwrap_or(&[]).iter().copied().collect();
    for key in &reference.keys {
        let Some(text) = locale.texts.get(key) else {
            errors.push(format!("{file}: `{key}` is missing"));
            continue;
        };
        match (&reference.texts[key], text) {
            (Text::Plain(r), Text::Plain(t)) => {
                if placeholders(r) != placeholders(t) {
                    errors.push(format!("{file}: `{key}` has placeholders {:?}, fr.txt has {:?}", placeholders(t), placeholders(r)));
                }
            }
            (Text::Plural(r), Text::Plural(forms)) => {
                let given: BTreeSet<&str> = forms.keys().map(String::as_str).collect();
                for form in wanted.difference(&given) {
                    errors.push(format!("{file}: `{key}[{form}]` is missing (rule {})", locale.rule));
                }
                for form in given.difference(&wanted) {
                    errors.push(format!("{file}: `{key}[{form}]` is not a form of rule {}", locale.rule));
                }
                // Every form says the same things; only the count may be spelled out in words.
                let mut expected = placeholders(&r["other"]);
                expected.remove("n");
                for (form, t) in forms {
                    let mut got = placeholders(t);
                    let counted = got.remove("n");
                    if got != expected {
                        errors.push(format!("{file}: `{key}[{form}]` has placeholders {got:?}, fr.txt has {expected:?} (besides {{n}})"));
                    }
                    if form == "other" && !counted {
                        errors.push(format!("{file}: `{key}[other]` must show the count: {{n}}"));
                    }
                }
            }
            (Text::Plain(_), Text::Plural(_)) => errors.push(format!("{file}: `{key}` is a count here, a plain text in fr.txt")),
            (Text::Plural(_), Text::Plain(_)) => errors.push(format!("{file}: `{key}` is a count in fr.txt: give its plural forms")),
        }
    }
    for key in &locale.keys {
        if !reference.texts.contains_key(key) {
            errors.push(format!("{file}: `{key}` is not in fr.txt"));
        }
    }
}

fn literal(s: &str) -> String {
    format!("{s:?}")
}

fn variant(code: &str) -> String {
    let mut c = code.chars();
    c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
}

fn main() {
    let dir = Path::new("locales");
    println!("cargo:rerun-if-changed=locales");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("app/locales")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let mut errors = Vec::new();
    let locales: Vec<Locale> = files
        .iter()
        .map(|p| {
            println!("cargo:rerun-if-changed={}", p.display());
            let code = p.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
            parse(&code, &std::fs::read_to_string(p).expect("a locale file"), &mut errors)
        })
        .collect();
    let Some(reference) = locales.iter().find(|l| l.code == "fr") else { panic!("app/locales/fr.txt, the reference, is missing") };
    for l in &locales {
        check(l, reference, &mut errors);
    }
    if !errors.is_empty() {
        for e in &errors {
            println!("cargo:warning={e}");
        }
        panic!("the interface texts are not consistent:\n{}", errors.join("\n"));
    }

    let mut out = String::new();
    out.push_str("/// The interface texts of one language (generated from `app/locales/*.txt` by `app/build.rs`).\n");
    out.push_str("#[derive(Debug)]\npub struct Texts {\n    pub lang: Language,\n    pub plural: PluralRule,\n");
    for key in &reference.keys {
        let ty = match reference.texts[key] {
            Text::Plain(_) => "&'static str",
            Text::Plural(_) => "Plural",
        };
        let _ = writeln!(out, "    pub {key}: {ty},");
    }
    out.push_str("}\n");
    for l in &locales {
        let _ = writeln!(
            out,
            "\npub const {}: Texts = Texts {{\n    lang: Language::{},\n    plural: PluralRule::{},",
            l.code.to_uppercase(),
            variant(&l.code),
            rule_variant(&l.rule)
        );
        for key in &reference.keys {
            match &l.texts[key] {
                Text::Plain(t) => {
                    let _ = writeln!(out, "    {key}: {},", literal(t));
                }
                Text::Plural(forms) => {
                    let _ = write!(out, "    {key}: Plural {{");
                    for form in FORMS {
                        match forms.get(form) {
                            Some(t) if form == "other" => {
                                let _ = write!(out, " other: {},", literal(t));
                            }
                            Some(t) => {
                                let _ = write!(out, " {form}: Some({}),", literal(t));
                            }
                            None => {
                                let _ = write!(out, " {form}: None,");
                            }
                        }
                    }
                    out.push_str(" },\n");
                }
            }
        }
        out.push_str("};\n");
    }
    out.push_str("\n/// The texts of a language.\npub fn texts(lang: Language) -> &'static Texts {\n    match lang {\n");
    for l in &locales {
        let _ = writeln!(out, "        Language::{} => &{},", variant(&l.code), l.code.to_uppercase());
    }
    out.push_str("    }\n}\n");
    let path = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("texts.rs");
    std::fs::write(path, out).expect("texts.rs written");
}
