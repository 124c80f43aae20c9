//! Negotiation in both roles with every parameter, and the codec on its own.

use super::*;

fn accept(offers: &[&str], policy: DeflateParams) -> Option<(DeflateParams, String)> {
    let config = DeflateConfig::new().params(policy);
    accept_offers(offers.iter().copied(), &config).map(|(n, r)| (n.params, r))
}

#[test]
fn server_accepts_the_plain_offer_with_no_parameters() {
    let (params, response) = accept(&["permessage-deflate"], DeflateParams::new()).unwrap();
    assert_eq!(params, DeflateParams::new());
    assert_eq!(response, "permessage-deflate");
}

#[test]
fn server_echoes_every_requested_parameter() {
    let offer = "permessage-deflate; server_no_context_takeover; client_no_context_takeover; \
                 server_max_window_bits=9; client_max_window_bits=12";
    let (params, response) = accept(&[offer], DeflateParams::new()).unwrap();
    assert_eq!(
        params,
        DeflateParams {
            server_no_context_takeover: true,
            client_no_context_takeover: true,
            server_max_window_bits: Some(9),
            client_max_window_bits: Some(12),
        }
    );
    assert_eq!(
        response,
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover; \
         server_max_window_bits=9; client_max_window_bits=12"
    );
}

#[test]
fn server_policy_caps_windows_and_forces_resets() {
    let policy = DeflateParams::new()
        .server_no_context_takeover(true)
        .client_no_context_takeover(true)
        .server_max_window_bits(10)
        .client_max_window_bits(11);
    // Bare client_max_window_bits: the server picks our cap.
    let (params, response) =
        accept(&["permessage-deflate; client_max_window_bits"], policy).unwrap();
    assert_eq!(params, policy);
    assert_eq!(
        response,
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover; \
         server_max_window_bits=10; client_max_window_bits=11"
    );
    // A smaller request than our cap wins; a larger one is cut to the cap.
    let (params, _) = accept(
        &["permessage-deflate; server_max_window_bits=8; client_max_window_bits=15"],
        policy,
    )
    .unwrap();
    assert_eq!(params.server_max_window_bits, Some(8));
    assert_eq!(params.client_max_window_bits, Some(11));
    // A client that does not offer client_max_window_bits is accepted; the cap is not sent.
    let (params, response) = accept(&["permessage-deflate"], policy).unwrap();
    assert_eq!(params.client_max_window_bits, None);
    assert!(!response.contains("client_max_window_bits"), "{response}");
}

#[test]
fn server_declines_invalid_offers_and_takes_the_first_valid_one() {
    let invalid = [
        "permessage-deflate; server_max_window_bits",
        "permessage-deflate; server_max_window_bits=7",
        "permessage-deflate; server_max_window_bits=16",
        "permessage-deflate; server_max_window_bits=09",
        "permessage-deflate; client_max_window_bits=8.0",
        "permessage-deflate; server_no_context_takeover=1",
        "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
        "permessage-deflate; mux",
        "permessage-deflate; a b",
        "Permessage-Deflate",
        "x-webkit-deflate-frame",
    ];
    for offer in invalid {
        assert_eq!(accept(&[offer], DeflateParams::new()), None, "{offer}");
    }
    let mut offers = invalid.to_vec();
    offers.push(r#"permessage-deflate; client_max_window_bits="10""#);
    offers.push("permessage-deflate");
    let (params, response) = accept(&offers, DeflateParams::new()).unwrap();
    assert_eq!(params.client_max_window_bits, Some(10));
    assert_eq!(response, "permessage-deflate; client_max_window_bits=10");
}

fn verify(
    config: &DeflateConfig,
    response: &[&str],
) -> Result<Option<DeflateParams>, DeflateResponseError> {
    verify_response(response, config).map(|n| n.map(|n| n.params))
}

#[test]
fn client_offers_in_order_and_reads_every_valid_response() {
    let config = DeflateConfig::new()
        .params(
            DeflateParams::new()
                .server_no_context_takeover(true)
                .server_max_window_bits(10)
                .client_max_window_bits(12),
        )
        .fallback(DeflateParams::new().client_no_context_takeover(true));
    assert_eq!(
        offer_header(&config),
        "permessage-deflate; server_no_context_takeover; server_max_window_bits=10; \
         client_max_window_bits=12, permessage-deflate; client_no_context_takeover; \
         client_max_window_bits"
    );
    // The first offer, answered exactly.
    let params = verify(
        &config,
        &["permessage-deflate; server_no_context_takeover; server_max_window_bits=9; client_max_window_bits=11"],
    )
    .unwrap()
    .unwrap();
    assert_eq!(params.server_max_window_bits, Some(9));
    assert_eq!(params.client_max_window_bits, Some(11));
    // The fallback: our promised client_no_context_takeover holds even if not echoed.
    let params = verify(&config, &["permessage-deflate; client_max_window_bits=15"])
        .unwrap()
        .unwrap();
    assert!(params.client_no_context_takeover && !params.server_no_context_takeover);
    assert_eq!(params.client_max_window_bits, Some(15));
    // The first offer's client limit holds when the response does not name one.
    let params = verify(
        &config,
        &["permessage-deflate; server_no_context_takeover; server_max_window_bits=10"],
    )
    .unwrap()
    .unwrap();
    assert_eq!(params.client_max_window_bits, Some(12));
    // Declined.
    assert_eq!(verify(&config, &[]), Ok(None));
}

#[test]
fn client_rejects_bad_responses() {
    let only = DeflateConfig::new().params(DeflateParams::new().client_max_window_bits(10));
    let cases = [
        (
            "permessage-deflate; foo",
            DeflateResponseError::UnknownParameter,
        ),
        (
            "permessage-deflate; server_max_window_bits=16",
            DeflateResponseError::InvalidWindowBits,
        ),
        (
            "permessage-deflate; server_max_window_bits=7",
            DeflateResponseError::InvalidWindowBits,
        ),
        (
            "permessage-deflate; client_max_window_bits=16",
            DeflateResponseError::InvalidWindowBits,
        ),
        (
            "permessage-deflate; client_max_window_bits",
            DeflateResponseError::InvalidWindowBits,
        ),
        (
            "permessage-deflate; server_max_window_bits",
            DeflateResponseError::InvalidWindowBits,
        ),
        (
            "permessage-deflate; server_max_window_bits=10; server_max_window_bits=10",
            DeflateResponseError::DuplicateParameter,
        ),
        (
            "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
            DeflateResponseError::DuplicateParameter,
        ),
        (
            "permessage-deflate; server_no_context_takeover=yes",
            DeflateResponseError::UnexpectedValue,
        ),
        (
            "permessage-deflate; client_max_window_bits=11",
            DeflateResponseError::NotOffered,
        ),
        ("permessage-deflate; a=\"", DeflateResponseError::Syntax),
    ];
    for (response, error) in cases {
        assert_eq!(verify(&only, &[response]), Err(error), "{response}");
    }
    assert_eq!(
        verify(&only, &["permessage-deflate", "permessage-deflate"]),
        Err(DeflateResponseError::AcceptedTwice)
    );
    // Requested server parameters must be in the response.
    let strict = DeflateConfig::new().params(
        DeflateParams::new()
            .server_no_context_takeover(true)
            .server_max_window_bits(9),
    );
    for response in [
        "permessage-deflate; server_max_window_bits=9",
        "permessage-deflate; server_no_context_takeover",
        "permessage-deflate; server_no_context_takeover; server_max_window_bits=10",
    ] {
        assert_eq!(
            verify(&strict, &[response]),
            Err(DeflateResponseError::NotOffered),
            "{response}"
        );
    }
}

#[test]
fn every_response_error_message() {
    let cases = [
        (DeflateResponseError::Syntax, "malformed extension element"),
        (
            DeflateResponseError::AcceptedTwice,
            "accepted more than once",
        ),
        (DeflateResponseError::UnknownParameter, "unknown parameter"),
        (
            DeflateResponseError::DuplicateParameter,
            "duplicate parameter",
        ),
        (
            DeflateResponseError::InvalidWindowBits,
            "window bits not from 8 to 15",
        ),
        (
            DeflateResponseError::UnexpectedValue,
            "no_context_takeover with a value",
        ),
        (
            DeflateResponseError::NotOffered,
            "parameters do not match any offer",
        ),
    ];
    for (error, message) in cases {
        assert_eq!(error.to_string(), message);
    }
}

#[test]
fn server_and_client_agree_on_every_window_and_mode() {
    for bits in 8..=15 {
        for reset in [false, true] {
            let params = DeflateParams {
                server_no_context_takeover: reset,
                client_no_context_takeover: !reset,
                server_max_window_bits: Some(bits),
                client_max_window_bits: Some(bits),
            };
            let config = DeflateConfig::new().params(params);
            let offer = offer_header(&config);
            let (server, response) =
                accept_offers([offer.as_str()], &DeflateConfig::new()).unwrap();
            let client = verify_response(&[&response], &config).unwrap().unwrap();
            assert_eq!(server.params, params, "{offer} -> {response}");
            assert_eq!(client.params, params, "{offer} -> {response}");
        }
    }
}

#[test]
fn codec_round_trip_keeps_or_resets_context() {
    let text = b"the quick brown fox jumps over the lazy dog, ".repeat(40);
    for reset in [false, true] {
        let mut compressor = Compressor::new(6, 15, reset).unwrap();
        let mut decompressor = Decompressor::new();
        let mut sizes = Vec::new();
        for _ in 0..3 {
            let mut wire = Vec::new();
            compressor.compress(&text, &mut wire).unwrap();
            assert!(!wire.ends_with(&TAIL));
            sizes.push(wire.len());
            let mut out = Vec::new();
            decompressor
                .inflate(&wire, |chunk| {
                    out.extend_from_slice(chunk);
                    true
                })
                .unwrap();
            decompressor
                .finish(reset, |chunk| {
                    out.extend_from_slice(chunk);
                    true
                })
                .unwrap();
            assert_eq!(out, text);
        }
        assert_eq!(sizes[1] == sizes[0], reset, "{sizes:?}");
    }
    assert!(Compressor::new(6, 8, false).is_none());
}

#[test]
fn inflate_hands_out_bounded_chunks_and_stops_when_told() {
    let zeros = vec![0; 1 << 20];
    let mut wire = Vec::new();
    Compressor::new(9, 15, false)
        .unwrap()
        .compress(&zeros, &mut wire)
        .unwrap();
    let mut decompressor = Decompressor::new();
    let mut seen = 0;
    let result = decompressor.inflate(&wire, |chunk| {
        assert!(chunk.len() <= 16 * 1024);
        seen += chunk.len();
        seen < 100_000
    });
    assert_eq!(result, Err(InflateError::Stopped));
    assert!(seen < 100_000 + 16 * 1024, "{seen}");
}
