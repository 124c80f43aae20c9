//! The structured input of the `connection_ops` target: a role and a list of operations, decoded
//! from the fuzzer's bytes by `arbitrary`. This file is also compiled into the driver's
//! `tests/fuzz_seeds.rs` (through `#[path]`), so that committed seeds replay the same way on stable.

use std::fmt;

use arbitrary::{Arbitrary, Unstructured};
use websocket_driver::fuzzing::Pair;
use websocket_driver::Role;

/// The most operations one input may hold; longer inputs are rejected to keep runs fast.
pub const MAX_OPERATIONS: usize = 256;

/// One step applied to the connection under test.
#[derive(Arbitrary, Clone, PartialEq, Eq)]
pub enum Operation {
    /// Bytes arrive from the wire (any bytes: they need not be frames).
    Recv(#[arbitrary(with = bytes)] Vec<u8>),
    /// A frame arrives from the wire, masked as the role wants (a shortcut to the states that
    /// only valid frames reach: fragmented messages, pings, the peer's close).
    RecvFrame {
        /// FIN.
        fin: bool,
        /// RSV bits (low 3 bits).
        rsv: u8,
        /// The opcode (low 4 bits).
        opcode: u8,
        /// The payload, unmasked.
        #[arbitrary(with = bytes)]
        payload: Vec<u8>,
    },
    /// The application sends a text message.
    SendText(String),
    /// The application sends a binary message.
    SendBinary(#[arbitrary(with = bytes)] Vec<u8>),
    /// The application sends a ping.
    Ping(#[arbitrary(with = bytes)] Vec<u8>),
    /// The application starts the closing handshake with this code.
    Close(u16),
    /// This many milliseconds pass.
    Tick(u16),
    /// The peer closes TCP.
    Eof,
}

/// A run of bytes taken whole (a length, then the bytes), not byte by byte as `Vec<u8>` is: the
/// fuzzer then mutates frames as it would a plain byte input.
fn bytes(u: &mut Unstructured<'_>) -> arbitrary::Result<Vec<u8>> {
    Ok(<&[u8]>::arbitrary(u)?.to_vec())
}

/// A whole input: which end is under test, and what happens to it.
#[derive(Arbitrary, Clone, PartialEq, Eq)]
pub struct Input {
    /// The connection under test is the client (else the server).
    pub client: bool,
    /// The operations, in order.
    pub ops: Vec<Operation>,
}

impl Input {
    /// The role of the connection under test.
    pub fn role(&self) -> Role {
        if self.client {
            Role::Client
        } else {
            Role::Server
        }
    }

    /// Runs the operations; panics when an invariant of `websocket_driver::fuzzing::Pair` breaks.
    pub fn run(&self) {
        let mut pair = Pair::new(self.role());
        for op in &self.ops {
            match op {
                Operation::Recv(bytes) => pair.recv(bytes),
                Operation::RecvFrame {
                    fin,
                    rsv,
                    opcode,
                    payload,
                } => pair.recv_frame(*fin, *rsv, *opcode, payload),
                Operation::SendText(text) => pair.send_text(text),
                Operation::SendBinary(data) => pair.send_binary(data),
                Operation::Ping(payload) => pair.ping(payload),
                Operation::Close(code) => pair.close(*code),
                Operation::Tick(ms) => pair.tick(u64::from(*ms)),
                Operation::Eof => pair.eof(),
            }
        }
    }
}

/// Prints the input as Rust code that replays it, for a crash report.
impl fmt::Debug for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "let mut pair = Pair::new(Role::{:?});", self.role())?;
        for op in &self.ops {
            writeln!(f, "{op:?}")?;
        }
        Ok(())
    }
}

/// One line of the reproducer.
impl fmt::Debug for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Recv(bytes) => write!(f, "pair.recv(b\"{}\");", bytes.escape_ascii()),
            Self::RecvFrame {
                fin,
                rsv,
                opcode,
                payload,
            } => write!(
                f,
                "pair.recv_frame({fin}, {rsv:#x}, {opcode:#x}, b\"{}\");",
                payload.escape_ascii()
            ),
            Self::SendText(text) => write!(f, "pair.send_text({text:?});"),
            Self::SendBinary(data) => write!(f, "pair.send_binary(b\"{}\");", data.escape_ascii()),
            Self::Ping(payload) => write!(f, "pair.ping(b\"{}\");", payload.escape_ascii()),
            Self::Close(code) => write!(f, "pair.close({code});"),
            Self::Tick(ms) => write!(f, "pair.tick({ms});"),
            Self::Eof => write!(f, "pair.eof();"),
        }
    }
}
