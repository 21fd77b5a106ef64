//! What an SMS costs: its encoding (GSM 03.38's 7-bit alphabet, or UCS-2 as soon as one
//! character is outside it) and its number of parts. A French text pays for its accents
//! unevenly: é è à ù ì ò É Ç are in the GSM alphabet, but ê ç â î ô û are not and turn the whole
//! message into UCS-2 — 70 characters a part instead of 160, so a one-part text becomes three.
//! [`transliterate`] replaces those with their bare letters (and typographic quotes, dashes and
//! narrow spaces with plain ones) before a text is sent.

/// GSM 03.38's basic table: one septet each.
const BASIC: &str =
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// Its extension table: two septets each (an escape, then the character).
const EXTENSION: &str = "^{}\\[~]|€\u{c}";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Gsm7 => "GSM-7",
            Encoding::Ucs2 => "UCS-2",
        }
    }
}

/// How a text goes over the air.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    pub encoding: Encoding,
    /// Septets (GSM-7) or UTF-16 units (UCS-2).
    pub units: usize,
    pub parts: usize,
}

/// The encoding a text needs and how many parts it is sent in (160 septets or 70 UCS-2 units
/// in one part; 153 or 67 each once it is split, the rest carrying the part header).
pub fn cost(text: &str) -> Cost {
    let mut septets = 0usize;
    for c in text.chars() {
        if BASIC.contains(c) {
            septets += 1;
        } else if EXTENSION.contains(c) {
            septets += 2;
        } else {
            let units = text.encode_utf16().count();
            return Cost { encoding: Encoding::Ucs2, units, parts: parts(units, 70, 67) };
        }
    }
    Cost { encoding: Encoding::Gsm7, units: septets, parts: parts(septets, 160, 153) }
}

fn parts(units: usize, single: usize, each: usize) -> usize {
    match units {
        0 => 1,
        n if n <= single => 1,
        n => n.div_ceil(each),
    }
}

/// The characters outside the GSM alphabet, each once, in order of appearance (what an admin
/// is shown next to a template that costs more than it should).
pub fn offending(text: &str) -> Vec<char> {
    let mut out = Vec::new();
    for c in text.chars() {
        if !BASIC.contains(c) && !EXTENSION.contains(c) && !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// A Latin text with what would force UCS-2 replaced by its nearest GSM spelling: accents the
/// alphabet lacks lose them, ligatures are spelt out, typographic punctuation and spaces become
/// plain. Arabic and other scripts are left as they are (they need UCS-2 anyway).
pub fn transliterate(text: &str) -> String {
    let spacing = |c: char| matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '\u{2007}');
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        // French quotes hold their words at a (narrow) space's distance: "merci", not " merci ".
        if c == '«' {
            out.push('"');
            while chars.peek().is_some_and(|n| spacing(*n)) {
                chars.next();
            }
            continue;
        }
        if spacing(c) && chars.clone().find(|n| !spacing(*n)) == Some('»') {
            continue;
        }
        if BASIC.contains(c) || EXTENSION.contains(c) {
            out.push(c);
            continue;
        }
        let plain = match c {
            'â' | 'á' | 'ã' => "a",
            'À' | 'Â' | 'Á' | 'Ã' => "A",
            'ê' | 'ë' => "e",
            'È' | 'Ê' | 'Ë' => "E",
            'î' | 'ï' | 'í' => "i",
            'Î' | 'Ï' | 'Í' | 'Ì' => "I",
            'ô' | 'ó' | 'õ' => "o",
            'Ô' | 'Ó' | 'Õ' | 'Ò' => "O",
            'û' | 'ú' => "u",
            'Û' | 'Ú' | 'Ù' => "U",
            'ç' => "c",
            'ÿ' => "y",
            'Ÿ' => "Y",
            'œ' => "oe",
            'Œ' => "OE",
            '’' | '‘' | '‚' | '′' => "'",
            '“' | '”' | '„' | '»' | '″' => "\"",
            '–' | '—' | '‐' | '‑' | '−' => "-",
            '…' => "...",
            '\u{a0}' | '\u{202f}' | '\u{2009}' | '\u{2007}' | '\t' => " ",
            _ => "",
        };
        if plain.is_empty() {
            out.push(c);
        } else {
            out.push_str(plain);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_in_the_alphabet_keep_gsm_and_the_others_force_ucs2() {
        assert_eq!(cost("Déjà lu, où ça ?").encoding, Encoding::Ucs2, "ç is not in GSM-7");
        assert_eq!(cost("Déjà lu, où donc ?").encoding, Encoding::Gsm7);
        for c in ['ê', 'ç', 'â', 'î', 'ô', 'û'] {
            assert_eq!(cost(&format!("abc{c}")).encoding, Encoding::Ucs2, "{c}");
        }
        for c in ['é', 'è', 'à', 'ù', 'ì', 'ò', 'É', 'Ç'] {
            assert_eq!(cost(&format!("abc{c}")).encoding, Encoding::Gsm7, "{c}");
        }
    }

    #[test]
    fn parts_follow_the_encoding() {
        let a160 = "a".repeat(160);
        assert_eq!(cost(&a160).parts, 1);
        assert_eq!(cost(&"a".repeat(161)).parts, 2);
        assert_eq!(cost(&"a".repeat(306)).parts, 2);
        assert_eq!(cost(&"a".repeat(307)).parts, 3);
        // One ê turns 160 characters into three UCS-2 parts.
        let with_hat = format!("ê{}", "a".repeat(159));
        assert_eq!(cost(&with_hat), Cost { encoding: Encoding::Ucs2, units: 160, parts: 3 });
        // The extension table counts twice.
        assert_eq!(cost("€").units, 2);
        assert_eq!(cost(&"€".repeat(80)).parts, 1);
        assert_eq!(cost(&"€".repeat(81)).parts, 2);
        assert_eq!(cost("").parts, 1);
        assert_eq!(cost(&"ب".repeat(70)).parts, 1);
        assert_eq!(cost(&"ب".repeat(71)).parts, 2);
    }

    #[test]
    fn french_is_transliterated_into_one_part() {
        let text = "Coko : votre Premium se termine le 5 janvier, prolongez-le à tout moment — même hors ligne ; « merci » pour 2\u{202f}000\u{a0}FCFA.";
        assert_eq!(cost(text).encoding, Encoding::Ucs2);
        let plain = transliterate(text);
        assert_eq!(cost(&plain).encoding, Encoding::Gsm7, "{plain}: {:?}", offending(&plain));
        assert!(plain.contains("meme hors ligne"), "{plain}");
        assert!(plain.contains("2 000 FCFA"), "{plain}");
        assert!(plain.contains("\"merci\""), "{plain}");
        assert_eq!(offending("forêt et garçon"), vec!['ê', 'ç']);
    }

    #[test]
    fn other_scripts_are_left_alone() {
        let ar = "ينتهي بريميوم غدًا";
        assert_eq!(transliterate(ar), ar);
        assert_eq!(cost(ar).encoding, Encoding::Ucs2);
    }
}
