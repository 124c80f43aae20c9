#!/usr/bin/env python3
"""Scripted interop peer over the Python `websockets` library, for the driver's interop tests
(driver/tests/interop/).

    interop_peer.py server [--protocols a,b] [--deflate]
    interop_peer.py client URL [--protocols a,b] [--deflate]

The server listens on a free loopback port and prints "listening PORT". Either role then echoes
every message, except text messages that start with "cmd:", which it obeys:

    cmd:ping PAYLOAD      send a ping; print "pong PAYLOAD" when its pong arrives
    cmd:fragments         send text "frag" "ment" "ed ✓" and binary 00 01 | 02 | 03, as fragments
    cmd:close CODE REASON start the closing handshake with that code and reason
    cmd:close-empty       start it with an empty close frame (no code)
    cmd:drop              drop the TCP connection without a close frame

It exits when its stdin closes, so that it never outlives the test that started it.

It prints, one line each, flushed: "open PROTOCOL EXTENSIONS" ("-" for none), "close CODE REASON"
with the code and reason it received (1005 for none, 1006 for a lost connection), "dropped",
and "error TEXT" when the opening handshake fails.
"""
import argparse
import asyncio
import os
import sys
import threading

from websockets.asyncio.client import connect
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed


def say(line):
    print(line, flush=True)


async def command(ws, text):
    verb, _, arg = text[4:].partition(" ")
    if verb == "ping":
        pong = await ws.ping(arg.encode())
        await pong
        say(f"pong {arg}")
    elif verb == "fragments":
        # An iterable makes websockets send one fragment per item.
        await ws.send(["frag", "ment", "ed ✓"])
        await ws.send([b"\x00\x01", b"\x02", b"\x03"])
    elif verb == "close":
        code, _, reason = arg.partition(" ")
        await ws.close(int(code), reason)
    elif verb == "close-empty":
        # No code: websockets then sends a close frame with an empty payload.
        await ws.close(None)
    elif verb == "drop":
        ws.transport.abort()
        say("dropped")


async def session(ws):
    extensions = ",".join(e.name for e in ws.protocol.extensions) or "-"
    say(f"open {ws.subprotocol or '-'} {extensions}")
    try:
        async for message in ws:
            if isinstance(message, str) and message.startswith("cmd:"):
                await command(ws, message)
            else:
                await ws.send(message)
    except ConnectionClosed:
        pass
    await ws.wait_closed()
    # close_code and close_reason are what the other side sent (1005 for an empty close frame,
    # 1006 when none came).
    say(f"close {ws.close_code} {ws.close_reason or ''}".rstrip())


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["server", "client"])
    parser.add_argument("url", nargs="?")
    parser.add_argument("--protocols", default="")
    parser.add_argument("--deflate", action="store_true")
    args = parser.parse_args()
    protocols = [p for p in args.protocols.split(",") if p] or None
    options = dict(
        subprotocols=protocols,
        compression="deflate" if args.deflate else None,
        max_size=None,
        ping_interval=None,
    )
    if args.role == "server":
        async with serve(session, "127.0.0.1", 0, **options) as server:
            say(f"listening {server.sockets[0].getsockname()[1]}")
            await server.serve_forever()
    else:
        try:
            ws = await connect(args.url, **options)
        except Exception as e:  # the handshake failed: say so, the test decides
            say(f"error {type(e).__name__}: {e}")
            return
        await session(ws)


def exit_with_stdin():
    """Exits the process at the end of stdin: the test that owns the pipe is gone."""
    sys.stdin.buffer.read()
    os._exit(0)


if __name__ == "__main__":
    threading.Thread(target=exit_with_stdin, daemon=True).start()
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(1)
