//! Parse, don't validate: a value of one of these types is known to be acceptable.

use crate::error::{FieldError, Reason};
use serde::{Deserialize, Serialize};

fn required<'a>(field: &str, raw: &'a str) -> Result<&'a str, FieldError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        Err(FieldError::new(field, Reason::Required))
    } else {
        Ok(trimmed)
    }
}

/// A lower-cased e-mail address of plausible shape (`local@domain.tld`, ≤ 254 chars).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let v = required("email", raw)?;
        if v.chars().count() > 254 {
            return Err(FieldError::new("email", Reason::TooLong));
        }
        let bad = || FieldError::new("email", Reason::InvalidFormat);
        let (local, domain) = v.rsplit_once('@').ok_or_else(bad)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains('@')
            && !local.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
        if !domain_ok || !local_ok {
            return Err(bad());
        }
        Ok(Self(v.to_lowercase()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password of 8 to 128 characters. Never printed.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub const MIN: usize = 8;
    pub const MAX: usize = 128;
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        Self::parse_field("password", raw)
    }
    /// Parses a password submitted under another field name (e.g. `new_password`).
    pub fn parse_field(field: &str, raw: &str) -> Result<Self, FieldError> {
        let n = raw.chars().count();
        if n == 0 {
            Err(FieldError::new(field, Reason::Required))
        } else if n < Self::MIN {
            Err(FieldError::new(field, Reason::TooShort))
        } else if n > Self::MAX {
            Err(FieldError::new(field, Reason::TooLong))
        } else {
            Ok(Self(raw.to_owned()))
        }
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A person's display name: 1 to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let v = required("name", raw)?;
        if v.chars().count() > 100 {
            return Err(FieldError::new("name", Reason::TooLong));
        }
        if v.chars().any(char::is_control) {
            return Err(FieldError::new("name", Reason::InvalidFormat));
        }
        Ok(Self(v.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An ISO 3166-1 alpha-2 country code, upper-case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let v = required("country", raw)?.to_ascii_uppercase();
        if v.len() != 2 || !v.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(FieldError::new("country", Reason::InvalidFormat));
        }
        if !COUNTRIES.iter().any(|(c, ..)| *c == v) {
            return Err(FieldError::new("country", Reason::Unknown));
        }
        let b = v.as_bytes();
        Ok(Self([b[0], b[1]]))
    }
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

/// A country's name in one of the interface languages.
pub fn country_name(code: &str, lang: Language) -> Option<&'static str> {
    COUNTRIES.iter().find(|(c, ..)| *c == code).map(|(_, fr, en, ar)| match lang {
        Language::Fr => *fr,
        Language::En => *en,
        Language::Ar => *ar,
    })
}

/// The languages Coko's interface speaks. Profiles may only pick one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Fr,
    En,
    Ar,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::Fr, Language::En, Language::Ar];
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let v = required("language", raw)?;
        Self::from_tag(v).ok_or_else(|| FieldError::new("language", Reason::Unknown))
    }
    /// Accepts a BCP 47 tag and keeps its primary subtag (`fr-SN` → `fr`).
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.split(['-', '_']).next()?.trim().to_ascii_lowercase();
        match primary.as_str() {
            "fr" => Some(Language::Fr),
            "en" => Some(Language::En),
            "ar" => Some(Language::Ar),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Fr => "fr",
            Language::En => "en",
            Language::Ar => "ar",
        }
    }
    pub fn is_rtl(self) -> bool {
        matches!(self, Language::Ar)
    }
    /// Picks the best supported language from an `Accept-Language` header.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut best: Option<(f32, Language)> = None;
        for part in header.split(',') {
            let mut bits = part.split(';');
            let tag = bits.next().unwrap_or("").trim();
            let q = bits.find_map(|b| b.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok())).unwrap_or(1.0);
            if let Some(lang) = Self::from_tag(tag) {
                if best.is_none_or(|(bq, _)| q > bq) {
                    best = Some((q, lang));
                }
            }
        }
        best.map(|(_, l)| l)
    }
}

/// Countries offered in forms: (ISO code, French, English, Arabic names). Francophone Africa
/// first, then the rest of Africa, then where our readers' diaspora lives.
pub const COUNTRIES: &[(&str, &str, &str, &str)] = &[
    ("SN", "Sénégal", "Senegal", "السنغال"),
    ("CI", "Côte d'Ivoire", "Côte d'Ivoire", "كوت ديفوار"),
    ("ML", "Mali", "Mali", "مالي"),
    ("BF", "Burkina Faso", "Burkina Faso", "بوركينا فاسو"),
    ("NE", "Niger", "Niger", "النيجر"),
    ("TG", "Togo", "Togo", "توغو"),
    ("BJ", "Bénin", "Benin", "بنين"),
    ("GN", "Guinée", "Guinea", "غينيا"),
    ("CM", "Cameroun", "Cameroon", "الكاميرون"),
    ("GA", "Gabon", "Gabon", "الغابون"),
    ("CG", "Congo", "Congo", "الكونغو"),
    ("CD", "RD Congo", "DR Congo", "الكونغو الديمقراطية"),
    ("TD", "Tchad", "Chad", "تشاد"),
    ("CF", "Centrafrique", "Central African Republic", "أفريقيا الوسطى"),
    ("MG", "Madagascar", "Madagascar", "مدغشقر"),
    ("MR", "Mauritanie", "Mauritania", "موريتانيا"),
    ("MA", "Maroc", "Morocco", "المغرب"),
    ("DZ", "Algérie", "Algeria", "الجزائر"),
    ("TN", "Tunisie", "Tunisia", "تونس"),
    ("GW", "Guinée-Bissau", "Guinea-Bissau", "غينيا بيساو"),
    ("BI", "Burundi", "Burundi", "بوروندي"),
    ("RW", "Rwanda", "Rwanda", "رواندا"),
    ("DJ", "Djibouti", "Djibouti", "جيبوتي"),
    ("KM", "Comores", "Comoros", "جزر القمر"),
    ("GQ", "Guinée équatoriale", "Equatorial Guinea", "غينيا الاستوائية"),
    ("CV", "Cap-Vert", "Cape Verde", "الرأس الأخضر"),
    ("GM", "Gambie", "Gambia", "غامبيا"),
    ("GH", "Ghana", "Ghana", "غانا"),
    ("NG", "Nigeria", "Nigeria", "نيجيريا"),
    ("LR", "Liberia", "Liberia", "ليبيريا"),
    ("SL", "Sierra Leone", "Sierra Leone", "سيراليون"),
    ("EG", "Égypte", "Egypt", "مصر"),
    ("LY", "Libye", "Libya", "ليبيا"),
    ("SD", "Soudan", "Sudan", "السودان"),
    ("ET", "Éthiopie", "Ethiopia", "إثيوبيا"),
    ("KE", "Kenya", "Kenya", "كينيا"),
    ("TZ", "Tanzanie", "Tanzania", "تنزانيا"),
    ("UG", "Ouganda", "Uganda", "أوغندا"),
    ("AO", "Angola", "Angola", "أنغولا"),
    ("MZ", "Mozambique", "Mozambique", "موزمبيق"),
    ("ZA", "Afrique du Sud", "South Africa", "جنوب أفريقيا"),
    ("ZM", "Zambie", "Zambia", "زامبيا"),
    ("ZW", "Zimbabwe", "Zimbabwe", "زيمبابوي"),
    ("NA", "Namibie", "Namibia", "ناميبيا"),
    ("BW", "Botswana", "Botswana", "بوتسوانا"),
    ("MU", "Maurice", "Mauritius", "موريشيوس"),
    ("SC", "Seychelles", "Seychelles", "سيشل"),
    ("ST", "Sao Tomé-et-Principe", "São Tomé and Príncipe", "ساو تومي وبرينسيب"),
    ("FR", "France", "France", "فرنسا"),
    ("BE", "Belgique", "Belgium", "بلجيكا"),
    ("CH", "Suisse", "Switzerland", "سويسرا"),
    ("CA", "Canada", "Canada", "كندا"),
    ("US", "États-Unis", "United States", "الولايات المتحدة"),
    ("GB", "Royaume-Uni", "United Kingdom", "المملكة المتحدة"),
    ("DE", "Allemagne", "Germany", "ألمانيا"),
    ("ES", "Espagne", "Spain", "إسبانيا"),
    ("IT", "Italie", "Italy", "إيطاليا"),
    ("PT", "Portugal", "Portugal", "البرتغال"),
    ("LB", "Liban", "Lebanon", "لبنان"),
    ("HT", "Haïti", "Haiti", "هايتي"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_lowercased_and_checked() {
        assert_eq!(Email::parse(" Awa@Example.SN ").unwrap().as_str(), "awa@example.sn");
        for bad in ["", "awa", "awa@", "@x.sn", "awa@sn", "a b@x.sn", "awa@x..sn"] {
            assert!(Email::parse(bad).is_err(), "{bad} accepted");
        }
        assert_eq!(Email::parse("").unwrap_err().reason, Reason::Required);
    }

    #[test]
    fn password_length_bounds() {
        assert_eq!(Password::parse("short").unwrap_err().reason, Reason::TooShort);
        assert_eq!(Password::parse("").unwrap_err().reason, Reason::Required);
        assert!(Password::parse("exactly8").is_ok());
        assert_eq!(Password::parse(&"x".repeat(129)).unwrap_err().reason, Reason::TooLong);
        assert_eq!(format!("{:?}", Password::parse("secret-pass").unwrap()), "Password(***)");
    }

    #[test]
    fn country_codes_are_iso_alpha2() {
        assert_eq!(CountryCode::parse("sn").unwrap().as_str(), "SN");
        assert_eq!(CountryCode::parse("XX").unwrap_err().reason, Reason::Unknown);
        assert_eq!(CountryCode::parse("SEN").unwrap_err().reason, Reason::InvalidFormat);
    }

    #[test]
    fn every_country_is_named_in_every_language() {
        for (code, ..) in COUNTRIES {
            assert!(CountryCode::parse(code).is_ok());
            for lang in Language::ALL {
                assert!(country_name(code, lang).is_some_and(|n| !n.is_empty()));
            }
        }
        assert_eq!(country_name("SN", Language::En), Some("Senegal"));
    }

    #[test]
    fn language_from_accept_language() {
        assert_eq!(Language::from_accept_language("en-US,en;q=0.9,fr;q=0.8"), Some(Language::En));
        assert_eq!(Language::from_accept_language("de,fr-SN;q=0.5"), Some(Language::Fr));
        assert_eq!(Language::from_accept_language("de"), None);
        assert_eq!(Language::parse("xx").unwrap_err().reason, Reason::Unknown);
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(DisplayName::parse("  Awa Diop ").unwrap().as_str(), "Awa Diop");
        assert_eq!(DisplayName::parse(&"a".repeat(101)).unwrap_err().reason, Reason::TooLong);
        assert_eq!(DisplayName::parse("a\u{0}b").unwrap_err().reason, Reason::InvalidFormat);
    }
}

/// Removes the Unicode bidirectional embedding, override and isolate controls (U+202A–U+202E,
/// U+2066–U+2069): in a title or a name they make text display as something else
/// ("\u{202e}gpj.exe" shows as "exe.jpg"). Direction is the page's business (`dir`, `<bdi>`),
/// never the metadata's. Marks (U+200E, U+200F, U+061C) stay: they cannot reorder a run.
pub fn strip_bidi_controls(s: &str) -> String {
    s.chars().filter(|c| !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')).collect()
}

#[cfg(test)]
mod bidi_tests {
    use super::strip_bidi_controls;

    #[test]
    fn bidi_overrides_and_isolates_are_removed() {
        assert_eq!(strip_bidi_controls("\u{202E}gpj.exe"), "gpj.exe");
        assert_eq!(strip_bidi_controls("a\u{2066}b\u{2069}c\u{202A}d\u{202C}"), "abcd");
        assert_eq!(strip_bidi_controls("كتاب\u{200F} Book"), "كتاب\u{200F} Book", "marks and Arabic kept");
    }
}

/// A phone number as typed (`+221 77 123 45 67`, `00221…`, with spaces, dots, dashes or
/// brackets), read as E.164 (`+221771234567`): the country's code is required.
pub fn e164(input: &str) -> Result<String, Reason> {
    let compact: String = input.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')' | '\u{a0}')).collect();
    if compact.is_empty() {
        return Err(Reason::Required);
    }
    let digits = compact.strip_prefix('+').or_else(|| compact.strip_prefix("00")).ok_or(Reason::InvalidFormat)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
        return Err(Reason::InvalidFormat);
    }
    Ok(format!("+{digits}"))
}
