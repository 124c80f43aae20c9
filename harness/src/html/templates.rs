//! The template environment: the files of `harness/templates`, compiled into the binary, with
//! auto-escaping and the filters the templates use.

use std::fmt::Write as _;

use minijinja::syntax::SyntaxConfig;
use minijinja::{AutoEscape, Environment, Error, Output, State, UndefinedBehavior, Value};

/// Builds the environment with every template registered.
pub(crate) fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    // A misspelt field in a template is an error, not an empty cell.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Block tags on their own lines leave no blank lines behind (smaller, diffable output).
    if let Ok(syntax) = SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
    {
        env.set_syntax(syntax);
    }
    env.set_formatter(escape_formatter);
    env.add_filter("rich", rich);
    for (name, source) in [
        ("style.css", include_str!("../../templates/style.css")),
        ("index.html", include_str!("../../templates/index.html")),
        ("case.html", include_str!("../../templates/case.html")),
        ("junit.xml", include_str!("../../templates/junit.xml")),
    ] {
        // The templates are part of the binary and tested; a syntax error is a build bug.
        if let Err(e) = env.add_template(name, source) {
            panic!("template {name} does not parse: {e:#}");
        }
    }
    env
}

/// Writes `value`, escaped for HTML and XML unless it is marked safe.
///
/// minijinja's own escaping also turns `/` into `&#x2f;`, which would bloat every link of a
/// 2000-cell index; escaping `& < > " '` is enough inside text and quoted attributes. Control
/// characters, which XML 1.0 forbids even as references, become U+FFFD.
fn escape_formatter(
    out: &mut Output<'_>,
    state: &mut State<'_, '_>,
    value: &Value,
) -> Result<(), Error> {
    if value.is_safe() || *state.auto_escape() == AutoEscape::None {
        return write!(out, "{value}").map_err(Error::from);
    }
    let text = match value.as_str() {
        Some(s) => std::borrow::Cow::Borrowed(s),
        None if value.is_none() || value.is_undefined() => std::borrow::Cow::Borrowed(""),
        None => std::borrow::Cow::Owned(value.to_string()),
    };
    out.write_str(&escape(&text)).map_err(Error::from)
}

/// `s` with `& < > " '` as references and XML-forbidden characters replaced.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// The few inline tags Autobahn's descriptions use.
const ALLOWED_TAGS: &[&str] = &[
    "b", "/b", "i", "/i", "br", "br/", "br /", "code", "/code", "tt", "/tt",
];

/// A description or expectation as HTML: escaped, then the simple inline tags of
/// [`ALLOWED_TAGS`] (which Autobahn's texts contain, e.g. `<br>`) let through. Anything else,
/// attributes included, stays escaped, so a report file cannot inject script into the page.
fn rich(value: &str) -> Value {
    let escaped = escape(value);
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped.as_str();
    while let Some(start) = rest.find("&lt;") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 4..];
        let tag = after
            .find("&gt;")
            .map(|end| (&after[..end], end))
            .filter(|(t, _)| ALLOWED_TAGS.contains(&t.to_ascii_lowercase().as_str()));
        match tag {
            Some((t, end)) => {
                let _ = write!(out, "<{}>", t.to_ascii_lowercase());
                rest = &after[end + 4..];
            }
            None => {
                out.push_str("&lt;");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Value::from_safe_string(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rich_text_keeps_simple_tags_only() {
        assert_eq!(
            rich("a<br>b <b>c</b> <script>x</script> <b onclick=1>").to_string(),
            "a<br>b <b>c</b> &lt;script&gt;x&lt;&#47;script&gt; &lt;b onclick=1&gt;"
                .replace("&#47;", "/")
        );
        assert_eq!(escape("a\u{1}'"), "a\u{fffd}&#39;");
    }

    #[test]
    fn templates_parse() {
        let env = environment();
        assert!(env.get_template("index.html").is_ok());
    }
}
