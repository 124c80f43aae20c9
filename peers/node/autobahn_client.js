#!/usr/bin/env node
// Autobahn client driver over Node's `ws`.
//   node autobahn_client.js URL AGENT     e.g. ws://127.0.0.1:9001 ws
// Reads URL/getCaseCount, runs URL/runCase?case=N&agent=AGENT echoing every message, then URL/updateReports.
'use strict';
const WebSocket = require('ws');

const [url, agent] = process.argv.slice(2);
const deflate = process.env.WS_DEFLATE === '1';

function open(path, onMessage) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url + path, { maxPayload: 0, perMessageDeflate: deflate });
    ws.on('message', (data, isBinary) => onMessage(ws, data, isBinary));
    ws.on('error', () => {});
    ws.on('close', resolve);
  });
}

async function main() {
  let count = 0;
  await open('/getCaseCount', (_ws, data) => { count = JSON.parse(data.toString()); });
  for (let i = 1; i <= count; i++) {
    await open(`/runCase?case=${i}&agent=${encodeURIComponent(agent)}`,
      (ws, data, isBinary) => ws.send(data, { binary: isBinary }));
  }
  await open(`/updateReports?agent=${encodeURIComponent(agent)}`, () => {});
}

main();
