// gzip'd event streams (Content-Encoding: gzip) from build/examples/sse_server
// and build/examples/demo_server, with real clients:
//   raw HTTP     the heads: Content-Encoding: gzip and Vary: Accept-Encoding
//                for Accept-Encoding: gzip (and "*", x-gzip); Vary but no
//                Content-Encoding for gzip;q=0, identity, no header;
//                neither with --no-gzip; each event decodes with node's
//                zlib the moment its chunk arrives; a chat's stream ends
//                with a valid gzip trailer
//   curl         --compressed -N gets the same bytes as without, for a
//                chat and for a Last-Event-ID resume of /events; tokens
//                arrive one by one (spread over time, not in a lump)
//                directly and through nginx (shipped config, and with
//                proxy_buffering on), from sse_server and demo_server
//   sse_cat      --compressed prints what it prints without, for a chat and
//                for /events across --drop-after reconnects with
//                Last-Event-ID
//   Chromium     EventSource and fetch decode the gzip'd streams (the
//                response says gzip), fetch sees tokens one by one
//     node tests/interop/test_sse_gzip.mjs [BUILD_DIR]
import { spawn } from 'node:child_process';
import net from 'node:net';
import zlib from 'node:zlib';
import { DEMO, spreadVerdict, startDemo, startNginx } from './demo_lib.mjs';
import {
  bad, check, examplePath, finish, haveCommand, inChromium, loadChromium, needProgram, ok, skip, sleep, startServer,
  waitFor,
} from './lib.mjs';

const SSE_SERVER = examplePath('sse_server');
const SSE_CAT = examplePath('sse_cat');
const TOKEN_MS = 40;

// ---- helpers ------------------------------------------------------------------

function run(cmd, args, timeoutMs = 20000) {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    let err = '';
    const times = [];
    p.stdout.on('data', (d) => { out.push(d); times.push({ t: performance.now(), text: d.toString() }); });
    p.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => p.kill('SIGTERM'), timeoutMs);
    p.on('exit', (code) => { clearTimeout(timer); resolve({ code, out: Buffer.concat(out), err, times }); });
  });
}

// A raw request; resolves when the server closes or after ms: { head, body
// (de-chunked, still encoded), pieces: [{t, bytes}] (each chunk's data as
// it arrived) }.
function rawRequest(port, request, ms = 3000) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.write(request));
    let data = Buffer.alloc(0);
    const arrivals = [];
    sock.on('data', (d) => { data = Buffer.concat([data, d]); arrivals.push({ t: performance.now(), end: data.length }); });
    sock.on('error', () => {});
    const done = () => {
      sock.destroy();
      const at = data.indexOf('\r\n\r\n');
      const head = data.subarray(0, at + 2).toString('latin1');
      const pieces = [];
      let body = Buffer.alloc(0);
      if (/\r\nTransfer-Encoding: chunked\r\n/i.test(head)) {
        let p = at + 4;
        for (;;) {
          const eol = data.indexOf('\r\n', p);
          if (eol < 0) break;
          const size = parseInt(data.subarray(p, eol).toString(), 16);
          if (!(size > 0) || eol + 2 + size > data.length) break;
          const bytes = data.subarray(eol + 2, eol + 2 + size);
          pieces.push({ t: (arrivals.find((a) => a.end >= eol + 2 + size) || {}).t, bytes });
          body = Buffer.concat([body, bytes]);
          p = eol + 4 + size;
        }
      } else body = data.subarray(at + 4);
      resolve({ head, body, pieces });
    };
    const timer = setTimeout(done, ms);
    sock.on('close', () => { clearTimeout(timer); done(); });
  });
}

const header = (head, name) => (new RegExp(`\\r\\n${name}: ([^\\r]*)\\r\\n`, 'i').exec(head) || [])[1];

// Each gzip piece decoded right after it arrives: every piece must give its
// whole events (the bytes up to a blank line) at once; the last one may be
// the end of the gzip stream alone (a stream the server ended).
function piecesDecodeAtOnce(pieces) {
  const inf = zlib.createGunzip();
  let text = '';
  inf.on('data', (d) => { text += d; });
  let good = true;
  const chunks = [];
  return new Promise((resolve) => {
    let i = 0;
    const next = () => {
      if (i === pieces.length) { resolve({ good, text, chunks }); return; }
      const before = text.length;
      inf.write(pieces[i++].bytes, () => inf.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        const got = text.slice(before);
        chunks.push(got);
        if (!got.endsWith('\n\n') && !(got === '' && i === pieces.length)) good = false; /* the last: the gzip trailer */
        next();
      }));
    };
    next();
  });
}

async function headChecks(url, port, tag, gzipOn) {
  const ask = (ae) => rawRequest(port, `GET /events HTTP/1.1\r\nHost: t\r\n${ae === null ? '' : `Accept-Encoding: ${ae}\r\n`}Last-Event-ID: 1\r\n\r\n`, 600);
  for (const [ae, want] of [['gzip', true], ['gzip, deflate, br, zstd', true], ['*', true], ['x-gzip', true],
    ['gzip;q=0', false], ['identity', false], ['br', false], ['gzip;q=0.5, identity', false], [null, false]]) {
    const r = await ask(ae);
    const ce = header(r.head, 'Content-Encoding');
    const vary = header(r.head, 'Vary');
    const expectGzip = want && gzipOn;
    const varyOk = gzipOn ? /Accept-Encoding/.test(vary || '') : vary === undefined;
    check(`${tag}: Accept-Encoding ${ae === null ? '(none)' : `'${ae}'`} -> ${expectGzip ? 'gzip' : 'identity'}, ${gzipOn ? 'Vary' : 'no Vary'}`,
      (expectGzip ? ce === 'gzip' : ce === undefined) && varyOk && /^HTTP\/1\.1 200/.test(r.head),
      r.head.replace(/\r\n/g, ' | '));
    if (expectGzip && ae === 'gzip') {
      const d = await piecesDecodeAtOnce(r.pieces);
      check(`${tag}: each chunk of the gzip'd stream decodes to whole events at once (${r.pieces.length} chunks)`,
        d.good && r.pieces.length >= 3 && /id: 2\ndata: 2\n\n/.test(d.text), JSON.stringify(d.chunks.slice(0, 4)));
    }
  }
}

// curl -N [--compressed] on POST /api/chat: { code, text, times } (one time per token).
async function curlChat(url, message, compressed, extra = []) {
  const r = await run('curl', ['-sS', '-N', ...(compressed ? ['--compressed'] : []), ...extra, '-H', 'Content-Type: application/json',
    '--data-binary', JSON.stringify({ message }), `${url}/api/chat`]);
  const times = [];
  let text = '';
  for (const piece of r.times) {
    const before = (text.match(/^data: \{"text"/gm) || []).length;
    text += piece.text;
    const n = (text.match(/^data: \{"text"/gm) || []).length;
    for (let k = before; k < n; k++) times.push(piece.t);
  }
  return { code: r.code, text: r.out.toString(), times, err: r.err };
}

async function tokenChecks(url, tag) {
  const r = await curlChat(url, `tokens via ${tag}`, true);
  const v = spreadVerdict(r.times, TOKEN_MS);
  check(`curl --compressed -N ${tag}: complete stream (${r.times.length} tokens, [DONE])`,
    r.code === 0 && /^data: \[DONE\]$/m.test(r.text) && r.times.length >= 20, `${r.code} ${r.err} ${r.text.slice(0, 200)}`);
  check(`curl --compressed -N ${tag}: tokens one by one (${v.why})`, v.good, v.why);
}

// ---- sse_server ---------------------------------------------------------------------

async function sseServer() {
  const server = await startServer(SSE_SERVER, ['--interval-ms', '30', '--drop-after', '6', '--token-ms', String(TOKEN_MS)]);
  const { url, port } = server;
  try {
    await waitFor('12 feed events', async () => {
      const r = await rawRequest(port, 'GET /events HTTP/1.1\r\nHost: t\r\nLast-Event-ID: 1\r\n\r\n', 500);
      return /id: 7\n/.test(r.body.toString());
    });
    await headChecks(url, port, 'sse_server', true);
    // a chat: the same bytes with and without compression; the gzip stream
    // ends with its trailer (gunzip checks the CRC-32 and the length)
    const plain = await curlChat(url, 'same words', false);
    const comp = await curlChat(url, 'same words', true);
    check('sse_server: curl --compressed -N chat == without', comp.code === 0 && comp.text === plain.text && plain.text.length > 200,
      `${comp.text.length} vs ${plain.text.length}`);
    const raw = await rawRequest(port, `POST /api/chat HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\nContent-Length: 22\r\nConnection: close\r\n\r\n{"message":"same words"}`.replace('22', String(Buffer.byteLength('{"message":"same words"}'))), 8000);
    let whole = '';
    try { whole = zlib.gunzipSync(raw.body).toString(); } catch (e) { whole = `gunzip: ${e.message}`; }
    check('sse_server: a chat\'s gzip stream is complete (trailer: CRC-32 and length good)', whole === plain.text, whole.slice(0, 200));
    check('sse_server: compressed chat is smaller on the wire', raw.body.length < Buffer.byteLength(plain.text), `${raw.body.length} vs ${plain.text.length}`);
    // resume with Last-Event-ID: the replayed events are the same
    const resumePlain = await run('curl', ['-sN', '-m', '5', '-H', 'Last-Event-ID: 2', `${url}/events`]);
    const resumeGzip = await run('curl', ['-sN', '-m', '5', '--compressed', '-H', 'Last-Event-ID: 2', `${url}/events`]);
    check('sse_server: Last-Event-ID resume, gzip\'d: the same events (3..8) as identity',
      resumeGzip.out.equals(resumePlain.out) && /id: 3\ndata: 3\n\n[^]*id: 8\ndata: 8\n\n$/.test(resumeGzip.out.toString()),
      `${JSON.stringify(resumeGzip.out.toString())} vs ${JSON.stringify(resumePlain.out.toString())}`);
    await tokenChecks(url, 'sse_server direct');
    // sse_cat --compressed: the same lines as without
    if (needProgram(SSE_CAT)) {
      const args = ['--max-reconnects', '0', '-d', '{"message":"cat me"}', `${url}/api/chat`];
      const a = await run(SSE_CAT, args);
      const b = await run(SSE_CAT, ['--compressed', '--verbose', ...args]);
      check('sse_cat --compressed: chat prints the same as without', b.code === 0 && a.code === 0 && b.out.equals(a.out) &&
        /"data":"\[DONE\]"/.test(a.out.toString()) && /gzip'd/.test(b.err), `${b.code} ${b.err} ${b.out.toString().slice(-200)}`);
      const feed = ['--max-reconnects', '2', '-H', 'Last-Event-ID: 1', `${url}/events`];
      const c = await run(SSE_CAT, feed);
      const d = await run(SSE_CAT, ['--compressed', ...feed]);
      const ids = (t) => [...t.toString().matchAll(/"id":"(\d+)"/g)].map((m) => Number(m[1]));
      const di = ids(d.out);
      check(`sse_cat --compressed: /events across ${3} connections with Last-Event-ID, ids consecutive (${di[0]}..${di.at(-1)})`,
        d.code === 0 && di.length === 18 && di.every((x, i) => i === 0 || x === di[i - 1] + 1) && ids(c.out).length === 18,
        `${d.code} ${d.err} ${di.join(' ')}`);
    }
  } finally {
    await server.stop();
  }
  const off = await startServer(SSE_SERVER, ['--interval-ms', '30', '--drop-after', '3', '--no-gzip']);
  try {
    await sleep(200);
    await headChecks(off.url, off.port, 'sse_server --no-gzip', false);
  } finally {
    await off.stop();
  }
}

// ---- demo_server, directly and through nginx -----------------------------------------

async function demo() {
  const server = await startDemo({ tokenMs: TOKEN_MS, intervalMs: 30 });
  try {
    await sleep(300);
    await headChecks(server.url, server.port, 'demo_server', true);
    // the same answer (the meta event names a new generation each time)
    const gen = (t) => t.replace(/"id":"g\d+"/, '"id":"g"');
    const plain = await curlChat(server.url, 'same words', false);
    const comp = await curlChat(server.url, 'same words', true);
    check('demo_server: curl --compressed -N chat == without',
      plain.code === 0 && comp.code === 0 && /^event: meta$/m.test(plain.text) && gen(comp.text) === gen(plain.text),
      `${comp.text.slice(0, 100)} vs ${plain.text.slice(0, 100)}`);
    const resume = async (c) => (await run('curl', ['-sN', '-m', '1', ...(c ? ['--compressed'] : []), '-H', 'Last-Event-ID: 2', `${server.url}/events`])).out.toString()
      .split('\n\n').slice(0, 6).join('\n\n');
    const [rp, rg] = [await resume(false), await resume(true)];
    check('demo_server: Last-Event-ID resume gzip\'d == identity (events 3..7)', rp === rg && /id: 3\ndata: 3/.test(rg), `${JSON.stringify(rg)} vs ${JSON.stringify(rp)}`);
    await tokenChecks(server.url, 'demo_server direct');
    if (haveCommand('nginx')) {
      for (const mode of ['shipped', 'buffering-on']) {
        const proxy = await startNginx(server.port, mode);
        try {
          // live events only: the replay window (512 events, 15 s at this
          // interval) may have moved past any fixed id by now
          const r = await rawRequest(proxy.port, 'GET /events HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n', 2500);
          check(`nginx (${mode}): passes the server's gzip through (Content-Encoding: gzip, Vary)`,
            header(r.head, 'Content-Encoding') === 'gzip' && /Accept-Encoding/.test(header(r.head, 'Vary') || ''), r.head.replace(/\r\n/g, ' | '));
          const d = await piecesDecodeAtOnce(r.pieces);
          check(`nginx (${mode}): /events decodes (${r.pieces.length} chunks)`, /id: (\d+)\ndata: \1\n\n/.test(d.text), d.text.slice(0, 100));
          await tokenChecks(proxy.url, `demo_server through nginx (${mode})`);
        } finally {
          await proxy.stop();
        }
      }
      // control: nginx told to ignore X-Accel-Buffering buffers the gzip'd
      // stream too, and the timing check sees the lump
      const proxy = await startNginx(server.port, 'ignore-accel');
      try {
        const r = await curlChat(proxy.url, 'control', true);
        const v = spreadVerdict(r.times, TOKEN_MS);
        check(`curl --compressed -N through nginx ignoring X-Accel-Buffering: control: the timing check sees the lump (${v.why})`,
          r.code === 0 && r.times.length >= 20 && !v.good, v.why);
      } finally {
        await proxy.stop();
      }
    } else skip('nginx', 'apt-get install nginx');
    if (loadChromium()) await browser(server.url, 'demo_server');
  } finally {
    const st = await server.stop();
    check('demo_server: exit 0', st === 0, String(st));
  }
  const off = await startDemo({ tokenMs: TOKEN_MS, intervalMs: 30, args: ['--no-gzip'] });
  try {
    await sleep(200);
    await headChecks(off.url, off.port, 'demo_server --no-gzip', false);
  } finally {
    await off.stop();
  }
}

// ---- Chromium: EventSource and fetch ------------------------------------------------

async function browser(url, tag) {
  await inChromium(async (page) => {
    const encodings = {};
    page.on('response', async (r) => {
      const u = new URL(r.url());
      encodings[u.pathname] = (await r.allHeaders())['content-encoding'] || 'identity';
    });
    await page.goto(`${url}/nothing-here`).catch(() => {});
    const es = await page.evaluate(() => new Promise((resolve) => {
      const src = new EventSource('/events');
      const got = [];
      const timer = setTimeout(() => { src.close(); resolve(got); }, 8000);
      src.onmessage = (e) => {
        got.push([e.lastEventId, e.data]);
        if (got.length === 8) { clearTimeout(timer); src.close(); resolve(got); }
      };
    }));
    check(`chromium ${tag}: EventSource reads the gzip'd /events (8 events, data = id, consecutive)`,
      es.length === 8 && es.every(([id, d], i) => id === d && (i === 0 || Number(id) === Number(es[i - 1][0]) + 1)), JSON.stringify(es));
    const f = await page.evaluate(async () => {
      const r = await fetch('/api/chat', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"message":"browser"}' });
      const reader = r.body.getReader();
      const dec = new TextDecoder();
      let text = '';
      const times = [];
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const before = (text.match(/data: \{"text"/g) || []).length;
        text += dec.decode(value, { stream: true });
        const n = (text.match(/data: \{"text"/g) || []).length;
        for (let k = before; k < n; k++) times.push(performance.now());
      }
      return { encoding: r.headers.get('content-encoding'), text, times };
    });
    const v = spreadVerdict(f.times, TOKEN_MS);
    check(`chromium ${tag}: fetch decodes the gzip'd token stream (Content-Encoding ${f.encoding})`,
      f.encoding === 'gzip' && /data: \[DONE\]/.test(f.text) && f.times.length >= 20, f.text.slice(0, 200));
    check(`chromium ${tag}: fetch sees tokens one by one (${v.why})`, v.good, v.why);
    await waitFor('response headers', () => encodings['/events'], 3000).catch(() => {});
    check(`chromium ${tag}: /events and /api/chat were gzip'd on the wire`,
      encodings['/events'] === 'gzip' && encodings['/api/chat'] === 'gzip', JSON.stringify(encodings));
  });
}

async function main() {
  if (!needProgram(SSE_SERVER) || !needProgram(DEMO)) finish();
  if (!haveCommand('curl')) { skip('curl', 'apt-get install curl'); finish(); }
  await sseServer().catch((e) => bad('sse_server', String(e && e.stack || e)));
  await demo().catch((e) => bad('demo_server', String(e && e.stack || e)));
  if (loadChromium()) {
    const server = await startServer(SSE_SERVER, ['--interval-ms', '30', '--token-ms', String(TOKEN_MS)]);
    try { await browser(server.url, 'sse_server'); } finally { await server.stop(); }
  }
  finish();
}

main();
