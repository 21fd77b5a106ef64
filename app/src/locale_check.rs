//! Reading and checking the interface texts (`locales/<language>.txt`): used by `build.rs`,
//! which refuses to build when they are wrong, and by the tests below. Plain std only.

use std::collections::{BTreeMap, BTreeSet};

pub fn rule_forms(rule: &str) -> Option<&'static [&'static str]> {
    Some(match rule {
        "one-other" => &["one", "other"],
        "french" => &["one", "many", "other"],
        "arabic" => &["zero", "one", "two", "few", "many", "other"],
        "other" => &["other"],
        _ => return None,
    })
}

pub enum Text {
    Plain(String),
    Plural(BTreeMap<String, String>),
}

pub struct Locale {
    pub code: String,
    pub rule: String,
    /// In the file's order.
    pub keys: Vec<String>,
    pub texts: BTreeMap<String, Text>,
}

pub fn placeholders(s: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = s;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else { break };
        out.insert(rest[open + 1..open + close].to_owned());
        rest = &rest[open + close + 1..];
    }
    out
}

pub fn parse(code: &str, text: &str, errors: &mut Vec<String>) -> Locale {
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
pub fn check(locale: &Locale, reference: &Locale, errors: &mut Vec<String>) {
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

#[cfg(test)]
mod tests {
    use super::*;

    const FR: &str =
        "@plural = french\nhello = Bonjour, {name} !\nbooks[one] = {n} livre\nbooks[many] = {n} de livres\nbooks[other] = {n} livres\n";

    fn errors_of(code: &str, text: &str) -> Vec<String> {
        let mut errors = Vec::new();
        let reference = parse("fr", FR, &mut errors);
        let locale = parse(code, text, &mut errors);
        check(&locale, &reference, &mut errors);
        errors
    }

    #[test]
    fn a_complete_locale_passes() {
        let sw = "@plural = one-other\nhello = Habari, {name}!\nbooks[one] = kitabu {n}\nbooks[other] = vitabu {n}\n";
        assert_eq!(errors_of("sw", sw), Vec::<String>::new());
        // Arabic may spell the small counts out, without {n}.
        let ar = "@plural = arabic\nhello = مرحبًا {name}\nbooks[zero] = لا كتب\nbooks[one] = كتاب واحد\nbooks[two] = كتابان\nbooks[few] = {n} كتب\nbooks[many] = {n} كتابًا\nbooks[other] = {n} كتاب\n";
        assert_eq!(errors_of("ar", ar), Vec::<String>::new());
    }

    #[test]
    fn every_mistake_is_named_with_its_file_and_key() {
        let broken = "@plural = one-other\nhello = Hello, {nom}!\nbooks[one] = {n} book\nbooks[few] = {n} books\nextra = ?\n";
        let errors = errors_of("en", broken);
        let said = |needle: &str| errors.iter().any(|e| e.contains(needle));
        assert!(said("locales/en.txt: `hello` has placeholders"), "{errors:#?}");
        assert!(said("`books[other]` is missing (rule one-other)"), "{errors:#?}");
        assert!(said("`books[few]` is not a form of rule one-other"), "{errors:#?}");
        assert!(said("`extra` is not in fr.txt"), "{errors:#?}");
        let missing = errors_of("en", "@plural = one-other\nbooks[one] = {n} book\nbooks[other] = {n} books\n");
        assert!(missing.iter().any(|e| e.contains("`hello` is missing")), "{missing:#?}");
        let no_rule = errors_of("xx", "hello = {name}\nbooks[other] = {n}\n");
        assert!(no_rule.iter().any(|e| e.contains("no `@plural = …` line")), "{no_rule:#?}");
        let twice = errors_of("en", "@plural = one-other\nhello = {name}\nhello = {name}\nbooks[one] = {n}\nbooks[other] = {n}\n");
        assert!(twice.iter().any(|e| e.contains("given twice")), "{twice:#?}");
        let uncounted = errors_of("en", "@plural = one-other\nhello = {name}\nbooks[one] = a book\nbooks[other] = books\n");
        assert!(uncounted.iter().any(|e| e.contains("`books[other]` must show the count")), "{uncounted:#?}");
    }
}
