//! Prices: an amount in the currency's minor unit and an ISO 4217 code. XOF has no minor unit,
//! so 1500 XOF is stored as 1500.

use crate::validation::Language;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub amount: i64,
    pub currency: String,
}

/// The highest price an editor may set, in XOF (ten million FCFA: far above any book).
pub const MAX_PRICE: i64 = 10_000_000;

/// The one reading of a price typed by an editor (forms and REST alike): whole francs, digits
/// grouped by threes or not (`1500`, `1 500` with any space, `1.500`, `1,500`), an optional
/// `FCFA`/`XOF`. Refused, with the reason the field shows: empty, a sign, decimals, exponents,
/// groups that are not thousands, any other character (`1e3`, `-5`, `1,5`), or more than
/// [`MAX_PRICE`].
pub fn parse_price(input: &str) -> Result<i64, crate::error::Reason> {
    use crate::error::Reason;
    let t = input.trim();
    let t = t.strip_suffix("FCFA").or_else(|| t.strip_suffix("XOF")).unwrap_or(t).trim_end();
    if t.is_empty() {
        return Err(Reason::Required);
    }
    if t.starts_with('-') {
        return Err(Reason::OutOfRange);
    }
    let separator = |c: char| matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '.' | ',');
    let groups: Vec<&str> = t.split(separator).collect();
    let digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    let thousands = groups.len() == 1 || (groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3));
    if !groups.iter().all(|g| digits(g)) || !thousands {
        return Err(Reason::InvalidFormat);
    }
    match groups.concat().parse::<i64>() {
        Ok(n) if n <= MAX_PRICE => Ok(n),
        _ => Err(Reason::OutOfRange),
    }
}

/// Checks an amount from anywhere (a number in JSON, a parsed form field).
pub fn check_price(amount: i64) -> Result<i64, crate::error::Reason> {
    if (0..=MAX_PRICE).contains(&amount) {
        Ok(amount)
    } else {
        Err(crate::error::Reason::OutOfRange)
    }
}

impl Money {
    pub fn xof(amount: i64) -> Self {
        Self { amount, currency: "XOF".into() }
    }

    /// Digits after the decimal point for the currencies Coko sells in.
    fn minor_digits(&self) -> u32 {
        match self.currency.as_str() {
            "XOF" | "XAF" | "GNF" | "RWF" | "KMF" | "DJF" | "BIF" => 0,
            _ => 2,
        }
    }

    /// `1 500 FCFA` in French, `XOF 1,500` in English.
    pub fn format(&self, lang: Language) -> String {
        let digits = self.minor_digits();
        let scale = 10i64.pow(digits);
        let (whole, frac) = (self.amount / scale, self.amount % scale);
        let grouped = grouped(whole.unsigned_abs(), lang);
        let grouped = if whole < 0 { format!("-{grouped}") } else { grouped };
        let number = if digits == 0 {
            grouped
        } else {
            let dec = if lang == Language::En { "." } else { "," };
            format!("{grouped}{dec}{frac:0width$}", width = digits as usize)
        };
        let symbol = match self.currency.as_str() {
            "XOF" | "XAF" if lang != Language::En => "FCFA",
            other => other,
        };
        match lang {
            Language::En => format!("{symbol} {number}"),
            _ => format!("{number}\u{a0}{symbol}"),
        }
    }
}

/// A whole number with its thousands grouped as the language writes them: `1,500` in English,
/// `1 500` (a narrow no-break space, as French typography wants) otherwise.
pub fn grouped(n: u64, lang: Language) -> String {
    let sep = match lang {
        Language::En => ",",
        _ => "\u{202f}",
    };
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3 * sep.len());
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Reason;

    #[test]
    fn prices_are_read_one_way() {
        assert_eq!(parse_price("1500"), Ok(1500));
        assert_eq!(parse_price(" 1 500 "), Ok(1500));
        assert_eq!(parse_price("1\u{202f}500\u{a0}FCFA"), Ok(1500));
        assert_eq!(parse_price("2 000 000 XOF"), Ok(2_000_000));
        assert_eq!(parse_price("0"), Ok(0));
        assert_eq!(parse_price("1e3"), Err(Reason::InvalidFormat), "an exponent is not a price");
        assert_eq!(parse_price("1,5"), Err(Reason::InvalidFormat));
        assert_eq!(parse_price("1.500"), Ok(1500));
        assert_eq!(parse_price("1,500"), Ok(1500));
        assert_eq!(parse_price("1,50"), Err(Reason::InvalidFormat), "decimals are refused, not guessed");
        assert_eq!(parse_price("15 00"), Err(Reason::InvalidFormat));
        assert_eq!(parse_price("douze"), Err(Reason::InvalidFormat));
        assert_eq!(parse_price("-5"), Err(Reason::OutOfRange));
        assert_eq!(parse_price(""), Err(Reason::Required));
        assert_eq!(parse_price("99999999999999999999"), Err(Reason::OutOfRange));
        assert_eq!(parse_price("10000001"), Err(Reason::OutOfRange));
        assert_eq!(check_price(-1), Err(Reason::OutOfRange));
    }

    #[test]
    fn formats_for_the_locale() {
        assert_eq!(Money::xof(1500).format(Language::Fr), "1\u{202f}500\u{a0}FCFA");
        assert_eq!(Money::xof(1500).format(Language::En), "XOF 1,500");
        assert_eq!(Money::xof(250).format(Language::Fr), "250\u{a0}FCFA");
        assert_eq!(Money::xof(1_234_567).format(Language::En), "XOF 1,234,567");
        assert_eq!(Money { amount: 1999, currency: "EUR".into() }.format(Language::Fr), "19,99\u{a0}EUR");
    }
}
