#!/usr/bin/env node
// Echo server over Node's `ws`, for bench/run: `node echo_server.js [PORT]` (default 9001).
// Prints "listening on ws://127.0.0.1:PORT" like the Rust bench servers. As ws's README
// recommends for speed, `bufferutil` is installed beside it (ws masks and unmasks with it);
// UTF-8 is checked with Node's own buffer.isUtf8. permessage-deflate is off (ws's default).
'use strict';
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2] || 9001);
const server = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false });
server.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => {}); // a benchmark client that goes away is not news
});
server.on('listening', () => {
  console.log(`listening on ws://127.0.0.1:${server.address().port}`);
});
