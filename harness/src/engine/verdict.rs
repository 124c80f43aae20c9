//! The verdicts: Autobahn's `Case.onConnectionLost` (`case/case.py`) plus the per-case
//! overrides that the case file states as flags.
//!
//! 1. `behavior` is the first verdict whose expected event list equals the observed events
//!    exactly; otherwise FAILED. (Echo checks decide it themselves.)
//! 2. If the opening handshake never completed, `behaviorClose` is FAILED. Otherwise the first
//!    matching rule: wrong closer → FAILED; clean close required but not clean → UNCLEAN;
//!    a remote close code outside the accepted list → WRONG CODE; the harness is the client and
//!    dropped TCP → FAILED BY CLIENT; else OK.
//! 3. `closed_by_wrong_endpoint_is_fatal`: a wrong closer also fails `behavior`.
//! 4. `wrong_code_fails_behavior`: WRONG CODE also fails `behavior`.
//! 5. `forced_verdict`: both verdicts are forced (INFORMATIONAL).
//! 6. `expect_tx_frames`: the harness's own frame counts must match, else `behavior` FAILED.

use std::collections::BTreeMap;

use crate::case::{Case, Event, Verdict as CaseVerdict};
use crate::report::Verdict;

use super::protocol::Observed;

/// What the verdict depends on, collected from one connection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Observation {
    /// Events observed, in order.
    pub received: Vec<Observed>,
    /// Whether the opening handshake completed (`connectionWasOpen`).
    pub connection_was_open: bool,
    /// Whether the harness sent the first close frame.
    pub closed_by_me: bool,
    /// Whether the harness dropped TCP.
    pub dropped_by_me: bool,
    /// Whether the close was clean.
    pub was_clean: bool,
    /// The peer's close code, if it sent one.
    pub remote_close_code: Option<u16>,
    /// Whether the harness played the server (then dropping TCP is its job, not a fault).
    pub is_server: bool,
    /// Frames the harness sent, per opcode.
    pub tx_frames: BTreeMap<u8, u64>,
    /// `behavior` and `result` decided by an echo check (9.x), if the case has one.
    pub echo: Option<(Verdict, String)>,
}

/// The four verdict fields of a case record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdicts {
    /// Verdict on the events.
    pub behavior: Verdict,
    /// Verdict on the closing behaviour.
    pub behavior_close: Verdict,
    /// Human-readable reason for `behavior`.
    pub result: String,
    /// Human-readable reason for `behavior_close`.
    pub result_close: String,
}

/// Whether the observed events equal an expected list exactly (Autobahn compares pickles).
pub fn events_match(expected: &[Event], received: &[Observed]) -> bool {
    expected.len() == received.len()
        && expected.iter().zip(received).all(|(e, r)| match (e, r) {
            (Event::Message(m), Observed::Message { data, binary }) => m.matches(data, *binary),
            (Event::Pong(p), Observed::Pong(d)) => p.as_slice() == d.as_slice(),
            (Event::Timeout(a), Observed::Timeout(b)) => a == b,
            _ => false,
        })
}

fn to_report(v: CaseVerdict) -> Verdict {
    match v {
        CaseVerdict::Ok => Verdict::Ok,
        CaseVerdict::NonStrict => Verdict::NonStrict,
        CaseVerdict::Informational => Verdict::Informational,
        CaseVerdict::Unimplemented => Verdict::Unimplemented,
        CaseVerdict::Failed => Verdict::Failed,
    }
}

/// Decides the verdicts of `case` from `obs`.
pub fn decide(case: &Case, obs: &Observation) -> Verdicts {
    let mut behavior = Verdict::Failed;
    let mut result = "Actual events differ from any expected.".to_owned();
    let ec = &case.expected_close;

    if !obs.connection_was_open {
        // Autobahn fills `expected` in the case's onOpen, which never ran: nothing can match.
        let mut v = Verdicts {
            behavior,
            behavior_close: Verdict::Failed,
            result,
            result_close: "The WebSocket opening handshake was never completed!".into(),
        };
        if case.expect_tx_frames.is_some() {
            v.result = "WebSocket connection was never open".into();
        }
        if let Some(forced) = case.forced_verdict {
            v.behavior = to_report(forced);
            v.behavior_close = to_report(forced);
        }
        return v;
    }

    if let Some((b, r)) = &obs.echo {
        behavior = *b;
        result.clone_from(r);
    } else if let Some((v, _)) = case
        .expected
        .iter()
        .find(|(_, events)| events_match(events, &obs.received))
    {
        behavior = to_report(*v);
        result = "Actual events match at least one expected.".into();
    }

    let (behavior_close, result_close) = if ec.closed_by_me != obs.closed_by_me {
        (
            Verdict::Failed,
            "The connection was failed by the wrong endpoint".to_owned(),
        )
    } else if ec.require_clean && !obs.was_clean {
        (
            Verdict::Unclean,
            "The spec requires the connection to be failed cleanly here".to_owned(),
        )
    } else if obs
        .remote_close_code
        .is_some_and(|c| !ec.close_code.contains(&c))
    {
        let codes: Vec<String> = ec.close_code.iter().map(u16::to_string).collect();
        (
            Verdict::WrongCode,
            format!(
                "The close code should have been {} or empty",
                codes.join(",")
            ),
        )
    } else if !obs.is_server && obs.dropped_by_me {
        (
            Verdict::FailedByClient,
            "It is preferred that the server close the TCP connection".to_owned(),
        )
    } else {
        (Verdict::Ok, "Connection was properly closed".to_owned())
    };
    let mut v = Verdicts {
        behavior,
        behavior_close,
        result,
        result_close,
    };

    if ec.wrong_endpoint_is_fatal() && ec.closed_by_me != obs.closed_by_me {
        v.behavior = Verdict::Failed;
    }
    if case.wrong_code_fails_behavior && v.behavior_close == Verdict::WrongCode {
        v.behavior = Verdict::Failed;
        v.result.clone_from(&v.result_close);
    }
    if let Some(forced) = case.forced_verdict {
        // 7.1.6 explains which way the race went; 7.13.x only says the spec leaves it open.
        let raced = case.expected.contains_key(&CaseVerdict::NonStrict);
        v.result = match v.behavior {
            Verdict::Ok if raced => "Text message was processed before close.".into(),
            Verdict::NonStrict if raced => {
                "Close was processed before text message could be returned.".into()
            }
            _ if raced => v.result,
            _ => "Actual events are undefined by the spec.".into(),
        };
        v.behavior = to_report(forced);
        v.behavior_close = to_report(forced);
    }
    if let Some(want) = &case.expect_tx_frames {
        let got: BTreeMap<u8, u64> = want
            .keys()
            .map(|op| (*op, obs.tx_frames.get(op).copied().unwrap_or(0)))
            .collect();
        if &got != want {
            v.behavior = Verdict::Failed;
            v.result = format!(
                "Frames transmitted {} does not match what we expected {}.",
                python_dict(&got),
                python_dict(want)
            );
        }
    }
    v
}

/// A map printed as Python prints a dict of ints: `{0: 50, 1: 1}`.
fn python_dict(m: &BTreeMap<u8, u64>) -> String {
    let items: Vec<String> = m.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!("{{{}}}", items.join(", "))
}
