// permessage-deflate (RFC 7692) between the wsx examples and node `ws`
// (perMessageDeflate, threshold 0: every message compressed):
//   1. ws client -> build/examples/ws_echo: negotiated, echoes equal, and
//      the echoes are compressed on the wire (RSV1 on the server's frames);
//   2. ws client -> build/examples/demo_server's chat endpoint: negotiated,
//      the chat's frames compressed;
//   3. build/examples/ws_cat -> ws server: negotiated (the server's view),
//      ws_cat's frames compressed, messages round-trip; --no-deflate: not.
//     node tests/interop/test_pmd_node.mjs [BUILD_DIR]
import { spawn } from 'node:child_process';
import {
  bad, check, echoPath, examplePath, finish, loadModule, needProgram, openWsClient, startServer, withTimeout,
} from './lib.mjs';
import { DEMO, startDemo } from './demo_lib.mjs';

const ECHO = echoPath();
const CAT = examplePath('ws_cat');
const PMD = { threshold: 0 };

// RSV1 of every frame the peer sent on sock, read from the raw bytes (the
// listener sees them before ws parses them).
function watchRsv1(sock, skipHead) {
  const seen = [];
  let buf = Buffer.alloc(0);
  let head = skipHead;
  sock.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    if (head) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      buf = buf.subarray(end + 4);
      head = false;
    }
    for (;;) {
      if (buf.length < 2) return;
      let n = buf[1] & 127;
      let pos = 2;
      if (n === 126) { if (buf.length < 4) return; n = buf.readUInt16BE(2); pos = 4; }
      else if (n === 127) { if (buf.length < 10) return; n = Number(buf.readBigUInt64BE(2)); pos = 10; }
      if (buf[1] & 128) pos += 4;
      if (buf.length < pos + n) return;
      seen.push({ op: buf[0] & 15, rsv1: (buf[0] & 0x40) !== 0 });
      buf = buf.subarray(pos + n);
    }
  });
  return seen;
}

const openClient = (WebSocket, url) =>
  openWsClient(WebSocket, url, { perMessageDeflate: PMD, maxPayload: 64 << 20 }, (ws, res) => {
    ws.frames = watchRsv1(res.socket, false);
  });

const negotiated = (ws) => Boolean(ws._extensions['permessage-deflate']) &&
  /permessage-deflate/.test(ws.extensions);

async function echoTests(WebSocket, port) {
  const ws = await openClient(WebSocket, `ws://127.0.0.1:${port}/`);
  check('ws_echo: permessage-deflate negotiated', negotiated(ws), ws.extensions);
  let same = true;
  for (const n of [1, 100, 5000, 70000, 1 << 20]) {
    const text = 'token '.repeat(n).slice(0, n);
    ws.send(text);
    const m = await withTimeout(ws.next(), 10000, `text ${n}`);
    if (m.isBinary || m.data.toString() !== text) same = false;
    const buf = Buffer.alloc(n);
    for (let i = 0; i < n; i++) buf[i] = (i * 7) & 255;
    ws.send(buf);
    const b = await withTimeout(ws.next(), 10000, `binary ${n}`);
    if (!b.isBinary || Buffer.compare(b.data, buf) !== 0) same = false;
  }
  check('ws_echo: text and binary echoes equal', same);
  const data = ws.frames.filter((f) => f.op === 1 || f.op === 2);
  check('ws_echo: echoes compressed (RSV1 on every first frame)', data.length >= 10 &&
    data.every((f) => f.rsv1), JSON.stringify(data.slice(0, 12)));
  ws.close(1000);
}

async function demoTests(WebSocket) {
  const demo = await startDemo();
  try {
    const ws = await openClient(WebSocket, `ws://127.0.0.1:${demo.port}/ws`);
    check('demo chat: permessage-deflate negotiated', negotiated(ws), ws.extensions);
    ws.send(JSON.stringify({ type: 'hello', name: 'node' }));
    ws.send(JSON.stringify({ type: 'chat', text: 'hello from node, compressed' }));
    let got = '';
    for (let i = 0; i < 20 && !got.includes('hello from node'); i++) {
      const m = await withTimeout(ws.next(), 5000, 'chat message');
      got += m.data.toString();
    }
    check('demo chat: message relayed', got.includes('hello from node, compressed'), got.slice(0, 300));
    const data = ws.frames.filter((f) => f.op === 1 || f.op === 2);
    check('demo chat: frames compressed (RSV1)', data.length > 0 && data.some((f) => f.rsv1),
      JSON.stringify(data.slice(0, 12)));
    ws.close(1000);
  } finally {
    await demo.stop();
  }
}

function startWsServer(WebSocketServer) {
  return new Promise((resolve) => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: PMD });
    const sessions = [];
    wss.on('connection', (ws, req) => {
      const s = { messages: [], ext: ws.extensions, frames: watchRsv1(req.socket, false) };
      sessions.push(s);
      ws.on('message', (data, isBinary) => {
        s.messages.push(Buffer.from(data).toString());
        ws.send(data, { binary: isBinary });
      });
    });
    wss.on('listening', () => resolve({ wss, port: wss.address().port, sessions }));
  });
}

function runCat(args, input, ms = 10000) {
  return new Promise((resolve) => {
    const proc = spawn(CAT, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => { stdout += d; });
    proc.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => proc.kill('SIGKILL'), ms);
    proc.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
    proc.stdin.on('error', () => {});
    proc.stdin.end(input);
  });
}

async function catTests(WebSocketServer) {
  const { wss, port, sessions } = await startWsServer(WebSocketServer);
  const url = `ws://127.0.0.1:${port}/`;
  try {
    const lines = ['a chat line, long enough to be compressed by ws_cat', 'short',
      'token '.repeat(20000)];
    let r = await runCat([url], lines.join('\n') + '\n');
    let s = sessions[0];
    check('ws_cat: exit status 0', r.code === 0, `${r.code} ${r.stderr}`);
    check('ws_cat: permessage-deflate negotiated (server view)', s && /permessage-deflate/.test(s.ext),
      s && s.ext);
    check('ws_cat: says so', /\(permessage-deflate\)/.test(r.stderr), r.stderr);
    check('ws_cat: messages arrive', s && s.messages.join('\n') === lines.join('\n'));
    check('ws_cat: echoes (compressed by ws) printed', r.stdout === lines.join('\n') + '\n',
      JSON.stringify(r.stdout.slice(0, 200)));
    const data = s ? s.frames.filter((f) => f.op === 1 || f.op === 2) : [];
    check('ws_cat: its long lines compressed (RSV1)', data.length === 3 && data[0].rsv1 && data[2].rsv1,
      JSON.stringify(data));
    r = await runCat(['--no-deflate', url], 'plain\n');
    s = sessions[1];
    check('ws_cat --no-deflate: no extension', r.code === 0 && s && s.ext === '' &&
      s.messages[0] === 'plain' && r.stdout === 'plain\n', s && JSON.stringify(s.ext));
  } finally {
    wss.close();
  }
}

async function main() {
  const wsMod = loadModule('ws');
  if (!wsMod || !needProgram(ECHO) || !needProgram(CAT) || !needProgram(DEMO)) finish();
  const { WebSocket, WebSocketServer } = wsMod;
  const echo = await startServer(ECHO, ['--quiet']);
  try {
    await echoTests(WebSocket, echo.port);
  } catch (e) {
    bad('ws_echo session', e.message);
  } finally {
    await echo.stop();
  }
  try {
    await demoTests(WebSocket);
  } catch (e) {
    bad('demo session', e.message);
  }
  try {
    await catTests(WebSocketServer);
  } catch (e) {
    bad('ws_cat session', e.message);
  }
  finish();
}

main();
