//! Checks of the committed case corpus (`corpus/cases/`) against the facts of Autobahn|Testsuite
//! (counts from `reference/autobahn.md` section 2, octets from its case classes).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use websocket_harness::case::{
    Case, CaseId, Corpus, Event, ExpectedClose, Frame, Message, Payload, Step, Verdict,
};

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/cases")
}

fn corpus() -> Corpus {
    Corpus::load(cases_dir()).unwrap_or_else(|e| panic!("corpus does not load: {e}"))
}

fn id(s: &str) -> CaseId {
    s.parse().unwrap_or_else(|e| panic!("{e}"))
}

fn get<'a>(corpus: &'a Corpus, s: &str) -> &'a Case {
    corpus
        .get(&id(s))
        .unwrap_or_else(|| panic!("case {s} is missing"))
}

/// Cases whose id starts with `prefix.` (e.g. `"6.22"`).
fn under<'a>(corpus: &'a Corpus, prefix: &str) -> Vec<&'a Case> {
    let p = id(&format!("{prefix}.0"));
    let head = &p.parts()[..p.parts().len() - 1];
    corpus
        .cases
        .iter()
        .filter(|c| c.id.parts().starts_with(head))
        .collect()
}

fn frames(case: &Case) -> Vec<&Frame> {
    case.steps
        .iter()
        .filter_map(|s| match s {
            Step::Frame(f) => Some(f),
            _ => None,
        })
        .collect()
}

fn messages(case: &Case) -> Vec<&Message> {
    case.steps
        .iter()
        .filter_map(|s| match s {
            Step::Message(m) => Some(m),
            _ => None,
        })
        .collect()
}

fn hex(s: &str) -> Vec<u8> {
    websocket_harness::case::decode_hex(s).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_file_loads_and_sits_where_its_id_says() {
    // Walk the files independently of Corpus::load, so a file it skipped would show here.
    let mut count = 0;
    for section in std::fs::read_dir(cases_dir()).unwrap() {
        let section = section.unwrap().path();
        assert!(
            section.is_dir(),
            "{} is not a section folder",
            section.display()
        );
        for file in std::fs::read_dir(&section).unwrap() {
            let path = file.unwrap().path();
            assert_eq!(
                path.extension().and_then(|e| e.to_str()),
                Some("json"),
                "{}",
                path.display()
            );
            let case = Case::load(&path).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                path.file_stem().unwrap().to_str().unwrap(),
                case.id.to_string()
            );
            assert_eq!(
                section.file_name().unwrap().to_str().unwrap(),
                case.id.section().to_string(),
                "{}",
                path.display()
            );
            assert!(
                !case.short_description().is_empty(),
                "{}: no description",
                case.id
            );
            assert!(
                !case.expectation.trim().is_empty(),
                "{}: no expectation",
                case.id
            );
            count += 1;
        }
    }
    assert_eq!(count, 517);
    assert_eq!(corpus().len(), 517, "Corpus::load lost or doubled files");
}

#[test]
fn section_counts_match_the_autobahn_inventory() {
    let corpus = corpus();
    let mut per_section: BTreeMap<u32, usize> = BTreeMap::new();
    for c in &corpus.cases {
        *per_section.entry(c.id.section()).or_default() += 1;
    }
    let want: BTreeMap<u32, usize> = [
        (1, 16),
        (2, 11),
        (3, 7),
        (4, 10),
        (5, 20),
        (6, 145),
        (7, 37),
        (9, 54),
        (10, 1),
        (12, 90),
        (13, 126),
    ]
    .into();
    assert_eq!(per_section, want);

    let sub6 = [
        ("6.1", 3),
        ("6.2", 4),
        ("6.3", 2),
        ("6.4", 4),
        ("6.5", 5),
        ("6.6", 11),
        ("6.7", 4),
        ("6.8", 2),
        ("6.9", 4),
        ("6.10", 3),
        ("6.11", 5),
        ("6.12", 8),
        ("6.13", 5),
        ("6.14", 10),
        ("6.15", 1),
        ("6.16", 3),
        ("6.17", 5),
        ("6.18", 5),
        ("6.19", 5),
        ("6.20", 7),
        ("6.21", 8),
        ("6.22", 34),
        ("6.23", 7),
    ];
    for (prefix, n) in sub6 {
        assert_eq!(under(&corpus, prefix).len(), n, "subsection {prefix}");
    }
    let other = [
        ("1.1", 8),
        ("1.2", 8),
        ("4.1", 5),
        ("4.2", 5),
        ("7.1", 6),
        ("7.3", 6),
        ("7.5", 1),
        ("7.7", 13),
        ("7.9", 9),
        ("7.13", 2),
        ("9.1", 6),
        ("9.2", 6),
        ("9.3", 9),
        ("9.4", 9),
        ("9.5", 6),
        ("9.6", 6),
        ("9.7", 6),
        ("9.8", 6),
        ("12.1", 18),
        ("12.5", 18),
        ("13.1", 18),
        ("13.7", 18),
    ];
    for (prefix, n) in other {
        assert_eq!(under(&corpus, prefix).len(), n, "subsection {prefix}");
    }
}

#[test]
fn cases_are_in_integer_tuple_order() {
    let corpus = corpus();
    let ids: Vec<String> = corpus.cases.iter().map(|c| c.id.to_string()).collect();
    assert_eq!(ids.first().map(String::as_str), Some("1.1.1"));
    assert_eq!(ids.last().map(String::as_str), Some("13.7.18"));
    let pos = |s: &str| ids.iter().position(|i| i == s).unwrap();
    assert!(pos("2.11") > pos("2.9"));
    assert!(pos("6.10.1") > pos("6.9.4"));
    assert!(pos("7.13.1") > pos("7.9.9"));
    assert_eq!(pos("6.1.1"), 16 + 11 + 7 + 10 + 20);
}

#[test]
fn case_1_1_8_is_65536_octets_in_997_octet_chops() {
    let corpus = corpus();
    let c = get(&corpus, "1.1.8");
    let f = frames(c);
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].opcode, f[0].fin, f[0].rsv, f[0].chopsize),
        (1, true, 0, Some(997))
    );
    let sent = f[0].payload_bytes();
    assert_eq!(sent.len(), 65536);
    assert!(sent.iter().all(|b| *b == b'*'));
    let [Event::Message(echo)] = &c.expected[&Verdict::Ok][..] else {
        panic!("1.1.8 expects one message: {:?}", c.expected)
    };
    assert_eq!(echo.payload_bytes(), sent);
    assert!(!echo.binary);
    assert!(c.steps.contains(&Step::KillAfter(10.0)));

    let b = frames(get(&corpus, "1.2.8"))[0].payload_bytes();
    assert_eq!((b.len(), b.iter().all(|x| *x == 0xfe)), (65536, true));
    // The 7/16/64-bit length boundaries of 1.1.x.
    let sizes: Vec<usize> = under(&corpus, "1.1")
        .iter()
        .map(|c| frames(c)[0].payload_size())
        .collect();
    assert_eq!(sizes, [0, 125, 126, 127, 128, 65535, 65536, 65536]);
}

#[test]
fn case_6_4_x_send_the_fail_fast_parts() {
    let corpus = corpus();
    let part1 = hex("cebae1bdb9cf83cebcceb5");
    let (part2, part3) = (hex("f4908080"), hex("656469746564"));
    let whole = [part1.clone(), part2.clone(), part3.clone()].concat();

    let c = get(&corpus, "6.4.1");
    let f = frames(c);
    let parts: Vec<Vec<u8>> = f.iter().map(|f| f.payload_bytes()).collect();
    assert_eq!(parts, [part1.clone(), part2.clone(), part3.clone()]);
    let shape: Vec<(u8, bool)> = f.iter().map(|f| (f.opcode, f.fin)).collect();
    assert_eq!(shape, [(1, false), (0, false), (0, true)]);
    let pauses: Vec<Option<&str>> = c
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::Pause(p) => Some(p.record.as_deref()),
            _ => None,
        })
        .collect();
    assert_eq!(pauses, [Some("A"), Some("B")]);
    assert_eq!(c.expected[&Verdict::Ok], [Event::Timeout("A".into())]);
    assert_eq!(
        c.expected[&Verdict::NonStrict],
        [Event::Timeout("A".into()), Event::Timeout("B".into())]
    );
    assert_eq!(c.expected_close.close_code, [1007]);
    assert!(c.expected_close.wrong_endpoint_is_fatal());

    let split: Vec<Vec<u8>> = frames(get(&corpus, "6.4.2"))
        .iter()
        .map(|f| f.payload_bytes())
        .collect();
    assert_eq!(
        split,
        [
            whole[..12].to_vec(),
            whole[12..13].to_vec(),
            whole[13..].to_vec()
        ]
    );

    // 6.4.3/6.4.4: one frame whose payload arrives in three timed pieces.
    for (case_id, cut) in [("6.4.3", [11, 15]), ("6.4.4", [12, 13])] {
        let c = get(&corpus, case_id);
        let Some(Step::FrameHeader(h)) = c.steps.first() else {
            panic!("{case_id}: {:?}", c.steps)
        };
        assert_eq!((h.opcode, h.fin, h.length), (1, false, 21), "{case_id}");
        let data: Vec<Vec<u8>> = c
            .steps
            .iter()
            .filter_map(|s| match s {
                Step::FrameData(d) => Some(d.payload.bytes()),
                _ => None,
            })
            .collect();
        let want = [
            whole[..cut[0]].to_vec(),
            whole[cut[0]..cut[1]].to_vec(),
            whole[cut[1]..].to_vec(),
        ];
        assert_eq!(data, want, "{case_id}");
    }
}

#[test]
fn utf8_cases_agree_with_a_strict_decoder() {
    // The 6.5-6.23 sequences come from Autobahn; Rust's decoder is an independent check of
    // which of them are valid, and each case's expectations must follow from that.
    let corpus = corpus();
    let mut valid = 0;
    for c in corpus
        .cases
        .iter()
        .filter(|c| c.id.section() == 6 && c.id.parts()[1] >= 5)
    {
        let m = messages(c);
        assert_eq!(m.len(), 1, "{}", c.id);
        assert_eq!(m[0].fragment_size, None, "{}", c.id);
        let sent = m[0].payload_bytes();
        if std::str::from_utf8(&sent).is_ok() {
            valid += 1;
            let [Event::Message(echo)] = &c.expected[&Verdict::Ok][..] else {
                panic!("{}: a valid payload must be echoed: {:?}", c.id, c.expected)
            };
            assert!(echo.matches(&sent, false), "{}", c.id);
            assert_eq!(c.expected_close, echo_close(), "{}", c.id);
        } else {
            assert_eq!(c.expected[&Verdict::Ok], [], "{}", c.id);
            assert_eq!(c.expected_close.close_code, [1007], "{}", c.id);
            assert!(!c.expected_close.closed_by_me, "{}", c.id);
            assert!(c.expected_close.wrong_endpoint_is_fatal(), "{}", c.id);
        }
        assert_eq!(c.steps.last(), Some(&Step::KillAfter(0.5)), "{}", c.id);
    }
    // 6.5: 5, 6.6: 5 prefixes ending on a code point, 6.7: 4, 6.9: 4, 6.11: 4, 6.22: 34, 6.23: 7.
    assert_eq!(valid, 5 + 5 + 4 + 4 + 4 + 34 + 7);
    let m = messages(get(&corpus, "6.13.1"));
    let lonely: Vec<u8> = (0xc0..0xdf).flat_map(|b| [b, 0x20]).collect();
    assert_eq!(m[0].payload_bytes(), lonely);
}

fn echo_close() -> ExpectedClose {
    ExpectedClose {
        closed_by_me: true,
        close_code: vec![1000],
        require_clean: true,
        closed_by_wrong_endpoint_is_fatal: None,
    }
}

fn close_codes_sent(c: &Case) -> Vec<Option<u16>> {
    c.steps
        .iter()
        .filter_map(|s| match s {
            Step::Close(close) => Some(close.code),
            _ => None,
        })
        .collect()
}

#[test]
fn close_code_cases() {
    let corpus = corpus();
    let invalid = [0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999];
    for (c, code) in under(&corpus, "7.9").into_iter().zip(invalid) {
        assert_eq!(close_codes_sent(c), [Some(code)], "{}", c.id);
        assert_eq!(c.expected_close.close_code, [1002], "{}", c.id);
        assert!(
            c.expected_close.closed_by_me && !c.expected_close.require_clean,
            "{}",
            c.id
        );
        assert!(c.wrong_code_fails_behavior, "{}", c.id);
    }
    let valid = [
        1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999,
    ];
    for (c, code) in under(&corpus, "7.7").into_iter().zip(valid) {
        assert_eq!(close_codes_sent(c), [Some(code)], "{}", c.id);
        assert_eq!(c.expected_close.close_code, [1000, code], "{}", c.id);
        assert!(c.expected_close.require_clean, "{}", c.id);
    }
    for (case_id, code) in [("7.13.1", 5000), ("7.13.2", 65535)] {
        let c = get(&corpus, case_id);
        assert_eq!(close_codes_sent(c), [Some(code)]);
        assert_eq!(c.expected_close.close_code, [1000, code, 1002]);
    }
    // 7.3.2 closes with a 1-octet payload, 7.3.6 with a 126-octet one, 7.5.1 with bad UTF-8.
    let close_payload = |s: &str| {
        get(&corpus, s)
            .steps
            .iter()
            .find_map(|st| match st {
                Step::Close(c) => Some(c.payload_bytes()),
                _ => None,
            })
            .unwrap()
    };
    assert_eq!(close_payload("7.3.1"), b"");
    assert_eq!(close_payload("7.3.2"), b"a");
    assert_eq!(close_payload("7.3.5").len(), 125);
    assert_eq!(close_payload("7.3.6").len(), 126);
    let bad = close_payload("7.5.1");
    assert_eq!(&bad[..2], &1000u16.to_be_bytes());
    assert!(std::str::from_utf8(&bad[2..]).is_err());
    assert_eq!(
        get(&corpus, "7.5.1").expected_close.close_code,
        [1002, 1007]
    );
}

#[test]
fn verdict_overrides_sit_on_the_right_cases() {
    let corpus = corpus();
    let ids = |pred: &dyn Fn(&Case) -> bool| -> Vec<String> {
        corpus
            .cases
            .iter()
            .filter(|c| pred(c))
            .map(|c| c.id.to_string())
            .collect()
    };
    assert_eq!(
        ids(&|c| c.forced_verdict == Some(Verdict::Informational)),
        ["7.1.6", "7.13.1", "7.13.2"]
    );
    let wrong_code = ids(&|c| c.wrong_code_fails_behavior);
    let want: Vec<String> = corpus
        .cases
        .iter()
        .filter(|c| {
            let p = c.id.parts();
            // 7.1.6 forces INFORMATIONAL instead.
            p[0] == 7 && matches!(p[1], 1 | 3 | 5 | 7 | 9) && c.forced_verdict.is_none()
        })
        .map(|c| c.id.to_string())
        .collect();
    assert_eq!(wrong_code, want);
    assert_eq!(wrong_code.len(), 5 + 6 + 1 + 13 + 9);
    let fatal = ids(&|c| c.expected_close.wrong_endpoint_is_fatal());
    assert_eq!(
        fatal.len(),
        2 + 4 + (145 - 3 - 4 - 2 - 4 - 63),
        "6.3.x, 6.4.x and the invalid 6.5+"
    );
    assert!(fatal.iter().all(|i| i.starts_with("6.")));
    let suppressed = ids(&|c| c.suppress_close);
    assert!(
        suppressed.contains(&"7.1.2".to_string()) && !suppressed.contains(&"7.1.1".to_string())
    );
    // Every NON-STRICT outcome in Autobahn sections 1-10.
    let non_strict = ids(&|c| c.expected.contains_key(&Verdict::NonStrict));
    let want_ns = [
        "3.2", "3.3", "3.4", "4.1.3", "4.1.4", "4.1.5", "4.2.3", "4.2.4", "4.2.5", "5.15", "6.4.1",
        "6.4.2", "6.4.3", "6.4.4", "7.1.6",
    ];
    assert_eq!(non_strict, want_ns);
}

#[test]
fn performance_cases_use_echo_checks() {
    let corpus = corpus();
    let section9: Vec<&Case> = corpus
        .cases
        .iter()
        .filter(|c| c.id.section() == 9)
        .collect();
    for c in &section9 {
        let e = c
            .echo_check
            .as_ref()
            .unwrap_or_else(|| panic!("{} lacks echo_check", c.id));
        assert!(c.expected.is_empty() && c.steps.is_empty(), "{}", c.id);
        assert!(c.report_time && !c.wirelog, "{}", c.id);
        let (binary, len) = match &*e.send {
            Step::Frame(f) => (f.opcode == 2, f.payload_size()),
            Step::Message(m) => (m.binary, m.payload_size()),
            other => panic!("{}: {other:?}", c.id),
        };
        assert_eq!((binary, len), (e.binary, e.length), "{}", c.id);
        assert_eq!(
            e.binary,
            matches!(c.id.parts()[1], 2 | 4 | 6 | 8),
            "{}",
            c.id
        );
    }
    for c in under(&corpus, "9.7")
        .into_iter()
        .chain(under(&corpus, "9.8"))
    {
        assert_eq!(c.echo_check.as_ref().unwrap().count, 1000, "{}", c.id);
    }
    let lens: Vec<usize> = under(&corpus, "9.7")
        .iter()
        .map(|c| c.echo_check.as_ref().unwrap().length)
        .collect();
    assert_eq!(lens, [0, 16, 64, 256, 1024, 4096]);
    let timeouts: Vec<f64> = under(&corpus, "9.8")
        .iter()
        .map(|c| c.echo_check.as_ref().unwrap().timeout)
        .collect();
    assert_eq!(timeouts, [60.0, 60.0, 60.0, 120.0, 240.0, 480.0]);
    let Step::Message(m) = &*get(&corpus, "9.4.9").echo_check.as_ref().unwrap().send else {
        panic!()
    };
    assert_eq!(
        (m.payload_size(), m.fragment_size),
        (4 << 20, Some(4 << 20))
    );
    let Step::Frame(f) = &*get(&corpus, "9.6.6").echo_check.as_ref().unwrap().send else {
        panic!()
    };
    assert_eq!((f.payload_size(), f.chopsize), (1 << 20, Some(2048)));
    assert_eq!(
        section9
            .iter()
            .filter(|c| c.echo_check.as_ref().unwrap().count == 1)
            .count(),
        42
    );
}

/// Autobahn's `case12_x_x.MSG_SIZES`: (length, count, timeout, auto-fragment size).
const DEFLATE_VARIANTS: [(usize, u32, f64, usize); 18] = [
    (16, 1000, 60.0, 0),
    (64, 1000, 60.0, 0),
    (256, 1000, 120.0, 0),
    (1024, 1000, 240.0, 0),
    (4096, 1000, 480.0, 0),
    (8192, 1000, 480.0, 0),
    (16384, 1000, 480.0, 0),
    (32768, 1000, 480.0, 0),
    (65536, 1000, 480.0, 0),
    (131072, 1000, 480.0, 0),
    (8192, 1000, 480.0, 256),
    (16384, 1000, 480.0, 256),
    (32768, 1000, 480.0, 256),
    (65536, 1000, 480.0, 256),
    (131072, 1000, 480.0, 256),
    (131072, 1000, 480.0, 1024),
    (131072, 1000, 480.0, 4096),
    (131072, 1000, 480.0, 32768),
];

#[test]
fn compression_cases_have_autobahns_parameters() {
    use websocket_harness::case::{DatasetKind, DeflateAccept, DeflateOffer};
    let corpus = corpus();
    let kinds = [
        (DatasetKind::Json, false),
        (DatasetKind::Bitmap, true),
        (DatasetKind::Text, true),
        (DatasetKind::Html, false),
        (DatasetKind::Pdf, true),
    ];
    let o = |nct, bits| DeflateOffer {
        request_no_context_takeover: nct,
        request_max_window_bits: bits,
        ..DeflateOffer::default()
    };
    let a = |nct, bits| DeflateAccept {
        request_no_context_takeover: nct,
        request_max_window_bits: bits,
    };
    let params13 = [
        vec![(false, 0)],
        vec![(true, 0)],
        vec![(false, 9)],
        vec![(false, 15)],
        vec![(true, 9)],
        vec![(true, 15)],
        vec![(true, 9), (true, 0), (false, 0)],
    ];
    for c in corpus.cases.iter().filter(|c| c.id.section() >= 12) {
        let p = c.id.parts();
        let (sub, n) = (p[1] as usize, p[2] as usize);
        let e = c.echo_check.as_ref().unwrap_or_else(|| panic!("{}", c.id));
        let d = c.deflate.as_ref().unwrap_or_else(|| panic!("{}", c.id));
        let set = e.dataset.unwrap_or_else(|| panic!("{}", c.id));
        let (len, count, timeout, frag) = DEFLATE_VARIANTS[n - 1];
        let Step::Message(m) = &*e.send else {
            panic!("{}", c.id)
        };
        assert_eq!(
            (e.length, e.count, e.timeout, m.fragment_size.unwrap_or(0)),
            (len, count, timeout, frag),
            "{}",
            c.id
        );
        let (kind, binary) = if p[0] == 12 { kinds[sub - 1] } else { kinds[0] };
        assert_eq!(
            (set.kind, e.binary, m.binary),
            (kind, binary, binary),
            "{}",
            c.id
        );
        let params = if p[0] == 12 {
            &params13[0]
        } else {
            &params13[sub - 1]
        };
        let offers: Vec<DeflateOffer> = params.iter().map(|&(x, y)| o(x, y)).collect();
        let accepts: Vec<DeflateAccept> = params.iter().map(|&(x, y)| a(x, y)).collect();
        assert_eq!((&d.offers, &d.accept), (&offers, &accepts), "{}", c.id);
        assert!(c.expected.is_empty() && c.steps.is_empty() && c.report_time && !c.wirelog);
        assert_eq!(c.expected_close.close_code, [1000], "{}", c.id);
    }
}

#[test]
fn case_10_1_1_checks_its_own_fragmentation() {
    let corpus = corpus();
    let c = get(&corpus, "10.1.1");
    let m = messages(c);
    assert_eq!(
        (m[0].payload_size(), m[0].fragment_size),
        (65536, Some(1300))
    );
    let frames = c.expect_tx_frames.as_ref().unwrap();
    assert_eq!(frames, &BTreeMap::from([(0, 65536 / 1300), (1, 1)]));
}

#[test]
fn payload_expansion_rules() {
    let corpus = corpus();
    // Every expected message expands to what its payload_len says.
    for c in &corpus.cases {
        for events in c.expected.values() {
            for e in events {
                if let Event::Message(m) = e {
                    let want = m.payload_len.unwrap_or(m.payload.len());
                    assert_eq!(m.payload_bytes().len(), want, "{}", c.id);
                }
            }
        }
    }
    // 7.1.6 repeats a 10-octet pattern to 256 KiB and cuts it exactly.
    let f = frames(get(&corpus, "7.1.6"))[0].payload_bytes();
    assert_eq!(f.len(), 256 * 1024);
    assert_eq!(&f[..12], b"BAsd7&jh23BA");
    assert_eq!(&f[f.len() - 6..], b"23BAsd", "262144 = 26214 * 10 + 4");
    let p = Payload::text("abc");
    assert_eq!(p.expand(Some(8)), b"abcabcab");
    assert_eq!(Payload::hex(vec![1, 2]).expand(None), [1, 2]);
}

#[test]
fn load_errors_name_the_file() {
    let dir = std::env::temp_dir().join(format!("wsharness-corpus-test-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("1")).unwrap();
    let bad = dir.join("1").join("1.1.1.json");
    let good = std::fs::read_to_string(cases_dir().join("1/1.1.1.json")).unwrap();
    let cases = [
        (good.replace("\"opcode\": 1", "\"opcode\": 16"), "opcode 16"),
        (good.replace("\"steps\"", "\"stepz\""), "unknown field"),
        (
            good.replace("\"id\": \"1.1.1\"", "\"id\": \"1.1.2\""),
            "file name",
        ),
    ];
    for (text, needle) in cases {
        std::fs::write(&bad, text).unwrap();
        let err = Corpus::load(&dir).expect_err(needle).to_string();
        assert!(err.contains(&bad.display().to_string()), "{err}");
        assert!(err.contains(needle), "{err}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
