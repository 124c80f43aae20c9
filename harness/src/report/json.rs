//! JSON text byte-for-byte like Python 2.7's
//! `json.dumps(obj, sort_keys=True, indent=3, separators=(',', ': '))`, which is how Autobahn
//! writes every report file.
//!
//! serde_json's pretty printer differs in three ways that matter for byte-identical reports:
//! Python escapes every non-ASCII character (`ensure_ascii=True`, `\u00e9`, surrogate pairs
//! above U+FFFF) and DEL, it prints floats with `repr` (`1.0`, `1e-05`, `1e+16`), and it sorts
//! dict keys by their Python value, so the integer keys of Autobahn's octet and frame statistics
//! sort as numbers (`2` before `10`). JSON object keys are strings here, so an object whose keys
//! are all canonical non-negative integers is sorted numerically; any other object is sorted by
//! code point, as Python sorts strings.

use serde_json::{Map, Number, Value};

/// Python's indent width in Autobahn's reports.
const INDENT: usize = 3;

/// Renders `value` as Autobahn writes it. No trailing newline, as `f.write(json.dumps(...))`.
pub fn to_python_json(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value, 0);
    out
}

fn write_value(out: &mut String, value: &Value, level: usize) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, level + 1);
                write_value(out, item, level + 1);
            }
            newline(out, level);
            out.push(']');
        }
        Value::Object(map) => {
            if map.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push('{');
            for (i, (key, item)) in sorted_entries(map).into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, level + 1);
                write_string(out, key);
                out.push_str(": ");
                write_value(out, item, level + 1);
            }
            newline(out, level);
            out.push('}');
        }
    }
}

fn newline(out: &mut String, level: usize) {
    out.push('\n');
    out.extend(std::iter::repeat_n(' ', level * INDENT));
}

/// Entries in Python's `sort_keys` order (see the module docs for integer keys).
fn sorted_entries(map: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    let numeric: Option<Vec<u64>> = entries.iter().map(|(k, _)| canonical_uint(k)).collect();
    if numeric.is_some() {
        entries.sort_by_key(|(k, _)| canonical_uint(k));
    } else {
        // Rust compares strings by UTF-8 bytes, which orders them by code point like Python.
        entries.sort_by(|a, b| a.0.cmp(b.0));
    }
    entries
}

/// `Some(n)` when `key` is exactly how Python prints the integer `n`.
fn canonical_uint(key: &str) -> Option<u64> {
    let canonical = !key.is_empty()
        && key.bytes().all(|b| b.is_ascii_digit())
        && (key == "0" || !key.starts_with('0'));
    if canonical {
        key.parse().ok()
    } else {
        None
    }
}

fn write_number(out: &mut String, n: &Number) {
    if let Some(i) = n.as_i64() {
        out.push_str(&i.to_string());
    } else if let Some(u) = n.as_u64() {
        out.push_str(&u.to_string());
    } else if let Some(f) = n.as_f64() {
        out.push_str(&python_float_repr(f));
    } else {
        // Arbitrary-precision numbers only exist with serde_json features we don't enable.
        out.push_str(&n.to_string());
    }
}

/// Python's `repr(float)`: the shortest digits that round-trip, in positional notation when the
/// decimal exponent is in `-4..16`, else in scientific notation with a signed, two-digit
/// (at least) exponent; integral values keep a `.0`.
pub fn python_float_repr(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0" } else { "0.0" }.to_owned();
    }
    // `{:e}` gives the shortest round-trip digits, e.g. "1.5e-5".
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..16).contains(&exp) {
        let fixed = f.to_string();
        if fixed.contains('.') {
            fixed
        } else {
            format!("{fixed}.0")
        }
    } else {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.unsigned_abs())
    }
}

/// A JSON string as Python's `ensure_ascii=True` encoder writes it.
fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn floats_print_like_python_repr() {
        let cases = [
            (1.0, "1.0"),
            (0.5, "0.5"),
            (-2.25, "-2.25"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.2345e100, "1.2345e+100"),
            (0.1, "0.1"),
            (123.456, "123.456"),
        ];
        for (f, want) in cases {
            assert_eq!(python_float_repr(f), want, "{f}");
        }
    }

    #[test]
    fn strings_escape_like_ensure_ascii() {
        let v = json!("a\"b\\c\n\t\u{1}\u{7f}é€😀/");
        assert_eq!(
            to_python_json(&v),
            r#""a\"b\\c\n\t\u0001\u007f\u00e9\u20ac\ud83d\ude00/""#
        );
    }

    #[test]
    fn nesting_indent_and_key_order() {
        let v = json!({"b": [1, {"10": 1, "2": 2}], "a": {}, "c": [], "1.10": null, "1.9": true});
        let want = "{\n   \"1.10\": null,\n   \"1.9\": true,\n   \"a\": {},\n   \"b\": [\n      1,\n      {\n         \"2\": 2,\n         \"10\": 1\n      }\n   ],\n   \"c\": []\n}";
        assert_eq!(to_python_json(&v), want);
    }
}
