//! A small PDF writer for the documents Coko hands out (exported notes, invoices): A4 pages of
//! lines of text in the standard Helvetica fonts (WinAnsi encoding covers French and English;
//! other scripts are replaced by `?`). No dependency, and `pdftotext` reads it back. (A crate
//! with font embedding and shaping would be needed for Arabic; see the payments issue's note.)

/// One line of the document: bold or not, and its text.
pub struct Line {
    pub bold: bool,
    pub size: f32,
    pub text: String,
}

/// Windows-1252 for the characters it has.
fn win_ansi(c: char) -> u8 {
    match c as u32 {
        0x20..=0x7e => c as u8,
        0xa0..=0xff => c as u32 as u8,
        0x2019 | 0x2018 => 0x27,
        0x201c | 0x201d => 0x22,
        0x2013 => 0x96,
        0x2014 => 0x97,
        0x2026 => 0x85,
        0x20ac => 0x80,
        0x0152 => 0x8c,
        0x0153 => 0x9c,
        0x202f | 0x2009 => 0x20,
        _ => b'?',
    }
}

fn escape(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for c in text.chars() {
        let b = win_ansi(c);
        if matches!(b, b'(' | b')' | b'\\') {
            out.push(b'\\');
        }
        out.push(b);
    }
    out
}

/// Splits a paragraph into lines of at most `width` characters, at spaces when possible.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.lines() {
        let mut line = String::new();
        for word in para.split_whitespace() {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    lines
}

/// Lays the lines out on A4 pages and returns the PDF bytes.
pub fn render(title: &str, lines: &[Line]) -> Vec<u8> {
    const TOP: f32 = 800.0;
    const BOTTOM: f32 = 50.0;
    let mut pages: Vec<Vec<u8>> = Vec::new();
    let mut page = Vec::new();
    let mut y = TOP;
    for l in lines {
        let lead = l.size * 1.4;
        if y - lead < BOTTOM {
            pages.push(std::mem::take(&mut page));
            y = TOP;
        }
        y -= lead;
        let font = if l.bold { "F2" } else { "F1" };
        page.extend_from_slice(format!("BT /{font} {} Tf 50 {y:.1} Td (", l.size).as_bytes());
        page.extend(escape(&l.text));
        page.extend_from_slice(b") Tj ET\n");
    }
    pages.push(page);

    let mut objects: Vec<Vec<u8>> = Vec::new();
    let n = pages.len();
    // 1 catalog, 2 pages, 3 font, 4 bold font, 5 info, then (page, content) pairs.
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 6 + 2 * i)).collect();
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    objects.push(format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")).into_bytes());
    objects.push(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec());
    objects.push(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>".to_vec());
    let mut info = b"<< /Producer (Coko) /Title (".to_vec();
    info.extend(escape(title));
    info.extend_from_slice(b") >>");
    objects.push(info);
    for (i, content) in pages.iter().enumerate() {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
                7 + 2 * i
            )
            .into_bytes(),
        );
        let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        stream.extend_from_slice(content);
        stream.extend_from_slice(b"\nendstream");
        objects.push(stream);
    }
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, obj) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(obj);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_and_writes_a_readable_pdf() {
        assert_eq!(wrap("un deux trois quatre", 9), ["un deux", "trois", "quatre"]);
        let lines: Vec<Line> =
            (0..120).map(|i| Line { bold: i % 2 == 0, size: 11.0, text: format!("Ligne {i} : élève (œuvre) \\ fin") }).collect();
        let pdf = render("Notes", &lines);
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.starts_with("%PDF-1.4"));
        assert!(text.contains("/Count 3"), "120 lines make three pages");
        assert!(text.contains("\\(") && text.contains("\\\\"));
        assert!(text.trim_end().ends_with("%%EOF"));
    }
}
