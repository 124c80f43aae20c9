#!/usr/bin/env python3
"""Generate corpus/cases/{1..7,9,10,12,13}/*.json: the Autobahn|Testsuite cases of sections 1-7, 9, 10, 12, 13.

Each case reproduces the Autobahn case of the same id: the same octets on the wire, the same
order of steps, the same timers, the same expected events and expected close. The facts were read
from autobahntestsuite 25.10.1 (autobahntestsuite/case/*.py); descriptions are our own words.

Usage:  python3 corpus/tools/gen_autobahn_cases.py [OUT_DIR]   (default: corpus/cases)

The script is deterministic; re-running it on an unchanged script leaves the files unchanged.
It only writes the files of the sections it owns, so hand-written cases elsewhere are safe.
"""

import json
import os
import sys

# ---------------------------------------------------------------------------------------------
# Building blocks of the format (see harness/src/case.rs and corpus/README.md)
# ---------------------------------------------------------------------------------------------


def payload(data):
    """A PAYLOAD: text when it is printable UTF-8 (readable files), hex otherwise."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return {"hex": data.hex()}
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        return {"hex": data.hex()}
    return {"text": text}


def frame(opcode, data=b"", fin=True, rsv=0, payload_len=None, chopsize=None, sync=False):
    f = {"opcode": opcode}
    if not fin:
        f["fin"] = False
    if rsv:
        f["rsv"] = rsv
    if data:
        f["payload"] = payload(data)
    if payload_len is not None:
        f["payload_len"] = payload_len
    if chopsize is not None:
        f["chopsize"] = chopsize
    if sync:
        f["sync"] = True
    return {"frame": f}


def message(data, binary=False, fragment_size=None, payload_len=None):
    m = {}
    if binary:
        m["binary"] = True
    m["payload"] = payload(data)
    if payload_len is not None:
        m["payload_len"] = payload_len
    if fragment_size is not None:
        m["fragment_size"] = fragment_size
    return {"message": m}


def close(code=None, reason=None):
    c = {}
    if code is not None:
        c["code"] = code
    if reason is not None:
        c["reason"] = payload(reason)
    return {"close": c}


def pause(seconds, record=None):
    p = {"seconds": seconds}
    if record is not None:
        p["record"] = record
    return {"pause": p}


def kill_after(seconds):
    return {"kill_after": seconds}


def close_after(seconds):
    return {"close_after": seconds}


def ev_message(data, binary=False, payload_len=None):
    if isinstance(data, str):
        data = data.encode("utf-8")
    m = dict(payload(data)) if not binary else {"hex": data.hex()}
    if binary:
        m["binary"] = True
    if payload_len is not None:
        m["payload_len"] = payload_len
    return {"message": m}


def ev_ping(data=b""):
    return {"ping": payload(data)}


def ev_pong(data=b""):
    return {"pong": payload(data)}


def ev_timeout(tag):
    return {"timeout": tag}


NORMAL, PROTOCOL_ERROR, INVALID_PAYLOAD = 1000, 1002, 1007


def we_close(codes=(NORMAL,), clean=True):
    """The peer echoes; the harness starts the closing handshake."""
    return {"closed_by_me": True, "close_code": list(codes), "require_clean": clean}


def peer_fails(code=PROTOCOL_ERROR, fatal=None):
    """The peer must fail the connection itself."""
    c = {"closed_by_me": False, "close_code": [code], "require_clean": False}
    if fatal is not None:
        c["closed_by_wrong_endpoint_is_fatal"] = fatal
    return c


CASES = []


def case(id_, description, expectation, steps, expected, expected_close, **extra):
    c = {
        "id": id_,
        "description": description,
        "expectation": expectation,
        "steps": steps,
        "expected": expected,
        "expected_close": expected_close,
    }
    c.update(extra)
    CASES.append(c)


# Payloads larger than this are written as a short pattern plus payload_len (same octets on the
# wire, small files). Autobahn itself writes some of them out in full.
INLINE_LIMIT = 256


def sized_frame(opcode, unit, size, chopsize=None):
    if size > INLINE_LIMIT:
        return frame(opcode, unit, payload_len=size, chopsize=chopsize)
    return frame(opcode, unit * size, chopsize=chopsize)


def sized_event(unit, size, binary):
    if size > INLINE_LIMIT:
        return ev_message(unit, binary, payload_len=size)
    return ev_message(unit * size, binary)


# ---------------------------------------------------------------------------------------------
# 1 Framing
# ---------------------------------------------------------------------------------------------

SIZES_1 = [0, 125, 126, 127, 128, 65535, 65536, 65536]
LENGTH_NOTE = {
    0: "an empty payload",
    125: "a payload of 125 octets, the largest that fits the 7-bit length field",
    126: "a payload of 126 octets, the smallest that needs the 16-bit extended length",
    127: "a payload of 127 octets (16-bit extended length)",
    128: "a payload of 128 octets (16-bit extended length)",
    65535: "a payload of 65535 octets, the largest that fits the 16-bit extended length",
    65536: "a payload of 65536 octets, the smallest that needs the 64-bit extended length",
}


def section_1():
    for sub, binary, opcode, unit in [(1, False, 1, b"*"), (2, True, 2, b"\xfe")]:
        kind = "binary" if binary else "text"
        for n, size in enumerate(SIZES_1, start=1):
            chop = 997 if n == 8 else None
            desc = "Send one unfragmented %s message with %s." % (kind, LENGTH_NOTE[size])
            if chop:
                desc += " The frame is written to TCP in pieces of 997 octets."
            exp = "The peer echoes the %s message unchanged; then a clean close with code 1000." % kind
            case(
                "1.%d.%d" % (sub, n),
                desc,
                exp,
                [sized_frame(opcode, unit, size, chop), kill_after(10 if size > 128 else 1)],
                {"OK": [sized_event(unit, size, binary)]},
                we_close(),
            )


# ---------------------------------------------------------------------------------------------
# 2 Pings/Pongs
# ---------------------------------------------------------------------------------------------


def section_2():
    pong_exp = "The peer answers with a pong carrying the same payload; then a clean close with code 1000."
    case("2.1", "Send a ping with an empty payload.",
         "The peer answers with a pong with an empty payload; then a clean close with code 1000.",
         [frame(9), close_after(1)], {"OK": [ev_pong()]}, we_close())
    case("2.2", "Send a ping whose payload is a short text (\"Hello, world!\").", pong_exp,
         [frame(9, b"Hello, world!"), close_after(1)], {"OK": [ev_pong(b"Hello, world!")]}, we_close())
    bin8 = b"\x00\xff\xfe\xfd\xfc\xfb\x00\xff"
    case("2.3", "Send a ping whose payload is 8 octets of binary data that are not UTF-8.", pong_exp,
         [frame(9, bin8), close_after(1)], {"OK": [ev_pong(bin8)]}, we_close())
    case("2.4", "Send a ping with a 125-octet binary payload, the largest a control frame may carry.",
         pong_exp, [frame(9, b"\xfe" * 125), close_after(1)], {"OK": [ev_pong(b"\xfe" * 125)]}, we_close())
    case("2.5", "Send a ping with a 126-octet binary payload, one more than a control frame may carry.",
         "The peer fails the connection at once (1002, protocol error): control frame payloads are limited "
         "to 125 octets. No pong.",
         [frame(9, b"\xfe" * 126), kill_after(1)], {"OK": []}, peer_fails())
    case("2.6", "Send a ping with a 125-octet binary payload, written to TCP one octet at a time.",
         "The peer reassembles the frame however TCP splits it and answers with a pong carrying the same "
         "payload; then a clean close with code 1000.",
         [frame(9, b"\xfe" * 125, chopsize=1), close_after(2)], {"OK": [ev_pong(b"\xfe" * 125)]}, we_close())
    case("2.7", "Send an unsolicited pong with an empty payload, then close with 1000.",
         "The peer ignores the pong (sends nothing back) and completes a clean close with code 1000.",
         [frame(10), close(NORMAL), close_after(1)], {"OK": []}, we_close())
    case("2.8", "Send an unsolicited pong with a text payload, then close with 1000.",
         "The peer ignores the pong (sends nothing back) and completes a clean close with code 1000.",
         [frame(10, b"unsolicited pong payload"), close(NORMAL), close_after(1)], {"OK": []}, we_close())
    case("2.9", "Send an unsolicited pong with a payload, then a ping with a different payload.",
         "No reply to the pong; a pong echoing the ping payload in reply to the ping. Then a clean close "
         "with code 1000.",
         [frame(10, b"unsolicited pong payload"), frame(9, b"ping payload"), close_after(1)],
         {"OK": [ev_pong(b"ping payload")]}, we_close())
    for id_, chop, how in [("2.10", None, ""), ("2.11", 1, " Every frame is written to TCP one octet at a time.")]:
        pings = [("payload-%d" % i).encode() for i in range(10)]
        case(id_, "Send ten pings back to back, with payloads payload-0 to payload-9." + how,
             "Ten pongs, one per ping, in order, each with its ping's payload. The spec allows a peer to answer "
             "only the latest of several pings, so this checks behaviour beyond the spec. Then a clean close "
             "with code 1000.",
             [frame(9, p, chopsize=chop) for p in pings] + [close_after(3)],
             {"OK": [ev_pong(p) for p in pings]}, we_close())


# ---------------------------------------------------------------------------------------------
# 3 Reserved bits
# ---------------------------------------------------------------------------------------------


def section_3():
    hello = b"Hello, world!"
    fail_rsv = ("The peer fails the connection at once (1002, protocol error): RSV bits must be 0 unless an "
                "extension that defines them was negotiated.")
    echo_then_fail = ("The peer echoes the first message, then fails the connection at once (1002) on the frame "
                      "with RSV bits set, so the ping gets no pong. Failing before the echo is NON-STRICT.")
    case("3.1", "Send a short text message with <b>RSV = 1</b>.", fail_rsv,
         [frame(1, hello, rsv=1), kill_after(1)], {"OK": []}, peer_fails())
    variants = [
        ("3.2", 2, {}, ""),
        ("3.3", 3, {"sync": True}, " Each frame is written and flushed on its own."),
        ("3.4", 4, {"chopsize": 1}, " Every frame is written to TCP one octet at a time."),
    ]
    for id_, rsv, opts, how in variants:
        case(id_,
             "Send a short text message, then the same message with <b>RSV = %d</b>, then a ping.%s" % (rsv, how),
             echo_then_fail,
             [frame(1, hello, **opts), frame(1, hello, rsv=rsv, **opts), frame(9, **opts), kill_after(1)],
             {"OK": [ev_message(hello)], "NON-STRICT": []}, peer_fails())
    case("3.5", "Send a short binary message with <b>RSV = 5</b>.", fail_rsv,
         [frame(2, b"\x00\xff\xfe\xfd\xfc\xfb\x00\xff", rsv=5), kill_after(1)], {"OK": []}, peer_fails())
    case("3.6", "Send a frame with <b>RSV = 6</b>. (Autobahn titles this case a ping with RSV = 6, but the frame "
         "it sends is a binary message carrying \"Hello, world!\"; we send the same octets.)", fail_rsv,
         [frame(2, hello, rsv=6), kill_after(1)], {"OK": []}, peer_fails())
    case("3.7", "Send an empty close frame with <b>RSV = 7</b>.", fail_rsv,
         [frame(8, rsv=7), kill_after(1)], {"OK": []}, peer_fails())


# ---------------------------------------------------------------------------------------------
# 4 Opcodes
# ---------------------------------------------------------------------------------------------


def section_4():
    hello = b"Hello, world!"
    for sub, kind, first in [(1, "non-control", 3), (2, "control", 11)]:
        fail = ("The peer fails the connection at once (1002, protocol error): the opcode is reserved and no "
                "extension defines it.")
        case("4.%d.1" % sub, "Send an empty frame with the reserved %s <b>opcode %d</b>." % (kind, first), fail,
             [frame(first), kill_after(1)], {"OK": []}, peer_fails())
        case("4.%d.2" % sub, "Send a frame with the reserved %s <b>opcode %d</b> and a payload." % (kind, first + 1),
             fail, [frame(first + 1, b"reserved opcode payload"), kill_after(1)], {"OK": []}, peer_fails())
        echo_then_fail = ("The peer echoes the text message, then fails the connection at once (1002) on the "
                          "reserved opcode, so the ping gets no pong. Failing before the echo is NON-STRICT.")
        for n, (op, data, chop) in enumerate(
                [(first + 2, b"", None), (first + 3, hello, None), (first + 4, hello, 1)], start=3):
            what = "an empty frame" if not data else "a frame with a payload"
            how = " Every frame is written to TCP one octet at a time." if chop else ""
            case("4.%d.%d" % (sub, n),
                 "Send a short text message, then %s with the reserved %s <b>opcode %d</b>, then a ping.%s"
                 % (what, kind, op, how),
                 echo_then_fail,
                 [frame(1, hello, chopsize=chop), frame(op, data, chopsize=chop), frame(9, chopsize=chop),
                  kill_after(1)],
                 {"OK": [ev_message(hello)], "NON-STRICT": []}, peer_fails())


# ---------------------------------------------------------------------------------------------
# 5 Fragmentation
# ---------------------------------------------------------------------------------------------

CHOP_MODES = [
    ({}, "all written at once"),
    ({"sync": True}, "each frame written and flushed on its own"),
    ({"chopsize": 1}, "written to TCP one octet at a time"),
]


def section_5():
    frag_fail = "The peer fails the connection at once (1002, protocol error): control frames must not be fragmented."
    for n, (op, name) in enumerate([(9, "ping"), (10, "pong")], start=1):
        case("5.%d" % n, "Send a %s split into two fragments (FIN = 0, then a continuation frame)." % name, frag_fail,
             [frame(op, b"fragment1", fin=False), frame(0, b"fragment2"), kill_after(1)], {"OK": []}, peer_fails())
    f1, f2 = b"fragment1", b"fragment2"
    for n, (opts, how) in enumerate(CHOP_MODES, start=3):
        case("5.%d" % n, "Send a text message in two fragments, %s." % how,
             "The peer reassembles the message and echoes \"fragment1fragment2\"; then a clean close with code 1000.",
             [frame(1, f1, fin=False, **opts), frame(0, f2, **opts), close_after(1)],
             {"OK": [ev_message(f1 + f2)]}, we_close())
    for n, (opts, how) in enumerate(CHOP_MODES, start=6):
        case("5.%d" % n, "Send a text message in two fragments with a ping (with payload) between them, %s." % how,
             "The peer answers the ping at once, so the pong arrives first, then the reassembled message is echoed; "
             "then a clean close with code 1000.",
             [frame(1, f1, fin=False, **opts), frame(9, b"ping payload", **opts), frame(0, f2, **opts),
              close_after(1)],
             {"OK": [ev_pong(b"ping payload"), ev_message(f1 + f2)]}, we_close())
    nothing = ("The peer fails the connection at once (1002, protocol error): a continuation frame arrived when no "
               "message was in progress.")
    n = 9
    for fin in [True, False]:
        for opts, how in CHOP_MODES:
            case("5.%d" % n,
                 "Send a continuation frame with FIN = %d while no message is in progress, then a complete text "
                 "message; %s." % (int(fin), how),
                 nothing,
                 [frame(0, b"non-continuation payload", fin=fin, **opts), frame(1, b"Hello, world!", **opts),
                  kill_after(1)],
                 {"OK": []}, peer_fails())
            n += 1
    case("5.15",
         "Send a text message in two fragments, then a continuation frame with FIN = 0 when nothing is left to "
         "continue, then a text frame; all written at once.",
         "The peer echoes the first message (\"fragment1fragment2\"), then fails the connection (1002) on the stray "
         "continuation frame. Failing before the echo is NON-STRICT.",
         [frame(1, b"fragment1", fin=False), frame(0, b"fragment2"), frame(0, b"fragment3", fin=False),
          frame(1, b"fragment4"), kill_after(1)],
         {"OK": [ev_message(b"fragment1fragment2")], "NON-STRICT": []}, peer_fails())
    for n, fin in [(16, False), (17, True)]:
        steps = []
        for _ in range(2):
            steps += [frame(0, b"fragment1", fin=fin), frame(1, b"fragment2", fin=False), frame(0, b"fragment3")]
        case("5.%d" % n,
             "Twice in a row: a continuation frame with FIN = %d while no message is in progress, then a text "
             "message in two fragments." % int(fin),
             nothing, steps + [kill_after(1)], {"OK": []}, peer_fails())
    case("5.18", "Send a text message in two fragments where the second fragment also has the text opcode instead "
         "of the continuation opcode.",
         "The peer fails the connection at once (1002, protocol error): frames after the first of a message must "
         "have opcode 0.",
         [frame(1, b"fragment1", fin=False), frame(1, b"fragment2"), kill_after(1)], {"OK": []}, peer_fails())
    frags = [("fragment%d" % i).encode() for i in range(1, 6)]
    pings = [b"pongme 1!", b"pongme 2!"]
    for n, sync in [(19, False), (20, True)]:
        o = {"sync": True} if sync else {}
        desc = ("Send a text message in five fragments. After two fragments send a ping, wait one second, then send "
                "two more fragments, a second ping and the last fragment. Everything is valid.")
        if sync:
            desc += " Same octets as 5.19, but every frame is written and flushed on its own."
        case("5.%d" % n, desc,
             "The peer answers each ping at once, before the message is complete, with the ping's payload, then "
             "echoes the whole message; then a clean close with code 1000.",
             [frame(1, frags[0], fin=False, **o), frame(0, frags[1], fin=False, **o), frame(9, pings[0], **o),
              pause(1),
              frame(0, frags[2], fin=False, **o), frame(0, frags[3], fin=False, **o), frame(9, pings[1], **o),
              frame(0, frags[4], **o), close_after(1)],
             {"OK": [ev_pong(pings[0]), ev_pong(pings[1]), ev_message(b"".join(frags))]}, we_close())


# ---------------------------------------------------------------------------------------------
# 6 UTF-8 handling
# ---------------------------------------------------------------------------------------------

KOSME = bytes.fromhex("cebae1bdb9cf83cebcceb5")  # "κόσμε", Markus Kuhn's sample word


def utf8_sequences():
    """Sub-sections 6.5 to 6.23: (title, [(valid, octets), ...]) from Markus Kuhn's UTF-8-test.txt,
    in Autobahn's order. The validity flags are the facts recorded by Autobahn."""
    subs = []
    subs.append(("Some valid UTF-8 sequences", [
        (True, b"hello\x24world"), (True, b"hello\xc2\xa2world"), (True, b"hello\xe2\x82\xacworld"),
        (True, b"hello\xf0\xa4\xad\xa2world"), (True, KOSME)]))
    # Every prefix of KOSME: valid exactly when it ends on a code point boundary.
    boundaries = {2, 5, 7, 9, 11}
    subs.append(("All prefixes of a valid UTF-8 string that contains multi-byte code points",
                 [(i in boundaries, KOSME[:i]) for i in range(1, len(KOSME) + 1)]))
    subs.append(("First possible sequence of a certain length",
                 [(True, b"\x00"), (True, b"\xc2\x80"), (True, b"\xe0\xa0\x80"), (True, b"\xf0\x90\x80\x80")]))
    subs.append(("First possible sequence length 5/6 (invalid codepoints)",
                 [(False, b"\xf8\x88\x80\x80\x80"), (False, b"\xfc\x84\x80\x80\x80\x80")]))
    subs.append(("Last possible sequence of a certain length",
                 [(True, b"\x7f"), (True, b"\xdf\xbf"), (True, b"\xef\xbf\xbf"), (True, b"\xf4\x8f\xbf\xbf")]))
    subs.append(("Last possible sequence length 4/5/6 (invalid codepoints)",
                 [(False, b"\xf7\xbf\xbf\xbf"), (False, b"\xfb\xbf\xbf\xbf\xbf"), (False, b"\xfd\xbf\xbf\xbf\xbf\xbf")]))
    subs.append(("Other boundary conditions",
                 [(True, b"\xed\x9f\xbf"), (True, b"\xee\x80\x80"), (True, b"\xef\xbf\xbd"),
                  (True, b"\xf4\x8f\xbf\xbf"), (False, b"\xf4\x90\x80\x80")]))
    subs.append(("Unexpected continuation bytes",
                 [(False, b"\x80"), (False, b"\xbf"), (False, b"\x80\xbf"), (False, b"\x80\xbf\x80"),
                  (False, b"\x80\xbf\x80\xbf"), (False, b"\x80\xbf\x80\xbf\x80"),
                  (False, b"\x80\xbf\x80\xbf\x80\xbf"),
                  (False, bytes(range(0x80, 0xbf)))]))  # 0x80..0xbe: Autobahn's range stops before 0xbf
    lonely = []
    for lo, hi in [(0xc0, 0xdf), (0xe0, 0xef), (0xf0, 0xf7), (0xf8, 0xfb), (0xfc, 0xfd)]:
        # each start byte followed by a space; the upper bound is excluded, as in Autobahn
        lonely.append((False, b"".join(bytes([b, 0x20]) for b in range(lo, hi))))
    subs.append(("Lonely start characters", lonely))
    missing = [b"\xc0", b"\xe0\x80", b"\xf0\x80\x80", b"\xf8\x80\x80\x80", b"\xfc\x80\x80\x80\x80",
               b"\xdf", b"\xef\xbf", b"\xf7\xbf\xbf", b"\xfb\xbf\xbf\xbf", b"\xfd\xbf\xbf\xbf\xbf"]
    subs.append(("Sequences with last continuation byte missing", [(False, m) for m in missing]))
    subs.append(("Concatenation of incomplete sequences", [(False, b"".join(missing))]))
    subs.append(("Impossible bytes", [(False, b"\xfe"), (False, b"\xff"), (False, b"\xfe\xfe\xff\xff")]))
    subs.append(("Examples of an overlong ASCII character",
                 [(False, b"\xc0\xaf"), (False, b"\xe0\x80\xaf"), (False, b"\xf0\x80\x80\xaf"),
                  (False, b"\xf8\x80\x80\x80\xaf"), (False, b"\xfc\x80\x80\x80\x80\xaf")]))
    subs.append(("Maximum overlong sequences",
                 [(False, b"\xc1\xbf"), (False, b"\xe0\x9f\xbf"), (False, b"\xf0\x8f\xbf\xbf"),
                  (False, b"\xf8\x87\xbf\xbf\xbf"), (False, b"\xfc\x83\xbf\xbf\xbf\xbf")]))
    subs.append(("Overlong representation of the NUL character",
                 [(False, b"\xc0\x80"), (False, b"\xe0\x80\x80"), (False, b"\xf0\x80\x80\x80"),
                  (False, b"\xf8\x80\x80\x80\x80"), (False, b"\xfc\x80\x80\x80\x80\x80")]))
    subs.append(("Single UTF-16 surrogates",
                 [(False, bytes.fromhex(h)) for h in
                  ["eda080", "edadbf", "edae80", "edafbf", "edb080", "edbe80", "edbfbf"]]))
    subs.append(("Paired UTF-16 surrogates",
                 [(False, bytes.fromhex(h)) for h in
                  ["eda080edb080", "eda080edbfbf", "edadbfedb080", "edadbfedbfbf",
                   "edae80edb080", "edae80edbfbf", "edafbfedb080", "edafbfedbfbf"]]))
    nonchars = [b"\xef\xbf\xbe", b"\xef\xbf\xbf"]
    for z1 in [0xf0, 0xf1, 0xf2, 0xf3, 0xf4]:
        for z2 in [0x8f, 0x9f, 0xaf, 0xbf]:
            if z1 == 0xf4 and z2 != 0x8f:
                continue  # above U+10FFFF
            for z3 in [0xbe, 0xbf]:
                seq = bytes([z1, z2, 0xbf, z3])
                if seq in (b"\xf0\x8f\xbf\xbe", b"\xf0\x8f\xbf\xbf"):
                    continue  # overlong forms
                nonchars.append(seq)
    subs.append(("Non-character code points (valid UTF-8)", [(True, s) for s in nonchars]))
    subs.append(("Unicode specials (i.e. replacement char)",
                 [(True, bytes.fromhex(h)) for h in
                  ["efbfb9", "efbfba", "efbfbb", "efbfbc", "efbfbd", "efbfbe", "efbfbf"]]))
    return subs


def check_validity_flags(subs):
    """Cross-check the recorded flags against a strict UTF-8 decoder (Python's follows RFC 3629)."""
    for title, seqs in subs:
        for valid, octets in seqs:
            try:
                octets.decode("utf-8")
                ok = True
            except UnicodeDecodeError:
                ok = False
            assert ok == valid, (title, octets.hex(), valid)


def section_6():
    case("6.1.1", "Send a text message with an empty payload.",
         "The peer echoes an empty text message; then a clean close with code 1000.",
         [frame(1), close_after(1)], {"OK": [ev_message(b"")]}, we_close())
    case("6.1.2", "Send a text message in three fragments, each with an empty payload.",
         "The peer echoes one empty text message; then a clean close with code 1000.",
         [frame(1, fin=False), frame(0, fin=False), frame(0), close_after(1)],
         {"OK": [ev_message(b"")]}, we_close())
    mid = b"middle frame payload"
    case("6.1.3", "Send a text message in three fragments: empty, non-empty, empty.",
         "The peer echoes a text message holding the middle fragment's payload; then a clean close with code 1000.",
         [frame(1, fin=False), frame(0, mid, fin=False), frame(0), close_after(1)],
         {"OK": [ev_message(mid)]}, we_close())

    hello = "Hello-µ@ßöäüàá-UTF-8!!".encode("utf-8")
    p1, p2 = "Hello-µ@ßöä".encode("utf-8"), "üàá-UTF-8!!".encode("utf-8")
    echo = "The peer echoes the text message unchanged; then a clean close with code 1000."
    case("6.2.1", "Send a valid UTF-8 text message in one frame.<br><br>MESSAGE:<br>%s<br>%s"
         % (hello.decode(), hello.hex()), echo,
         [message(hello), close_after(1)], {"OK": [ev_message(hello)]}, we_close())
    case("6.2.2", "Send a valid UTF-8 text message in two fragments, split on a code point boundary."
         "<br><br>FRAGMENT 1:<br>%s<br>%s<br><br>FRAGMENT 2:<br>%s<br>%s"
         % (p1.decode(), p1.hex(), p2.decode(), p2.hex()), echo,
         [frame(1, p1, fin=False), frame(0, p2), close_after(1)], {"OK": [ev_message(p1 + p2)]}, we_close())
    for id_, data in [("6.2.3", hello), ("6.2.4", KOSME)]:
        case(id_, "Send a valid UTF-8 text message in fragments of one octet, so most fragments end in the middle "
             "of a code point.<br><br>MESSAGE:<br>%s<br>%s" % (data.decode(), data.hex()), echo,
             [message(data, fragment_size=1), close_after(1)], {"OK": [ev_message(data)]}, we_close())

    bad = KOSME + b"\xed\xa0\x80" + b"edited"  # a UTF-16 surrogate (U+D800) encoded in UTF-8
    utf8_fail = ("The peer fails the connection (1007, invalid payload): the text is not valid UTF-8. If the harness "
                 "has to close instead, the peer never noticed, which fails the case.")
    case("6.3.1", "Send an invalid UTF-8 text message in one frame (it contains an encoded UTF-16 surrogate)."
         "<br><br>MESSAGE:<br>%s" % bad.hex(), utf8_fail,
         [message(bad), kill_after(1)], {"OK": []}, peer_fails(INVALID_PAYLOAD, fatal=True))
    case("6.3.2", "Send the invalid UTF-8 text message of 6.3.1 in fragments of one octet."
         "<br><br>MESSAGE:<br>%s" % bad.hex(), utf8_fail,
         [message(bad, fragment_size=1), kill_after(1)], {"OK": []}, peer_fails(INVALID_PAYLOAD, fatal=True))

    # 6.4.x: fail fast. The invalid part is F4 90 80 80, which would encode U+110000.
    part1, part2, part3 = KOSME, b"\xf4\x90\x80\x80", b"edited"
    whole = part1 + part2 + part3
    splits = {"whole parts": (part1, part2, part3), "at the bad octet": (whole[:12], whole[12:13], whole[13:])}
    fast_exp = ("The first part is accepted, so the first wait ends with the connection open. The peer should fail "
                "the connection (1007) as soon as the second part makes the text invalid (fail fast). NON-STRICT if "
                "it fails only after the third part; FAILED if it does not fail at all.")
    expected_fast = {"OK": [ev_timeout("A")], "NON-STRICT": [ev_timeout("A"), ev_timeout("B")]}
    for id_, key, chopped in [("6.4.1", "whole parts", False), ("6.4.2", "at the bad octet", False),
                              ("6.4.3", "whole parts", True), ("6.4.4", "at the bad octet", True)]:
        a, b, c = splits[key]
        if key == "whole parts":
            what = ("a valid part, then the 4 octets F4 90 80 80 (they follow the UTF-8 bit pattern but would encode "
                    "U+110000, beyond Unicode), then a valid rest")
        else:
            what = "the text of 6.4.1, split right after the octet (0x90) that makes it invalid"
        if not chopped:
            desc = ("Send an invalid UTF-8 text message in three frames, waiting one second after the first and after "
                    "the second: %s." % what)
            steps = [frame(1, a, fin=False), pause(1, "A"), frame(0, b, fin=False), pause(1, "B"), frame(0, c),
                     kill_after(1)]
        else:
            desc = ("Like %s, but the three parts are pieces of a single frame (header written first, FIN = 0), with "
                    "the one-second waits in the middle of the frame; an empty final continuation frame ends the "
                    "message: %s." % ("6.4.1" if key == "whole parts" else "6.4.2", what))
            steps = [{"frame_header": {"opcode": 1, "fin": False, "length": len(whole)}},
                     {"frame_data": {"payload": payload(a)}}, pause(1, "A"),
                     {"frame_data": {"payload": payload(b)}}, pause(1, "B"),
                     {"frame_data": {"payload": payload(c)}}, frame(0), kill_after(1)]
        desc += "<br><br>PART 1: %s<br>PART 2: %s<br>PART 3: %s" % (a.hex(), b.hex(), c.hex())
        case(id_, desc, fast_exp, steps, expected_fast, peer_fails(INVALID_PAYLOAD, fatal=True))

    subs = utf8_sequences()
    check_validity_flags(subs)
    for i, (title, seqs) in enumerate(subs, start=5):
        for j, (valid, octets) in enumerate(seqs, start=1):
            if valid:
                desc = "Send a text message in one frame whose payload is valid UTF-8 (%s)." % title
                exp = "The peer echoes the text message unchanged; then a clean close with code 1000."
                expected, closing = {"OK": [ev_message(octets)]}, we_close()
            else:
                desc = "Send a text message in one frame whose payload is not valid UTF-8 (%s)." % title
                exp = utf8_fail
                expected, closing = {"OK": []}, peer_fails(INVALID_PAYLOAD, fatal=True)
            desc += "<br><br>Payload: 0x%s" % octets.hex()
            case("6.%d.%d" % (i, j), desc, exp, [{"message": {"payload": {"hex": octets.hex()}}}, kill_after(0.5)],
                 expected, closing)


# ---------------------------------------------------------------------------------------------
# 7 Close handling
# ---------------------------------------------------------------------------------------------


def section_7():
    hello = b"Hello World!"
    cc = {"wrong_code_fails_behavior": True}
    sc = {"suppress_close": True, "wrong_code_fails_behavior": True}
    case("7.1.1", "Send a text message, and once it is echoed, close with 1000.",
         "The peer echoes the message, then completes a clean close with code 1000.",
         [frame(1, hello), kill_after(1)], {"OK": [ev_message(hello)]}, we_close(), **cc)
    case("7.1.2", "Send a close with 1000, then a second (empty) close frame.",
         "A clean close with code 1000; the peer ignores the second close frame.",
         [close(NORMAL), frame(8), kill_after(1)], {"OK": []}, we_close(), **sc)
    case("7.1.3", "Send a close with 1000, then a ping.",
         "A clean close with code 1000; the peer does not answer the ping sent after the close.",
         [close(NORMAL), frame(9), kill_after(1)], {"OK": []}, we_close(), **sc)
    case("7.1.4", "Send a close with 1000, then a text message.",
         "A clean close with code 1000; the peer ignores the text message sent after the close.",
         [close(NORMAL), frame(1, hello), kill_after(1)], {"OK": []}, we_close(), **sc)
    case("7.1.5", "Send the first fragment of a text message, then a close with 1000, then the last fragment.",
         "A clean close with code 1000; the incomplete message is not echoed.",
         [frame(1, b"fragment1", fin=False), close(NORMAL), frame(0, b"fragment2"), kill_after(1)],
         {"OK": []}, we_close(), **sc)
    case("7.1.6", "Send a 256 KiB text message, a short text message, a close with 1000 and a ping, back to back.",
         "The outcome depends on how the peer orders its work, so the case is informational: a peer that handles "
         "messages in order echoes them before closing; one that handles the close first (as asynchronous designs "
         "may) drops or cuts the messages. Either way the ping gets no pong.",
         [frame(1, b"BAsd7&jh23", payload_len=256 * 1024), frame(1, hello), close(NORMAL), frame(9), kill_after(1)],
         {"OK": [ev_message(hello)], "NON-STRICT": []}, we_close(), suppress_close=True,
         forced_verdict="INFORMATIONAL")

    case("7.3.1", "Send a close frame with an empty payload (no code, no reason).",
         "A clean close; the peer replies with an empty close or with 1000.",
         [close(), kill_after(1)], {"OK": []}, we_close(), **sc)
    case("7.3.2", "Send a close frame whose payload is a single octet (\"a\"): too short to hold a close code.",
         "The peer answers with a close with 1002 (protocol error) or drops the TCP connection.",
         [close(reason=b"a"), kill_after(1)], {"OK": []}, we_close([PROTOCOL_ERROR], clean=False), **sc)
    case("7.3.3", "Send a close frame with payload length 2: the code 1000 and no reason.",
         "A clean close with code 1000.", [close(NORMAL), kill_after(1)], {"OK": []}, we_close(), **sc)
    case("7.3.4", "Send a close with the code 1000 and a short reason (\"Hello World!\").",
         "A clean close with code 1000.", [close(NORMAL, hello), kill_after(1)], {"OK": []}, we_close(), **sc)
    case("7.3.5", "Send a close with the code 1000 and a 123-octet reason: the largest close payload allowed (125).",
         "A clean close with code 1000.", [close(NORMAL, b"*" * 123), kill_after(1)], {"OK": []}, we_close(), **sc)
    case("7.3.6", "Send a close with the code 1000 and a 124-octet reason: a 126-octet control frame payload, one "
         "too many.",
         "The peer answers with a close with 1002 (protocol error) or drops the TCP connection.",
         [close(NORMAL, b"*" * 124), kill_after(1)], {"OK": []}, we_close([PROTOCOL_ERROR], clean=False), **sc)
    bad = KOSME + b"\xed\xa0\x80" + b"edited"
    case("7.5.1", "Send a close with the code 1000 and a reason that is not valid UTF-8 (it contains an encoded "
         "UTF-16 surrogate).<br><br>Reason: 0x%s" % bad.hex(),
         "The peer answers with a close with 1002 (protocol error) or 1007 (invalid payload), or drops the TCP "
         "connection.",
         [close(NORMAL, bad), kill_after(1)], {"OK": []},
         we_close([PROTOCOL_ERROR, INVALID_PAYLOAD], clean=False), **sc)

    for n, code in enumerate([1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999], 1):
        case("7.7.%d" % n, "Send a close with the valid close code %d." % code,
             "A clean close; the peer replies with 1000 or echoes %d." % code,
             [close(code), kill_after(1)], {"OK": []}, we_close([NORMAL, code]), **cc)
    for n, code in enumerate([0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999], 1):
        case("7.9.%d" % n, "Send a close with the close code %d, which may not be sent on the wire." % code,
             "The peer answers with a close with 1002 (protocol error) or drops the TCP connection.",
             [close(code), kill_after(1)], {"OK": []}, we_close([PROTOCOL_ERROR], clean=False), **cc)
    for n, code in enumerate([5000, 65535], 1):
        case("7.13.%d" % n, "Send a close with the close code %d, outside every range RFC 6455 defines." % code,
             "The spec does not say what the peer does, so the case is informational.",
             [close(code), kill_after(1)], {"OK": []}, we_close([NORMAL, code, PROTOCOL_ERROR], clean=False),
             suppress_close=True, forced_verdict="INFORMATIONAL")


# ---------------------------------------------------------------------------------------------
# 9 Limits/Performance
# ---------------------------------------------------------------------------------------------

KIB, MIB = 1024, 1024 * 1024


def size_name(n):
    return "%d MiB" % (n // MIB) if n >= MIB else "%d KiB" % (n // KIB)


def perf_case(id_, desc, send, binary, length, timeout, count=1):
    kind = "binary" if binary else "text"
    exp = ("The peer echoes the %s message%s; only the type and length decide the verdict in Autobahn, and we also "
           "compare the content. Timed." % (kind, "s one by one" if count > 1 else ""))
    case(id_, desc, exp, [], {}, we_close(),
         echo_check={"send": send, "count": count, "binary": binary, "length": length, "timeout": timeout},
         report_time=True, wirelog=False)


def section_9():
    for sub, binary, opcode, unit, times in [
            (1, False, 1, b"BAsd7&jh23", [10, 10, 100, 100, 100, 100]),
            (2, True, 2, b"\x00\xfe\x23\xfa\xf0", [10, 10, 10, 10, 100, 100])]:
        kind = "binary" if binary else "text"
        for n, size in enumerate([64 * KIB, 256 * KIB, MIB, 4 * MIB, 8 * MIB, 16 * MIB], 1):
            perf_case("9.%d.%d" % (sub, n), "Send one %s message of %s in a single frame." % (kind, size_name(size)),
                      frame(opcode, unit, payload_len=size), binary, size, times[n - 1])
    for sub, binary in [(3, False), (4, True)]:
        kind = "binary" if binary else "text"
        for n, frag in enumerate([64, 256, KIB, 4 * KIB, 16 * KIB, 64 * KIB, 256 * KIB, MIB, 4 * MIB], 1):
            unit = b"\xfe" if (binary and n == 1) else b"*"
            fname = "%d octets" % frag if frag < KIB else size_name(frag)
            perf_case("9.%d.%d" % (sub, n), "Send one %s message of 4 MiB in fragments of %s." % (kind, fname),
                      message(unit, binary=binary, payload_len=4 * MIB, fragment_size=frag), binary, 4 * MIB, 100)
    for sub, binary, opcode, unit in [(5, False, 1, b"BAsd7&jh23"), (6, True, 2, b"\x00\xfe\x23\xfa\xf0")]:
        kind = "binary" if binary else "text"
        for n, chop in enumerate([64, 128, 256, 512, 1024, 2048], 1):
            perf_case("9.%d.%d" % (sub, n),
                      "Send one %s message of 1 MiB in a single frame, written to TCP in pieces of %d octets."
                      % (kind, chop),
                      frame(opcode, unit, payload_len=MIB, chopsize=chop), binary, MIB, 1000)
    for sub, binary, opcode, unit in [(7, False, 1, b"*"), (8, True, 2, b"\xfe")]:
        kind = "binary" if binary else "text"
        for n, (size, timeout) in enumerate([(0, 60), (16, 60), (64, 60), (256, 120), (1024, 240), (4096, 480)], 1):
            perf_case("9.%d.%d" % (sub, n),
                      "Send 1000 %s messages of %d octets one after the other, each after the previous echo, to "
                      "measure the round-trip time. Fails after %d seconds." % (kind, size, timeout),
                      frame(opcode, unit, payload_len=size), binary, size, timeout, count=1000)


# ---------------------------------------------------------------------------------------------
# 10 Misc
# ---------------------------------------------------------------------------------------------


def section_10():
    case("10.1.1", "Send a 64 KiB text message that the harness splits into frames of <b>1300 octets</b> "
         "(Autobahn's autoFragmentSize): one text frame and 50 continuation frames.",
         "The peer echoes the text message unchanged; then a clean close with code 1000. The harness also checks "
         "that it sent 1 text frame and 50 continuation frames.",
         [message(b"*", payload_len=64 * KIB, fragment_size=1300), kill_after(10)],
         {"OK": [ev_message(b"*", payload_len=64 * KIB)]}, we_close(),
         expect_tx_frames={"0": 50, "1": 1})


# ---------------------------------------------------------------------------------------------
# 12, 13 Compression (permessage-deflate)
# ---------------------------------------------------------------------------------------------

# (message length, message count, case timeout in seconds, auto-fragment size): the 18 variants
# of every 12.x and 13.x sub-category, in Autobahn's order (case12_x_x.MSG_SIZES).
DEFLATE_VARIANTS = [
    (16, 1000, 60, 0), (64, 1000, 60, 0), (256, 1000, 120, 0), (1024, 1000, 240, 0),
    (4096, 1000, 480, 0), (8192, 1000, 480, 0), (16384, 1000, 480, 0), (32768, 1000, 480, 0),
    (65536, 1000, 480, 0), (131072, 1000, 480, 0),
    (8192, 1000, 480, 256), (16384, 1000, 480, 256), (32768, 1000, 480, 256), (65536, 1000, 480, 256),
    (131072, 1000, 480, 256), (131072, 1000, 480, 1024), (131072, 1000, 480, 4096), (131072, 1000, 480, 32768),
]

# Our generated stand-ins for Autobahn's five data files, in its order (12.1 to 12.5), each as
# long as the file it stands for: (kind, size, sent as binary, what it is).
DATASETS = [
    ("json", 194056, False, "generated JSON data"),
    ("bitmap", 263222, True, "a generated 512x512 grayscale bitmap"),
    ("text", 222218, True, "generated German-like prose (UTF-8, sent as binary)"),
    ("html", 263647, False, "a generated HTML page"),
    ("pdf", 1042328, True, "a generated PDF-like document"),
]


def offer(no_context_takeover=False, max_window_bits=0):
    """A client offer as autobahn's PerMessageDeflateOffer(requestNoContextTakeover, requestMaxWindowBits)."""
    o = {}
    if no_context_takeover:
        o["request_no_context_takeover"] = True
    if max_window_bits:
        o["request_max_window_bits"] = max_window_bits
    return o


def accept(no_context_takeover=False, max_window_bits=0):
    """A server accept rule as in case13_x_x.acceptN (requestNoContextTakeover, requestMaxWindowBits)."""
    return offer(no_context_takeover, max_window_bits)


# 13.1 to 13.7: (client offers, server accept rules), as case13_x_x.DEFLATE_PARAMS; the first is
# also what every 12.x case uses.
DEFLATE_PARAMS = [
    ([offer()], [accept()]),
    ([offer(True)], [accept(True)]),
    ([offer(False, 9)], [accept(False, 9)]),
    ([offer(False, 15)], [accept(False, 15)]),
    ([offer(True, 9)], [accept(True, 9)]),
    ([offer(True, 15)], [accept(True, 15)]),
    ([offer(True, 9), offer(True), offer()], [accept(True, 9), accept(True), accept()]),
]


def params_text(items):
    return ", ".join("(%s, %d)" % (bool(o.get("request_no_context_takeover")), o.get("request_max_window_bits", 0))
                     for o in items)


def deflate_case(id_, kind, size, binary, what, offers, accepts, variant, params_desc):
    length, count, timeout, frag = variant
    frag_text = "not fragmented" if frag == 0 else "each compressed message split into frames of %d octets" % frag
    desc = ("Send %d messages of %d octets one after the other, each after the previous echo, cut in turn from %s "
            "and compressed with permessage-deflate (%s); %s." % (count, length, what, params_desc, frag_text))
    exp = ("The peer echoes every message unchanged (each echo is checked by its SHA-1); fails if not done within "
           "%d seconds; UNIMPLEMENTED if the peer declines permessage-deflate. Then a clean close with code 1000."
           % timeout)
    send = {"binary": True} if binary else {}
    if frag:
        send["fragment_size"] = frag
    case(id_, desc, exp, [], {}, we_close(),
         echo_check={"send": {"message": send}, "count": count, "binary": binary, "length": length,
                     "timeout": timeout, "dataset": {"kind": kind, "size": size, "seed": 1}},
         report_time=True, wirelog=False, deflate={"offers": offers, "accept": accepts})


def section_12():
    offers, accepts = DEFLATE_PARAMS[0]
    for sub, (kind, size, binary, what) in enumerate(DATASETS, 1):
        for n, variant in enumerate(DEFLATE_VARIANTS, 1):
            deflate_case("12.%d.%d" % (sub, n), kind, size, binary, what, offers, accepts, variant,
                         "the default offer")


def section_13():
    kind, size, binary, what = DATASETS[0]
    for sub, (offers, accepts) in enumerate(DEFLATE_PARAMS, 1):
        desc = ("client offers (no context takeover, max window bits) %s; server accepts the first of %s that fits"
                % (params_text(offers), params_text(accepts)))
        for n, variant in enumerate(DEFLATE_VARIANTS, 1):
            deflate_case("13.%d.%d" % (sub, n), kind, size, binary, what, offers, accepts, variant, desc)


def compact(value):
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def render(c):
    """One key per line; one step or event per line: readable and diff-friendly."""
    lines = ["{"]
    items = list(c.items())
    for n, (key, value) in enumerate(items):
        comma = "," if n + 1 < len(items) else ""
        if key == "steps" and value:
            lines.append('  "steps": [')
            lines += ["    %s%s" % (compact(s), "," if i + 1 < len(value) else "") for i, s in enumerate(value)]
            lines.append("  ]" + comma)
        elif key == "expected" and value:
            lines.append('  "expected": {')
            verdicts = list(value.items())
            for i, (verdict, events) in enumerate(verdicts):
                vcomma = "," if i + 1 < len(verdicts) else ""
                if not events:
                    lines.append('    "%s": []%s' % (verdict, vcomma))
                    continue
                lines.append('    "%s": [' % verdict)
                lines += ["      %s%s" % (compact(e), "," if k + 1 < len(events) else "") for k, e in enumerate(events)]
                lines.append("    ]" + vcomma)
            lines.append("  }" + comma)
        else:
            lines.append("  %s: %s%s" % (compact(key), compact(value), comma))
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "cases")
    for build in [section_1, section_2, section_3, section_4, section_5, section_6, section_7, section_9, section_10,
                  section_12, section_13]:
        build()
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for c in CASES:
        folder = os.path.join(out, c["id"].split(".")[0])
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, c["id"] + ".json"), "w", encoding="utf-8") as f:
            f.write(render(c))
    print("wrote %d cases to %s" % (len(CASES), os.path.normpath(out)))


if __name__ == "__main__":
    main()
