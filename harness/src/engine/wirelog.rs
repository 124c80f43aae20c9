//! The wire log and the octet/frame statistics, row for row as Autobahn's `FuzzingProtocol`
//! writes them (`fuzzing.py`: `logRxOctets`, `logTxOctets`, `logRxFrame`, `logTxFrame`,
//! `continueLater`, `killAfter`, `closeAfter`, `enableWirelog`).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::report::record::{ascii_log_data, bin_log_data, hex};

/// The most rows the wire log keeps; later rows are dropped (statistics go on). Autobahn has
/// no limit, but a flooding peer must not grow memory without bound.
pub(crate) const MAX_ROWS: usize = 100_000;

/// The wire log plus statistics of one connection.
#[derive(Debug, Clone)]
pub(crate) struct WireLog {
    /// Whether rows are recorded (`createWirelog`). Statistics are kept either way.
    pub(crate) enabled: bool,
    /// The rows, each a JSON array whose first element is the tag.
    pub(crate) rows: Vec<Value>,
    /// Socket reads per read size.
    pub(crate) rx_octets: BTreeMap<usize, u64>,
    /// Socket writes per write size.
    pub(crate) tx_octets: BTreeMap<usize, u64>,
    /// Frames received per opcode.
    pub(crate) rx_frames: BTreeMap<u8, u64>,
    /// Frames sent per opcode.
    pub(crate) tx_frames: BTreeMap<u8, u64>,
}

impl Default for WireLog {
    fn default() -> Self {
        Self {
            enabled: true,
            rows: Vec::new(),
            rx_octets: BTreeMap::new(),
            tx_octets: BTreeMap::new(),
            rx_frames: BTreeMap::new(),
            tx_frames: BTreeMap::new(),
        }
    }
}

/// A frame as the TF row describes it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TxFrameRow<'a> {
    /// The payload as given, before repetition.
    pub(crate) payload: &'a [u8],
    pub(crate) opcode: u8,
    pub(crate) fin: bool,
    pub(crate) rsv: u8,
    pub(crate) mask: Option<[u8; 4]>,
    /// `payload_len` (Autobahn `repeatLength`).
    pub(crate) repeat: Option<usize>,
    pub(crate) chopsize: Option<usize>,
    pub(crate) sync: bool,
}

impl WireLog {
    /// `("WLM", enable)`: the log is switched on or off (only when that changes anything).
    pub(crate) fn set_enabled(&mut self, enable: bool) {
        if enable != self.enabled {
            self.enabled = enable;
            self.push(json!(["WLM", enable]));
        }
    }

    /// `("RO", (len, hex))`: octets received in one read.
    pub(crate) fn rx_octets(&mut self, data: &[u8]) {
        *self.rx_octets.entry(data.len()).or_default() += 1;
        if self.enabled {
            self.rows
                .push(json!(["RO", [data.len(), bin_log_data(data)]]));
        }
    }

    /// `("TO", (len, hex), sync)`: octets handed to the socket in one write.
    pub(crate) fn tx_octets(&mut self, data: &[u8], sync: bool) {
        *self.tx_octets.entry(data.len()).or_default() += 1;
        if self.enabled {
            self.rows
                .push(json!(["TO", [data.len(), bin_log_data(data)], sync]));
        }
    }

    /// A TO row for a write of `len` octets whose first `min(len, 64)` octets are `prefix`,
    /// logged after the fact (all the row shows of the data).
    pub(crate) fn tx_octets_logged(&mut self, len: usize, prefix: &[u8], sync: bool) {
        *self.tx_octets.entry(len).or_default() += 1;
        if self.enabled {
            self.rows
                .push(json!(["TO", [len, bin_log_data(prefix)], sync]));
        }
    }

    /// `("RF", (len, payload), opcode, fin, rsv, masked, mask)`: a whole frame received.
    /// `len` is the logged payload length and `prefix` its first octets (enough for the
    /// 64-octet rendering).
    pub(crate) fn rx_frame(
        &mut self,
        len: usize,
        prefix: &[u8],
        opcode: u8,
        fin: bool,
        rsv: u8,
        mask: Option<[u8; 4]>,
    ) {
        *self.rx_frames.entry(opcode).or_default() += 1;
        if self.enabled {
            self.push(json!([
                "RF",
                [len, ascii_log_data(prefix)],
                opcode,
                fin,
                rsv,
                mask.is_some(),
                mask.map(|m| hex(&m)),
            ]));
        }
    }

    /// `("TF", (len, payload), opcode, fin, rsv, mask, repeatLength, chopsize, sync)`.
    pub(crate) fn tx_frame(&mut self, f: &TxFrameRow<'_>) {
        *self.tx_frames.entry(f.opcode).or_default() += 1;
        if self.enabled {
            self.push(json!([
                "TF",
                [f.payload.len(), ascii_log_data(f.payload)],
                f.opcode,
                f.fin,
                f.rsv,
                f.mask.map(|m| hex(&m)),
                f.repeat,
                f.chopsize,
                f.sync,
            ]));
        }
    }

    /// A timer row: `("CT", delay, tag)`, `("KL", delay)`, `("TI", delay)`. Timer rows are
    /// written even while the log is off, as Autobahn writes them unconditionally.
    pub(crate) fn row(&mut self, row: Value) {
        self.push(row);
    }

    fn push(&mut self, row: Value) {
        if self.rows.len() < MAX_ROWS {
            self.rows.push(row);
        }
    }
}

/// Keeps the logged length and the first 64 octets of a frame's payload (all the RF row shows).
#[derive(Debug, Clone, Default)]
pub(crate) struct PayloadPrefix {
    pub(crate) len: usize,
    pub(crate) prefix: Vec<u8>,
}

impl PayloadPrefix {
    /// Octets the RF row needs at most: Autobahn renders 64 octets and an ellipsis.
    const KEEP: usize = 64;

    pub(crate) fn push(&mut self, data: &[u8]) {
        self.len += data.len();
        let room = Self::KEEP.saturating_sub(self.prefix.len());
        self.prefix.extend_from_slice(&data[..data.len().min(room)]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_have_autobahns_shapes() {
        let mut w = WireLog::default();
        w.tx_octets(b"\x81\x00", true);
        w.rx_octets(b"ab");
        w.rx_frame(5, b"Hello", 1, true, 0, None);
        w.tx_frame(&TxFrameRow {
            payload: b"*",
            opcode: 1,
            fin: true,
            rsv: 0,
            mask: Some([1, 2, 3, 4]),
            repeat: Some(10),
            chopsize: None,
            sync: false,
        });
        w.set_enabled(false);
        w.set_enabled(false);
        w.rx_octets(b"x");
        assert_eq!(
            Value::Array(w.rows.clone()),
            json!([
                ["TO", [2, "8100"], true],
                ["RO", [2, "6162"]],
                ["RF", [5, "Hello"], 1, true, 0, false, null],
                ["TF", [1, "*"], 1, true, 0, "01020304", 10, null, false],
                ["WLM", false],
            ])
        );
        assert_eq!(
            w.rx_octets.get(&1),
            Some(&1),
            "stats are kept while the log is off"
        );
        assert_eq!(w.tx_frames.get(&1), Some(&1));
    }

    #[test]
    fn prefix_keeps_64_octets_and_the_length() {
        let mut p = PayloadPrefix::default();
        p.push(&[b'a'; 50]);
        p.push(&[b'b'; 50]);
        assert_eq!((p.len, p.prefix.len()), (100, 64));
        assert_eq!(
            ascii_log_data(&p.prefix),
            ascii_log_data(&[[b'a'; 50], [b'b'; 50]].concat())
        );
    }
}
