//! The reports in a real browser: headless Chromium loads the index and a case page, and a
//! probe script (added to copies of the pages, never to the reports) reads what was rendered:
//! the number of case rows and agent columns, the colour of a FAILED cell, what the failure
//! filter leaves visible, and the time to a laid-out page. Screenshots are saved under the
//! target directory (`browser/*.png`).
//!
//! Skips, saying why, when no Chromium is installed (`apt-get install -y chromium`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use websocket_harness::html::write_reports;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/html");
/// The failure colour of `templates/style.css` (`.fl`), as the browser computes it.
const FAIL_COLOUR: &str = "rgb(217, 55, 43)";

/// The tests take turns: a Chromium started while the other test renders 2000 pages would
/// measure the machine's load, not the page.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn one_at_a_time() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("browser")
        .join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read fixture dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).expect("copy fixture");
        }
    }
}

/// The Chromium binary: `$CHROMIUM`, else the first of the usual names on PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |d| d.join(name)))
        .find(|p| p.is_file())
}

/// Runs headless Chromium on `page` with `extra` flags and a fresh profile; returns stdout.
fn run_chromium(chrome: &Path, page: &Path, extra: &[String]) -> String {
    let profile = scratch(&format!(
        "profile-{}",
        page.file_stem().and_then(|s| s.to_str()).unwrap_or("page")
    ));
    let stdout_path = profile.join("stdout.txt");
    let mut child = Command::new(chrome)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        // To a file, not a pipe: a dumped DOM of half a megabyte would fill a pipe that is
        // only read after the exit, and Chromium would block on it forever.
        .stdout(fs::File::create(&stdout_path).expect("create stdout file"))
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let start = Instant::now();
    loop {
        match child.try_wait().expect("wait for chromium") {
            Some(_) => break,
            None if start.elapsed() > Duration::from_secs(90) => {
                let _ = child.kill();
                panic!("chromium did not finish within 90 s on {}", page.display());
            }
            None => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    String::from_utf8_lossy(&fs::read(&stdout_path).expect("read chromium output")).into_owned()
}

/// Reads the rendered page: a copy of `page` with a probe script appended runs in Chromium,
/// which prints the DOM; the probe's JSON is taken from it.
fn probe(chrome: &Path, page: &Path, script: &str) -> Value {
    let html = fs::read_to_string(page).expect("read page");
    let probe_js = format!(
        "<script>(function () {{ var out = (function () {{ {script} }})(); \
         var pre = document.createElement('pre'); pre.id = 'probe'; \
         pre.textContent = 'PRO' + 'BE:' + JSON.stringify(out) + ':EBORP'; \
         document.body.appendChild(pre); }})();</script></body>"
    );
    let probed = page.with_file_name(format!(
        "probe-{}",
        page.file_name()
            .and_then(|s| s.to_str())
            .unwrap_or("page.html")
    ));
    fs::write(&probed, html.replacen("</body>", &probe_js, 1)).expect("write probe copy");
    let dom = run_chromium(chrome, &probed, &["--dump-dom".to_owned()]);
    let json = dom
        .split_once("PROBE:")
        .and_then(|(_, rest)| rest.split_once(":EBORP"))
        .map(|(json, _)| json.replace("&amp;", "&"))
        .unwrap_or_else(|| panic!("no probe output in the DOM of {}", probed.display()));
    serde_json::from_str(&json).expect("probe JSON")
}

/// Counts what the index shows, then applies the failure filter and counts again.
const INDEX_PROBE: &str = r#"
    document.body.offsetHeight;
    var rows = document.querySelectorAll('#results tr.r');
    var fail = document.querySelector('#results td.fl');
    var out = {
        loadMs: performance.now(),
        rows: rows.length,
        agents: document.querySelectorAll('#results-head th.agent').length,
        failColour: fail ? getComputedStyle(fail).backgroundColor : null,
        failText: fail ? fail.textContent : null,
        descriptions: document.querySelectorAll('.desc').length
    };
    document.getElementById('only-fail').click();
    out.visibleAfterFilter = Array.prototype.filter.call(rows, function (r) {
        return r.offsetParent !== null;
    }).length;
    document.getElementById('no-close').click();
    out.closeCellsShown = Array.prototype.filter.call(document.querySelectorAll('#results td.c'), function (c) {
        return c.offsetParent !== null;
    }).length;
    return out;
"#;

fn screenshot(chrome: &Path, page: &Path, name: &str, size: &str) {
    let png = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("browser")
        .join(name);
    let _ = fs::remove_file(&png);
    run_chromium(
        chrome,
        page,
        &[
            format!("--screenshot={}", png.display()),
            format!("--window-size={size}"),
            "--hide-scrollbars".to_owned(),
        ],
    );
    let len = fs::metadata(&png).map(|m| m.len()).unwrap_or(0);
    assert!(
        len > 10_000,
        "screenshot {} missing or blank ({len} bytes)",
        png.display()
    );
    println!("screenshot: {}", png.display());
}

#[test]
fn index_and_case_page_render_in_chromium() {
    let Some(chrome) = chromium() else {
        println!("skipped: no chromium on PATH (apt-get install -y chromium, or set CHROMIUM)");
        return;
    };
    let _turn = one_at_a_time();
    let dir = scratch("runs");
    copy_tree(&Path::new(DATA).join("autobahn-runs"), &dir);
    write_reports(&dir, None).expect("render");

    let index = probe(&chrome, &dir.join("index.html"), INDEX_PROBE);
    assert_eq!(index["rows"], 8, "{index}");
    assert_eq!(index["agents"], 2, "{index}");
    assert_eq!(index["failColour"], FAIL_COLOUR, "{index}");
    assert_eq!(index["failText"], "Fail", "{index}");
    assert_eq!(index["descriptions"], 8, "{index}");
    assert_eq!(
        index["visibleAfterFilter"], 2,
        "only 7.1.5 and 9.3.1 fail: {index}"
    );

    let page = dir.join("websockets-client/websockets_case_7_1_5.html");
    let case = probe(
        &chrome,
        &page,
        r#"
        var v = document.getElementById('verdict');
        return {
            verdict: v.textContent,
            colour: getComputedStyle(v).backgroundColor,
            back: document.querySelector('a[href^="../index.html#case_7_1_5"]') !== null,
            wire: document.querySelectorAll('.wirelog pre').length,
            rxColour: getComputedStyle(document.querySelector('.wirelog pre.rx')).backgroundColor,
            txColour: getComputedStyle(document.querySelector('.wirelog pre.tx')).backgroundColor,
            flags: document.querySelectorAll('table.flags tr').length
        };
    "#,
    );
    assert_eq!(case["verdict"], "Fail", "{case}");
    assert_eq!(case["colour"], FAIL_COLOUR, "{case}");
    assert_eq!(case["back"], true, "{case}");
    assert_eq!(
        case["wire"], 12,
        "11 wire log rows and the TCP drop: {case}"
    );
    assert_ne!(case["rxColour"], case["txColour"], "{case}");
    screenshot(&chrome, &dir.join("index.html"), "index.png", "1400,1000");
    screenshot(&chrome, &page, "case.png", "1200,2000");
}

/// Writes a report of the 517 Autobahn cases for 4 agents (verdicts of a real run, record
/// bodies from a fixture) into `dir`.
fn big_report(dir: &Path) {
    let index: Value = serde_json::from_str(
        &fs::read_to_string(Path::new(DATA).join("autobahn-517/index.json")).expect("read"),
    )
    .expect("index");
    let base: Value = serde_json::from_str(
        &fs::read_to_string(
            Path::new(DATA).join("autobahn-runs/websockets-client/websockets_case_1_1_1.json"),
        )
        .expect("read"),
    )
    .expect("record");
    let cases = index["websockets"].as_object().expect("agent");
    let mut out = serde_json::Map::new();
    for agent in ["agent-a", "agent-b", "agent-c", "agent-d"] {
        let mut entries = serde_json::Map::new();
        for (id, entry) in cases {
            let file = format!(
                "{}_case_{}.json",
                agent.replace('-', "_"),
                id.replace('.', "_")
            );
            let mut record = base.clone();
            record["agent"] = json!(agent);
            record["id"] = json!(id);
            record["behavior"] = entry["behavior"].clone();
            record["behaviorClose"] = entry["behaviorClose"].clone();
            record["description"] = json!(format!("Case {id}: a description of typical length, about as long as Autobahn's, with <b>some</b> markup.<br>And a second line."));
            fs::write(dir.join(&file), record.to_string()).expect("write record");
            let mut entry = entry.clone();
            entry["reportfile"] = json!(file);
            entries.insert(id.clone(), entry);
        }
        out.insert(agent.to_owned(), Value::Object(entries));
    }
    fs::write(dir.join("index.json"), Value::Object(out).to_string()).expect("write index");
}

#[test]
fn a_517_by_4_index_is_small_and_shows_every_row() {
    let Some(chrome) = chromium() else {
        println!("skipped: no chromium on PATH (apt-get install -y chromium, or set CHROMIUM)");
        return;
    };
    let _turn = one_at_a_time();
    let dir = scratch("big");
    big_report(&dir);
    let start = Instant::now();
    let summary = write_reports(&dir, None).expect("render");
    let render = start.elapsed();
    assert_eq!(
        (summary.cases, summary.columns, summary.pages),
        (517, 4, 2068)
    );
    let size = fs::metadata(dir.join("index.html")).expect("index").len();
    // Best of three: the test machine may be busy with other builds.
    let probes: Vec<Value> = (0..3)
        .map(|_| probe(&chrome, &dir.join("index.html"), INDEX_PROBE))
        .collect();
    let times: Vec<f64> = probes
        .iter()
        .map(|p| p["loadMs"].as_f64().expect("loadMs"))
        .collect();
    let index = &probes[0];
    println!(
        "517 x 4: index.html {size} bytes, rendered with 2068 case pages in {:.2} s, \
         laid out in Chromium after {times:.0?} ms (navigation start to layout done)",
        render.as_secs_f64(),
    );
    assert_eq!(index["rows"], 517, "{index}");
    assert_eq!(index["agents"], 4, "{index}");
    assert!(size < 1_000_000, "index.html is {size} bytes");
    // The load time is printed, not asserted: speed is measured in benchmarks, never by timing
    // assertions in tests (a busy CI machine would make such a test flaky).
    screenshot(
        &chrome,
        &dir.join("index.html"),
        "index-517x4.png",
        "1400,1000",
    );
}
