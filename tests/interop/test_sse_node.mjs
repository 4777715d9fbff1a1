// Node peers against build/examples/sse_server:
//   - npm `eventsource` (v4, the WHATWG EventSource for Node) on /events:
//     consecutive ids, and with --drop-after it reconnects with
//     Last-Event-ID and gets every event exactly once (no gap, no duplicate);
//   - npm `eventsource-parser` fed sse_server's raw streams (/events and
//     POST /api/chat, in random pieces) gives the same events as sse_cat;
//   - npm `@microsoft/fetch-event-source` POSTs to /api/chat with an
//     Authorization header and gets the tokens, then [DONE].
//     node tests/interop/test_sse_node.mjs [BUILD_DIR]
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { bad, check, examplePath, finish, loadModule, needProgram, startServer } from './lib.mjs';

const SERVER = examplePath('sse_server');
const CAT = examplePath('sse_cat');

// Consecutive, increasing, no duplicate.
function consecutive(ids) {
  return ids.every((id, i) => i === 0 || Number(id) === Number(ids[i - 1]) + 1);
}

// ---- eventsource (v4) ---------------------------------------------------

async function eventsourceChecks(EventSource, port, dropAfter) {
  const url = `http://127.0.0.1:${port}/events`;
  const want = dropAfter * 3 + 2; // spans three reconnects
  const ids = [];
  const datas = [];
  const lastIds = [];
  let opens = 0;
  const es = new EventSource(url, {
    fetch: (input, init) => {
      lastIds.push(init.headers['Last-Event-ID'] ?? init.headers['last-event-id'] ?? null);
      return fetch(input, init);
    },
  });
  es.addEventListener('open', () => { opens++; });
  const done = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timeout after ${ids.length} events`)), 15000);
    es.addEventListener('message', (e) => {
      if (ids.length === want) return;
      ids.push(e.lastEventId);
      datas.push(e.data);
      if (ids.length === want) { clearTimeout(timer); resolve(); }
    });
  });
  try {
    await done;
  } catch (e) {
    bad('eventsource: events', e.message);
  }
  es.close();
  check('eventsource: consecutive ids, none lost or repeated across reconnects',
    ids.length === want && consecutive(ids), ids.join(' '));
  check('eventsource: data is the id', datas.every((d, i) => d === ids[i]));
  check('eventsource: reconnected after each --drop-after', opens >= 3, `${opens} opens`);
  const resumed = lastIds.slice(1);
  check('eventsource: first request without Last-Event-ID, then the last id seen',
    lastIds[0] === null && resumed.length >= 2 &&
    resumed.every((v, i) => v === ids[(i + 1) * dropAfter - 1]),
    `${JSON.stringify(lastIds)} vs ids ${ids.join(' ')}`);
}

// ---- eventsource-parser vs sse_cat --------------------------------------

// The raw body of a request (node decodes the chunked framing), up to its
// end or to the close (--drop-after closes in the middle of the body).
function rawBody(port, method, reqPath, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, method, path: reqPath,
      headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {},
    }, (res) => {
      const parts = [];
      const done = () => resolve({ status: res.statusCode, headers: res.headers, bytes: Buffer.concat(parts) });
      res.on('data', (d) => parts.push(d));
      res.on('end', done);
      res.on('error', () => {});
      res.on('close', done);
    });
    req.on('error', reject);
    req.setTimeout(10000, () => req.destroy(new Error('timeout')));
    if (body) req.write(body);
    req.end();
  });
}

// eventsource-parser's events in sse_cat's JSON-lines form.  The parser
// reports the id field of each event; sse_cat the last event ID at dispatch
// (the id persists): track it the same way.
function viaParser(createParser, bytes) {
  const lines = [];
  let lastId = '';
  const parser = createParser({
    onEvent(ev) {
      if (ev.id !== undefined) lastId = ev.id;
      lines.push(JSON.stringify({ type: ev.event || 'message', data: ev.data, id: lastId }));
    },
    onRetry(ms) { lines.push(JSON.stringify({ retry: ms })); },
  });
  const text = new TextDecoder().decode(bytes);
  for (let i = 0; i < text.length;) { // random pieces, down to one character
    const n = 1 + Math.floor(Math.random() * 17);
    parser.feed(text.slice(i, i + n));
    i += n;
  }
  return lines;
}

function viaSseCat(bytes) {
  const r = spawnSync(CAT, ['--chunk', '5', '-'], { input: bytes });
  if (r.status !== 0) return [`sse_cat exit ${r.status}: ${r.stderr}`];
  // sse_cat escapes like JSON.stringify for this ASCII/UTF-8 text; compare
  // parsed objects to be independent of escaping details.
  return r.stdout.toString().split('\n').filter((l) => l).map((l) => JSON.stringify(JSON.parse(l)));
}

async function parserChecks(createParser, port) {
  const feed = await rawBody(port, 'GET', '/events');
  const chat = await rawBody(port, 'POST', '/api/chat', JSON.stringify({ message: 'parse me, “twice” ✓' }));
  for (const [name, r] of [['/events', feed], ['/api/chat', chat]]) {
    check(`${name}: 200 text/event-stream`, r.status === 200 && /^text\/event-stream/.test(r.headers['content-type']),
      `${r.status} ${r.headers['content-type']}`);
    const a = viaParser(createParser, r.bytes);
    const b = viaSseCat(r.bytes);
    check(`eventsource-parser and sse_cat agree on ${name} (${a.length} items)`,
      a.length > 3 && JSON.stringify(a) === JSON.stringify(b),
      `\n  parser:  ${a.slice(0, 6).join(' ')}\n  sse_cat: ${b.slice(0, 6).join(' ')}`);
  }
  const last = viaParser(createParser, chat.bytes).at(-1);
  check('chat stream ends with [DONE]', last && JSON.parse(last).data === '[DONE]', last);
}

// ---- @microsoft/fetch-event-source --------------------------------------

async function fetchEventSourceChecks(fetchEventSource, port) {
  // It is written for browsers: a window and a document are all it needs.
  globalThis.window ??= globalThis;
  globalThis.document ??= { hidden: false, addEventListener() {}, removeEventListener() {} };
  const got = [];
  let status = 0;
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), 10000);
  await fetchEventSource(`http://127.0.0.1:${port}/api/chat`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer fes-token' },
    body: JSON.stringify({ message: 'from fetch-event-source' }),
    signal: ctl.signal,
    openWhenHidden: true,
    async onopen(res) { status = res.status; },
    onmessage(ev) { got.push(ev); },
    onerror(err) { throw err; }, // no retry: fail the test instead
  }).catch((e) => bad('fetch-event-source', String(e)));
  clearTimeout(timer);
  const meta = got.find((e) => e.event === 'meta');
  const tokens = got.filter((e) => e.data.startsWith('{"text"'));
  check('fetch-event-source: POST opened (200)', status === 200, `status ${status}`);
  check('fetch-event-source: meta echoes Authorization', meta &&
    JSON.parse(meta.data).authorization === 'Bearer fes-token', meta && meta.data);
  check('fetch-event-source: tokens 1..n then [DONE]', tokens.length > 10 &&
    tokens.every((e, i) => e.id === String(i + 1)) && got.at(-1).data === '[DONE]',
    got.map((e) => e.id + ':' + e.data).join(' | ').slice(0, 300));
  const text = tokens.map((e) => JSON.parse(e.data).text).join('');
  check('fetch-event-source: the tokens spell the answer', text.startsWith('You said: "from fetch-event-source".'), text);
}

async function main() {
  for (const p of [SERVER, CAT]) if (!needProgram(p)) finish();
  const dropAfter = 4;
  const server = await startServer(SERVER, ['--interval-ms', '30', '--drop-after', String(dropAfter),
    '--retry-ms', '100', '--token-ms', '5']);
  const { port } = server;
  try {
    const es = loadModule('eventsource');
    if (es) await eventsourceChecks(es.EventSource, port, dropAfter);
    const esp = loadModule('eventsource-parser');
    if (esp) await parserChecks(esp.createParser, port);
    const fes = loadModule('@microsoft/fetch-event-source');
    if (fes) await fetchEventSourceChecks(fes.fetchEventSource, port);
  } catch (e) {
    bad('node peers', String(e && e.stack || e));
  }
  check('sse_server: exit status 0 on SIGTERM', (await server.stop()) === 0);
  finish();
}

main();
