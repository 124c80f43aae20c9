//! Autobahn's `TrafficStats` (autobahn 0.10.9 `websocket/protocol.py`): octet, frame and
//! message counts at the wire, WebSocket (compressed payload) and application (uncompressed)
//! levels, from which the compression ratios of sections 12 and 13 are computed.
//!
//! Counting follows autobahn: wire octets only while the connection is OPEN (earlier ones go
//! to the `preopen` counters), frames only for data opcodes 0..=2, payload octets per data frame.

use serde_json::{json, Value};

/// The counters, named as autobahn names them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct TrafficStats {
    pub(crate) outgoing_octets_wire_level: u64,
    pub(crate) outgoing_octets_websocket_level: u64,
    pub(crate) outgoing_octets_app_level: u64,
    pub(crate) outgoing_websocket_frames: u64,
    pub(crate) outgoing_websocket_messages: u64,
    pub(crate) incoming_octets_wire_level: u64,
    pub(crate) incoming_octets_websocket_level: u64,
    pub(crate) incoming_octets_app_level: u64,
    pub(crate) incoming_websocket_frames: u64,
    pub(crate) incoming_websocket_messages: u64,
    pub(crate) preopen_outgoing_octets_wire_level: u64,
    pub(crate) preopen_incoming_octets_wire_level: u64,
}

/// `a / b` as autobahn computes it (a float), or null when `b` is 0.
fn ratio(a: f64, b: u64) -> Value {
    if b > 0 {
        json!(a / b as f64)
    } else {
        Value::Null
    }
}

impl TrafficStats {
    /// The JSON object of the report's `trafficStats` (`TrafficStats.__json__`).
    pub(crate) fn to_json(self) -> Value {
        let s = &self;
        json!({
            "outgoingOctetsWireLevel": s.outgoing_octets_wire_level,
            "outgoingOctetsWebSocketLevel": s.outgoing_octets_websocket_level,
            "outgoingOctetsAppLevel": s.outgoing_octets_app_level,
            "outgoingCompressionRatio": ratio(s.outgoing_octets_websocket_level as f64, s.outgoing_octets_app_level),
            "outgoingWebSocketOverhead": ratio(
                s.outgoing_octets_wire_level as f64 - s.outgoing_octets_websocket_level as f64,
                s.outgoing_octets_websocket_level,
            ),
            "outgoingWebSocketFrames": s.outgoing_websocket_frames,
            "outgoingWebSocketMessages": s.outgoing_websocket_messages,
            "preopenOutgoingOctetsWireLevel": s.preopen_outgoing_octets_wire_level,
            "incomingOctetsWireLevel": s.incoming_octets_wire_level,
            "incomingOctetsWebSocketLevel": s.incoming_octets_websocket_level,
            "incomingOctetsAppLevel": s.incoming_octets_app_level,
            "incomingCompressionRatio": ratio(s.incoming_octets_websocket_level as f64, s.incoming_octets_app_level),
            "incomingWebSocketOverhead": ratio(
                s.incoming_octets_wire_level as f64 - s.incoming_octets_websocket_level as f64,
                s.incoming_octets_websocket_level,
            ),
            "incomingWebSocketFrames": s.incoming_websocket_frames,
            "incomingWebSocketMessages": s.incoming_websocket_messages,
            "preopenIncomingOctetsWireLevel": s.preopen_incoming_octets_wire_level,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_are_floats_or_null() {
        let mut s = TrafficStats::default();
        let j = s.to_json();
        assert_eq!(j.as_object().map(|o| o.len()), Some(16));
        assert!(
            j["outgoingCompressionRatio"].is_null() && j["incomingWebSocketOverhead"].is_null()
        );
        s.outgoing_octets_app_level = 1000;
        s.outgoing_octets_websocket_level = 250;
        s.outgoing_octets_wire_level = 300;
        let j = s.to_json();
        assert_eq!(j["outgoingCompressionRatio"], json!(0.25));
        assert_eq!(j["outgoingWebSocketOverhead"], json!(0.2));
    }
}
