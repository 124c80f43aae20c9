//! The record of a case whose player did not return one (it panicked or overran its time
//! limit): FAILED, with the reason, so that no case the client ran goes unreported.

use std::collections::BTreeMap;

use crate::case::Case;
use crate::handshake::ServerHandshake;
use crate::report::{CaseRecord, ExpectedClose, Verdict};

/// A FAILED record for `case`, run as `case_number` for `agent`, explaining `why`.
pub(crate) fn failed_record(
    case: &Case,
    case_number: usize,
    agent: &str,
    hs: Option<&ServerHandshake>,
    why: &str,
) -> CaseRecord {
    let close = &case.expected_close;
    CaseRecord {
        agent: agent.to_owned(),
        behavior: Verdict::Failed,
        behavior_close: Verdict::Failed,
        case: case_number,
        closed_by_me: false,
        create_stats: true,
        create_wirelog: case.wirelog,
        description: case.description.clone(),
        dropped_by_me: true,
        duration: 0,
        expectation: case.expectation.clone(),
        // Left empty: the engine turns case events into Autobahn's event tuples, and it is
        // the engine that failed here.
        expected: BTreeMap::new(),
        expected_close: ExpectedClose {
            closed_by_me: close.closed_by_me,
            close_code: close.close_code.clone(),
            require_clean: close.require_clean,
            closed_by_wrong_endpoint_is_fatal: close.closed_by_wrong_endpoint_is_fatal,
        },
        failed_by_me: true,
        http_request: hs.map_or_else(|| "?".to_owned(), |h| h.request.clone()),
        http_response: hs.map_or_else(|| "?".to_owned(), |h| h.response.clone()),
        id: case.id.to_string(),
        is_server: true,
        local_close_code: None,
        local_close_reason: None,
        received: Vec::new(),
        remote_close_code: None,
        remote_close_reason: None,
        report_compression_ratio: false,
        report_time: case.report_time,
        result: format!("The harness could not finish the case: {why}"),
        result_close: format!("The harness could not finish the case: {why}"),
        rx_frame_stats: BTreeMap::new(),
        rx_octet_stats: BTreeMap::new(),
        started: crate::engine::clock::utc_now_iso(),
        traffic_stats: None,
        tx_frame_stats: BTreeMap::new(),
        tx_octet_stats: BTreeMap::new(),
        was_clean: false,
        was_close_handshake_timeout: false,
        was_not_clean_reason: Some(why.to_owned()),
        was_open_handshake_timeout: false,
        was_server_connection_drop_timeout: false,
        wirelog: Vec::new(),
    }
}
