//! Filling Autobahn's per-case record (`caseResult` in `fuzzing.py`) from one connection.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::case::{Case, Event};
use crate::report::record::{
    hex, message_event, ping_event, pong_event, timeout_event, CaseRecord, ExpectedClose,
};

use super::protocol::{Fuzzer, Observed, Role};
use super::verdict::Verdicts;
use super::CaseContext;

/// What the record needs besides the fuzzer's state.
pub(crate) struct RecordInput<'a> {
    pub(crate) ctx: &'a CaseContext,
    pub(crate) started: String,
    pub(crate) duration_ms: u64,
    pub(crate) http_request: Option<String>,
    pub(crate) http_response: Option<String>,
    pub(crate) verdicts: Verdicts,
}

/// An expected event as Autobahn reports it (payloads rendered by `asciiLogData`).
fn event_value(e: &Event) -> Value {
    match e {
        Event::Message(m) => message_event(&m.payload_bytes(), m.binary),
        Event::Ping(p) => ping_event(p.as_slice()),
        Event::Pong(p) => pong_event(p.as_slice()),
        Event::Timeout(t) => timeout_event(t),
    }
}

/// An observed event as Autobahn reports it.
pub(crate) fn observed_value(o: &Observed) -> Value {
    match o {
        Observed::Message { data, binary } => message_event(data, *binary),
        Observed::Pong(p) => pong_event(p),
        Observed::Timeout(t) => timeout_event(t),
    }
}

/// The record of `case` as played by `fz`.
pub(crate) fn build(case: &Case, fz: &Fuzzer<'_>, input: RecordInput<'_>) -> CaseRecord {
    let f = &fz.flags;
    let expected: BTreeMap<String, Vec<Value>> = case
        .expected
        .iter()
        .map(|(v, events)| {
            (
                v.as_str().to_owned(),
                events.iter().map(event_value).collect(),
            )
        })
        .collect();
    let ec = &case.expected_close;
    CaseRecord {
        agent: input.ctx.agent.clone(),
        behavior: input.verdicts.behavior,
        behavior_close: input.verdicts.behavior_close,
        case: input.ctx.case_number,
        closed_by_me: f.closed_by_me,
        create_stats: true,
        create_wirelog: fz.log.enabled,
        description: case.description.clone(),
        dropped_by_me: f.dropped_by_me,
        duration: input.duration_ms,
        expectation: case.expectation.clone(),
        expected,
        expected_close: ExpectedClose {
            closed_by_me: ec.closed_by_me,
            close_code: ec.close_code.clone(),
            require_clean: ec.require_clean,
            closed_by_wrong_endpoint_is_fatal: ec.closed_by_wrong_endpoint_is_fatal,
        },
        failed_by_me: f.failed_by_me,
        http_request: input.http_request.unwrap_or_else(|| "?".into()),
        http_response: input.http_response.unwrap_or_else(|| "?".into()),
        id: case.id.to_string(),
        is_server: fz.role == Role::Server,
        local_close_code: f.local_close_code,
        // A reason that is not UTF-8 (7.5.1 sends one on purpose) is reported in hex, as
        // that case does in Autobahn.
        local_close_reason: f
            .local_close_reason
            .as_ref()
            .map(|r| match std::str::from_utf8(r) {
                Ok(s) => s.to_owned(),
                Err(_) => hex(r),
            }),
        received: fz.received.iter().map(observed_value).collect(),
        remote_close_code: f.remote_close_code,
        remote_close_reason: f.remote_close_reason.clone(),
        report_compression_ratio: case.deflate.is_some(),
        report_time: case.report_time,
        result: input.verdicts.result,
        result_close: input.verdicts.result_close,
        rx_frame_stats: fz.log.rx_frames.clone(),
        rx_octet_stats: fz.log.rx_octets.clone(),
        started: input.started,
        traffic_stats: fz.traffic_report.map(|t| t.to_json()),
        tx_frame_stats: fz.log.tx_frames.clone(),
        tx_octet_stats: fz.log.tx_octets.clone(),
        was_clean: f.was_clean,
        was_close_handshake_timeout: f.was_close_handshake_timeout,
        was_not_clean_reason: f.was_not_clean_reason.clone(),
        was_open_handshake_timeout: f.was_open_handshake_timeout,
        was_server_connection_drop_timeout: f.was_server_connection_drop_timeout,
        wirelog: fz.log.rows.clone(),
    }
}
