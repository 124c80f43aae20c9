//! The harness over TLS, against the reference driver's wss server and client, with
//! certificates made here (rcgen):
//! - `wsharness test-server wss://` (with `--ca-file`) and `wsharness test-client
//!   --tls-cert/--tls-key`, each run equal, case by case, to the driver's ledger;
//! - an untrusted certificate, a wrong name and a peer without TLS give a clear error, never a
//!   panic; `--insecure` runs anyway and says so;
//! - the fuzzing server's TLS from the spec's `cert` and `key`, and its errors.
//!
//! The tests in debug builds run sections 1-7 and 10 and a small case of each kind of section
//! 9, as `tests/selftest.rs` does (the 16 MiB messages of section 9 are slow in a debug
//! build, and slower still through TLS). `full_corpus_over_wss`, ignored by default, runs
//! sections 1 to 10 (301 cases) in both roles; `.ci/tls-embed.sh` runs it in release.

mod tls_support;

use std::time::Duration;

use tls_support::{
    assert_matches_ledger, drive_driver_client, driver_options, driver_ws_echo, driver_wss_echo,
    scratch, wsharness, FuzzingServerProcess, TestCert,
};
use websocket_harness::clients::{load_selection, DEFAULT_CORPUS};
use websocket_harness::engine::{
    check_connect, run_case_against_server, CaseContext, ServerTarget,
};
use websocket_harness::report::Verdict;
use websocket_harness::tls::ClientTls;

/// The debug-build selection (see the module docs).
const SMALL: &str = "1.*,2.*,3.*,4.*,5.*,6.*,7.*,9.1.1,9.2.1,9.7.1,9.8.1,10.*";

fn count(cases: &str, exclude: &str) -> usize {
    let list = |s: &str| -> Vec<String> {
        s.split(',')
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect()
    };
    load_selection(DEFAULT_CORPUS.as_ref(), &list(cases), &list(exclude))
        .expect("selection")
        .len()
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| (*a).to_owned()).collect()
}

/// `wsharness test-server wss://` against the driver's wss echo server; returns the number
/// of cases that matched the ledger.
async fn server_role(tag: &str, cases: &str, exclude: &str) -> usize {
    let cert = TestCert::new(&format!("{tag}-server-role"), &["127.0.0.1"]);
    let addr = driver_wss_echo(&cert).await;
    let out = scratch(&format!("{tag}-servers"));
    let mut args = strings(&[
        "test-server",
        "--no-progress",
        "--agent",
        "websocket-driver",
    ]);
    args.push(format!("wss://{addr}"));
    args.extend(strings(&["--cases", cases]));
    if !exclude.is_empty() {
        args.extend(strings(&["--exclude", exclude]));
    }
    args.push("--ca-file".into());
    args.push(cert.cert.display().to_string());
    args.push("--out".into());
    args.push(out.display().to_string());
    let run = wsharness(args).await;
    assert!(
        run.status.success(),
        "test-server over wss: {}\n{}\n{}",
        run.status,
        run.stdout,
        run.stderr
    );
    let matched = assert_matches_ledger(&out, "server", count(cases, exclude));
    let _ = std::fs::remove_dir_all(&out);
    let _ = std::fs::remove_dir_all(&cert.dir);
    matched
}

/// `wsharness test-client --tls-cert/--tls-key` with the driver's client over wss; returns
/// the number of cases that matched the ledger.
async fn client_role(tag: &str, cases: &str, exclude: &str) -> usize {
    let cert = TestCert::new(&format!("{tag}-client-role"), &["127.0.0.1"]);
    let out = scratch(&format!("{tag}-clients"));
    let mut args = strings(&["--listen", "127.0.0.1:0", "--cases", cases]);
    if !exclude.is_empty() {
        args.extend(strings(&["--exclude", exclude]));
    }
    for (flag, path) in [("--tls-cert", &cert.cert), ("--tls-key", &cert.key)] {
        args.push(flag.into());
        args.push(path.display().to_string());
    }
    args.push("--out".into());
    args.push(out.display().to_string());
    let server = FuzzingServerProcess::start(args).await;
    assert!(
        server.url.starts_with("wss://127.0.0.1:"),
        "{}",
        server.first_line
    );
    let options = driver_options().tls_roots(cert.roots());
    let ran = drive_driver_client(&server.url, "websocket-driver", options).await;
    assert_eq!(ran, count(cases, exclude));
    let status = server.wait(Duration::from_secs(60)).await;
    assert!(status.success(), "test-client over wss: {status}");
    let matched = assert_matches_ledger(&out, "client", ran);
    let _ = std::fs::remove_dir_all(&out);
    let _ = std::fs::remove_dir_all(&cert.dir);
    matched
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_server_over_wss_matches_the_ledger() {
    server_role("small", SMALL, "").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_client_over_wss_matches_the_ledger() {
    client_role("small", SMALL, "").await;
}

/// Sections 1 to 10 over wss in both roles, every verdict equal to the driver's ledgers.
/// Slow in a debug build: `cargo test --release --test tls -- --ignored` (`.ci/tls-embed.sh`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "sections 1-10 through TLS; run in release by .ci/tls-embed.sh"]
async fn full_corpus_over_wss() {
    let started = std::time::Instant::now();
    let servers = server_role("full", "*", "12.*,13.*").await;
    let server_time = started.elapsed();
    let clients = client_role("full", "*", "12.*,13.*").await;
    println!(
        "over wss: test-server {servers} cases equal to the ledger in {:.1} s, \
         test-client {clients} in {:.1} s",
        server_time.as_secs_f64(),
        (started.elapsed() - server_time).as_secs_f64()
    );
}

fn target(url: String, tls: ClientTls) -> ServerTarget {
    ServerTarget {
        url,
        origin: None,
        protocols: Vec::new(),
        tls,
    }
}

fn case_1_1_1() -> websocket_harness::case::Case {
    let path = std::path::Path::new(DEFAULT_CORPUS).join("1/1.1.1.json");
    websocket_harness::case::Case::load(&path).expect("case 1.1.1")
}

fn ctx() -> CaseContext {
    CaseContext {
        case_number: 1,
        agent: "tls".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_certificate_fails_clearly_and_insecure_skips_the_check() {
    let cert = TestCert::new("untrusted", &["127.0.0.1"]);
    let addr = driver_wss_echo(&cert).await;
    let url = format!("wss://{addr}/");

    // The webpki roots do not know a self-signed certificate.
    let untrusted = target(url.clone(), ClientTls::default());
    let error = check_connect(&untrusted, Duration::from_secs(5))
        .await
        .expect_err("an unknown issuer is rejected");
    assert!(
        error.contains("certificate was rejected: UnknownIssuer")
            && error.contains("--ca-file")
            && error.contains("--insecure"),
        "{error}"
    );
    // A case never opens; its record says so, as Autobahn's does, and names the cause.
    let record = run_case_against_server(&case_1_1_1(), &untrusted, &ctx()).await;
    assert_eq!(record.behavior_close, Verdict::Failed);
    assert_eq!(
        record.result_close,
        "The WebSocket opening handshake was never completed!"
    );
    let why = record.was_not_clean_reason.unwrap_or_default();
    assert!(why.contains("UnknownIssuer"), "{why}");

    // --insecure: no verification, the case passes.
    let insecure = target(
        url.clone(),
        ClientTls {
            insecure: true,
            ..ClientTls::default()
        },
    );
    check_connect(&insecure, Duration::from_secs(5))
        .await
        .expect("insecure connects");
    let record = run_case_against_server(&case_1_1_1(), &insecure, &ctx()).await;
    assert_eq!(record.behavior, Verdict::Ok, "{}", record.result);
    assert_eq!(
        record.behavior_close,
        Verdict::Ok,
        "{}",
        record.result_close
    );
    // Autobahn writes the port in Host for wss:// too.
    assert!(
        record
            .http_request
            .contains(&format!("Host: 127.0.0.1:{}\r\n", addr.port())),
        "{}",
        record.http_request
    );

    // The command line: without trust, the server is not tested and the reason is printed;
    // with --insecure it is, with a warning.
    let run = wsharness(strings(&[
        "test-server",
        &url,
        "--cases",
        "1.1.1",
        "--no-progress",
        "--out",
        &scratch("untrusted-cli").display().to_string(),
    ]))
    .await;
    assert!(!run.status.success(), "{}", run.stdout);
    assert!(
        run.stderr.contains("UnknownIssuer") || run.stdout.contains("UnknownIssuer"),
        "stdout: {}\nstderr: {}",
        run.stdout,
        run.stderr
    );
    let run = wsharness(strings(&[
        "test-server",
        &url,
        "--insecure",
        "--cases",
        "1.1.1",
        "--no-progress",
        "--out",
        &scratch("insecure-cli").display().to_string(),
    ]))
    .await;
    assert!(run.status.success(), "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("WARNING: --insecure"), "{}", run.stderr);
    let _ = std::fs::remove_dir_all(&cert.dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_name_a_plain_peer_and_a_bad_ca_file_are_clear_errors() {
    // Trusted, but made out for another name.
    let cert = TestCert::new("wrong-name", &["elsewhere.test"]);
    let addr = driver_wss_echo(&cert).await;
    let trust = ClientTls {
        ca_file: Some(cert.cert.clone()),
        ..ClientTls::default()
    };
    let error = check_connect(
        &target(format!("wss://{addr}"), trust.clone()),
        Duration::from_secs(5),
    )
    .await
    .expect_err("wrong name");
    assert!(
        error.contains("not valid for name \"127.0.0.1\""),
        "{error}"
    );
    // The spec's `hostname` names the certificate's name: then it verifies.
    let named = ClientTls {
        server_name: Some("elsewhere.test".into()),
        ..trust.clone()
    };
    check_connect(
        &target(format!("wss://{addr}"), named),
        Duration::from_secs(5),
    )
    .await
    .expect("hostname matches the certificate");

    // A server without TLS.
    let plain = driver_ws_echo().await;
    let error = check_connect(
        &target(format!("wss://{plain}"), trust),
        Duration::from_secs(5),
    )
    .await
    .expect_err("no TLS");
    assert!(error.contains("TLS handshake with 127.0.0.1"), "{error}");

    // A CA file that is not PEM stops the command before any case.
    let bad = cert.dir.join("bad.pem");
    std::fs::write(&bad, "not a certificate\n").expect("write");
    let run = wsharness(strings(&[
        "test-server",
        &format!("wss://{addr}"),
        "--ca-file",
        &bad.display().to_string(),
        "--out",
        &scratch("bad-ca").display().to_string(),
    ]))
    .await;
    assert_eq!(run.status.code(), Some(2), "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("CA file") && run.stderr.contains("bad.pem"),
        "{}",
        run.stderr
    );
    let _ = std::fs::remove_dir_all(&cert.dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fuzzing_server_takes_its_certificate_from_the_spec() {
    let cert = TestCert::new("spec", &["127.0.0.1"]);
    let out = scratch("spec-clients");
    let spec = cert.dir.join("fuzzingserver.json");
    let json = serde_json::json!({
        "url": "wss://127.0.0.1:0",
        "cert": cert.cert,
        "key": cert.key,
        "outdir": out,
        "cases": ["1.1.1", "2.1"],
    });
    std::fs::write(&spec, json.to_string()).expect("spec");
    let server =
        FuzzingServerProcess::start(vec!["--spec".into(), spec.display().to_string()]).await;
    assert!(server.url.starts_with("wss://"), "{}", server.first_line);

    // A client that does not trust the certificate fails its TLS handshake; the server goes on.
    let refused = websocket_driver::tokio::connect(
        &format!("{}/getCaseCount", server.url),
        driver_options(),
        |_| {},
    )
    .await;
    let Err(error) = refused else {
        panic!("a client without the root connected")
    };
    let error = error.to_string();
    assert!(error.contains("UnknownIssuer"), "{error}");
    // A plain ws:// client is no better, and no worse for the server.
    let plain = server.url.replacen("wss://", "ws://", 1);
    let _ = websocket_driver::tokio::connect(
        &format!("{plain}/getCaseCount"),
        driver_options(),
        |_| {},
    )
    .await;

    let options = driver_options().tls_roots(cert.roots());
    assert_eq!(drive_driver_client(&server.url, "spec", options).await, 2);
    let status = server.wait(Duration::from_secs(30)).await;
    assert!(status.success(), "{status}");
    let index = std::fs::read_to_string(out.join("index.json")).expect("index");
    let index: serde_json::Value = serde_json::from_str(&index).expect("json");
    for id in ["1.1.1", "2.1"] {
        assert_eq!(index["spec"][id]["behavior"], "OK", "{index}");
    }

    // A wss:// url without a certificate, and half a certificate, are usage errors.
    std::fs::write(&spec, r#"{"url": "wss://127.0.0.1:0"}"#).expect("spec");
    let run = wsharness(strings(&[
        "test-client",
        "--spec",
        &spec.display().to_string(),
    ]))
    .await;
    assert!(!run.status.success());
    assert!(run.stderr.contains("no certificate"), "{}", run.stderr);
    let key = cert.key.display().to_string();
    let run = wsharness(strings(&[
        "test-client",
        "--listen",
        "127.0.0.1:0",
        "--tls-key",
        &key,
    ]))
    .await;
    assert!(!run.status.success());
    assert!(
        run.stderr.contains("without its certificate"),
        "{}",
        run.stderr
    );
    // A key that does not belong to the certificate.
    let other = TestCert::new("other", &["127.0.0.1"]);
    let run = wsharness(strings(&[
        "test-client",
        "--listen",
        "127.0.0.1:0",
        "--tls-cert",
        &cert.cert.display().to_string(),
        "--tls-key",
        &other.key.display().to_string(),
    ]))
    .await;
    assert!(!run.status.success());
    assert!(run.stderr.contains("TLS configuration"), "{}", run.stderr);
    let _ = std::fs::remove_dir_all(&cert.dir);
    let _ = std::fs::remove_dir_all(&other.dir);
    let _ = std::fs::remove_dir_all(&out);
}
