//! permessage-deflate (RFC 7692) settings of a case, for sections 12 and 13, and the data sets
//! their messages are cut from.
//!
//! The fields mirror the parameters of autobahn 0.10.9's `PerMessageDeflateOffer` (what the
//! harness offers as a client) and of the accept functions of Autobahn's `case13_x_x`
//! (what it accepts as a server), so each case states exactly what Autobahn negotiates.

use serde::{Deserialize, Serialize};

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &u8) -> bool {
    *n == 0
}

/// The permessage-deflate negotiation of a case. A case with this field is a compression case:
/// if the peer does not agree to permessage-deflate, `behavior` is UNIMPLEMENTED and the harness
/// closes with 1000 at once (Autobahn `case12_x_x.onOpen`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deflate {
    /// Client role: the offers sent in `Sec-WebSocket-Extensions`, in order of preference
    /// (13.7 sends three, the later ones being fallbacks). Never empty.
    pub offers: Vec<DeflateOffer>,
    /// Server role: accept rules tried in order; the first rule that some offer of the client
    /// satisfies is used with the first such offer. No rule satisfied = deflate declined.
    pub accept: Vec<DeflateAccept>,
}

/// One offer, as autobahn's `PerMessageDeflateOffer` writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeflateOffer {
    /// Send `client_no_context_takeover` (the client lets the server ask it to reset its
    /// compressor after each message). Default `true`.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub accept_no_context_takeover: bool,
    /// Send a bare `client_max_window_bits` (the server may limit the client's window).
    /// Default `true`.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub accept_max_window_bits: bool,
    /// Send `server_no_context_takeover`. Default `false`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub request_no_context_takeover: bool,
    /// Send `server_max_window_bits=N` (8..=15); 0 = don't. Default 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub request_max_window_bits: u8,
}

impl Default for DeflateOffer {
    fn default() -> Self {
        Self {
            accept_no_context_takeover: true,
            accept_max_window_bits: true,
            request_no_context_takeover: false,
            request_max_window_bits: 0,
        }
    }
}

/// One accept rule of the server role (the `acceptN` functions of `case13_x_x`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeflateAccept {
    /// Answer with `client_no_context_takeover`; the rule only applies to an offer that
    /// carries `client_no_context_takeover`. Default `false`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub request_no_context_takeover: bool,
    /// Answer with `client_max_window_bits=N` (8..=15), 0 = don't. With N, the rule only
    /// applies to an offer that carries `client_max_window_bits`. Default 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub request_max_window_bits: u8,
}

/// The kinds of generated data, one per Autobahn data set of section 12 (13 uses JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatasetKind {
    /// A JSON document of records (Autobahn's `data1.json`), ASCII, sent as text.
    Json,
    /// A 512x512 8-bit grayscale BMP picture (Autobahn's `lena512.bmp`), sent as binary.
    Bitmap,
    /// Long German-like prose in UTF-8 (Autobahn's Goethe's Faust), sent as binary.
    Text,
    /// An HTML page (Autobahn's `data1.html`), ASCII, sent as text.
    Html,
    /// A PDF-like file: text objects and incompressible streams (Autobahn's PDF), binary.
    Pdf,
}

impl DatasetKind {
    /// Our name for the data set, as reports and sub-category titles show it.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Json => "Generated JSON data",
            Self::Bitmap => "Generated bitmap picture, 512x512 grayscale",
            Self::Text => "Generated German-like prose",
            Self::Html => "Generated HTML page",
            Self::Pdf => "Generated PDF-like document",
        }
    }
}

/// A deterministic data set: the same kind, size and seed give the same octets everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    /// What the data looks like.
    pub kind: DatasetKind,
    /// Its length in octets (1..=2^24).
    pub size: usize,
    /// The generator's seed.
    pub seed: u64,
}

/// The largest data set a case may ask for (Autobahn's largest file is about 1 MiB).
pub const MAX_DATASET: usize = 1 << 24;
