//! A minimal CSV reader for the small reference tables shipped in assets/.

/// Splits CSV text into records of fields; handles quoted fields with `""` escapes.
///
/// Returns the 1-based line number with each record so loaders can name the bad line.
pub(crate) fn records(text: &str) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        out.push((index + 1, split_line(line)));
    }
    out
}

fn split_line(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_plain_and_quoted_fields() {
        let rows = records("a,b\n\nBO,BOL,\"Bolivia, Plurinational State of\"\nx,\"say \"\"hi\"\"\"\n");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0], (1, vec!["a".to_string(), "b".to_string()]));
        assert_eq!(rows[1].0, 3);
        assert_eq!(rows[1].1[2], "Bolivia, Plurinational State of");
        assert_eq!(rows[2].1[1], "say \"hi\"");
    }
}
