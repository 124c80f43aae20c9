#!/usr/bin/env python3
"""Writes the hand-made seeds into corpus/fuzz/<target>/<kind>.<hash>.bin.

Each seed is one meaningful input: an RFC 6455 section 5.7 example, a fragmented message, one
protocol violation, a handshake request or response. The frame targets read their first byte as
the chunking seed (see websocket_driver::fuzzing::pieces), the utf8 target too. Re-running this
script rewrites the same files (the name holds the content's hash), so it is safe to run again.
"""
import hashlib
import os
import struct
import zlib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "corpus", "fuzz")
KEY = bytes([0x37, 0xFA, 0x21, 0x3D])


def write(target, kind, data):
    folder = os.path.join(ROOT, target)
    os.makedirs(folder, exist_ok=True)
    digest = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(folder, f"{kind}.{digest}.bin"), "wb") as f:
        f.write(data)


def frame(opcode, payload, fin=True, rsv=0, mask=None):
    """One frame, with the minimal length encoding."""
    n = len(payload)
    out = bytearray([(0x80 if fin else 0) | (rsv << 4) | opcode])
    mbit = 0x80 if mask else 0
    if n < 126:
        out.append(mbit | n)
    elif n < 0x10000:
        out.append(mbit | 126)
        out += struct.pack(">H", n)
    else:
        out.append(mbit | 127)
        out += struct.pack(">Q", n)
    if mask:
        out += mask
    return bytes(out) + masked(payload, mask)


def long_header(b0, length, mask):
    """A header with a 64-bit length whatever the length, and the key if any."""
    return bytes([b0, (0x80 if mask else 0) | 127]) + struct.pack(">Q", length) + (mask or b"")


def masked(payload, mask):
    return bytes(b ^ mask[i % 4] for i, b in enumerate(payload)) if mask else payload


def close(code, reason=b""):
    return struct.pack(">H", code) + reason


def frame_seeds(role):
    """(kind, bytes) for frames sent *to* a connection in `role`."""
    m = KEY if role == "server" else None
    wrong = None if role == "server" else KEY
    text = 0x1
    binary = 0x2
    cont = 0x0
    ping, pong, close_op = 0x9, 0xA, 0x8
    seeds = [
        ("rfc57-single-text", frame(text, b"Hello", mask=m)),
        ("rfc57-fragmented-text", frame(text, b"Hel", fin=False, mask=m) + frame(cont, b"lo", mask=m)),
        ("rfc57-ping", frame(ping, b"Hello", mask=m)),
        ("rfc57-pong", frame(pong, b"Hello", mask=m)),
        ("rfc57-binary-256", frame(binary, bytes(range(256)), mask=m)),
        # A non-minimal 64-bit length for 200 bytes: receivers accept it.
        ("binary-64bit-length", long_header(0x82, 200, m) + masked(b"y" * 200, m)),
        ("empty-text", frame(text, b"", mask=m)),
        ("utf8-split-across-fragments",
         frame(text, "κό".encode()[:3], fin=False, mask=m) + frame(ping, b"p", mask=m)
         + frame(cont, "κό".encode()[3:] + "σμε".encode(), mask=m)),
        ("fragmented-binary-with-ping",
         frame(binary, b"ab", fin=False, mask=m) + frame(ping, b"", mask=m)
         + frame(cont, b"cd", fin=False, mask=m) + frame(cont, b"ef", mask=m)),
        ("close-normal", frame(close_op, close(1000, b"bye"), mask=m)),
        ("close-empty", frame(close_op, b"", mask=m)),
        ("close-then-more", frame(close_op, close(1001), mask=m) + frame(text, b"late", mask=m)),
        ("close-4999", frame(close_op, close(4999, "é".encode()), mask=m)),
        ("partial-header", frame(binary, b"z" * 300, mask=m)[:3]),
        ("partial-payload", frame(text, b"Hello", mask=m)[:-2]),
        # One per violation, each with the close code it must bring.
        ("violation-rsv1-1002", frame(text, b"x", rsv=4, mask=m)),
        ("violation-rsv3-1002", frame(ping, b"", rsv=1, mask=m)),
        ("violation-reserved-data-opcode-1002", frame(0x3, b"", mask=m)),
        ("violation-reserved-control-opcode-1002", frame(0xB, b"", mask=m)),
        ("violation-wrong-masking-1002", frame(text, b"Hello", mask=wrong)),
        ("violation-fragmented-ping-1002", frame(ping, b"a", fin=False, mask=m)),
        ("violation-control-126-1002", frame(ping, b"p" * 126, mask=m)),
        ("violation-continuation-first-1002", frame(cont, b"x", mask=m)),
        ("violation-text-inside-fragmented-1002",
         frame(text, b"a", fin=False, mask=m) + frame(text, b"b", mask=m)),
        ("violation-length-msb-1002", bytes([0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1])),
        ("violation-close-one-byte-1002", frame(close_op, b"\x03", mask=m)),
        ("violation-close-1005-1002", frame(close_op, close(1005), mask=m)),
        ("violation-close-999-1002", frame(close_op, close(999), mask=m)),
        ("violation-close-reason-utf8-1007", frame(close_op, close(1000, b"\xce\xba\xed\xa0\x80"), mask=m)),
        ("violation-text-utf8-1007", frame(text, b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited", mask=m)),
        ("violation-utf8-fail-fast-1007",
         frame(text, b"\xce\xba\xf4\x90", fin=False, mask=m) + frame(cont, b"\x80\x80" * 20, mask=m)),
        ("violation-utf8-truncated-1007", frame(text, b"ab\xe2\x82", mask=m)),
        ("violation-too-long-1009", frame(binary, b"b" * 4097, mask=m)),
        ("violation-too-long-fragments-1009",
         frame(text, b"t" * 3000, fin=False, mask=m) + frame(cont, b"t" * 1200, mask=m)),
        ("violation-announced-huge-1009", long_header(0x82, 1 << 40, m)),
    ]
    return seeds


def main():
    for role in ("server", "client"):
        for i, (kind, data) in enumerate(frame_seeds(role)):
            # The first byte picks the chunking: whole-ish (8) for some, byte by byte (0) for others.
            for seed in (8, i % 8):
                write(f"parse_frame_{role}", f"{kind}.chunk{seed}", bytes([seed]) + data)

    key = b"dGhlIHNhbXBsZSBub25jZQ=="
    base = [b"Host: server.example.com", b"Upgrade: websocket", b"Connection: Upgrade",
            b"Sec-WebSocket-Key: " + key, b"Sec-WebSocket-Version: 13"]

    def request(lines, start=b"GET /chat HTTP/1.1", tail=b""):
        return start + b"\r\n" + b"".join(l + b"\r\n" for l in lines) + b"\r\n" + tail

    requests = [
        ("rfc-4.1-example", request(base + [b"Origin: http://example.com",
                                            b"Sec-WebSocket-Protocol: chat, superchat"])),
        ("minimal", request(base)),
        ("frames-after-head", request(base, tail=b"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58")),
        ("lowercase-and-lists", request([b"host: h", b"upgrade: WebSocket", b"connection: keep-alive, Upgrade",
                                         b"sec-websocket-key:  " + key + b" ", b"sec-websocket-version: 13",
                                         b"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"])),
        ("refuse-version-8-426", request(base[:4] + [b"Sec-WebSocket-Version: 8"])),
        ("refuse-no-version-426", request(base[:4])),
        ("refuse-post-400", request(base, start=b"POST /chat HTTP/1.1")),
        ("refuse-http10-400", request(base, start=b"GET /chat HTTP/1.0")),
        ("refuse-no-host-400", request(base[1:])),
        ("refuse-no-upgrade-400", request([base[0]] + base[2:])),
        ("refuse-no-connection-400", request(base[:2] + base[3:])),
        ("refuse-no-key-400", request(base[:3] + base[4:])),
        ("refuse-short-key-400", request(base[:3] + [b"Sec-WebSocket-Key: AQIDBA==", base[4]])),
        ("refuse-two-keys-400", request(base + [b"Sec-WebSocket-Key: " + key])),
        ("partial-head", request(base)[:40]),
        ("malformed-header-name", request(base + [b"Bad Name: v"])),
        ("bare-lf", request(base).replace(b"\r\n", b"\n")),
        ("latin1-cookie", request(base + [b"Cookie: a=\xe9"])),
    ]
    for kind, data in requests:
        write("handshake_request", kind, data)

    accept = b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    ok = [b"Upgrade: websocket", b"Connection: Upgrade", b"Sec-WebSocket-Accept: " + accept]

    def response(lines, start=b"HTTP/1.1 101 Switching Protocols", tail=b""):
        return start + b"\r\n" + b"".join(l + b"\r\n" for l in lines) + b"\r\n" + tail

    responses = [
        ("rfc-4.2.2-example", response(ok + [b"Sec-WebSocket-Protocol: chat"])),
        ("no-protocol", response(ok)),
        ("frames-after-head", response(ok, tail=b"\x81\x05Hello")),
        ("case-and-spaces", response([b"upgrade: WEBSOCKET", b"connection: upgrade",
                                      b"sec-websocket-accept:   " + accept + b"  "])),
        ("reject-200", response(ok, start=b"HTTP/1.1 200 OK")),
        ("reject-http10", response(ok, start=b"HTTP/1.0 101 Switching Protocols")),
        ("reject-wrong-accept", response(ok[:2] + [b"Sec-WebSocket-Accept: xxxxPLMBiTxaQ9kYGzzhZRbK+xOo="])),
        ("reject-no-accept", response(ok[:2])),
        ("reject-two-accepts", response(ok + [ok[2]])),
        ("reject-no-upgrade", response(ok[1:])),
        ("reject-protocol-not-offered", response(ok + [b"Sec-WebSocket-Protocol: superchat"])),
        ("reject-extension-not-offered", response(ok + [b"Sec-WebSocket-Extensions: permessage-deflate"])),
        ("partial-head", response(ok)[:50]),
        ("redirect-302", response([b"Location: ws://elsewhere/"], start=b"HTTP/1.1 302 Found")),
    ]
    for kind, data in responses:
        write("handshake_response", kind, data)

    for kind, flags, payload in inflate_seeds():
        for seed in (8, 2):
            write("inflate", f"{kind}.chunk{seed}", bytes([flags, seed]) + payload)

    texts = [
        ("ascii", b"Hello, world"),
        ("multibyte", "κόσμε €𝄞 😀".encode()),
        ("empty", b""),
        ("surrogate-ed-a0-80", b"ab\xed\xa0\x80cd"),
        ("overlong-c0-af", b"\xc0\xaf"),
        ("fail-fast-f4-90", b"\xce\xba\xf4\x90\x80\x80"),
        ("truncated-e2-82", b"x\xe2\x82"),
        ("lone-continuation", b"abc\x80"),
        ("byte-ff", b"\xff"),
        ("max-code-point", b"\xf4\x8f\xbf\xbf"),
        ("bad-after-valid-tail", "€".encode()[:2] + b"A"),
    ]
    for kind, data in texts:
        for seed in (0, 3, 8):
            write("utf8", f"{kind}.chunk{seed}", bytes([seed]) + data)


def deflate(data, final=False):
    """Raw DEFLATE as permessage-deflate sends it: sync-flushed, the 00 00 ff ff tail removed."""
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    if final:
        return c.compress(data) + c.flush(zlib.Z_FINISH)
    out = c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)
    assert out.endswith(b"\x00\x00\xff\xff")
    return out[:-4]


def inflate_seeds():
    """(kind, flags, payload) for the inflate target: flags bit 0 client, bit 1 text."""
    server_text, client_text, server_bin, client_bin = 0b10, 0b11, 0b00, 0b01
    return [
        # RFC 7692 section 7.2.3.1: "Hello" compressed, one frame and in fragments.
        ("rfc7692-hello", server_text, bytes.fromhex("f248cdc9c90700")),
        ("rfc7692-hello", client_text, bytes.fromhex("f248cdc9c90700")),
        # Section 7.2.3.3: "Hello" in a stored (uncompressed) block.
        ("rfc7692-stored-block", server_text, bytes.fromhex("0005 00faff 48656c6c6f 00".replace(" ", ""))),
        # Section 7.2.3.4: a final block (BFINAL): no tail is appended.
        ("rfc7692-bfinal", client_text, bytes.fromhex("f348cdc9c90700")),
        ("empty-message", server_bin, b"\x00"),
        ("text-utf8", server_text, deflate("κόσμε €𝄞 😀 ".encode() * 30)),
        ("binary-random", client_bin, deflate(bytes((i * 37 + 11) % 256 for i in range(3000)))),
        ("binary-final-block", server_bin, deflate(b"abc" * 100, final=True)),
        ("violation-after-final-block-1007", server_bin, deflate(b"abc", final=True) + b"\x00"),
        ("violation-corrupt-1007", client_bin, b"\xff\xff\xff\xff"),
        ("violation-text-utf8-1007", server_text, deflate(b"ok \xed\xa0\x80 bad")),
        ("violation-bomb-1009", server_bin, deflate(b"\x00" * 100_000)),
        ("violation-bomb-text-1009", client_text, deflate(b"a" * 5000)),
    ]


if __name__ == "__main__":
    main()
