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

#[path = "src/locale_check.rs"]
mod locale_check;

use locale_check::{check, parse, Locale, Text};
use std::fmt::Write as _;
use std::path::Path;

const FORMS: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

fn rule_variant(rule: &str) -> &'static str {
    match rule {
        "one-other" => "OneOther",
        "french" => "French",
        "arabic" => "Arabic",
        _ => "Other",
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
