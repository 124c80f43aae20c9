//! Framing, RFC 6455 section 5: opcodes, the header, masking, and close status codes (section 7.4).

pub mod close_code;
pub mod header;
pub mod mask;
pub mod opcode;

#[cfg(test)]
mod tests;

pub use close_code::CloseCode;
pub use header::{FrameHeader, MAX_HEADER_LEN};
pub use mask::{apply_mask, apply_mask_scalar};
pub use opcode::OpCode;
