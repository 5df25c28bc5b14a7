//! A minimal one-page PDF writer: standard Helvetica text and filled rectangles, which is all
//! a slip needs — no font embedding, no dependencies, a few kilobytes a file.

/// A page being drawn, in PDF points (1/72 inch) from the bottom left.
pub struct Page {
    width: f32,
    height: f32,
    content: String,
}

/// Latin-1 range text for the standard fonts' WinAnsi encoding; other characters become '?'.
fn encode_text(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        let code = u32::from(c);
        let byte = if code < 0x20 || (0x7F..0xA0).contains(&code) || code > 0xFF { b'?' } else { code as u8 };
        if matches!(byte, b'(' | b')' | b'\\') {
            out.push(b'\\');
        }
        out.push(byte);
    }
    out
}

impl Page {
    /// A blank page of `width`×`height` points.
    pub fn new(width: f32, height: f32) -> Self {
        Page { width, height, content: String::new() }
    }

    /// Text at (x, y) in Helvetica (bold when asked) of `size` points, colour `rgb` 0–1.
    pub fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, rgb: [f32; 3], text: &str) {
        let font = if bold { "F2" } else { "F1" };
        let bytes = encode_text(text);
        // The content is ASCII apart from the text bytes, which are Latin-1: keep it byte-exact.
        let text: String = bytes.iter().map(|b| char::from(*b)).collect();
        self.content
            .push_str(&format!("BT {} {} {} rg /{font} {size} Tf {x} {y} Td ({text}) Tj ET\n", rgb[0], rgb[1], rgb[2]));
    }

    /// Text rotated by `degrees` around (x, y): a watermark.
    pub fn rotated_text(&mut self, x: f32, y: f32, degrees: f32, size: f32, rgb: [f32; 3], text: &str) {
        let (s, c) = degrees.to_radians().sin_cos();
        let bytes = encode_text(text);
        let text: String = bytes.iter().map(|b| char::from(*b)).collect();
        self.content.push_str(&format!(
            "BT {} {} {} rg /F2 {size} Tf {c} {s} {} {c} {x} {y} Tm ({text}) Tj ET\n",
            rgb[0], rgb[1], rgb[2], -s
        ));
    }

    /// A filled black rectangle.
    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32) {
        self.content.push_str(&format!("0 0 0 rg {x} {y} {w} {h} re f\n"));
    }

    /// The finished file.
    pub fn finish(self) -> Vec<u8> {
        let content = self.content.chars().map(|c| c as u32 as u8).collect::<Vec<u8>>();
        let objects: Vec<Vec<u8>> = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {} {}] /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>",
                self.width, self.height
            )
            .into_bytes(),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec(),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>".to_vec(),
            [format!("<< /Length {} >>\nstream\n", content.len()).into_bytes(), content, b"\nendstream".to_vec()].concat(),
        ];
        let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
        let mut offsets = Vec::with_capacity(objects.len());
        for (i, body) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
            out.extend_from_slice(body);
            out.extend_from_slice(b"\nendobj\n");
        }
        let xref = out.len();
        out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
        for offset in offsets {
            out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xref_offsets_point_at_their_objects_and_text_is_escaped() {
        let mut page = Page::new(200.0, 100.0);
        page.text(10.0, 50.0, 12.0, false, [0.0; 3], "N'gang'a (Wambũi) \\ é");
        page.rect(1.0, 1.0, 2.0, 2.0);
        let pdf = page.finish();
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.starts_with("%PDF-1.4"));
        assert!(text.contains("(N'gang'a \\(Wamb?i\\) \\\\ "), "{text}");
        let start: usize = text.split("startxref\n").nth(1).unwrap().lines().next().unwrap().parse().unwrap();
        assert!(pdf[start..].starts_with(b"xref"));
        for (i, line) in text.split("xref\n").nth(1).unwrap().lines().skip(2).take(6).enumerate() {
            let offset: usize = line[..10].parse().unwrap();
            assert!(pdf[offset..].starts_with(format!("{} 0 obj", i + 1).as_bytes()), "object {}", i + 1);
        }
    }
}
