//! Report file names, exactly as Autobahn makes them (`fuzzing.py: cleanForFilename`,
//! `makeAgentCaseReportFilename`).

/// Autobahn's `cleanForFilename`: trim, lowercase, every character outside `[a-z0-9]` becomes a
/// space, trim again, then every space becomes `_` (runs are not collapsed: `"A / B"` gives
/// `a___b`).
///
/// Lowercasing is per character, so a non-ASCII letter becomes one `_` (Autobahn reads the
/// agent from the spec JSON as a Unicode string, which it cleans per code point).
pub fn clean_for_filename(s: &str) -> String {
    let mapped: String = s
        .trim()
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                ' '
            }
        })
        .collect();
    mapped.trim().replace(' ', "_")
}

/// The per-case report file name: `<agent>_case_<1_2_3>.<ext>`.
pub fn case_report_filename(agent: &str, case_id: &str, ext: &str) -> String {
    format!(
        "{}_case_{}.{ext}",
        clean_for_filename(agent),
        case_id.replace('.', "_")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_like_autobahn() {
        assert_eq!(
            case_report_filename("Tungstenite", "1.1.1", "json"),
            "tungstenite_case_1_1_1.json"
        );
        assert_eq!(
            case_report_filename("  AutobahnPython/0.10.9 ", "12.1.10", "json"),
            "autobahnpython_0_10_9_case_12_1_10.json"
        );
        assert_eq!(clean_for_filename("A / B"), "a___b");
        assert_eq!(clean_for_filename("café-1"), "caf__1");
        assert_eq!(clean_for_filename("***"), "");
    }
}
