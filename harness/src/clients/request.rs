//! What a client driver asks for: the request path and query, read with the rules of Autobahn's
//! `FuzzingServerProtocol.onConnect` (`fuzzing.py`).
//!
//! The query is parsed like Python's `urllib.parse.parse_qs`: `+` and `%XX` are decoded and a
//! parameter with an empty value counts as absent. `case=N` is a 1-based index into the
//! selected, sorted case list; `casetuple=1.2.3` names a case by id; when both are given `case`
//! wins, as in Autobahn. A repeated parameter, an unknown case, or a missing required
//! parameter is an error, which the server answers with HTTP 500 as Autobahn does.
//!
//! The path is taken as Python's `urllib.parse.urlparse` takes it, which is how Autobahn gets it:
//! an absolute-form target (`GET ws://host:port/runCase?... HTTP/1.1`, RFC 9112 section 3.2.2)
//! loses its scheme and authority, and `;params` after the last segment are dropped.

use std::collections::BTreeMap;

/// One request of the client-driver protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `/getCaseCount`: send the number of selected cases.
    GetCaseCount,
    /// `/getCaseInfo?case=N`: send the case's id and short description.
    GetCaseInfo {
        /// 1-based index into the selected cases.
        case: usize,
    },
    /// `/runCase?case=N&agent=A`: play the case against the client.
    RunCase {
        /// 1-based index into the selected cases.
        case: usize,
        /// The client's name, for the reports.
        agent: String,
    },
    /// `/getCaseStatus?case=N&agent=A`: wait for the case's result and send its `behavior`.
    GetCaseStatus {
        /// 1-based index into the selected cases.
        case: usize,
        /// The client's name.
        agent: String,
    },
    /// `/updateReports?agent=A[&shutdownOnComplete=true]`: write the reports.
    UpdateReports {
        /// Required by Autobahn, although the reports of every agent are written.
        agent: String,
        /// Stop the server once the reports are written.
        shutdown: bool,
    },
    /// `/stopServer`: stop the server.
    StopServer,
    /// Any other path: Autobahn's "direct command mode", which `wsharness` does not offer.
    Other(String),
}

/// Parses a request `path` and `query` against the selected case ids (in order).
/// The error is the reason Autobahn would give.
pub fn parse_request(
    path: &str,
    query: Option<&str>,
    case_ids: &[String],
) -> Result<Command, String> {
    let path = url_path(path);
    let mut params: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        // parse_qs drops blank values unless told otherwise.
        if !v.is_empty() {
            params
                .entry(k.into_owned())
                .or_default()
                .push(v.into_owned());
        }
    }
    let single = |name: &str, what: &str| -> Result<Option<String>, String> {
        match params.get(name).map(Vec::as_slice) {
            None | Some([]) => Ok(None),
            Some([one]) => Ok(Some(one.clone())),
            Some(_) => Err(format!("multiple {what} specified")),
        }
    };
    let agent = single("agent", "agents")?;
    let mut case: Option<i64> = None;
    if let Some(tuple) = single("casetuple", "test cases")? {
        let wanted = tuple.trim();
        let index = case_ids
            .iter()
            .position(|id| id == wanted)
            .ok_or_else(|| format!("invalid test case tuple {tuple}"))?;
        case = Some(i64::try_from(index).unwrap_or(i64::MAX).saturating_add(1));
    }
    if let Some(n) = single("case", "test cases")? {
        case = Some(python_int(&n).ok_or_else(|| format!("invalid test case ID {n}"))?);
    }
    let shutdown = match params.get("shutdownOnComplete").map(Vec::as_slice) {
        None | Some([]) => false,
        Some([v]) => matches!(v.to_lowercase().as_str(), "true" | "yes"),
        Some(_) => return Err("shutdownOnComplete only supports a single Boolean value".into()),
    };
    // Autobahn tests `if self.case:`, so case=0 means "no case".
    let case = match case {
        None | Some(0) => None,
        Some(n) => match usize::try_from(n) {
            Ok(i) if i <= case_ids.len() => Some(i),
            _ => return Err(format!("case {n} not found")),
        },
    };
    let need_case = |what: &str| case.ok_or_else(|| format!("need case to {what}"));
    let need_agent = |what: &str| agent.clone().ok_or_else(|| format!("need agent to {what}"));
    Ok(match path {
        "/runCase" => Command::RunCase {
            case: need_case("run")?,
            agent: need_agent("run case")?,
        },
        "/updateReports" => Command::UpdateReports {
            agent: need_agent("update reports for")?,
            shutdown,
        },
        "/getCaseInfo" => Command::GetCaseInfo {
            case: need_case("get info")?,
        },
        "/getCaseStatus" => Command::GetCaseStatus {
            case: need_case("get status")?,
            agent: need_agent("get status")?,
        },
        "/getCaseCount" => Command::GetCaseCount,
        "/stopServer" => Command::StopServer,
        other => Command::Other(other.to_owned()),
    })
}

/// The path component of a request target (its query already split off), as `urlparse` gives it:
/// without a leading `scheme:` and `//authority`, and without `;params` after the last `/`.
fn url_path(target: &str) -> &str {
    let mut rest = target;
    if let Some((scheme, after)) = rest.split_once(':') {
        // A scheme is a letter then letters, digits, `+`, `-` or `.` (RFC 3986 section 3.1).
        let is_scheme = scheme
            .as_bytes()
            .first()
            .is_some_and(u8::is_ascii_alphabetic)
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
        if is_scheme {
            rest = after;
        }
    }
    if let Some(after) = rest.strip_prefix("//") {
        rest = after.find(['/', '#']).map_or("", |end| &after[end..]);
    }
    let last_segment = rest.rfind('/').unwrap_or(0);
    match rest[last_segment..].find(';') {
        Some(semi) => &rest[..last_segment + semi],
        None => rest,
    }
}

/// Python's `int(str)` for the values a client may send: surrounding whitespace, an optional
/// sign, decimal digits (underscores between digits allowed, as Python allows them).
fn python_int(s: &str) -> Option<i64> {
    let t = s.trim();
    let (neg, digits) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
        || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        return None;
    }
    let n: i64 = digits.replace('_', "").parse().ok()?;
    Some(if neg { -n } else { n })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> Vec<String> {
        ["1.1.1", "1.1.2", "2.1"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect()
    }

    fn parse(target: &str) -> Result<Command, String> {
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (target, None),
        };
        parse_request(path, query, &ids())
    }

    #[test]
    fn reads_every_endpoint() {
        assert_eq!(parse("/getCaseCount"), Ok(Command::GetCaseCount));
        assert_eq!(
            parse("/getCaseInfo?case=3"),
            Ok(Command::GetCaseInfo { case: 3 })
        );
        assert_eq!(
            parse("/runCase?case=2&agent=my+client%2F1"),
            Ok(Command::RunCase {
                case: 2,
                agent: "my client/1".into()
            })
        );
        assert_eq!(
            parse("/getCaseStatus?casetuple=2.1&agent=a"),
            Ok(Command::GetCaseStatus {
                case: 3,
                agent: "a".into()
            })
        );
        assert_eq!(
            parse("/updateReports?agent=a&shutdownOnComplete=Yes"),
            Ok(Command::UpdateReports {
                agent: "a".into(),
                shutdown: true
            })
        );
        assert_eq!(
            parse("/updateReports?agent=a&shutdownOnComplete=1"),
            Ok(Command::UpdateReports {
                agent: "a".into(),
                shutdown: false
            })
        );
        assert_eq!(parse("/stopServer"), Ok(Command::StopServer));
        assert_eq!(parse("/echo"), Ok(Command::Other("/echo".into())));
    }

    #[test]
    fn takes_the_path_of_an_absolute_form_target() {
        let run = Ok(Command::RunCase {
            case: 1,
            agent: "x".into(),
        });
        assert_eq!(parse("ws://127.0.0.1:9001/runCase?case=1&agent=x"), run);
        assert_eq!(parse("HTTP://Host/runCase?case=1&agent=x"), run);
        assert_eq!(parse("//127.0.0.1:9001/runCase?case=1&agent=x"), run);
        assert_eq!(parse("/runCase;v=1?case=1&agent=x"), run);
        assert_eq!(
            parse("ws://127.0.0.1:9001/getCaseCount"),
            Ok(Command::GetCaseCount)
        );
        // No path after the authority: urlparse gives "", not a command.
        assert_eq!(
            parse("ws://127.0.0.1:9001"),
            Ok(Command::Other(String::new()))
        );
        // Not a scheme (a digit first), so the target stays as it is.
        assert_eq!(
            parse("1ws://h/runCase"),
            Ok(Command::Other("1ws://h/runCase".into()))
        );
    }

    #[test]
    fn case_wins_over_casetuple_and_accepts_python_ints() {
        assert_eq!(
            parse("/runCase?casetuple=2.1&case=1&agent=a"),
            Ok(Command::RunCase {
                case: 1,
                agent: "a".into()
            })
        );
        assert_eq!(
            parse("/getCaseInfo?case=%202%20"),
            Ok(Command::GetCaseInfo { case: 2 })
        );
        assert_eq!(
            parse("/getCaseInfo?case=+1"),
            Ok(Command::GetCaseInfo { case: 1 })
        );
    }

    #[test]
    fn refuses_what_autobahn_refuses() {
        let err = |t: &str| parse(t).expect_err(t);
        assert_eq!(
            err("/runCase?case=1&case=2&agent=a"),
            "multiple test cases specified"
        );
        assert_eq!(
            err("/runCase?case=1&agent=a&agent=b"),
            "multiple agents specified"
        );
        assert_eq!(err("/runCase?case=4&agent=a"), "case 4 not found");
        assert_eq!(err("/runCase?case=-1&agent=a"), "case -1 not found");
        assert_eq!(err("/runCase?case=x&agent=a"), "invalid test case ID x");
        assert_eq!(
            err("/runCase?casetuple=9.9&agent=a"),
            "invalid test case tuple 9.9"
        );
        assert_eq!(err("/runCase?agent=a"), "need case to run");
        assert_eq!(err("/runCase?case=0&agent=a"), "need case to run");
        assert_eq!(err("/runCase?case=1&agent="), "need agent to run case");
        assert_eq!(err("/getCaseInfo"), "need case to get info");
        assert_eq!(err("/getCaseStatus?case=1"), "need agent to get status");
        assert_eq!(err("/updateReports"), "need agent to update reports for");
        assert_eq!(err("/getCaseCount?case=7"), "case 7 not found");
    }
}
