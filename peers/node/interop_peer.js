#!/usr/bin/env node
// Scripted interop peer over Node's `ws`, for the driver's interop tests (driver/tests/interop/).
//
//   node interop_peer.js server [--protocols a,b] [--deflate]
//   node interop_peer.js client URL [--protocols a,b] [--deflate]
//
// The server listens on a free loopback port and prints "listening PORT". Either role then echoes
// every message, except text messages that start with "cmd:", which it obeys:
//
//   cmd:ping PAYLOAD      send a ping; print "pong PAYLOAD" when its pong arrives
//   cmd:fragments         send text "frag" "ment" "ed ✓" and binary 00 01 | 02 | 03, as fragments
//   cmd:close CODE REASON start the closing handshake with that code and reason
//   cmd:close-empty       start it with an empty close frame (no code)
//   cmd:drop              drop the TCP connection without a close frame
//
// It exits when its stdin closes, so that it never outlives the test that started it.
//
// It prints, one line each: "open PROTOCOL EXTENSIONS" ("-" for none), "close CODE REASON" with
// the code and reason it received (1005 for none, 1006 for a lost connection), "dropped", and
// "error TEXT" when the opening handshake fails.
'use strict';
const { WebSocket, WebSocketServer } = require('ws');

const say = (line) => process.stdout.write(`${line}\n`);

function parseArgs(argv) {
  const args = { role: argv[0], url: null, protocols: [], deflate: false };
  for (let i = 1; i < argv.length; i++) {
    if (argv[i] === '--deflate') args.deflate = true;
    else if (argv[i] === '--protocols') args.protocols = argv[++i].split(',').filter(Boolean);
    else args.url = argv[i];
  }
  return args;
}

function command(ws, text) {
  const space = text.indexOf(' ');
  const verb = space < 0 ? text.slice(4) : text.slice(4, space);
  const arg = space < 0 ? '' : text.slice(space + 1);
  if (verb === 'ping') {
    ws.ping(Buffer.from(arg));
  } else if (verb === 'fragments') {
    // fin: false keeps the message open; the next send continues it.
    ws.send('frag', { fin: false });
    ws.send('ment', { fin: false });
    ws.send('ed ✓', { fin: true });
    ws.send(Buffer.from([0, 1]), { binary: true, fin: false });
    ws.send(Buffer.from([2]), { binary: true, fin: false });
    ws.send(Buffer.from([3]), { binary: true, fin: true });
  } else if (verb === 'close') {
    const [code, ...reason] = arg.split(' ');
    ws.close(Number(code), reason.join(' '));
  } else if (verb === 'close-empty') {
    ws.close(); // no code: ws sends a close frame with an empty payload
  } else if (verb === 'drop') {
    ws.terminate();
    say('dropped');
  }
}

function session(ws) {
  say(`open ${ws.protocol || '-'} ${ws.extensions || '-'}`);
  ws.on('message', (data, isBinary) => {
    const text = isBinary ? null : data.toString();
    if (text !== null && text.startsWith('cmd:')) command(ws, text);
    else ws.send(data, { binary: isBinary });
  });
  ws.on('pong', (data) => say(`pong ${data.toString()}`));
  // code and reason are what the other side sent (1005 for none, 1006 for a lost connection).
  ws.on('close', (code, reason) => say(`close ${code} ${reason.toString()}`.trimEnd()));
  ws.on('error', (e) => say(`error ${e.message}`));
}

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();

const args = parseArgs(process.argv.slice(2));
const perMessageDeflate = args.deflate;
if (args.role === 'server') {
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    maxPayload: 0,
    perMessageDeflate,
    // The first protocol the client offers that this server speaks; none (no header) otherwise.
    handleProtocols: (offered) => [...offered].find((p) => args.protocols.includes(p)) || false,
  });
  server.on('connection', session);
  server.on('listening', () => say(`listening ${server.address().port}`));
} else if (args.role === 'client') {
  const ws = new WebSocket(args.url, args.protocols, { perMessageDeflate, maxPayload: 0 });
  let opened = false;
  ws.on('open', () => {
    opened = true;
    session(ws);
  });
  // Before 'open' only: a failed handshake. session() reports later errors itself.
  ws.on('error', (e) => {
    if (!opened) say(`error ${e.message}`);
  });
} else {
  process.stderr.write('usage: interop_peer.js server|client [URL] [--protocols a,b] [--deflate]\n');
  process.exit(2);
}
