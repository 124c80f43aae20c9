//! Section and subsection titles, as Autobahn|Testsuite's report shows them.
//!
//! Facts from `case/__init__.py` (`CaseCategories`, `CaseSubCategories`) and the titles it
//! generates for 6.5-6.23 (`case6_x_x.py`), 12.x and 13.x (`case12_x_x.py`), so that a report
//! groups cases under the same headings as Autobahn's. Sections Autobahn does not name fall back
//! to "Misc", as in its report.

/// The title of section `section` (the first id component), e.g. `"Framing"` for 1.
pub(crate) fn section_title(section: u32) -> &'static str {
    match section {
        0 => "Handshake",
        1 => "Framing",
        2 => "Pings/Pongs",
        3 => "Reserved Bits",
        4 => "Opcodes",
        5 => "Fragmentation",
        6 => "UTF-8 Handling",
        7 => "Close Handling",
        9 => "Limits/Performance",
        12 => "WebSocket Compression (different payloads)",
        13 => "WebSocket Compression (different parameters)",
        _ => "Misc",
    }
}

/// The deflate parameters of subsections 13.1-13.7: what the client offers and what the server
/// accepts, as `(requestNoContextTakeover, requestMaxWindowBits)` lists.
const DEFLATE_13: [&str; 7] = [
    "[(False, 0)] / server accept (requestNoContextTakeover, requestMaxWindowBits): [(False, 0)]",
    "[(True, 0)] / server accept (requestNoContextTakeover, requestMaxWindowBits): [(True, 0)]",
    "[(False, 9)] / server accept (requestNoContextTakeover, requestMaxWindowBits): [(False, 9)]",
    "[(False, 15)] / server accept (requestNoContextTakeover, requestMaxWindowBits): [(False, 15)]",
    "[(True, 9)] / server accept (requestNoContextTakeover, requestMaxWindowBits): [(True, 9)]",
    "[(True, 15)] / server accept (requestNoContextTakeover, requestMaxWindowBits): [(True, 15)]",
    "[(True, 9), (True, 0), (False, 0)] / server accept (requestNoContextTakeover, requestMaxWindowBits): [(True, 9), (True, 0), (False, 0)]",
];

/// The test data of subsections 12.1-12.5 (13.x all use the first).
const DATA_12: [&str; 5] = [
    "Large JSON data file (utf8, 194056 bytes)",
    "Lena Picture, Bitmap 512x512 bw (binary, 263222 bytes)",
    "Human readable text, Goethe's Faust I (German) (binary, 222218 bytes)",
    "Large HTML file (utf8, 263647 bytes)",
    "A larger PDF (binary, 1042328 bytes)",
];

/// The title of subsection `section.sub`, or `None` when Autobahn shows no subsection heading
/// (sections 2, 3 and 5, whose ids have two components, and unnamed subsections).
pub(crate) fn subsection_title(section: u32, sub: u32) -> Option<String> {
    let fixed = match (section, sub) {
        (1, 1) => "Text Messages",
        (1, 2) => "Binary Messages",
        (4, 1) => "Non-control Opcodes",
        (4, 2) => "Control Opcodes",
        (6, 1) => "Valid UTF-8 with zero payload fragments",
        (6, 2) => "Valid UTF-8 unfragmented, fragmented on code-points and within code-points",
        (6, 3) => "Invalid UTF-8 differently fragmented",
        (6, 4) => "Fail-fast on invalid UTF-8",
        (6, 5) => "Some valid UTF-8 sequences",
        (6, 6) => "All prefixes of a valid UTF-8 string that contains multi-byte code points",
        (6, 7) => "First possible sequence of a certain length",
        (6, 8) => "First possible sequence length 5/6 (invalid codepoints)",
        (6, 9) => "Last possible sequence of a certain length",
        (6, 10) => "Last possible sequence length 4/5/6 (invalid codepoints)",
        (6, 11) => "Other boundary conditions",
        (6, 12) => "Unexpected continuation bytes",
        (6, 13) => "Lonely start characters",
        (6, 14) => "Sequences with last continuation byte missing",
        (6, 15) => "Concatenation of incomplete sequences",
        (6, 16) => "Impossible bytes",
        (6, 17) => "Examples of an overlong ASCII character",
        (6, 18) => "Maximum overlong sequences",
        (6, 19) => "Overlong representation of the NUL character",
        (6, 20) => "Single UTF-16 surrogates",
        (6, 21) => "Paired UTF-16 surrogates",
        (6, 22) => "Non-character code points (valid UTF-8)",
        (6, 23) => "Unicode specials (i.e. replacement char)",
        (7, 1) => "Basic close behavior (fuzzer initiated)",
        (7, 3) => "Close frame structure: payload length (fuzzer initiated)",
        (7, 5) => "Close frame structure: payload value (fuzzer initiated)",
        (7, 7) => "Close frame structure: valid close codes (fuzzer initiated)",
        (7, 9) => "Close frame structure: invalid close codes (fuzzer initiated)",
        (7, 13) => "Informational close information (fuzzer initiated)",
        (9, 1) => "Text Message (increasing size)",
        (9, 2) => "Binary Message (increasing size)",
        (9, 3) => "Fragmented Text Message (fixed size, increasing fragment size)",
        (9, 4) => "Fragmented Binary Message (fixed size, increasing fragment size)",
        (9, 5) => "Text Message (fixed size, increasing chop size)",
        (9, 6) => "Binary Text Message (fixed size, increasing chop size)",
        (9, 7) => "Text Message Roundtrip Time (fixed number, increasing size)",
        (9, 8) => "Binary Message Roundtrip Time (fixed number, increasing size)",
        (9, 9) => "Text Message (unlimited size)",
        (9, 10) => "Binary Message (unlimited size)",
        (10, 1) => "Auto-Fragmentation",
        (12, n) => return DATA_12.get(index(n)?).map(|s| (*s).to_owned()),
        (13, n) => {
            return DEFLATE_13.get(index(n)?).map(|p| {
                format!(
                    "{} - client offers (requestNoContextTakeover, requestMaxWindowBits): {p}",
                    DATA_12[0]
                )
            })
        }
        _ => return None,
    };
    Some(fixed.to_owned())
}

/// 1-based subsection number to 0-based index.
fn index(n: u32) -> Option<usize> {
    usize::try_from(n.checked_sub(1)?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_match_autobahns_report() {
        assert_eq!(section_title(1), "Framing");
        assert_eq!(section_title(8), "Misc");
        assert_eq!(section_title(11), "Misc");
        assert_eq!(subsection_title(2, 1), None);
        assert_eq!(subsection_title(7, 2), None);
        assert_eq!(subsection_title(12, 0), None);
        assert_eq!(subsection_title(12, 6), None);
        assert_eq!(
            subsection_title(12, 5).as_deref(),
            Some("A larger PDF (binary, 1042328 bytes)")
        );
        assert_eq!(
            subsection_title(13, 2).as_deref(),
            Some("Large JSON data file (utf8, 194056 bytes) - client offers (requestNoContextTakeover, requestMaxWindowBits): [(True, 0)] / server accept (requestNoContextTakeover, requestMaxWindowBits): [(True, 0)]")
        );
    }
}
