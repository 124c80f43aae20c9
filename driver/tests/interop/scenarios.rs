//! The scenarios, written once for every peer and both directions, and the `interop_tests!`
//! macro that instantiates them as `#[tokio::test]`s in each peer's module.

use tokio::net::TcpListener;
use websocket_driver::ext::deflate::DeflateConfig;
use websocket_driver::tokio::Handle;
use websocket_driver::ws::{Message, Options};
use websocket_driver::{Event, OpCode};

use crate::ours::{self, Ev, Ours};
use crate::peer::{within, AbortOnDrop, Kind, Peer, PeerConfig};
use crate::sansio::Sansio;
use crate::script::{FRAGMENTED_BINARY, FRAGMENTED_TEXT};

/// Which side our driver plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dir {
    /// Our client, the peer's server.
    OurClient,
    /// The peer's client, our server.
    OurServer,
}

/// How a connection is set up: the protocols the client offers and the server speaks, and
/// whether both sides have permessage-deflate on.
#[derive(Debug, Clone, Default)]
struct Setup {
    offered: Vec<String>,
    spoken: Vec<String>,
    deflate: bool,
}

impl Setup {
    fn protocols(offered: &[&str], spoken: &[&str]) -> Self {
        let owned = |ps: &[&str]| ps.iter().map(|p| (*p).to_owned()).collect();
        Self {
            offered: owned(offered),
            spoken: owned(spoken),
            deflate: false,
        }
    }

    /// Our options and the peer's configuration for direction `dir`.
    fn split(&self, dir: Dir) -> (Options, PeerConfig) {
        let mut options = Options::new();
        if self.deflate {
            options = options.deflate(DeflateConfig::default());
        }
        let (options, peer_protocols) = match dir {
            Dir::OurClient => (options.protocols(self.offered.clone()), self.spoken.clone()),
            Dir::OurServer => (
                options.accept_protocols(self.spoken.clone()),
                self.offered.clone(),
            ),
        };
        let peer = PeerConfig {
            protocols: peer_protocols,
            deflate: self.deflate,
        };
        (options, peer)
    }
}

/// A connection between our driver and a peer, as far as it got.
struct Attempt {
    /// Our end: the handle and events once our client connected or our server accepted; our
    /// client's connect error and events otherwise.
    ours: Result<(Handle, Ours), (String, Ours)>,
    peer: Peer,
    /// Our server's accept loop, if we are the server.
    _server: Option<AbortOnDrop>,
}

/// Connects our driver and the peer; `None` when the peer is missing and may be skipped.
async fn attempt(kind: Kind, dir: Dir, setup: &Setup) -> Option<Attempt> {
    let (options, config) = setup.split(dir);
    match dir {
        Dir::OurClient => {
            let peer = kind.server(&config).await?;
            let url = format!("ws://127.0.0.1:{}/interop", peer.port());
            let ours = ours::client(&url, options).await;
            Some(Attempt {
                ours,
                peer,
                _server: None,
            })
        }
        Dir::OurServer => {
            let (port, mut accepted, server) = ours::server(options).await;
            let url = format!("ws://127.0.0.1:{port}/interop");
            let peer = kind.client(&url, &config).await?;
            let ours = within("our server's connection", accepted.recv())
                .await
                .expect("our server accepted a connection");
            Some(Attempt {
                ours: Ok(ours),
                peer,
                _server: Some(server),
            })
        }
    }
}

/// An open connection.
struct Session {
    handle: Handle,
    ours: Ours,
    peer: Peer,
    _server: Option<AbortOnDrop>,
}

/// Connects and checks that both sides opened with `protocol` agreed and the peer reporting
/// `extensions`.
async fn open(
    kind: Kind,
    dir: Dir,
    setup: &Setup,
    protocol: Option<&str>,
    extensions: &str,
) -> Option<Session> {
    let Attempt {
        ours,
        mut peer,
        _server,
    } = attempt(kind, dir, setup).await?;
    let (handle, mut ours) = match ours {
        Ok(ours) => ours,
        Err((e, _)) => panic!("our client did not connect: {e}"),
    };
    assert_eq!(
        ours.next("open").await,
        Ev::Open(protocol.map(str::to_owned))
    );
    peer.expect(&format!("open {} {extensions}", protocol.unwrap_or("-")))
        .await;
    Some(Session {
        handle,
        ours,
        peer,
        _server,
    })
}

impl Session {
    /// Sends `message` and checks that the peer echoes it unchanged.
    async fn echo(&mut self, message: Message) {
        self.handle.send(&message);
        self.ours.message(&message).await;
    }

    /// Closes from our side with 1000 and checks both sides saw it.
    async fn close(mut self) {
        self.handle.close_connection();
        self.ours.close(1000, "").await;
        self.peer.expect("close 1000").await;
        assert_eq!(
            within("closed", self.handle.closed()).await,
            (1000, String::new())
        );
    }
}

/// Text, binary and empty messages, echoed.
pub(crate) async fn messages(kind: Kind, dir: Dir) {
    let Some(mut s) = open(kind, dir, &Setup::default(), None, "-").await else {
        return;
    };
    s.echo(Message::Text("héllo ✓ 🦀".into())).await;
    s.echo(Message::Binary(vec![0, 1, 2, 0x7f, 0x80, 0xfe, 0xff]))
        .await;
    s.echo(Message::Text(String::new())).await;
    s.echo(Message::Binary(Vec::new())).await;
    s.close().await;
}

/// 16 MiB text and binary messages, echoed.
pub(crate) async fn large(kind: Kind, dir: Dir) {
    let Some(mut s) = open(kind, dir, &Setup::default(), None, "-").await else {
        return;
    };
    s.echo(Message::Binary(pattern(16 << 20))).await;
    s.echo(Message::Text(large_text())).await;
    s.close().await;
}

/// 16 MiB of text: mostly ASCII, with a three-byte character at the end of every KiB, so that
/// many land across the reads' boundaries. (Mostly ASCII because UTF-8 validation dominates the
/// run time of the unoptimised test build otherwise.)
fn large_text() -> String {
    let mut unit = "0123456789abcdef".repeat(64);
    unit.truncate(1024 - '✓'.len_utf8());
    unit.push('✓');
    unit.repeat(16 << 10)
}

/// 16 MiB of bytes that are not all alike (every byte value, in a pattern that does not repeat
/// on a power of two).
fn pattern(len: usize) -> Vec<u8> {
    // Copies of one 251-byte block: quick to make even unoptimised.
    let block: Vec<u8> = (0..=250).collect();
    let mut bytes = block.repeat(len / block.len() + 1);
    bytes.truncate(len);
    bytes
}

/// The peer sends a text and a binary message in several frames each; we get them whole.
pub(crate) async fn fragmented(kind: Kind, dir: Dir) {
    let Some(mut s) = open(kind, dir, &Setup::default(), None, "-").await else {
        return;
    };
    s.handle.send("cmd:fragments");
    s.ours
        .message(&Message::Text(FRAGMENTED_TEXT.concat()))
        .await;
    s.ours
        .message(&Message::Binary(FRAGMENTED_BINARY.concat()))
        .await;
    s.close().await;
}

/// We send a text and a binary message in several frames each, with a ping between two
/// fragments (RFC 6455 section 5.4 lets control frames interleave) and a character split across
/// two fragments; the peer echoes them whole and answers the ping. The seed's API sends every
/// message in one frame, so our sans-IO core sends these.
pub(crate) async fn fragmented_ours(kind: Kind, dir: Dir) {
    let config = PeerConfig::default();
    let (mut ours, mut peer) = match dir {
        Dir::OurClient => {
            let Some(peer) = kind.server(&config).await else {
                return;
            };
            let url = format!("ws://127.0.0.1:{}/interop", peer.port());
            (Sansio::connect(&url).await, peer)
        }
        Dir::OurServer => {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let port = listener.local_addr().expect("local address").port();
            let url = format!("ws://127.0.0.1:{port}/interop");
            let Some(peer) = kind.client(&url, &config).await else {
                return;
            };
            (Sansio::accept(&listener).await, peer)
        }
    };
    peer.expect("open - -").await;
    ours.send_frame(OpCode::Text, b"Hel", false);
    ours.send_frame(OpCode::Ping, b"between", true);
    // "ö" is C3 B6: its two bytes go in different frames.
    ours.send_frame(OpCode::Continuation, b"lo, w\xc3", false);
    ours.send_frame(OpCode::Continuation, b"\xb6rld", true);
    ours.send_frame(OpCode::Binary, &[1, 2], false);
    ours.send_frame(OpCode::Continuation, &[], false);
    ours.send_frame(OpCode::Continuation, &[3], true);
    let mut messages = Vec::new();
    let mut pongs = Vec::new();
    while messages.len() < 2 {
        match ours.next_event().await {
            Event::Message(m) => messages.push(m),
            Event::Pong(p) => pongs.push(p),
            other => panic!("expected the echoes and the pong, got {other:?}"),
        }
    }
    assert_eq!(
        messages,
        [
            Message::Text("Hello, wörld".into()),
            Message::Binary(vec![1, 2, 3])
        ]
    );
    assert_eq!(pongs, [b"between".to_vec()]);
    ours.close(1000, "");
    match ours.next_event().await {
        Event::Close { code, .. } => assert_eq!(code, 1000),
        other => panic!("expected the peer's close, got {other:?}"),
    }
    within("the end of TCP", ours.finish()).await;
    peer.expect("close 1000").await;
}

/// Our ping is answered (the `send_ping_with` callback runs), and so is the peer's.
pub(crate) async fn ping_pong(kind: Kind, dir: Dir) {
    let Some(mut s) = open(kind, dir, &Setup::default(), None, "-").await else {
        return;
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    s.handle.send_ping_with(b"our ping", move || {
        let _ = tx.send(());
    });
    within("the pong to our ping", rx)
        .await
        .expect("the callback ran");
    s.handle.send("cmd:ping their ping");
    s.peer.expect("pong their ping").await;
    // Pings and pongs are not messages.
    s.echo(Message::Text("after the pings".into())).await;
    s.close().await;
}

/// We close with a code and a reason; the peer sees both and echoes them.
pub(crate) async fn close_ours(kind: Kind, dir: Dir) {
    let Some(mut s) = open(kind, dir, &Setup::default(), None, "-").await else {
        return;
    };
    s.handle.close_with(Some(4000), "our reason ✓");
    s.peer.expect("close 4000 our reason ✓").await;
    s.ours.close(4000, "our reason ✓").await;
    assert_eq!(
        within("closed", s.handle.closed()).await,
        (4000, "our reason ✓".to_owned())
    );
    s.peer.quiet().await;
}

/// The peer closes with a code and a reason; we see both and echo the code (without the reason:
/// RFC 6455 section 5.5.1 has an endpoint "typically echo the status code it received").
pub(crate) async fn close_theirs(kind: Kind, dir: Dir) {
    let Some(mut s) = open(kind, dir, &Setup::default(), None, "-").await else {
        return;
    };
    s.handle.send("cmd:close 4001 their reason ✓");
    s.ours.close(4001, "their reason ✓").await;
    s.peer.expect("close 4001").await;
    assert_eq!(within("closed", s.handle.closed()).await.0, 4001);
}

/// The peer closes with an empty close frame. Our `close` listener gets 1000, as documented
/// (`proto::Event::Close`: "1000 for an empty close", after the seed, whose faye ancestor
/// reports its default code 1000), not the 1005 of RFC 6455 section 7.1.5; and we answer with
/// a close frame carrying 1000.
pub(crate) async fn close_theirs_empty(kind: Kind, dir: Dir) {
    let Some(mut s) = open(kind, dir, &Setup::default(), None, "-").await else {
        return;
    };
    s.handle.send("cmd:close-empty");
    s.ours.close(1000, "").await;
    s.peer.expect("close 1000").await;
    assert_eq!(within("closed", s.handle.closed()).await.0, 1000);
}

/// The peer drops TCP without a close frame: we report 1006 (abnormal closure).
pub(crate) async fn drop_theirs(kind: Kind, dir: Dir) {
    let Some(mut s) = open(kind, dir, &Setup::default(), None, "-").await else {
        return;
    };
    s.handle.send("cmd:drop");
    s.peer.expect("dropped").await;
    s.ours.close(1006, "").await;
    assert_eq!(within("closed", s.handle.closed()).await.0, 1006);
}

/// The client offers two protocols, the server speaks one of them: both agree on it.
pub(crate) async fn protocol_agreed(kind: Kind, dir: Dir) {
    let setup = Setup::protocols(&["x-unknown", "chat"], &["chat", "superchat"]);
    let Some(mut s) = open(kind, dir, &setup, Some("chat"), "-").await else {
        return;
    };
    s.echo(Message::Text("in chat".into())).await;
    s.close().await;
}

/// How a peer handles a client offer with no protocol in common with the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NoCommonProtocol {
    /// The connection opens without a protocol.
    Opens,
    /// The server refuses the handshake.
    ServerRefuses,
    /// The client fails the handshake: it offered protocols and got none back.
    ClientFails,
}

/// What the peer does when there is no common protocol, in the role it plays in `dir` (our
/// server opens without a protocol, as the seed does; our client accepts that).
fn no_common_protocol(kind: Kind, dir: Dir) -> NoCommonProtocol {
    match (kind, dir) {
        // websockets' default `select_subprotocol` raises NegotiationError: HTTP 400. (The other
        // servers have no list of their own: our scripts choose, and answer without a protocol.)
        (Kind::Python, Dir::OurClient) => NoCommonProtocol::ServerRefuses,
        // ws (`Server sent no subprotocol`) and tungstenite (`SubProtocolError::NoSubProtocol`)
        // fail a handshake whose offer was not answered; websockets and fastwebsockets go on.
        (Kind::Node | Kind::Tungstenite, Dir::OurServer) => NoCommonProtocol::ClientFails,
        _ => NoCommonProtocol::Opens,
    }
}

/// The client offers a protocol the server does not speak.
pub(crate) async fn protocol_none(kind: Kind, dir: Dir) {
    let setup = Setup::protocols(&["x-unknown"], &["chat"]);
    match no_common_protocol(kind, dir) {
        NoCommonProtocol::Opens => {
            let Some(mut s) = open(kind, dir, &setup, None, "-").await else {
                return;
            };
            s.echo(Message::Text("no protocol".into())).await;
            s.close().await;
        }
        NoCommonProtocol::ServerRefuses => {
            let Some(a) = attempt(kind, dir, &setup).await else {
                return;
            };
            let Err((e, mut ours)) = a.ours else {
                panic!("our client connected although the server refused");
            };
            assert!(e.contains("400"), "{e}");
            match ours.next("close").await {
                Ev::Close(1002, reason) => assert!(reason.contains("400"), "{reason}"),
                other => panic!("expected close 1002 for the refusal, got {other:?}"),
            }
        }
        NoCommonProtocol::ClientFails => {
            let Some(mut a) = attempt(kind, dir, &setup).await else {
                return;
            };
            let (_, mut ours) = a.ours.expect("our server accepted");
            assert_eq!(ours.next("open").await, Ev::Open(None));
            let line = a.peer.line("the peer's handshake error").await;
            assert!(line.starts_with("error "), "{line}");
            ours.close(1006, "").await;
        }
    }
}

/// permessage-deflate: negotiated with the peers that have it (declined by those that do not),
/// and messages round trip either way: compressible and random ones, large ones, fragmented ones.
pub(crate) async fn deflate(kind: Kind, dir: Dir) {
    let has_deflate = matches!(kind, Kind::Python | Kind::Node);
    let extensions = if has_deflate {
        "permessage-deflate"
    } else {
        "-"
    };
    let setup = Setup {
        deflate: true,
        ..Setup::default()
    };
    let Some(mut s) = open(kind, dir, &setup, None, extensions).await else {
        return;
    };
    s.echo(Message::Text("compress me ".repeat(100_000))).await;
    s.echo(Message::Binary(noise(100_000))).await;
    // 4 MiB, not 16: unoptimised, our deflate would take most of the binary's run time.
    s.echo(Message::Binary(pattern(4 << 20))).await;
    s.echo(Message::Text(String::new())).await;
    s.handle.send("cmd:fragments");
    s.ours
        .message(&Message::Text(FRAGMENTED_TEXT.concat()))
        .await;
    s.ours
        .message(&Message::Binary(FRAGMENTED_BINARY.concat()))
        .await;
    s.close().await;
}

/// Bytes that do not compress (xorshift).
fn noise(len: usize) -> Vec<u8> {
    let mut x: u32 = 0x9e37_79b9;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

/// Instantiates every scenario as a test, for peer `Kind::$kind`, in modules `our_client` and
/// `our_server`.
macro_rules! interop_tests {
    ($kind:ident) => {
        interop_tests!(@dir $kind, our_client, OurClient);
        interop_tests!(@dir $kind, our_server, OurServer);
    };
    (@dir $kind:ident, $module:ident, $dir:ident) => {
        mod $module {
            use $crate::peer::Kind;
            use $crate::scenarios::{self, Dir};
            interop_tests!(@tests $kind, $dir, messages, large, fragmented, fragmented_ours, ping_pong,
                close_ours, close_theirs, close_theirs_empty, drop_theirs,
                protocol_agreed, protocol_none, deflate);
        }
    };
    (@tests $kind:ident, $dir:ident, $($name:ident),*) => {
        $(
            #[tokio::test]
            async fn $name() {
                scenarios::$name(Kind::$kind, Dir::$dir).await;
            }
        )*
    };
}
