// The TLS variant of the demo (demo_server_tls: examples/demo with the
// OpenSSL transport of examples/demo/tls.c) against real TLS clients:
//   - a throwaway self-signed certificate made with the openssl command;
//     clients verify it for real (ca: the certificate, SAN IP:127.0.0.1),
//     and a client that does not trust it is refused;
//   - node tls/https: TLS 1.3 and 1.2, ALPN http/1.1, the page;
//   - node `ws` over wss://: chat hello/welcome, relays, a 60 KiB message
//     (several TLS records, plaintext left inside OpenSSL between reads),
//     8 MiB of relays to a client that stops reading for a while (the
//     server's SSL_write meets WANT_WRITE and must retry the same bytes),
//     clean close;
//   - https SSE: the POST /api/chat token stream arrives token by token and
//     ends with [DONE]; /events resumes after Last-Event-ID;
//   - headless Chromium (--ignore-certificate-errors): wss:// chat,
//     EventSource and a streamed fetch from the https:// page.
// Builds what it needs: make build/examples/demo_server_tls (the plain
// library; the example links -lssl -lcrypto).  Without openssl or the
// libssl headers: a loud SKIP, or a failure with WSX_REQUIRE_PEERS=1.
//     node tests/interop/test_tls.mjs [BUILD_DIR]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import {
  B, REPO, bad, check, examplePath, finish, inChromium, loadChromium, loadModule, ok, skip, sleep,
  startServer, tempDir, withTimeout,
} from './lib.mjs';

const SERVER = examplePath('demo_server_tls');

// ---- setup ---------------------------------------------------------------------

function build() {
  const rel = path.relative(REPO, B) || '.';
  const r = spawnSync('make', ['-s', `B=${rel}`, `${rel}/libwsx.a`, `${rel}/examples/demo_server_tls`],
    { cwd: REPO, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`make failed:\n${r.stdout}${r.stderr}`);
}

function makeCert(dir) {
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
    '-nodes', '-days', '2', '-subj', '/CN=wsx test', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl req failed: ${r.stderr}`);
  return { cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem') };
}

// The server picks its port (--port 0) and says it in its listening line.
function startTlsServer(files) {
  return startServer(SERVER, ['--cert', files.cert, '--key', files.key, '--token-ms', '15', '--interval-ms', '100'],
    { port: 0, cwd: REPO });
}

// ---- plain TLS and HTTPS ---------------------------------------------------------

function tlsConnect(port, opts) {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ...opts }, () => resolve(s));
    s.once('error', reject);
  });
}

function httpsRequest(port, ca, method, target, { body, headers = {}, onData } = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, method, path: target, ca, agent: false, headers }, (res) => {
      const chunks = [];
      res.on('data', (d) => { chunks.push({ t: Date.now(), d: d.toString() }); if (onData) onData(d.toString(), res); });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, chunks, body: chunks.map((c) => c.d).join('') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body) req.end(body); else req.end();
  });
}

async function tlsChecks(port, ca) {
  const s13 = await tlsConnect(port, { ca, ALPNProtocols: ['h2', 'http/1.1'] });
  check('TLS 1.3, certificate verified, ALPN http/1.1',
    s13.authorized && s13.getProtocol() === 'TLSv1.3' && s13.alpnProtocol === 'http/1.1',
    `${s13.getProtocol()} authorized=${s13.authorized} alpn=${s13.alpnProtocol}`);
  s13.destroy();
  const s12 = await tlsConnect(port, { ca, maxVersion: 'TLSv1.2' });
  check('TLS 1.2 works too', s12.authorized && s12.getProtocol() === 'TLSv1.2', s12.getProtocol());
  s12.destroy();
  let refused = '';
  try {
    const s = await tlsConnect(port, {}); // the system CAs do not know our certificate
    s.destroy();
  } catch (e) { refused = e.code || e.message; }
  check('a client that does not trust the certificate is refused', /SELF_SIGNED|UNABLE_TO_VERIFY|CERT/.test(refused), refused);

  const page = await httpsRequest(port, ca, 'GET', '/');
  check('https GET / serves the page', page.status === 200 && /<!doctype html>/i.test(page.body), `status ${page.status}`);
}

// Plain HTTP to the TLS port: refused (no answer), and the server goes on.
function plainHttpRefused(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    let got = '';
    s.on('data', (d) => { got += d.toString('latin1'); });
    s.on('close', () => resolve(!got.startsWith('HTTP/')));
    s.on('error', () => resolve(!got.startsWith('HTTP/')));
    s.setTimeout(5000, () => { s.destroy(); resolve(false); });
  });
}

// ---- WebSocket over TLS (node ws) ------------------------------------------------------

// deflate: offer permessage-deflate (every message compressed: threshold 0)
function wsClient(WebSocket, port, ca, name, deflate = false) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://localhost:${port}/ws`,
      { ca, perMessageDeflate: deflate ? { threshold: 0 } : false, maxPayload: 1 << 20 });
    const inbox = [];
    let wake = null;
    ws.on('message', (d) => { inbox.push(JSON.parse(d.toString())); if (wake) { wake(); wake = null; } });
    ws.next = async (pred = () => true, ms = 10000) => withTimeout((async () => {
      for (;;) {
        const i = inbox.findIndex(pred);
        if (i >= 0) return inbox.splice(i, 1)[0];
        await new Promise((r) => { wake = r; });
      }
    })(), ms, `${name}: waiting for a message`);
    ws.inbox = inbox;
    ws.once('error', reject);
    ws.once('open', async () => {
      ws.send(JSON.stringify({ type: 'hello', name }));
      try {
        const w = await ws.next((m) => m.type === 'welcome');
        ws.me = w.name;
        resolve(ws);
      } catch (e) { reject(e); }
    });
  });
}

async function wsChecks(port, ca) {
  const WebSocket = loadModule('ws');
  if (!WebSocket) return;
  // alice compresses (permessage-deflate inside TLS), bob does not: the
  // relay between them, the 60 KiB message and the backpressure run below
  // cross both
  const alice = await wsClient(WebSocket, port, ca, 'alice', true);
  const bob = await wsClient(WebSocket, port, ca, 'bob');
  check('wss: hello -> welcome for two users', alice.me === 'alice' && bob.me === 'bob');
  check('wss: alice negotiated permessage-deflate over TLS, bob (no offer) did not',
    /^permessage-deflate/.test(alice.extensions) && bob.extensions === '', `${alice.extensions} / ${bob.extensions}`);
  await alice.next((m) => m.type === 'join' && m.name === 'bob');
  alice.send(JSON.stringify({ type: 'chat', text: 'hi bob ✓' }));
  const m1 = await bob.next((m) => m.type === 'chat');
  check('wss: chat relayed', m1.from === 'alice' && m1.text === 'hi bob ✓', JSON.stringify(m1));
  await alice.next((m) => m.type === 'chat');

  // 60 KiB: several TLS records; the server reads 24 KiB at a time, so
  // decrypted bytes wait inside OpenSSL between reads.
  const big = 'x'.repeat(60 * 1024 - 100) + 'é✓end';
  alice.send(JSON.stringify({ type: 'chat', text: big }));
  const m2 = await bob.next((m) => m.type === 'chat');
  check('wss: 60 KiB message relayed intact', m2.text === big, `length ${m2.text && m2.text.length}`);
  await alice.next((m) => m.type === 'chat');

  // Backpressure through TLS: alice stops reading her socket while she
  // sends 8 MiB of chat to everyone (herself included).  The server's
  // SSL_write to her meets WANT_WRITE, her queue fills, the server stops
  // reading her until she reads again; then she must get all of it, in
  // order, intact (and bob, who kept reading, too).
  const N = 4096;
  const body = 'y'.repeat(2000);
  alice._socket.pause();
  for (let i = 0; i < N; i++) alice.send(JSON.stringify({ type: 'chat', text: `${i}:${body}` }));
  await sleep(700);
  alice._socket.resume();
  const inOrder = async (who) => {
    for (let i = 0; i < N; i++) {
      const m = await who.next((x) => x.type === 'chat', 20000);
      if (m.text !== `${i}:${body}`) return false;
    }
    return true;
  };
  const [aliceOk, bobOk] = await Promise.all([inOrder(alice), inOrder(bob)]);
  check(`wss: ${N} messages (8 MiB) back to a sender that stalled, in order`, aliceOk);
  check(`wss: the same ${N} relayed to a reading user, in order`, bobOk);

  const closed = new Promise((r) => bob.once('close', (code) => r(code)));
  bob.close(1000, 'bye');
  check('wss: close 1000 echoed', (await withTimeout(closed, 5000, 'close')) === 1000);
  const left = await alice.next((m) => m.type === 'leave');
  check('wss: the others see the leave', left.name === 'bob');
  alice.terminate();
}

// ---- SSE over TLS ------------------------------------------------------------------------

async function sseChecks(port, ca) {
  const r = await httpsRequest(port, ca, 'POST', '/api/chat', {
    body: JSON.stringify({ message: 'tell me about TLS and event streams please' }),
    headers: { 'Content-Type': 'application/json' },
  });
  const events = r.body.split('\n\n').filter((e) => e.trim());
  const tokens = events.filter((e) => /^id: \d+/m.test(e));
  check('https POST /api/chat: text/event-stream, tokens, [DONE]',
    r.status === 200 && /text\/event-stream/.test(r.headers['content-type']) && tokens.length >= 3 &&
    events[events.length - 1].trim() === 'data: [DONE]', `status ${r.status}, ${events.length} events`);
  const span = r.chunks.length ? r.chunks[r.chunks.length - 1].t - r.chunks[0].t : 0;
  check('https: tokens arrive one by one over time (not buffered)', r.chunks.length >= 3 && span >= 15 * 2,
    `${r.chunks.length} reads over ${span} ms`);

  // /events: read three events, then come back with Last-Event-ID.
  const ids = [];
  await new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path: '/events', ca, agent: false }, (res) => {
      let buf = '';
      res.on('data', (d) => {
        buf += d;
        for (const m of buf.matchAll(/^id: (\d+)$/gm)) if (!ids.includes(Number(m[1]))) ids.push(Number(m[1]));
        if (ids.length >= 3) { req.destroy(); resolve(); }
      });
    });
    req.on('error', (e) => { if (ids.length >= 3) resolve(); else reject(e); });
  });
  check('https /events: live events', ids.length >= 3 && ids[1] === ids[0] + 1, JSON.stringify(ids));
  const last = ids[ids.length - 1];
  await sleep(350); // a few events happen while away
  const resumed = [];
  await new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path: '/events', ca, agent: false,
      headers: { 'Last-Event-ID': String(last) } }, (res) => {
      let buf = '';
      res.on('data', (d) => {
        buf += d;
        resumed.length = 0;
        for (const m of buf.matchAll(/^id: (\d+)$/gm)) resumed.push(Number(m[1]));
        if (resumed.length >= 4) { req.destroy(); resolve(); }
      });
    });
    req.on('error', (e) => { if (resumed.length >= 4) resolve(); else reject(e); });
  });
  check('https /events: resumes right after Last-Event-ID, nothing lost or repeated',
    resumed[0] === last + 1 && resumed.every((v, i) => v === last + 1 + i), `last ${last}, got ${JSON.stringify(resumed)}`);
}

// ---- Chromium ----------------------------------------------------------------------------

async function pageSession() {
  const log = {};
  const ws = new WebSocket(`wss://${location.host}/ws`);
  const inbox = [];
  ws.onmessage = (e) => inbox.push(JSON.parse(e.data));
  await new Promise((res, rej) => { ws.onopen = res; ws.onerror = () => rej(new Error('wss failed')); });
  ws.send(JSON.stringify({ type: 'hello', name: 'chromium' }));
  const until = async (pred) => {
    for (let i = 0; i < 500; i++) { const m = inbox.find(pred); if (m) return m; await new Promise((r) => setTimeout(r, 10)); }
    return null;
  };
  log.welcome = !!(await until((m) => m.type === 'welcome'));
  ws.send(JSON.stringify({ type: 'chat', text: 'from chromium over wss' }));
  const echo = await until((m) => m.type === 'chat');
  log.chat = !!echo && echo.text === 'from chromium over wss';
  log.extensions = ws.extensions;
  ws.close(1000);

  const es = new EventSource('/events');
  const got = [];
  await new Promise((res) => {
    es.onmessage = (e) => { got.push(Number(e.lastEventId)); if (got.length >= 2) res(); };
    setTimeout(res, 5000);
  });
  es.close();
  log.eventsource = got.length >= 2 && got[1] === got[0] + 1;

  const r = await fetch('/api/chat', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ message: 'stream over https' }) });
  const reader = r.body.getReader();
  let text = '';
  let reads = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    reads++;
    text += new TextDecoder().decode(value);
  }
  log.fetchStream = r.ok && reads >= 2 && text.includes('data: [DONE]');
  return log;
}

async function browserChecks(port) {
  if (!loadChromium()) return;
  await inChromium(async (page) => {
    const resp = await page.goto(`https://127.0.0.1:${port}/`);
    check('chromium: the page over https', resp && resp.status() === 200);
    const log = await page.evaluate(pageSession);
    check('chromium: wss:// hello -> welcome', log.welcome === true);
    check('chromium: wss:// chat relayed', log.chat === true);
    check('chromium: wss:// negotiated permessage-deflate', /permessage-deflate/.test(log.extensions || ''), log.extensions);
    check('chromium: EventSource over https', log.eventsource === true);
    check('chromium: streamed fetch of the token stream over https', log.fetchStream === true);
  }, { ignoreHTTPSErrors: true, args: ['--ignore-certificate-errors'] });
}

// ---- main ----------------------------------------------------------------------------------

async function main() {
  if (spawnSync('openssl', ['version']).status !== 0) { skip('the openssl command', 'apt-get install openssl'); finish(); }
  if (!fs.existsSync('/usr/include/openssl/ssl.h')) { skip('libssl-dev (OpenSSL headers)', 'apt-get install libssl-dev'); finish(); }
  const dir = tempDir('tls');
  let server;
  try {
    build();
    ok('built demo_server_tls (OpenSSL)');
    const files = makeCert(dir);
    const ca = fs.readFileSync(files.cert);
    server = await startTlsServer(files);
    await tlsChecks(server.port, ca);
    check('plain HTTP on the TLS port gets no HTTP answer', await plainHttpRefused(server.port));
    await wsChecks(server.port, ca);
    await sseChecks(server.port, ca);
    await browserChecks(server.port);
    check('server still running after all of it', server.proc.exitCode === null, server.log());
    if (process.env.WSX_TLS_VERBOSE === '1') console.log(server.log());
  } catch (e) {
    bad('TLS session', String(e && e.stack || e));
    if (server) console.log(server.log().split('\n').slice(-30).join('\n'));
  } finally {
    if (server && server.proc.exitCode === null) {
      const status = await server.stop();
      check('demo_server_tls: exit status 0 on SIGTERM', status === 0, `status ${status}`);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  finish();
}

main();
