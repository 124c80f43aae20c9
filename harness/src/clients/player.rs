//! The engine as the fuzzing server's [`CasePlayer`]: the case played in the server role.

use std::sync::Arc;

use super::{CasePlayer, PlayRequest};
use crate::engine::{run_case_against_client, CaseContext, Timeouts};

/// Plays cases with the engine (`engine::run_case_against_client`).
pub fn engine_player() -> CasePlayer {
    Arc::new(|req: PlayRequest| {
        Box::pin(async move {
            let ctx = CaseContext {
                case_number: req.case_number,
                agent: req.agent,
            };
            run_case_against_client(
                &req.case,
                req.stream,
                &req.handshake,
                &ctx,
                Timeouts::default(),
            )
            .await
        })
    })
}
