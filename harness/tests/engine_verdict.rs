//! The verdict rules of Autobahn's `case/case.py`, one hand-made observation per rule.

use websocket_harness::case::Case;
use websocket_harness::engine::{decide, Observation, Observed};
use websocket_harness::report::Verdict;

/// A case from JSON, with the usual shape of an echo case unless overridden.
fn case(extra: &str) -> Case {
    let json = format!(
        r#"{{
            "id": "1.1.1",
            "description": "d",
            "expectation": "e",
            "steps": [],
            "expected": {{"OK": [{{"message": {{"text": "Hello"}}}}], "NON-STRICT": []}},
            "expected_close": {{"closed_by_me": true, "close_code": [1000], "require_clean": true}}
            {extra}
        }}"#
    );
    Case::parse(&json, "test.json").expect("valid case")
}

fn protocol_error_case(extra: &str) -> Case {
    let json = format!(
        r#"{{
            "id": "6.3.1",
            "description": "d",
            "expectation": "e",
            "steps": [],
            "expected": {{"OK": []}},
            "expected_close": {{"closed_by_me": false, "close_code": [1007], "require_clean": false {extra}}}
        }}"#
    );
    Case::parse(&json, "test.json").expect("valid case")
}

fn hello() -> Observed {
    Observed::Message {
        data: b"Hello".to_vec(),
        binary: false,
    }
}

/// A clean close started by the harness, with the echo received.
fn clean() -> Observation {
    Observation {
        received: vec![hello()],
        connection_was_open: true,
        closed_by_me: true,
        was_clean: true,
        remote_close_code: Some(1000),
        ..Observation::default()
    }
}

fn both(c: &Case, o: &Observation) -> (Verdict, Verdict) {
    let v = decide(c, o);
    (v.behavior, v.behavior_close)
}

#[test]
fn pass_and_exact_event_matching() {
    let c = case("");
    assert_eq!(both(&c, &clean()), (Verdict::Ok, Verdict::Ok));
    let v = decide(&c, &clean());
    assert_eq!(v.result, "Actual events match at least one expected.");
    assert_eq!(v.result_close, "Connection was properly closed");
    // Another list matches: NON-STRICT.
    let o = Observation {
        received: vec![],
        ..clean()
    };
    assert_eq!(both(&c, &o).0, Verdict::NonStrict);
    // Binary flag, payload and extra events all count.
    for received in [
        vec![Observed::Message {
            data: b"Hello".to_vec(),
            binary: true,
        }],
        vec![Observed::Message {
            data: b"Hellx".to_vec(),
            binary: false,
        }],
        vec![hello(), Observed::Pong(Vec::new())],
    ] {
        let o = Observation {
            received,
            ..clean()
        };
        let v = decide(&c, &o);
        assert_eq!(v.behavior, Verdict::Failed);
        assert_eq!(v.result, "Actual events differ from any expected.");
    }
}

#[test]
fn wrong_endpoint_closed() {
    let o = Observation {
        closed_by_me: false,
        ..clean()
    };
    let v = decide(&case(""), &o);
    assert_eq!(
        (v.behavior, v.behavior_close),
        (Verdict::Ok, Verdict::Failed)
    );
    assert_eq!(
        v.result_close,
        "The connection was failed by the wrong endpoint"
    );
}

#[test]
fn unclean_when_clean_is_required() {
    let o = Observation {
        was_clean: false,
        ..clean()
    };
    let v = decide(&case(""), &o);
    assert_eq!(v.behavior_close, Verdict::Unclean);
    assert_eq!(
        v.result_close,
        "The spec requires the connection to be failed cleanly here"
    );
    // Not required: no verdict on cleanliness.
    let c = protocol_error_case("");
    let o = Observation {
        received: vec![],
        closed_by_me: false,
        was_clean: false,
        remote_close_code: Some(1007),
        ..clean()
    };
    assert_eq!(both(&c, &o), (Verdict::Ok, Verdict::Ok));
}

#[test]
fn wrong_code_and_missing_code() {
    let o = Observation {
        remote_close_code: Some(1001),
        ..clean()
    };
    let v = decide(&case(""), &o);
    assert_eq!(
        (v.behavior, v.behavior_close),
        (Verdict::Ok, Verdict::WrongCode)
    );
    assert_eq!(
        v.result_close,
        "The close code should have been 1000 or empty"
    );
    // No code at all is accepted.
    let o = Observation {
        remote_close_code: None,
        ..clean()
    };
    assert_eq!(both(&case(""), &o), (Verdict::Ok, Verdict::Ok));
    // Several accepted codes are listed with commas.
    let c = Case {
        expected_close: websocket_harness::case::ExpectedClose {
            close_code: vec![1002, 1007],
            ..case("").expected_close
        },
        ..case("")
    };
    let o = Observation {
        remote_close_code: Some(1000),
        ..clean()
    };
    assert_eq!(
        decide(&c, &o).result_close,
        "The close code should have been 1002,1007 or empty"
    );
}

#[test]
fn failed_by_client_when_the_harness_dropped_tcp() {
    let o = Observation {
        dropped_by_me: true,
        ..clean()
    };
    let v = decide(&case(""), &o);
    assert_eq!(v.behavior_close, Verdict::FailedByClient);
    assert_eq!(
        v.result_close,
        "It is preferred that the server close the TCP connection"
    );
    // As a server, dropping TCP is the harness's job.
    let o = Observation {
        dropped_by_me: true,
        is_server: true,
        ..clean()
    };
    assert_eq!(both(&case(""), &o).1, Verdict::Ok);
    // Rule order: UNCLEAN wins over FAILED BY CLIENT.
    let o = Observation {
        dropped_by_me: true,
        was_clean: false,
        ..clean()
    };
    assert_eq!(both(&case(""), &o).1, Verdict::Unclean);
}

#[test]
fn handshake_never_completed() {
    let o = Observation {
        connection_was_open: false,
        ..Observation::default()
    };
    let v = decide(&case(""), &o);
    assert_eq!(
        (v.behavior, v.behavior_close),
        (Verdict::Failed, Verdict::Failed)
    );
    assert_eq!(
        v.result_close,
        "The WebSocket opening handshake was never completed!"
    );
    // Even a case expecting nothing fails: Autobahn's expected lists are filled on open.
    let v = decide(&protocol_error_case(""), &o);
    assert_eq!(v.behavior, Verdict::Failed);
}

#[test]
fn wrong_closer_is_fatal_when_the_case_says_so() {
    let o = Observation {
        received: vec![],
        closed_by_me: true,
        remote_close_code: Some(1000),
        ..clean()
    };
    let c = protocol_error_case(r#", "closed_by_wrong_endpoint_is_fatal": true"#);
    assert_eq!(both(&c, &o), (Verdict::Failed, Verdict::Failed));
    // Without the flag only the close verdict fails.
    assert_eq!(
        both(&protocol_error_case(""), &o),
        (Verdict::Ok, Verdict::Failed)
    );
    // With the flag and the right closer, nothing changes.
    let o = Observation {
        closed_by_me: false,
        remote_close_code: Some(1007),
        ..o
    };
    assert_eq!(both(&c, &o), (Verdict::Ok, Verdict::Ok));
}

#[test]
fn forced_informational() {
    let c = case(r#", "forced_verdict": "INFORMATIONAL""#);
    for o in [
        clean(),
        Observation {
            received: vec![],
            closed_by_me: false,
            ..clean()
        },
    ] {
        assert_eq!(
            both(&c, &o),
            (Verdict::Informational, Verdict::Informational)
        );
    }
    assert_eq!(
        decide(&c, &clean()).result,
        "Text message was processed before close."
    );
    let o = Observation {
        received: vec![],
        ..clean()
    };
    assert_eq!(
        decide(&c, &o).result,
        "Close was processed before text message could be returned."
    );
}

#[test]
fn wrong_code_fails_behavior_when_the_case_says_so() {
    let c = case(r#", "wrong_code_fails_behavior": true"#);
    let o = Observation {
        remote_close_code: Some(1002),
        ..clean()
    };
    let v = decide(&c, &o);
    assert_eq!(
        (v.behavior, v.behavior_close),
        (Verdict::Failed, Verdict::WrongCode)
    );
    assert_eq!(v.result, v.result_close);
    // Only WRONG CODE triggers it.
    let o = Observation {
        was_clean: false,
        remote_close_code: Some(1002),
        ..clean()
    };
    assert_eq!(both(&c, &o), (Verdict::Ok, Verdict::Unclean));
}

#[test]
fn expected_tx_frames_and_echo_checks() {
    let c = case(r#", "expect_tx_frames": {"0": 50, "1": 1}"#);
    let mut o = clean();
    o.tx_frames.insert(0, 50);
    o.tx_frames.insert(1, 1);
    o.tx_frames.insert(8, 1);
    assert_eq!(both(&c, &o), (Verdict::Ok, Verdict::Ok));
    o.tx_frames.insert(0, 49);
    let v = decide(&c, &o);
    assert_eq!(v.behavior, Verdict::Failed);
    assert_eq!(
        v.result,
        "Frames transmitted {0: 49, 1: 1} does not match what we expected {0: 50, 1: 1}."
    );

    let o = Observation {
        echo: Some((Verdict::Ok, "fine".into())),
        received: vec![],
        ..clean()
    };
    let v = decide(&case(""), &o);
    assert_eq!((v.behavior, v.result.as_str()), (Verdict::Ok, "fine"));
}
