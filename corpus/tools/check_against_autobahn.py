#!/usr/bin/env python3
"""Cross-check corpus/cases against Autobahn|Testsuite's own case classes.

Autobahn's cases are Python 2 classes that call methods on a protocol object. This script loads
them under Python 3 with a recording stand-in for that object, plays `onOpen` and every
`continueLater` callback (as if the connection stayed open), and compares what they would send,
their timers, `expected`, `expectedClose`, `suppressClose` and the verdict overrides with our JSON
files, octet for octet. It needs the unpacked autobahntestsuite source:

    pip download --no-deps autobahntestsuite==25.10.1 && tar xzf autobahntestsuite-25.10.1.tar.gz
    python3 corpus/tools/check_against_autobahn.py autobahntestsuite-25.10.1/autobahntestsuite/case

It prints one line per mismatch and exits 1 if there is any. Nothing from Autobahn is copied into
the repository; the source is only executed for comparison.
"""

import atexit
import glob
import importlib
import inspect
import json
import os
import re
import shutil
import sys
import tempfile
import types

HERE = os.path.dirname(os.path.abspath(__file__))
CASES_DIR = os.path.join(HERE, "..", "cases")


def b(s):
    """Python 2 byte strings arrive here as latin-1 code points (see load_sources)."""
    if s is None:
        return None
    if isinstance(s, bytes):
        return s
    return s.encode("latin-1")


# --- stand-ins for the autobahn library ------------------------------------------------------


class WebSocketProtocol:
    STATE_CLOSED, STATE_CONNECTING, STATE_CLOSING, STATE_OPEN = 0, 1, 2, 3


class Utf8Validator:
    """Same answer as autobahn's validator for (valid so far, ends on a code point)."""

    def reset(self):
        pass

    def validate(self, s):
        import codecs
        data = b(s)
        dec = codecs.getincrementaldecoder("utf-8")()
        try:
            dec.decode(data, final=False)
        except UnicodeDecodeError:
            return (False, False, 0, 0)
        try:
            data.decode("utf-8")
            return (True, True, len(data), len(data))
        except UnicodeDecodeError:
            return (True, False, len(data), len(data))


def install_stubs():
    ab = types.ModuleType("autobahn")
    ws = types.ModuleType("autobahn.websocket")
    proto = types.ModuleType("autobahn.websocket.protocol")
    utf8 = types.ModuleType("autobahn.websocket.utf8validator")
    proto.WebSocketProtocol = WebSocketProtocol
    utf8.Utf8Validator = Utf8Validator
    sys.modules.update({"autobahn": ab, "autobahn.websocket": ws, "autobahn.websocket.protocol": proto,
                        "autobahn.websocket.utf8validator": utf8})


class PerMessageDeflateOffer:
    """autobahn's offer: only the four parameters the cases set (defaults as in 0.10.9)."""

    def __init__(self, acceptNoContextTakeover=True, acceptMaxWindowBits=True, requestNoContextTakeover=False,
                 requestMaxWindowBits=0):
        self.acceptNoContextTakeover = acceptNoContextTakeover
        self.acceptMaxWindowBits = acceptMaxWindowBits
        self.requestNoContextTakeover = requestNoContextTakeover
        self.requestMaxWindowBits = requestMaxWindowBits


class PerMessageDeflateOfferAccept:
    def __init__(self, offer, requestNoContextTakeover=False, requestMaxWindowBits=0):
        self.offer = offer
        self.requestNoContextTakeover = requestNoContextTakeover
        self.requestMaxWindowBits = requestMaxWindowBits


def install_deflate_stubs(package_dir):
    """What case12_x_x imports: the deflate offer/accept classes and pkg_resources (for the
    sizes of its data files)."""
    comp = types.ModuleType("autobahn.websocket.compress")
    comp.PerMessageDeflateOffer = PerMessageDeflateOffer
    comp.PerMessageDeflateOfferAccept = PerMessageDeflateOfferAccept
    comp.PerMessageDeflateResponse = type("PerMessageDeflateResponse", (), {})
    comp.PerMessageDeflateResponseAccept = type("PerMessageDeflateResponseAccept", (), {})
    comp.__all__ = list(vars(comp))
    pr = types.ModuleType("pkg_resources")
    pr.resource_filename = lambda package, rel: os.path.join(package_dir, rel)
    sys.modules.update({"autobahn.websocket.compress": comp, "pkg_resources": pr})


class Factory:
    isServer = False


class Recorder:
    """Records what a case asks the protocol to do, in our normalized vocabulary."""

    CLOSE_STATUS_CODE_NORMAL = 1000
    CLOSE_STATUS_CODE_PROTOCOL_ERROR = 1002
    CLOSE_STATUS_CODE_INVALID_PAYLOAD = 1007

    def __init__(self):
        self.ops = []
        self.later = []
        self.state = WebSocketProtocol.STATE_OPEN
        self.factory = Factory()
        self.autoFragmentSize = 0
        self.createWirelog = True
        self._msg_opcode = None

    def sendFrame(self, opcode, payload=b"", fin=True, rsv=0, mask=None, payload_len=None, chopsize=None,
                  sync=False):
        data = b(payload)
        if payload_len is not None:
            data = (data * (payload_len // len(data) + 1))[:payload_len]
        self.ops.append(("frame", opcode, fin, rsv, data, chopsize, sync))

    def sendMessage(self, payload, isBinary=False, fragmentSize=None, sync=False, doNotCompress=False):
        frag = fragmentSize if fragmentSize is not None else (self.autoFragmentSize or None)
        self.ops.append(("message", isBinary, b(payload), frag, sync))

    def sendCloseFrame(self, code=None, reasonUtf8=None, isReply=False):
        data = b""
        if code is not None:
            data += code.to_bytes(2, "big")
        if reasonUtf8 is not None:
            data += b(reasonUtf8)
        self.ops.append(("close", data))

    def sendClose(self, code=None, reason=None):
        self.sendCloseFrame(code, None if reason is None else reason.encode("utf-8"))

    def killAfter(self, t):
        self.ops.append(("kill_after", float(t)))

    def closeAfter(self, t):
        self.ops.append(("close_after", float(t)))

    def continueLater(self, t, fun, tag=None):
        self.ops.append(("pause", float(t), tag))
        self.later.append(fun)

    def beginMessage(self, isBinary=False, doNotCompress=False):
        self._msg_opcode = 2 if isBinary else 1

    def beginMessageFrame(self, length):
        self.ops.append(("frame_header", self._msg_opcode, False, 0, length))
        self._msg_opcode = 0

    def sendMessageFrameData(self, payload, sync=False):
        self.ops.append(("frame_data", b(payload), sync))

    def endMessage(self):
        self.ops.append(("frame", 0, True, 0, b"", None, False))

    def enableWirelog(self, on):
        self.createWirelog = on


def load_sources(src):
    """Copy Autobahn's case modules to a temp dir, made importable by Python 3: byte strings
    become latin-1 text (so every octet survives), print statements and xrange are patched."""
    tmp = tempfile.mkdtemp(prefix="abcases-")
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    for path in glob.glob(os.path.join(src, "case*.py")):
        if "case9_9_1" in path:
            continue
        with open(path, encoding="latin-1") as f:
            text = f.read()
        text = re.sub(r"^(\s*)print\b.*$", r"\1pass", text, flags=re.M)
        text = re.sub(r"\(object,\s*Case,?\s*\)", "(Case,)", text)  # old-style classes in Python 2
        text = text.replace("xrange", "range").replace("binascii.b2a_hex(", "_hex(")
        text = re.sub(r"#\s*coding=utf-8", "", text)
        text = "from _shim import _hex\n" + text
        with open(os.path.join(tmp, os.path.basename(path)), "w", encoding="utf-8") as f:
            f.write(text)
    with open(os.path.join(tmp, "_shim.py"), "w") as f:
        f.write("def _hex(s):\n    return (s if isinstance(s, bytes) else s.encode('latin-1')).hex()\n")
    sys.path.insert(0, tmp)
    install_stubs()
    install_deflate_stubs(os.path.join(src, ".."))


def autobahn_classes():
    classes = {}
    for name in sorted(os.listdir(sys.path[0])):
        if not name.startswith("case") or name == "case.py" or not name.endswith(".py"):
            continue
        mod = importlib.import_module(name[:-3])
        for attr, val in vars(mod).items():
            if isinstance(val, list) and attr.startswith("Case") and attr.endswith("_X"):
                for c in val:
                    classes[c.__name__] = c
            elif isinstance(val, type) and attr.startswith("Case") and attr[4:5].isdigit():
                classes[attr] = val
    return {".".join(n[4:].split("_")): c for n, c in classes.items()}


def play(cls):
    p = Recorder()
    c = cls(p)
    c.onOpen()
    while p.later:
        p.later.pop(0)()
    return c, p


# --- our files, normalized to the same vocabulary ---------------------------------------------


def pb(p):
    if p is None:
        return b""
    return p["text"].encode("utf-8") if "text" in p else bytes.fromhex(p["hex"])


def expand(p, n):
    data = pb(p)
    if n is None:
        return data
    return (data * (n // max(len(data), 1) + 1))[:n]


def our_ops(step):
    (kind, v), = step.items()
    if kind == "frame":
        return ("frame", v["opcode"], v.get("fin", True), v.get("rsv", 0), expand(v.get("payload"), v.get("payload_len")),
                v.get("chopsize"), v.get("sync", False))
    if kind == "message":
        return ("message", v.get("binary", False), expand(v.get("payload"), v.get("payload_len")),
                v.get("fragment_size"), v.get("sync", False))
    if kind == "close":
        data = b"" if v.get("code") is None else v["code"].to_bytes(2, "big")
        return ("close", data + pb(v.get("reason")))
    if kind in ("kill_after", "close_after"):
        return (kind, float(v))
    if kind == "pause":
        return ("pause", float(v["seconds"]), v.get("record"))
    if kind == "frame_header":
        return ("frame_header", v["opcode"], v.get("fin", True), v.get("rsv", 0), v["length"])
    if kind == "frame_data":
        return ("frame_data", pb(v["payload"]), v.get("sync", False))
    raise ValueError(kind)


def our_event(e):
    (kind, v), = e.items()
    if kind == "message":
        return ("message", expand(v, v.get("payload_len")), v.get("binary", False))
    if kind == "timeout":
        return ("timeout", v)
    return (kind, pb(v))


def their_event(e):
    if e[0] == "message":
        return ("message", b(e[1]), e[2])
    if e[0] == "timeout":
        return e
    return (e[0], b(e[1]))


def compare(cid, ours, cls):
    errs = []
    c, p = play(cls)

    def check(what, mine, theirs):
        if mine != theirs:
            errs.append("%s %s: ours %r != autobahn %r" % (cid, what, short(mine), short(theirs)))

    steps = [our_ops(s) for s in ours["steps"]]
    echo = ours.get("echo_check")
    if echo:
        steps += [our_ops(echo["send"]), ("close_after", float(echo["timeout"]))]
        check("steps", sorted(steps, key=repr), sorted(p.ops, key=repr))
        check("count", echo["count"], getattr(c, "COUNT", 1))
        check("length", echo["length"], getattr(c, "DATALEN", getattr(c, "LEN", None)))
        check("wirelog", ours.get("wirelog", True), p.createWirelog)
        check("report_time", ours.get("report_time", False), c.reportTime)
    else:
        check("steps", steps, p.ops)
    mine = {k: [our_event(e) for e in v] for k, v in ours["expected"].items()}
    theirs = {k: [their_event(e) for e in v] for k, v in c.expected.items()}
    check("expected", mine, theirs)
    ec = ours["expected_close"]
    mine = {"closedByMe": ec["closed_by_me"], "closeCode": ec["close_code"], "requireClean": ec["require_clean"]}
    if "closed_by_wrong_endpoint_is_fatal" in ec:
        mine["closedByWrongEndpointIsFatal"] = ec["closed_by_wrong_endpoint_is_fatal"]
    check("expected_close", mine, c.expectedClose)
    check("suppress_close", ours.get("suppress_close", False), c.suppressClose)
    lost = inspect.getsource(cls.onConnectionLost) if "onConnectionLost" in vars(cls) else ""
    check("wrong_code_fails_behavior", ours.get("wrong_code_fails_behavior", False), "WRONG_CODE" in lost)
    check("forced_verdict", ours.get("forced_verdict"), "INFORMATIONAL" if "INFORMATIONAL" in lost else None)
    check("expect_tx_frames", ours.get("expect_tx_frames") is not None, "txFrameStats" in lost)
    return errs


def short(v):
    """Readable form: long octet strings shown as <length: first octets in hex>."""
    def norm(x):
        if isinstance(x, bytes) and len(x) > 32:
            return "<%d: %s...>" % (len(x), x[:16].hex())
        if isinstance(x, (list, tuple)):
            return type(x)(norm(y) for y in x)
        if isinstance(x, dict):
            return {k: norm(y) for k, y in x.items()}
        return x
    r = repr(norm(v))
    return r if len(r) < 600 else r[:600] + "..."


# --- sections 12 and 13: parameters, data sets and negotiation ---------------------------------

DATA_KINDS = {"data1.json": "json", "lena512.bmp": "bitmap", "pg2229.txt": "text", "data1.html": "html",
              "10.1.1.105.5439.pdf": "pdf"}


def our_offer(o):
    return (o.get("accept_no_context_takeover", True), o.get("accept_max_window_bits", True),
            o.get("request_no_context_takeover", False), o.get("request_max_window_bits", 0))


def our_accept(rules, offers):
    """Our accept rule (harness/src/handshake/deflate.rs) on autobahn offers: (offer index, rnct, rmwb)."""
    for r in rules:
        nct, bits = r.get("request_no_context_takeover", False), r.get("request_max_window_bits", 0)
        for i, o in enumerate(offers):
            if (not nct or o.acceptNoContextTakeover) and (bits == 0 or o.acceptMaxWindowBits):
                return (i, nct, bits)
    return None


def probe_offer_lists():
    """Offer lists a client could send: one or two offers with every accept flag combination."""
    singles = [PerMessageDeflateOffer(a, b) for a in (True, False) for b in (True, False)]
    return [[o] for o in singles] + [[o, p] for o in singles for p in singles]


def compare_deflate(cid, ours, cls):
    errs = []

    def check(what, mine, theirs):
        if mine != theirs:
            errs.append("%s: %s differs\n  ours:     %s\n  autobahn: %s" % (cid, what, short(mine), short(theirs)))

    e, d = ours.get("echo_check") or {}, ours.get("deflate") or {}
    send = (e.get("send") or {}).get("message", {})
    check("length, count, timeout, auto-fragment size",
          (e.get("length"), e.get("count"), e.get("timeout"), send.get("fragment_size", 0)),
          (cls.LEN, cls.COUNT, cls.WAITSECS, cls.AUTOFRAGSIZE))
    data = cls.TESTDATA
    size = os.path.getsize(sys.modules["pkg_resources"].resource_filename("autobahntestsuite", "testdata/" + data["file"]))
    ds = e.get("dataset") or {}
    check("data set kind and size", (ds.get("kind"), ds.get("size")), (DATA_KINDS.get(data["file"]), size))
    check("binary", (e.get("binary", False), send.get("binary", False)), (data["binary"], data["binary"]))
    theirs = [(o.acceptNoContextTakeover, o.acceptMaxWindowBits, o.requestNoContextTakeover, o.requestMaxWindowBits)
              for o in cls.CLIENT_OFFERS]
    check("client offers", [our_offer(o) for o in d.get("offers", [])], theirs)
    for offers in probe_offer_lists():
        a = cls.SERVER_ACCEPT(None, offers)
        want = None if a is None else (offers.index(a.offer), a.requestNoContextTakeover, a.requestMaxWindowBits)
        check("server accept of %s" % [(o.acceptNoContextTakeover, o.acceptMaxWindowBits) for o in offers],
              our_accept(d.get("accept", []), offers), want)
    check("expected close", ours.get("expected_close"),
          {"closed_by_me": True, "close_code": [1000], "require_clean": True})
    return errs


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    load_sources(sys.argv[1])
    classes = autobahn_classes()
    ours = {}
    for path in glob.glob(os.path.join(CASES_DIR, "*", "*.json")):
        with open(path, encoding="utf-8") as f:
            case = json.load(f)
        ours[case["id"]] = case
    errs = []
    wanted = {i for i in classes if i.split(".")[0] in {"1", "2", "3", "4", "5", "6", "7", "9", "10", "12", "13"}}
    wanted.discard("9.9.1")  # defined by Autobahn but never registered
    for missing in sorted(wanted - set(ours)):
        errs.append("%s: in Autobahn, not in the corpus" % missing)
    for cid in sorted(ours, key=lambda s: [int(x) for x in s.split(".")]):
        if cid not in classes:
            if cid.split(".")[0] not in {"0", "8", "11"}:
                errs.append("%s: in the corpus, not in Autobahn" % cid)
            continue
        if cid.split(".")[0] in {"12", "13"}:
            errs += compare_deflate(cid, ours[cid], classes[cid])
        else:
            errs += compare(cid, ours[cid], classes[cid])
    for e in errs:
        print(e)
    print("compared %d cases, %d mismatches" % (len(set(ours) & set(classes)), len(errs)))
    sys.exit(1 if errs else 0)


if __name__ == "__main__":
    main()
