//! Rules of the format that serde's types cannot express (ranges, dependencies between fields).

use super::{Case, Deflate, EchoCheck, Frame, Message, Payload, Step, MAX_DATASET};

/// Checks a parsed case; the error says which rule and which step.
pub(super) fn case(c: &Case) -> Result<(), String> {
    let mut header_seen = false;
    for (i, step) in c.steps.iter().enumerate() {
        self::step(step).map_err(|m| format!("step {}: {m}", i + 1))?;
        match step {
            Step::FrameHeader(_) => header_seen = true,
            Step::FrameData(_) if !header_seen => {
                return Err(format!(
                    "step {}: frame_data needs an earlier frame_header",
                    i + 1
                ));
            }
            _ => {}
        }
    }
    if c.expected_close.close_code.is_empty() {
        return Err("expected_close.close_code must list at least one code".into());
    }
    for (verdict, events) in &c.expected {
        for (i, e) in events.iter().enumerate() {
            if let super::Event::Message(m) = e {
                repeatable(&m.payload, m.payload_len)
                    .map_err(|msg| format!("expected {verdict} event {}: {msg}", i + 1))?;
            }
        }
    }
    if let Some(echo) = &c.echo_check {
        echo_check(echo).map_err(|m| format!("echo_check: {m}"))?;
    }
    if c.expected.is_empty() && c.echo_check.is_none() {
        return Err("a case needs `expected` outcomes or an `echo_check`".into());
    }
    if let Some(d) = &c.deflate {
        deflate(d).map_err(|m| format!("deflate: {m}"))?;
    }
    if let Some(frames) = &c.expect_tx_frames {
        if let Some(op) = frames.keys().find(|op| **op > 15) {
            return Err(format!("expect_tx_frames: opcode {op} is above 15"));
        }
    }
    Ok(())
}

fn step(s: &Step) -> Result<(), String> {
    match s {
        Step::Frame(f) => frame(f),
        Step::Message(m) => message(m),
        Step::Close(_) => Ok(()),
        Step::Raw(r) => chop(r.chopsize),
        Step::FrameHeader(h) => opcode_rsv(h.opcode, h.rsv),
        Step::FrameData(_) => Ok(()),
        Step::Pause(p) => seconds(p.seconds),
        Step::KillAfter(s) | Step::CloseAfter(s) => seconds(*s),
    }
}

fn opcode_rsv(opcode: u8, rsv: u8) -> Result<(), String> {
    if opcode > 15 {
        return Err(format!("opcode {opcode} is above 15"));
    }
    if rsv > 7 {
        return Err(format!("rsv {rsv} is above 7 (three bits)"));
    }
    Ok(())
}

fn frame(f: &Frame) -> Result<(), String> {
    opcode_rsv(f.opcode, f.rsv)?;
    repeatable(&f.payload, f.payload_len)?;
    chop(f.chopsize)
}

fn message(m: &Message) -> Result<(), String> {
    repeatable(&m.payload, m.payload_len)?;
    if m.fragment_size == Some(0) {
        return Err("fragment_size must be at least 1".into());
    }
    Ok(())
}

fn echo_check(e: &EchoCheck) -> Result<(), String> {
    match &*e.send {
        Step::Frame(f) => frame(f)?,
        Step::Message(m) => message(m)?,
        _ => return Err("`send` must be a frame or a message step".into()),
    }
    if e.count == 0 {
        return Err("count must be at least 1".into());
    }
    if e.length > MAX_PAYLOAD_LEN {
        return Err(format!(
            "length {} is above the limit of {MAX_PAYLOAD_LEN} octets",
            e.length
        ));
    }
    if let Some(d) = &e.dataset {
        if d.size == 0 || d.size > MAX_DATASET {
            return Err(format!(
                "dataset size {} is outside 1..={MAX_DATASET} octets",
                d.size
            ));
        }
        match &*e.send {
            Step::Message(m) if m.payload.is_empty() && m.payload_len.is_none() => {}
            _ => {
                return Err("with a dataset, `send` must be a message step without payload".into())
            }
        }
    }
    seconds(e.timeout)
}

/// Window bits are 0 (not sent) or 8..=15 (RFC 7692 section 7.1.2).
fn window_bits(bits: u8) -> Result<(), String> {
    if bits == 0 || (8..=15).contains(&bits) {
        Ok(())
    } else {
        Err(format!("max window bits {bits} is not 0 or 8..=15"))
    }
}

fn deflate(d: &Deflate) -> Result<(), String> {
    if d.offers.is_empty() {
        return Err("offers must list at least one offer".into());
    }
    for o in &d.offers {
        window_bits(o.request_max_window_bits)?;
    }
    for a in &d.accept {
        window_bits(a.request_max_window_bits)?;
    }
    Ok(())
}

/// The largest `payload_len` a case may ask for. Autobahn's largest is 16 MiB; the cap keeps a
/// typo from making the harness allocate without bound.
pub(super) const MAX_PAYLOAD_LEN: usize = 1 << 30;

fn repeatable(p: &Payload, len: Option<usize>) -> Result<(), String> {
    match len {
        Some(n) if n > MAX_PAYLOAD_LEN => Err(format!(
            "payload_len {n} is above the limit of {MAX_PAYLOAD_LEN} octets"
        )),
        Some(n) if n > 0 && p.is_empty() => Err(format!(
            "payload_len {n} needs a non-empty payload to repeat"
        )),
        _ => Ok(()),
    }
}

fn chop(chopsize: Option<usize>) -> Result<(), String> {
    if chopsize == Some(0) {
        return Err("chopsize must be at least 1".into());
    }
    Ok(())
}

fn seconds(s: f64) -> Result<(), String> {
    if !s.is_finite() || s < 0.0 {
        return Err(format!("{s} is not a valid number of seconds"));
    }
    Ok(())
}
