//! What each kind of notification says, in French, English and Arabic, rendered from the
//! parameters stored with it (so a reader who switches language reads them in the new one).
//! The same text serves the app (title and body), the e-mail (subject, plain text and HTML) and,
//! shortened, an SMS.

use super::Kind;
use crate::catalog::Money;
use crate::validation::Language;
use serde_json::{Map, Value};

/// A notification's words in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub title: String,
    /// Paragraphs, separated by blank lines.
    pub body: String,
    /// The label of the link it carries.
    pub action: String,
}

fn text<'a>(p: &'a Map<String, Value>, k: &str) -> &'a str {
    p.get(k).and_then(Value::as_str).unwrap_or("")
}

fn int(p: &Map<String, Value>, k: &str) -> i64 {
    p.get(k).and_then(Value::as_i64).unwrap_or(0)
}

/// A day in the reader's words: `5 janvier 2027`, `5 January 2027`, `5 يناير 2027`.
pub fn day(ms: i64, lang: Language) -> String {
    use chrono::Datelike;
    const FR: [&str; 12] =
        ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];
    const EN: [&str; 12] =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    const AR: [&str; 12] = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"];
    let d = crate::clock::from_ms(ms);
    let month = (d.month0() as usize).min(11);
    let name = match lang {
        Language::Fr => FR[month],
        Language::En => EN[month],
        Language::Ar => AR[month],
    };
    format!("{} {name} {}", d.day(), d.year())
}

/// What a failed payment's provider said, in the reader's words where its code is known.
fn failure(code: &str, lang: Language) -> String {
    use Language::*;
    let known = match (code, lang) {
        ("insufficient-funds", Fr) => "le solde du compte ne suffit pas",
        ("insufficient-funds", En) => "the account's balance is too low",
        ("insufficient-funds", Ar) => "رصيد الحساب غير كافٍ",
        ("payer-mobile-mismatch", Fr) => "le paiement a été fait depuis un autre numéro que celui indiqué",
        ("payer-mobile-mismatch", En) => "it was paid from another number than the one given",
        ("payer-mobile-mismatch", Ar) => "تم الدفع من رقم غير الرقم المُدخل",
        ("blocked-account", Fr) => "ce compte est bloqué chez le fournisseur",
        ("blocked-account", En) => "the account is blocked by the provider",
        ("blocked-account", Ar) => "هذا الحساب محظور لدى مزود الخدمة",
        ("kyb-limits-exceeded", Fr) => "le plafond de ce compte est atteint",
        ("kyb-limits-exceeded", En) => "the account's limit is reached",
        ("kyb-limits-exceeded", Ar) => "تم بلوغ الحد الأقصى لهذا الحساب",
        ("amount-mismatch", Fr) => "le montant payé ne correspond pas à la commande",
        ("amount-mismatch", En) => "the amount paid does not match the order",
        ("amount-mismatch", Ar) => "المبلغ المدفوع لا يطابق الطلب",
        (_, Fr) => "le fournisseur n'a pas pu traiter le paiement",
        (_, En) => "the provider could not process the payment",
        (_, Ar) => "لم يتمكن مزود الخدمة من معالجة الدفع",
    };
    known.to_owned()
}

/// The notification's words. Parameters a template lacks read as empty: a notice stored by an
/// older build still renders.
pub fn render(kind: Kind, p: &Map<String, Value>, lang: Language) -> Rendered {
    use Language::*;
    let amount = Money { amount: int(p, "amount"), currency: text(p, "currency").to_owned() }.format(lang);
    let provider = text(p, "provider");
    let is_plan = text(p, "item") == "plan";
    let title = if is_plan { format!("Coko {}", crate::payment::Plan::name(text(p, "plan"), lang)) } else { text(p, "title").to_owned() };
    let until = day(int(p, "until_ms"), lang);
    let r = |title: String, body: String, action: &str| Rendered { title, body, action: action.to_owned() };
    match (kind, lang) {
        (Kind::PaymentReceipt, Fr) => r(
            format!("Paiement confirmé : {title}"),
            format!(
                "Merci : votre paiement de {amount} avec {provider} est confirmé. {}",
                if is_plan {
                    format!("Premium vous ouvre tous les livres premium jusqu'au {until}.")
                } else {
                    format!("« {title} » est dans votre bibliothèque.")
                }
            ),
            "Voir le reçu",
        ),
        (Kind::PaymentReceipt, En) => r(
            format!("Payment confirmed: {title}"),
            format!(
                "Thank you: your payment of {amount} with {provider} is confirmed. {}",
                if is_plan {
                    format!("Premium opens every premium book until {until}.")
                } else {
                    format!("« {title} » is in your library.")
                }
            ),
            "See the receipt",
        ),
        (Kind::PaymentReceipt, Ar) => r(
            format!("تم تأكيد الدفع: {title}"),
            format!(
                "شكرًا لك: تم تأكيد دفع {amount} عبر {provider}. {}",
                if is_plan {
                    format!("بريميوم يفتح لك كل الكتب المميزة حتى {until}.")
                } else {
                    format!("«{title}» موجود الآن في مكتبتك.")
                }
            ),
            "عرض الإيصال",
        ),
        (Kind::PaymentRefund, Fr) => r(
            format!("Remboursement : {title}"),
            format!(
                "Votre paiement de {amount} avec {provider} vous a été remboursé en entier. {}",
                if is_plan {
                    format!("La période payée a été retirée : Premium se termine désormais le {until}.")
                } else {
                    "Le livre a quitté votre bibliothèque.".to_owned()
                }
            ),
            "Voir le paiement",
        ),
        (Kind::PaymentRefund, En) => r(
            format!("Refunded: {title}"),
            format!(
                "Your payment of {amount} with {provider} was refunded in full. {}",
                if is_plan {
                    format!("The period it paid for was taken back: Premium now ends on {until}.")
                } else {
                    "The book has left your library.".to_owned()
                }
            ),
            "See the payment",
        ),
        (Kind::PaymentRefund, Ar) => r(
            format!("تم الاسترداد: {title}"),
            format!(
                "تم استرداد دفعتك البالغة {amount} عبر {provider} كاملة. {}",
                if is_plan {
                    format!("أُلغيت المدة التي دفعتها: ينتهي بريميوم الآن في {until}.")
                } else {
                    "وقد سُحب الكتاب من مكتبتك.".to_owned()
                }
            ),
            "عرض الدفعة",
        ),
        (Kind::PaymentFailed, Fr) => r(
            format!("Paiement non abouti : {title}"),
            format!(
                "Votre paiement de {amount} avec {provider} n'a pas abouti : {}. Rien n'a été débité ; vous pouvez réessayer.",
                failure(text(p, "failure"), lang)
            ),
            "Réessayer",
        ),
        (Kind::PaymentFailed, En) => r(
            format!("Payment not completed: {title}"),
            format!(
                "Your payment of {amount} with {provider} did not go through: {}. Nothing was taken; you can try again.",
                failure(text(p, "failure"), lang)
            ),
            "Try again",
        ),
        (Kind::PaymentFailed, Ar) => r(
            format!("لم يكتمل الدفع: {title}"),
            format!(
                "لم تكتمل دفعتك البالغة {amount} عبر {provider}: {}. لم يُقتطع أي مبلغ، ويمكنك المحاولة من جديد.",
                failure(text(p, "failure"), lang)
            ),
            "إعادة المحاولة",
        ),
        (Kind::RenewalReminder, _) => {
            let plan = crate::payment::Plan::name(text(p, "plan"), lang);
            let days = int(p, "days");
            match lang {
                Fr => r(
                    if days == 1 { "Votre Premium se termine demain".to_owned() } else { format!("Votre Premium se termine dans {days} jours") },
                    format!("Votre {plan} se termine le {until}. Pour le prolonger (les jours restants sont conservés), choisissez comment payer. Avec le mobile money, rien n'est jamais prélevé sans vous."),
                    "Prolonger Premium",
                ),
                En => r(
                    if days == 1 { "Your Premium ends tomorrow".to_owned() } else { format!("Your Premium ends in {days} days") },
                    format!("Your {plan} ends on {until}. To extend it (the days left are kept), choose how to pay. With mobile money nothing is ever taken without you."),
                    "Extend Premium",
                ),
                Ar => r(
                    if days == 1 { "ينتهي بريميوم غدًا".to_owned() } else { format!("ينتهي بريميوم بعد {days} أيام") },
                    format!("ينتهي {plan} في {until}. لتمديده (مع الاحتفاظ بالأيام المتبقية) اختر وسيلة الدفع. مع المحفظة الإلكترونية لا يُقتطع شيء دون موافقتك."),
                    "تمديد بريميوم",
                ),
            }
        }
        // Sent by the account area with their links (made at sending, never stored): only
        // their names here, for the delivery log.
        (Kind::VerifyEmail, Fr) => r("Confirmez votre adresse e-mail".into(), String::new(), ""),
        (Kind::VerifyEmail, En) => r("Confirm your e-mail address".into(), String::new(), ""),
        (Kind::VerifyEmail, Ar) => r("أكّد عنوان بريدك الإلكتروني".into(), String::new(), ""),
        (Kind::PasswordReset, Fr) => r("Réinitialisez votre mot de passe".into(), String::new(), ""),
        (Kind::PasswordReset, En) => r("Reset your password".into(), String::new(), ""),
        (Kind::PasswordReset, Ar) => r("أعد تعيين كلمة المرور".into(), String::new(), ""),
        (Kind::AlreadyRegistered, Fr) => r("Quelqu'un a voulu créer un compte avec votre adresse".into(), String::new(), ""),
        (Kind::AlreadyRegistered, En) => r("Someone tried to create an account with your address".into(), String::new(), ""),
        (Kind::AlreadyRegistered, Ar) => r("حاول أحدهم إنشاء حساب بعنوانك".into(), String::new(), ""),
        (Kind::PhoneCode, Fr) => r("Code de vérification du téléphone".into(), String::new(), ""),
        (Kind::PhoneCode, En) => r("Phone verification code".into(), String::new(), ""),
        (Kind::PhoneCode, Ar) => r("رمز التحقق من الهاتف".into(), String::new(), ""),
        (Kind::NewBook, _) => {
            let book = text(p, "title");
            let authors = text(p, "authors");
            let via = text(p, "via_name");
            let by_author = text(p, "via") == "author";
            match lang {
                Fr => r(
                    if by_author { format!("Nouveau livre de {via} : {book}") } else { format!("Nouveau dans {via} : {book}") },
                    if authors.is_empty() {
                        format!("« {book} » vient de paraître sur Coko.")
                    } else {
                        format!("« {book} » de {authors} vient de paraître sur Coko.")
                    },
                    "Voir le livre",
                ),
                En => r(
                    if by_author { format!("New book by {via}: {book}") } else { format!("New in {via}: {book}") },
                    if authors.is_empty() {
                        format!("« {book} » is now on Coko.")
                    } else {
                        format!("« {book} » by {authors} is now on Coko.")
                    },
                    "See the book",
                ),
                Ar => r(
                    if by_author { format!("كتاب جديد لـ{via}: {book}") } else { format!("جديد في {via}: {book}") },
                    if authors.is_empty() {
                        format!("صدر «{book}» على كوكو.")
                    } else {
                        format!("صدر «{book}» لـ{authors} على كوكو.")
                    },
                    "عرض الكتاب",
                ),
            }
        }
        (Kind::Broadcast, _) => {
            // Written by an admin, in French and, where they wrote them, in English and Arabic.
            let own = |k: &str| {
                let localized = format!("{k}_{}", lang.as_str());
                Some(text(p, &localized)).filter(|s| !s.trim().is_empty()).unwrap_or_else(|| text(p, k)).to_owned()
            };
            let action = match lang {
                Fr => "Ouvrir Coko",
                En => "Open Coko",
                Ar => "فتح كوكو",
            };
            r(own("title"), own("body"), action)
        }
        (Kind::ReviewPublished, _) => {
            let book = text(p, "title");
            match lang {
                Fr => r(
                    format!("Votre avis sur « {book} » est publié"),
                    "Un modérateur l'a relu : tout le monde peut maintenant le lire.".into(),
                    "Voir l'avis",
                ),
                En => r(
                    format!("Your review of « {book} » is published"),
                    "A moderator read it: everyone can now see it.".into(),
                    "See the review",
                ),
                Ar => r(format!("نُشرت مراجعتك لكتاب «{book}»"), "راجعها أحد المشرفين: يمكن للجميع قراءتها الآن.".into(), "عرض المراجعة"),
            }
        }
        (Kind::ReviewHidden, _) => {
            let book = text(p, "title");
            let reason = text(p, "reason");
            match lang {
                Fr => r(
                    format!("Votre avis sur « {book} » a été masqué"),
                    format!("Raison donnée par la modération : {reason}\n\nVous pouvez le modifier : il sera relu avant d'être publié à nouveau."),
                    "Voir l'avis",
                ),
                En => r(
                    format!("Your review of « {book} » was hidden"),
                    format!("The moderators' reason: {reason}\n\nYou may edit it: it will be read again before it is published."),
                    "See the review",
                ),
                Ar => r(
                    format!("أُخفيت مراجعتك لكتاب «{book}»"),
                    format!("سبب المشرفين: {reason}\n\nيمكنك تعديلها: ستُراجع قبل نشرها من جديد."),
                    "عرض المراجعة",
                ),
            }
        }
        (Kind::Digest, _) => {
            let count = int(p, "count");
            let lines: Vec<&str> =
                p.get("lines").and_then(Value::as_array).map(|l| l.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
            let more = count - lines.len() as i64;
            let mut body = lines.iter().map(|l| format!("• {l}")).collect::<Vec<_>>().join("\n\n");
            let (title, rest, action) = match lang {
                Fr => (format!("Vos nouvelles de Coko : {count} messages"), format!("… et {more} de plus."), "Tout lire"),
                En => (format!("Your Coko news: {count} messages"), format!("… and {more} more."), "Read them all"),
                Ar => (format!("أخبارك في كوكو: {count} رسائل"), format!("… و{more} غيرها."), "قراءة الكل"),
            };
            if more > 0 {
                body.push_str("\n\n");
                body.push_str(&rest);
            }
            r(title, body, action)
        }
        (Kind::Test, Fr) => {
            r("Message d'essai".to_owned(), "Ce message vérifie que les notifications vous parviennent.".to_owned(), "Ouvrir Coko")
        }
        (Kind::Test, En) => r("Test message".to_owned(), "This message checks that notifications reach you.".to_owned(), "Open Coko"),
        (Kind::Test, Ar) => r("رسالة تجريبية".to_owned(), "تتحقق هذه الرسالة من وصول الإشعارات إليك.".to_owned(), "فتح كوكو"),
    }
}

/// A mail's fixed words: greeting, why the reader gets it, how to stop.
pub struct MailWords {
    pub hello: String,
    pub why: &'static str,
    pub unsubscribe: &'static str,
    pub settings: &'static str,
}

pub fn mail_words(lang: Language, name: &str) -> MailWords {
    match lang {
        Language::En => MailWords {
            hello: format!("Hello {name},"),
            why: "You get this message because of your Coko account.",
            unsubscribe: "Stop these e-mails",
            settings: "Choose what Coko tells you",
        },
        Language::Ar => MailWords {
            hello: format!("مرحبًا {name}،"),
            why: "وصلتك هذه الرسالة لأن لديك حسابًا في كوكو.",
            unsubscribe: "إيقاف هذه الرسائل",
            settings: "اختر ما يخبرك به كوكو",
        },
        Language::Fr => MailWords {
            hello: format!("Bonjour {name},"),
            why: "Vous recevez ce message parce que vous avez un compte Coko.",
            unsubscribe: "Ne plus recevoir ces e-mails",
            settings: "Choisir ce que Coko vous envoie",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn a_receipt_reads_in_each_language() {
        let p = params(json!({"item": "book", "title": "Rain over Lagos", "amount": 2000, "currency": "XOF", "provider": "Wave"}));
        let fr = render(Kind::PaymentReceipt, &p, Language::Fr);
        assert_eq!(fr.title, "Paiement confirmé : Rain over Lagos");
        assert!(fr.body.contains("2\u{202f}000\u{a0}FCFA avec Wave"), "{}", fr.body);
        assert!(render(Kind::PaymentReceipt, &p, Language::En).body.contains("is in your library"));
        assert!(render(Kind::PaymentReceipt, &p, Language::Ar).title.starts_with("تم تأكيد الدفع"));
    }

    #[test]
    fn reminders_count_days_and_name_the_end() {
        let until = chrono::DateTime::parse_from_rfc3339("2027-01-05T10:00:00Z").unwrap().timestamp_millis();
        let p = params(json!({"plan": "monthly", "until_ms": until, "days": 3}));
        let fr = render(Kind::RenewalReminder, &p, Language::Fr);
        assert_eq!(fr.title, "Votre Premium se termine dans 3 jours");
        assert!(fr.body.contains("5 janvier 2027"), "{}", fr.body);
        let p = params(json!({"plan": "monthly", "until_ms": until, "days": 1}));
        assert_eq!(render(Kind::RenewalReminder, &p, Language::En).title, "Your Premium ends tomorrow");
    }

    #[test]
    fn a_new_book_names_what_brought_it() {
        let p = params(json!({"title": "Une si longue lettre", "authors": "Mariama Bâ", "via": "author", "via_name": "Mariama Bâ"}));
        assert_eq!(render(Kind::NewBook, &p, Language::Fr).title, "Nouveau livre de Mariama Bâ : Une si longue lettre");
        let p = params(json!({"title": "Une si longue lettre", "authors": "Mariama Bâ", "via": "category", "via_name": "Romans"}));
        let en = render(Kind::NewBook, &p, Language::En);
        assert_eq!(en.title, "New in Romans: Une si longue lettre");
        assert!(en.body.contains("by Mariama Bâ"), "{}", en.body);
    }

    #[test]
    fn a_broadcast_reads_in_the_readers_language_when_it_was_written_in_it() {
        let p = params(json!({"title": "Nouveautés", "body": "Dix livres.", "title_en": "What's new", "body_en": ""}));
        assert_eq!(render(Kind::Broadcast, &p, Language::En).title, "What's new");
        assert_eq!(render(Kind::Broadcast, &p, Language::En).body, "Dix livres.", "an empty translation falls back to French");
        assert_eq!(render(Kind::Broadcast, &p, Language::Ar).title, "Nouveautés");
    }

    #[test]
    fn a_failure_says_why_in_the_readers_words() {
        let p = params(
            json!({"item": "book", "title": "X", "amount": 1500, "currency": "XOF", "provider": "Orange Money", "failure": "insufficient-funds"}),
        );
        assert!(render(Kind::PaymentFailed, &p, Language::Fr).body.contains("le solde du compte ne suffit pas"));
        // An old notice without parameters still renders.
        assert_eq!(render(Kind::PaymentFailed, &Map::new(), Language::En).title, "Payment not completed: ");
    }
}
