//! Canonical JSON: object keys sorted by their UTF-8 bytes, no white space.
//!
//! Written out by hand rather than trusting serde_json's map order, which a dependency
//! enabling `preserve_order` would silently change — and with it every signature.

use serde_json::Value;

/// The canonical bytes of a JSON value.
pub fn to_canonical_json(value: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(1024);
    write_value(&mut out, value);
    out
}

fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Number(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push(b'{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(out, key);
                out.push(b':');
                write_value(out, item);
            }
            out.push(b'}');
        }
    }
}

fn write_string(out: &mut Vec<u8>, s: &str) {
    // serde_json's string escaping is already minimal and deterministic.
    match serde_json::to_vec(s) {
        Ok(bytes) => out.extend_from_slice(&bytes),
        Err(_) => out.extend_from_slice(b"\"\""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sorts_keys_and_drops_spaces() {
        let v = json!({"b": 1, "a": {"z": [true, null], "y": "é\"\n"}, "A": -2});
        assert_eq!(
            String::from_utf8(to_canonical_json(&v)).unwrap(),
            r#"{"A":-2,"a":{"y":"é\"\n","z":[true,null]},"b":1}"#
        );
    }
}
