#!/usr/bin/env python3
"""Autobahn client driver over the Python `websockets` library.

    autobahn_client.py URL AGENT     e.g. ws://127.0.0.1:9001 websockets

Reads URL/getCaseCount, runs URL/runCase?case=N&agent=AGENT for every case echoing each message,
then calls URL/updateReports?agent=AGENT.
"""
import asyncio
import json
import os
import sys

from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException


async def run(url, agent):
    compression = "deflate" if os.environ.get("WS_DEFLATE") == "1" else None
    async with connect(f"{url}/getCaseCount") as ws:
        count = json.loads(await ws.recv())
    for case in range(1, count + 1):
        try:
            async with connect(f"{url}/runCase?case={case}&agent={agent}",
                               max_size=None, compression=compression) as ws:
                async for message in ws:
                    await ws.send(message)
        except (WebSocketException, OSError):
            pass  # a case that breaks the connection on purpose
    async with connect(f"{url}/updateReports?agent={agent}") as ws:
        try:
            await ws.recv()
        except WebSocketException:
            pass


if __name__ == "__main__":
    asyncio.run(run(sys.argv[1], sys.argv[2]))
