//! Invoices: one per succeeded payment, numbered without gaps per calendar year
//! (`COKO-2026-000001`), issued in the unit of work that moves the payment to succeeded, with
//! the buyer and the item as they were then. Written as PDF in French with English labels
//! (the seller's legal language first); the amount in XOF and, where the provider charged
//! another currency (PayPal's EUR), what was charged.

use crate::catalog::Money;
use crate::pdf::{render, Line};
use crate::validation::Language;

/// An invoice as issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    pub number: String,
    pub payment_id: String,
    pub buyer_name: String,
    pub buyer_email: String,
    pub buyer_country: String,
    pub item_title: String,
    pub amount: Money,
    pub charged: Money,
    pub provider: super::Provider,
    pub issued_at: chrono::DateTime<chrono::Utc>,
}

/// Who sells (from the configuration: `COKO_SELLER_*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seller {
    pub name: String,
    /// Lines of the postal address.
    pub address: Vec<String>,
    /// The company's registration or tax number (NINEA, RCCM…), when it has one.
    pub tax_id: Option<String>,
}

impl Default for Seller {
    fn default() -> Self {
        Seller { name: "Coko".into(), address: Vec::new(), tax_id: None }
    }
}

/// `COKO-2026-000042`.
pub fn number(year: i32, seq: i64) -> String {
    format!("COKO-{year}-{seq:06}")
}

impl Invoice {
    /// The invoice as a one-page PDF; `refunded_at` marks it refunded (the credit it gave back).
    pub fn pdf(&self, seller: &Seller, refunded_at: Option<chrono::DateTime<chrono::Utc>>) -> Vec<u8> {
        let line = |bold, size, text: String| Line { bold, size, text };
        let gap = || Line { bold: false, size: 8.0, text: String::new() };
        let mut lines = vec![line(true, 20.0, format!("Facture / Invoice {}", self.number))];
        lines.push(line(false, 11.0, format!("Date : {}", self.issued_at.format("%Y-%m-%d"))));
        lines.push(gap());
        lines.push(line(true, 12.0, "Vendeur / Seller".into()));
        lines.push(line(false, 11.0, seller.name.clone()));
        lines.extend(seller.address.iter().map(|l| line(false, 11.0, l.clone())));
        if let Some(id) = &seller.tax_id {
            lines.push(line(false, 11.0, format!("N° d'identification / Registration: {id}")));
        }
        lines.push(gap());
        lines.push(line(true, 12.0, "Client / Buyer".into()));
        lines.push(line(false, 11.0, self.buyer_name.clone()));
        lines.push(line(false, 11.0, self.buyer_email.clone()));
        if !self.buyer_country.is_empty() {
            lines.push(line(false, 11.0, format!("Pays / Country : {}", self.buyer_country)));
        }
        lines.push(gap());
        lines.push(line(true, 12.0, "Désignation / Item".into()));
        for l in crate::pdf::wrap(&self.item_title, 80) {
            lines.push(line(false, 11.0, l));
        }
        lines.push(line(false, 11.0, "Quantité / Quantity : 1".to_owned()));
        lines.push(gap());
        let total = self.amount.format(Language::Fr);
        lines.push(line(true, 14.0, format!("Total : {total}")));
        if self.charged != self.amount {
            lines.push(line(false, 11.0, format!("Montant débité / Charged : {}", self.charged.format(Language::Fr))));
        }
        lines.push(line(false, 11.0, format!("Payé avec / Paid with : {}", self.provider.label())));
        lines.push(line(false, 11.0, format!("Paiement / Payment : {}", self.payment_id)));
        if let Some(at) = refunded_at {
            lines.push(gap());
            lines.push(line(true, 12.0, format!("Remboursée le / Refunded on {} : {total}", at.format("%Y-%m-%d"))));
        }
        lines.push(gap());
        lines.push(line(false, 9.0, "Montant payé en totalité. / Paid in full.".into()));
        render(&format!("Facture {}", self.number), &lines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invoices_are_numbered_by_year_and_say_what_was_paid() {
        assert_eq!(number(2026, 42), "COKO-2026-000042");
        let invoice = Invoice {
            number: number(2026, 1),
            payment_id: "p1".into(),
            buyer_name: "Awa Ndiaye".into(),
            buyer_email: "awa@example.sn".into(),
            buyer_country: "SN".into(),
            item_title: "La Route de Kankan".into(),
            amount: Money::xof(2500),
            charged: Money { amount: 381, currency: "EUR".into() },
            provider: super::super::Provider::Stripe,
            issued_at: chrono::Utc::now(),
        };
        let seller = Seller { name: "Coko SAS".into(), address: vec!["Dakar".into()], tax_id: Some("NINEA 123".into()) };
        let pdf = String::from_utf8_lossy(&invoice.pdf(&seller, None)).to_string();
        for needed in ["COKO-2026-000001", "Awa Ndiaye", "2 500", "3,81", "NINEA 123", "Stripe"] {
            assert!(pdf.contains(needed), "{needed}");
        }
        assert!(!pdf.contains("Rembours"));
        assert!(String::from_utf8_lossy(&invoice.pdf(&seller, Some(chrono::Utc::now()))).contains("Rembours"));
    }
}
