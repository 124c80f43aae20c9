#!/usr/bin/env python3
"""Echo server over the Python `websockets` library, for the harness.

    echo_server.py [HOST:PORT]   (default 127.0.0.1:9001; port 0 picks a free one)

Prints "listening on ws://HOST:PORT" once it accepts connections. Compression is off unless
WS_DEFLATE=1, so that the permessage-deflate cases can be run both ways.
"""
import asyncio
import os
import sys

from websockets.asyncio.server import serve


async def echo(ws):
    try:
        async for message in ws:
            await ws.send(message)
    except Exception:
        pass  # the harness sends bad input on purpose; the library has already closed


async def main(addr):
    host, _, port = addr.rpartition(":")
    compression = "deflate" if os.environ.get("WS_DEFLATE") == "1" else None
    async with serve(echo, host, int(port), max_size=None, compression=compression) as server:
        bound = server.sockets[0].getsockname()
        print(f"listening on ws://{bound[0]}:{bound[1]}", flush=True)
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:9001"))
