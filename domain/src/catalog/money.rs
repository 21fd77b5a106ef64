//! Prices: an amount in the currency's minor unit and an ISO 4217 code. XOF has no minor unit,
//! so 1500 XOF is stored as 1500.

use crate::validation::Language;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub amount: i64,
    pub currency: String,
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
        let sep = match lang {
            Language::En => ",",
            // A narrow no-break space, as French typography wants.
            _ => "\u{202f}",
        };
        let mut grouped = String::new();
        let s = whole.to_string();
        for (i, ch) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                grouped.push_str(sep);
            }
            grouped.push(ch);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_for_the_locale() {
        assert_eq!(Money::xof(1500).format(Language::Fr), "1\u{202f}500\u{a0}FCFA");
        assert_eq!(Money::xof(1500).format(Language::En), "XOF 1,500");
        assert_eq!(Money::xof(250).format(Language::Fr), "250\u{a0}FCFA");
        assert_eq!(Money::xof(1_234_567).format(Language::En), "XOF 1,234,567");
        assert_eq!(Money { amount: 1999, currency: "EUR".into() }.format(Language::Fr), "19,99\u{a0}EUR");
    }
}
