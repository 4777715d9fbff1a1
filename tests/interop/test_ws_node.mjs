// node `ws` (npm ws@8, tests/interop/node_modules) against the wsx examples:
//   1. ws as the CLIENT of build/examples/ws_echo;
//   2. ws as the SERVER, build/examples/ws_cat as its client.
//     node tests/interop/test_ws_node.mjs [BUILD_DIR]
import { spawn } from 'node:child_process';
import {
  bad, check, echoPath, examplePath, finish, loadModule, needProgram, openWsClient, sleep, startServer,
  withTimeout,
} from './lib.mjs';

const ECHO = echoPath();
const CAT = examplePath('ws_cat');

// ---- 1. ws client -> ws_echo ------------------------------------------------

const openClient = (WebSocket, url) =>
  openWsClient(WebSocket, url, { perMessageDeflate: false, maxPayload: 64 << 20 });

async function clientTests(WebSocket, port) {
  const url = `ws://127.0.0.1:${port}/node`;
  const ws = await openClient(WebSocket, url);
  ws.send('hello from ws');
  let m = await withTimeout(ws.next(), 5000, 'text echo');
  check('ws: text echoed as text', !m.isBinary && m.data.toString() === 'hello from ws');
  ws.send(Buffer.from([0, 1, 2, 255]));
  m = await withTimeout(ws.next(), 5000, 'binary echo');
  check('ws: binary echoed as binary', m.isBinary && Buffer.compare(m.data, Buffer.from([0, 1, 2, 255])) === 0);
  ws.send('');
  m = await withTimeout(ws.next(), 5000, 'empty');
  check('ws: empty text', !m.isBinary && m.data.length === 0);
  for (const n of [125, 126, 65535, 65536, 4 << 20]) {
    const buf = Buffer.alloc(n);
    for (let i = 0; i < n; i++) buf[i] = (i * 31) & 255;
    ws.send(buf);
    m = await withTimeout(ws.next(), 10000, `binary ${n}`);
    check(`ws: binary of ${n} bytes`, m.isBinary && Buffer.compare(m.data, buf) === 0, `got ${m.data.length}`);
  }
  // Fragmented: fin=false frames then a final one.
  ws.send('frag', { fin: false });
  ws.send('men', { fin: false });
  ws.send('ted ✓', { fin: true });
  m = await withTimeout(ws.next(), 5000, 'fragmented');
  check('ws: fragmented text', !m.isBinary && m.data.toString() === 'fragmented ✓', m.data.toString());
  // Ping / pong.
  const pong = new Promise((r) => ws.once('pong', r));
  ws.ping(Buffer.from('node ping'));
  const pp = await withTimeout(pong, 5000, 'pong');
  check('ws: pong carries the ping payload', pp.toString() === 'node ping');
  // Many in flight.
  for (let i = 0; i < 1000; i++) ws.send(`n${i}`);
  let inOrder = true;
  for (let i = 0; i < 1000; i++) {
    m = await withTimeout(ws.next(), 5000, 'pipelined');
    if (m.data.toString() !== `n${i}`) inOrder = false;
  }
  check('ws: 1000 pipelined messages in order', inOrder);
  // Close with a code: the server echoes it.
  const closed = new Promise((r) => ws.once('close', (code, reason) => r({ code, reason: reason.toString() })));
  ws.close(4321, 'node bye');
  const c = await withTimeout(closed, 5000, 'close');
  check('ws: close code 4321 echoed', c.code === 4321, `got ${c.code}`);
}

// ---- 2. ws server <- ws_cat -------------------------------------------------

function startWsServer(WebSocketServer) {
  return new Promise((resolve) => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 64 << 20 });
    const sessions = [];
    wss.on('connection', (ws, req) => {
      const s = { messages: [], pings: [], close: null, headers: req.headers, ws };
      sessions.push(s);
      ws.on('message', (data, isBinary) => {
        s.messages.push({ data: Buffer.from(data), isBinary });
        if (!isBinary && data.toString() === 'please close') ws.close(1001, 'going away');
        else ws.send(data, { binary: isBinary });
      });
      ws.on('ping', (d) => s.pings.push(d.toString()));
      ws.on('close', (code, reason) => { s.close = { code, reason: reason.toString() }; });
    });
    wss.on('listening', () => resolve({ wss, port: wss.address().port, sessions }));
  });
}

// Runs ws_cat with args, writes input to its stdin (then ends it unless
// keepOpen), returns {code, stdout, stderr}.
function runCat(args, input, keepOpen = false, ms = 10000) {
  return new Promise((resolve) => {
    const proc = spawn(CAT, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => { stdout += d; });
    proc.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => proc.kill('SIGKILL'), ms);
    proc.on('exit', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr, proc }); });
    proc.stdin.on('error', () => {});
    proc.stdin.write(input);
    if (!keepOpen) proc.stdin.end();
  });
}

async function catTests(WebSocketServer) {
  const { wss, port, sessions } = await startWsServer(WebSocketServer);
  const url = `ws://127.0.0.1:${port}/cat?x=1`;
  try {
    let r = await runCat([url], 'one\ntwo\nthree ✓\n\nlast line without newline');
    let s = sessions[0];
    check('ws_cat: exit status 0', r.code === 0, `code ${r.code} ${r.signal} ${r.stderr}`);
    check('ws_cat: lines sent as text messages', s && s.messages.length === 5 &&
      s.messages.every((m) => !m.isBinary) &&
      s.messages.map((m) => m.data.toString()).join('|') === 'one|two|three ✓||last line without newline',
      s && JSON.stringify(s.messages.map((m) => m.data.toString())));
    check('ws_cat: echoes printed one per line', r.stdout === 'one\ntwo\nthree ✓\n\nlast line without newline\n', JSON.stringify(r.stdout));
    await sleep(100);
    check('ws_cat: closes with 1000 at end of input', s && s.close && s.close.code === 1000, JSON.stringify(s && s.close));
    check('ws_cat: request target and Host sent', s && s.headers.host === `127.0.0.1:${port}`, JSON.stringify(s && s.headers));

    r = await runCat(['--binary', url], 'abc\n\x01\x02\n');
    s = sessions[1];
    check('ws_cat --binary: lines sent as binary messages', s && s.messages.length === 2 && s.messages.every((m) => m.isBinary) &&
      s.messages[0].data.toString() === 'abc' && Buffer.compare(s.messages[1].data, Buffer.from([1, 2])) === 0);
    check('ws_cat --binary: binary echoes printed as hex', r.stdout === '616263\n0102\n', JSON.stringify(r.stdout));

    r = await runCat(['--ping', url], 'x\n');
    s = sessions[2];
    check('ws_cat --ping: server got a ping', s && s.pings.length === 1, JSON.stringify(s && s.pings));
    check('ws_cat --ping: pong printed', /pong/.test(r.stderr + r.stdout), r.stderr);

    r = await runCat(['--close', '4001', url], 'bye\n');
    await sleep(100);
    s = sessions[3];
    check('ws_cat --close 4001: server observed 4001', s && s.close && s.close.code === 4001, JSON.stringify(s && s.close));
    check('ws_cat --close 4001: exit status 0', r.code === 0, `${r.code} ${r.stderr}`);

    // The server closes first while stdin stays open: ws_cat must exit.
    r = await runCat([url], 'please close\n', true, 5000);
    check('ws_cat: exits when the server closes', r.signal === null, `killed: ${r.stderr}`);
    check('ws_cat: prints the server close code', /1001/.test(r.stderr), r.stderr);

    // A line longer than ws_cat's buffer still arrives as one message.
    const long = 'L'.repeat(300000);
    r = await runCat([url], `${long}\nshort\n`);
    s = sessions[5];
    check('ws_cat: 300 kB line sent as one message', s && s.messages.length === 2 &&
      s.messages[0].data.length === 300000 && s.messages[1].data.toString() === 'short',
      JSON.stringify(s && s.messages.map((m) => m.data.length)));
    check('ws_cat: 300 kB echo printed', r.stdout === `${long}\nshort\n`, `${r.stdout.length} chars`);

    r = await runCat(['--close', '1005', url], '');
    check('ws_cat: --close with a code that cannot be sent is refused', r.code !== 0);
    r = await runCat(['http://127.0.0.1:1/'], '');
    check('ws_cat: non-ws URL refused', r.code !== 0);
  } finally {
    for (const c of wss.clients) c.terminate();
    await new Promise((r) => wss.close(r));
  }
}

async function main() {
  if (!needProgram(ECHO)) finish();
  const ws = loadModule('ws');
  if (!ws) finish();
  const { WebSocket, WebSocketServer } = ws;
  const echo = await startServer(ECHO);
  try {
    await withTimeout(clientTests(WebSocket, echo.port), 60000, 'ws client tests');
  } catch (e) {
    bad('ws client session', String(e && e.stack || e));
  }
  check('ws_echo: exit status 0 on SIGTERM', (await echo.stop()) === 0);
  if (!needProgram(CAT)) finish();
  try {
    await withTimeout(catTests(WebSocketServer), 60000, 'ws_cat tests');
  } catch (e) {
    bad('ws_cat session', String(e && e.stack || e));
  }
  finish();
}

main();
