// build/examples/demo_server with ordinary clients and bad ones:
//   curl -N          tokens arrive one by one: directly, through nginx with
//                    the shipped config, through nginx with proxy_buffering
//                    on (X-Accel-Buffering: no does it), and a negative
//                    control (nginx told to ignore that header buffers: the
//                    timing check must see the lump)
//   node eventsource resumes /events across a server restart (state file)
//   node ws          chat rules: 1009 oversize, 1008 bad JSON / no hello,
//                    1003 binary, private messages
//   raw sockets      400/404/405/411/413/414/431/501/505, keep-alive and
//                    pipelining, HEAD, path traversal, clients that vanish
//                    mid-handshake, mid-frame and mid-stream (history keeps
//                    exactly what was written), slow heads, a flood of
//                    connections, a WebSocket client that never answers
//                    pings; the server keeps serving and exits 0 on SIGTERM.
//     node tests/interop/test_demo_clients.mjs [BUILD_DIR]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { DEMO, spreadVerdict, startDemo, startNginx } from './demo_lib.mjs';
import {
  bad, check, finish, haveCommand, loadModule, needProgram, ok, requireInterop, skip, sleep, tempDir, waitFor,
} from './lib.mjs';

const TOKEN_MS = 40;

// ---- helpers -------------------------------------------------------------

// A raw TCP client: everything received accumulates in .data.
function raw(port) {
  return new Promise((resolve, reject) => {
    const c = { data: Buffer.alloc(0), closed: false, times: [] };
    c.sock = net.connect(port, '127.0.0.1', () => resolve(c));
    c.sock.on('data', (d) => { c.data = Buffer.concat([c.data, d]); c.times.push(performance.now()); });
    c.done = new Promise((r) => c.sock.on('close', () => { c.closed = true; r(); }));
    c.sock.on('error', () => {});
    c.sock.once('error', reject);
  });
}

// Sends bytes on a new connection, returns what came back once the server
// closed (or after ms).
async function exchange(port, bytes, ms = 3000) {
  const c = await raw(port);
  c.sock.write(bytes);
  await Promise.race([c.done, sleep(ms)]);
  c.sock.destroy();
  return c.data.toString('latin1');
}

const statusOf = (resp) => Number((/^HTTP\/1\.1 (\d{3})/.exec(resp) || [])[1] || 0);

async function alive(server, tag) {
  const r = await fetch(`${server.url}/api/history`).catch((e) => ({ status: String(e) }));
  check(`${tag}: server still serves`, r.status === 200, String(r.status));
}

// curl -N on POST /api/chat: token arrival times at the client.
function curlTokens(url, message) {
  return new Promise((resolve) => {
    const p = spawn('curl', ['-sS', '-N', '-H', 'Content-Type: application/json',
      '--data-binary', JSON.stringify({ message }), `${url}/api/chat`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    const times = [];
    let seen = 0;
    p.stdout.on('data', (d) => {
      text += d;
      const now = performance.now();
      const n = (text.match(/^data: \{"text"/gm) || []).length;
      for (; seen < n; seen++) times.push(now);
    });
    p.on('exit', (code) => resolve({ code, text, times }));
  });
}

async function curlChecks(tag, url, expectSpread = true) {
  const r = await curlTokens(url, `curl via ${tag}`);
  const v = spreadVerdict(r.times, TOKEN_MS);
  const complete = r.code === 0 && /^event: meta$/m.test(r.text) && /^data: \[DONE\]$/m.test(r.text) && r.times.length >= 30;
  check(`curl -N ${tag}: complete stream (meta, ${r.times.length} tokens, [DONE])`, complete, r.text.slice(0, 300));
  if (expectSpread) check(`curl -N ${tag}: tokens one by one (${v.why})`, v.good, v.why);
  else check(`curl -N ${tag}: control: the timing check sees nginx's buffering (${v.why})`, !v.good, v.why);
}

// ---- WebSocket chat rules (node ws) -----------------------------------------

function wsUser(WebSocket, port, name) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    const u = { ws, got: [], closed: null };
    ws.on('message', (d, isBinary) => { if (!isBinary) u.got.push(JSON.parse(d.toString())); });
    u.done = new Promise((r) => ws.on('close', (code, reason) => { u.closed = { code, reason: reason.toString() }; r(); }));
    ws.on('error', () => {});
    ws.on('open', () => {
      if (name) ws.send(JSON.stringify({ type: 'hello', name }));
      resolve(u);
    });
    ws.once('error', reject);
  });
}

async function chatRules(server) {
  const WebSocket = requireInterop('ws');
  const port = server.port;
  const ann = await wsUser(WebSocket, port, 'ann');
  const bob = await wsUser(WebSocket, port, 'bob');
  const ann2 = await wsUser(WebSocket, port, 'ann');
  await waitFor('welcomes', () => [ann, bob, ann2].every((u) => u.got.some((m) => m.type === 'welcome')));
  const w2 = ann2.got.find((m) => m.type === 'welcome');
  check('ws: a name in use gets a suffix', w2.name === 'ann-2', JSON.stringify(w2));
  ann.ws.send(JSON.stringify({ type: 'chat', text: 'to bob "quoted" \\ é 😀', to: ['bob'] }));
  ann.ws.send(JSON.stringify({ type: 'chat', text: 'everyone' }));
  await waitFor('chat delivered', () => ann2.got.some((m) => m.text === 'everyone'));
  const priv = bob.got.find((m) => m.type === 'chat' && m.to);
  check('ws: private message relayed with sender, text and recipients',
    priv && priv.from === 'ann' && priv.text === 'to bob "quoted" \\ é 😀' && priv.to[0] === 'bob', JSON.stringify(priv));
  check('ws: the sender gets its private message, others do not',
    ann.got.some((m) => m.to) && !ann2.got.some((m) => m.to));
  const cases = [
    ['oversize message (70000 bytes)', (u) => u.ws.send(JSON.stringify({ type: 'chat', text: 'x'.repeat(70000) })), 1009],
    ['malformed JSON', (u) => u.ws.send('{"type":"chat","text":'), 1008],
    ['unknown message type', (u) => u.ws.send('{"type":"dance"}'), 1008],
    ['number where a string belongs', (u) => u.ws.send('{"type":"chat","text":5}'), 1008],
    ['lone surrogate escape', (u) => u.ws.send('{"type":"chat","text":"\\ud800"}'), 1008],
    ['binary message', (u) => u.ws.send(Buffer.from([1, 2, 3])), 1003],
  ];
  for (const [what, act, code] of cases) {
    const u = await wsUser(WebSocket, port, `t${code}`);
    await waitFor('welcome', () => u.got.some((m) => m.type === 'welcome'));
    act(u);
    await Promise.race([u.done, sleep(3000)]);
    check(`ws: ${what} -> close ${code}`, u.closed && u.closed.code === code, JSON.stringify(u.closed));
  }
  const nohello = await wsUser(WebSocket, port, null);
  nohello.ws.send(JSON.stringify({ type: 'chat', text: 'hi' }));
  await Promise.race([nohello.done, sleep(3000)]);
  check('ws: chat before hello -> close 1008', nohello.closed && nohello.closed.code === 1008, JSON.stringify(nohello.closed));
  await waitFor('leave notices', () => ann.got.filter((m) => m.type === 'leave').length >= cases.length);
  ok('ws: leave notices for every closed client');
  for (const u of [ann, bob, ann2]) u.ws.close();
}

// ---- HTTP refusals and faults ----------------------------------------------

async function httpRules(server) {
  const port = server.port;
  const H = 'Host: t\r\n';
  const cases = [
    ['bad header line', `GET / HTTP/1.1\r\n${H}Bad Header\r\n\r\n`, 400],
    ['unknown path', `GET /nope HTTP/1.1\r\n${H}\r\n`, 404],
    ['path traversal', `GET /../Makefile HTTP/1.1\r\n${H}\r\n`, 404],
    ['hidden file', `GET /.git HTTP/1.1\r\n${H}\r\n`, 404],
    ['wrong method', `DELETE /api/history HTTP/1.1\r\n${H}\r\n`, 405],
    ['POST without length', `POST /api/chat HTTP/1.1\r\n${H}\r\n`, 411],
    ['body too large', `POST /api/chat HTTP/1.1\r\n${H}Content-Length: 9000\r\n\r\n`, 413],
    ['chunked request body', `POST /api/chat HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n`, 501],
    ['URI too long', `GET /${'a'.repeat(5000)} HTTP/1.1\r\n${H}\r\n`, 414],
    ['header too large', `GET / HTTP/1.1\r\n${H}X-Big: ${'b'.repeat(20000)}\r\n\r\n`, 431],
    ['HTTP/2.0 request line', `GET / HTTP/2.0\r\n${H}\r\n`, 505],
    ['bad JSON body', `POST /api/chat HTTP/1.1\r\n${H}Content-Length: 5\r\n\r\n{"a":`, 400],
    ['empty message', `POST /api/chat HTTP/1.1\r\n${H}Content-Length: 14\r\n\r\n{"message":""}`, 400],
    ['invalid UTF-8 in the body', Buffer.concat([Buffer.from(`POST /api/chat HTTP/1.1\r\n${H}Content-Length: 15\r\n\r\n{"message":"`), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]), 400],
    ['stop of an unknown generation', `POST /api/stop-generation HTTP/1.1\r\n${H}Content-Length: 11\r\n\r\n{"id":"zz"}`, 404],
    ['GET /ws without upgrade', `GET /ws HTTP/1.1\r\n${H}\r\n`, 400],
    ['WebSocket version 8', `GET /ws HTTP/1.1\r\n${H}Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n`, 426],
    ['POST /events', `POST /events HTTP/1.1\r\n${H}Content-Length: 0\r\n\r\n`, 405],
  ];
  for (const [what, req, want] of cases) {
    const resp = await exchange(port, req, 1500);
    check(`http: ${what} -> ${want}`, statusOf(resp) === want, resp.split('\r\n')[0] || '(nothing)');
  }
  const allow = await exchange(port, `DELETE /api/history HTTP/1.1\r\n${H}\r\n`, 1500);
  check('http: 405 names the allowed methods', /\r\nAllow: GET, HEAD\r\n/.test(allow));
  const head = await exchange(port, `HEAD / HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
  check('http: HEAD / has a Content-Length and no body', statusOf(head) === 200 && /Content-Length: [1-9]/.test(head) &&
    head.endsWith('\r\n\r\n'), head.slice(-40));
  const two = await exchange(port, `GET /api/history HTTP/1.1\r\n${H}\r\nGET /style.css HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
  check('http: pipelined keep-alive requests both answered, in order',
    (two.match(/HTTP\/1\.1 200 OK\r\n/g) || []).length === 2 && two.indexOf('application/json') < two.indexOf('text/css'),
    two.slice(0, 200));
  const cont = await exchange(port, `POST /api/stop-generation HTTP/1.1\r\n${H}Expect: 100-continue\r\nContent-Length: 11\r\nConnection: close\r\n\r\n`, 800);
  check('http: Expect: 100-continue is answered', cont.startsWith('HTTP/1.1 100 Continue\r\n\r\n'), cont.slice(0, 40));
  await alive(server, 'after the refusals');
}

async function faults(server) {
  const port = server.port;
  // Vanish mid-handshake and mid-frame.
  let c = await raw(port);
  c.sock.write('GET /ws HTTP/1.1\r\nHost: t\r\nUpgr');
  await sleep(50);
  c.sock.destroy();
  c = await raw(port);
  c.sock.write('GET /ws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  await waitFor('101', () => c.data.includes('101 Switching'));
  c.sock.write(Buffer.from([0x81, 0xfe, 0x01])); // text frame, 16-bit length, cut short
  await sleep(50);
  c.sock.destroy();
  await alive(server, 'clients vanished mid-handshake and mid-frame');

  // Vanish mid-stream: the history keeps exactly what was written.
  c = await raw(port);
  const body = JSON.stringify({ message: 'disconnect me halfway' });
  c.sock.write(`POST /api/chat HTTP/1.1\r\nHost: t\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  await waitFor('4 tokens', () => (c.data.toString().match(/data: \{"text"/g) || []).length >= 4);
  c.sock.destroy();
  const got = c.data.toString();
  const id = /data: \{"id":"([^"]+)"\}/.exec(got)[1];
  const received = [...got.matchAll(/data: (\{"text".*\})\n/g)].map((m) => JSON.parse(m[1]).text);
  let h;
  await waitFor('the generation to stop', async () => {
    h = (await (await fetch(`${server.url}/api/history`)).json()).find((x) => x.id === id);
    return h && !h.running;
  });
  check(`stream: a client that disconnects stops the generation (received ${received.length}, sent ${h.tokens})`,
    h.stopped === true && h.answer.startsWith(received.join('')) && h.tokens >= received.length &&
    h.tokens <= received.length + 2, JSON.stringify(h));

  // Slow head: dropped after --idle-ms (800 here).
  c = await raw(port);
  c.sock.write('GET / HTTP/1.1\r\nHost: t\r\n');
  const t0 = Date.now();
  await Promise.race([c.done, sleep(5000)]);
  check(`http: an incomplete head is dropped after the idle time (${Date.now() - t0} ms)`, c.closed);

  // A flood: 300 connections at once, garbage, partial heads, nothing.
  const flood = [];
  for (let i = 0; i < 300; i++) flood.push(raw(port).catch(() => null));
  const socks = (await Promise.all(flood)).filter(Boolean);
  socks.forEach((s, i) => {
    if (i % 3 === 0) s.sock.write(Buffer.from([0, 1, 2, 255, 13, 10, 13, 10]));
    else if (i % 3 === 1) s.sock.write('GET /events HTTP/1.1\r\nHo');
  });
  await sleep(200);
  const t1 = performance.now();
  const r = await fetch(`${server.url}/api/history`);
  check(`flood: ${socks.length} connections open, the next client is served (${(performance.now() - t1).toFixed(0)} ms)`, r.status === 200);
  socks.forEach((s) => s.sock.destroy());

  // A WebSocket client that never answers pings (--ping-ms 300,
  // --pong-timeout-ms 300): pinged, then dropped.
  c = await raw(port);
  c.sock.write('GET /ws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  await waitFor('101', () => c.data.includes('101 Switching'));
  const start = c.data.indexOf('\r\n\r\n') + 4;
  await Promise.race([c.done, sleep(5000)]);
  const frames = c.data.subarray(start);
  check('ws: a silent client is pinged, then dropped', frames[0] === 0x89 && c.closed,
    `${frames.subarray(0, 4).toString('hex')} closed=${c.closed}`);
  await alive(server, 'after faults');
}

// ---- node eventsource across a restart ---------------------------------------

async function eventsourceResume(state) {
  const { EventSource } = requireInterop('eventsource');
  let server = await startDemo({ state, tokenMs: TOKEN_MS });
  const port = server.port;
  const ids = [];
  let opens = 0;
  const es = new EventSource(`${server.url}/events`);
  es.onopen = () => { opens++; };
  es.onmessage = (e) => { ids.push(Number(e.lastEventId)); if (String(ids.at(-1)) !== e.data) ids.push(NaN); };
  try {
    await waitFor('10 events', () => ids.length >= 10);
    const beforeRestart = ids.at(-1);
    await server.stop();
    await sleep(400);
    server = await startDemo({ state, tokenMs: TOKEN_MS, port });
    await waitFor('events after the restart', () => ids.at(-1) >= beforeRestart + 10, 15000);
    let gap = '';
    for (let i = 1; i < ids.length; i++) if (ids[i] !== ids[i - 1] + 1) { gap = `${ids[i - 1]} then ${ids[i]}`; break; }
    check(`eventsource: resumes across a restart with Last-Event-ID, no gap, no duplicate (${ids[0]}..${ids.at(-1)}, ${opens} opens)`,
      gap === '' && opens >= 2, gap);
  } catch (e) {
    bad('eventsource: resume', String(e && e.message || e));
  } finally {
    es.close();
    await server.stop();
  }
  const saved = Number(fs.readFileSync(state, 'utf8'));
  check('state file: holds the last sequence number', saved >= ids.at(-1), `${saved} < ${ids.at(-1)}`);
}

// ---- a quiet feed: keep-alive comments; HTTP/1.0 framing -------------------

async function quietFeed(work) {
  const server = await startDemo({ intervalMs: 60000, args: ['--keepalive-ms', '150'] });
  try {
    const c = await raw(server.port);
    c.sock.write('GET /events HTTP/1.1\r\nHost: t\r\n\r\n');
    await sleep(700);
    const got = c.data.toString();
    const n = (got.match(/: keep-alive\n\n/g) || []).length;
    check(`feed: keep-alive comments on a quiet stream (${n} in 700 ms at 150 ms)`, n >= 2 && n <= 6 &&
      /Transfer-Encoding: chunked/.test(got) && /X-Accel-Buffering: no/.test(got), got.slice(0, 300));
    c.sock.destroy();
    const old = await raw(server.port);
    old.sock.write('GET /events HTTP/1.0\r\nHost: t\r\n\r\n');
    await sleep(300);
    const body = old.data.toString();
    check('feed: an HTTP/1.0 client gets a close-delimited stream (no chunks)',
      !/Transfer-Encoding/.test(body) && /\r\nConnection: close\r\n/.test(body) &&
      body.includes('\r\n\r\nretry: 1000\n\n: keep-alive\n\n'), body.slice(-80));
    old.sock.destroy();
  } finally {
    await server.stop();
  }
}

// ---- main ---------------------------------------------------------------------

async function main() {
  if (!needProgram(DEMO)) finish();
  const work = tempDir('demo-clients');
  const server = await startDemo({
    state: path.join(work, 'a.state'), tokenMs: TOKEN_MS,
    args: ['--ping-ms', '300', '--pong-timeout-ms', '300', '--idle-ms', '800'],
  });
  try {
    if (haveCommand('curl')) {
      await curlChecks('direct', server.url);
      if (haveCommand('nginx')) {
        for (const [mode, tag] of [['shipped', 'through nginx (shipped config)'],
          ['buffering-on', 'through nginx (proxy_buffering on)'],
          ['nginx-defaults', 'through nginx (defaults: buffering on, HTTP/1.0 upstream)'],
          ['ignore-accel', 'through nginx ignoring X-Accel-Buffering']]) {
          const proxy = await startNginx(server.port, mode);
          try { await curlChecks(tag, proxy.url, mode !== 'ignore-accel'); } finally { await proxy.stop(); }
        }
      } else skip('nginx', 'apt-get install nginx');
    } else skip('curl', 'apt-get install curl');
    if (loadModule('ws')) await chatRules(server).catch((e) => bad('ws: chat rules', String(e && e.stack || e)));
    await httpRules(server);
    await faults(server);
  } catch (e) {
    bad('clients', String(e && e.stack || e));
  }
  const status = await server.stop();
  check('demo_server: exit status 0 on SIGTERM', status === 0, `status ${status}`);
  await quietFeed(work).catch((e) => bad('feed: quiet', String(e && e.stack || e)));
  if (loadModule('eventsource')) {
    await eventsourceResume(path.join(work, 'b.state')).catch((e) => bad('eventsource', String(e && e.stack || e)));
  }
  fs.rmSync(work, { recursive: true, force: true });
  finish();
}

main();
