#!/usr/bin/env node
// Echo server over Node's `ws`, for the harness.
//   node echo_server.js [HOST:PORT]   (default 127.0.0.1:9001; port 0 picks a free one)
// Prints "listening on ws://HOST:PORT" once it accepts connections. WS_DEFLATE=1 enables permessage-deflate.
'use strict';
const { WebSocketServer } = require('ws');

const [host, port] = (process.argv[2] || '127.0.0.1:9001').split(':');
const server = new WebSocketServer({
  host,
  port: Number(port),
  maxPayload: 0,
  perMessageDeflate: process.env.WS_DEFLATE === '1',
});
server.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => {}); // bad input is the point of the harness; ws closes the connection itself
});
server.on('listening', () => {
  const a = server.address();
  console.log(`listening on ws://${a.address}:${a.port}`);
});
