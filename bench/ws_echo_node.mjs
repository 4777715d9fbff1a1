// Node peer of bench/bench_ws_echo.c: a `ws` (npm, 8.x) echo server.
//   node bench/ws_echo_node.mjs [--host H] [--port N] [--quiet]
// Same contract as build/examples/ws_echo: prints "listening on H:PORT"
// (--port 0: the kernel picks), echoes every message with its type, and
// lets `ws` answer pings and closes.  SIGTERM ends it.  `ws` is resolved
// from tests/interop/node_modules (cd tests/interop && npm install); when it
// is missing this prints a "skip: ..." line instead of "listening" and
// exits 0.  Defaults everywhere (no permessage-deflate, which is also the
// server default of ws 8), as a user would start it; the optional native
// add-ons (bufferutil, utf-8-validate) are used only if installed.
import { createRequire } from 'node:module';

const require = createRequire(new URL('../tests/interop/package.json', import.meta.url));
let ws;
try {
  ws = require('ws');
} catch (e) {
  console.log('skip: node module ws not installed (cd tests/interop && npm install)');
  process.exit(0);
}

let host = '127.0.0.1';
let port = 8080;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--host' && i + 1 < args.length) host = args[++i];
  else if (args[i] === '--port' && i + 1 < args.length) port = Number(args[++i]);
  else if (args[i] !== '--quiet') {
    console.error('usage: ws_echo_node.mjs [--host H] [--port N] [--quiet]');
    process.exit(2);
  }
}

const version = require('ws/package.json').version;
const wss = new ws.WebSocketServer({ host, port, perMessageDeflate: false });
wss.on('connection', (sock) => {
  sock.on('message', (data, isBinary) => sock.send(data, { binary: isBinary }));
  sock.on('error', () => {});
});
wss.on('listening', () => {
  console.log(`ws_echo_node listening on ${host}:${wss.address().port} (node ${process.version}, ws ${version})`);
});
wss.on('error', (e) => {
  console.error(`ws_echo_node: ${e.message}`);
  process.exit(1);
});
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
