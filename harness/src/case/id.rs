//! Case ids: dotted integer tuples such as `6.4.1`, ordered as Autobahn orders them.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A case id such as `1.1.8` or `9.7.1`: two or more decimal components separated by dots.
///
/// Ids compare as integer tuples (so `1.1.10` sorts after `1.1.9`), which is the order Autobahn
/// uses for case selection and for `case=N` in the client-driver protocol.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CaseId(Vec<u32>);

impl CaseId {
    /// The components of the id, `[6, 4, 1]` for `6.4.1`.
    pub fn parts(&self) -> &[u32] {
        &self.0
    }

    /// The first component: the section, which is also the folder under `corpus/cases/`.
    pub fn section(&self) -> u32 {
        // parse() guarantees at least two components.
        self.0[0]
    }

    /// The id with `_` separators, as used in Autobahn's report file names (`1_2_3`).
    pub fn underscored(&self) -> String {
        self.to_string().replace('.', "_")
    }
}

/// Why a string is not a valid case id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseCaseIdError(String);

impl fmt::Display for ParseCaseIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid case id {:?}: expected two or more dot-separated decimal numbers",
            self.0
        )
    }
}

impl std::error::Error for ParseCaseIdError {}

impl FromStr for CaseId {
    type Err = ParseCaseIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseCaseIdError(s.to_owned());
        let parts = s
            .split('.')
            .map(|p| {
                // Reject signs, spaces and leading zeros so that the text form is canonical
                // and equal ids always have equal file names.
                if p.is_empty()
                    || !p.bytes().all(|b| b.is_ascii_digit())
                    || (p.len() > 1 && p.starts_with('0'))
                {
                    return Err(err());
                }
                p.parse::<u32>().map_err(|_| err())
            })
            .collect::<Result<Vec<_>, _>>()?;
        if parts.len() < 2 {
            return Err(err());
        }
        Ok(Self(parts))
    }
}

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl PartialOrd for CaseId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for CaseId {
    fn cmp(&self, other: &Self) -> Ordering {
        // Lexicographic on integers, like Python's tuple comparison.
        self.0.cmp(&other.0)
    }
}

impl Serialize for CaseId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CaseId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_as_integer_tuples() {
        let mut ids: Vec<CaseId> = ["1.1.10", "1.1.9", "10.1.1", "9.7.1", "1.2.1"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        ids.sort();
        let text: Vec<String> = ids.iter().map(ToString::to_string).collect();
        assert_eq!(text, ["1.1.9", "1.1.10", "1.2.1", "9.7.1", "10.1.1"]);
    }

    #[test]
    fn rejects_non_canonical_ids() {
        for bad in ["", "1", "1.", ".1", "1..2", "1.a", "01.1", "1.+2", "1. 2"] {
            assert!(bad.parse::<CaseId>().is_err(), "{bad:?} should be rejected");
        }
        let id: CaseId = "7.13.2".parse().unwrap();
        assert_eq!(id.section(), 7);
        assert_eq!(id.underscored(), "7_13_2");
    }
}
