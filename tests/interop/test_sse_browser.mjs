// Headless Chromium (Debian /usr/bin/chromium, driven by npm playwright-core)
// against build/examples/sse_server: the demo page at / shows the feed, and
// an `new EventSource('/events')` in the page gets the events one by one,
// resumes after each --drop-after close (Chromium sends Last-Event-ID), and
// loses or repeats none.
//     node tests/interop/test_sse_browser.mjs [BUILD_DIR]
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const B = path.resolve(process.argv[2] || 'build');
const SERVER = path.join(B, 'examples', 'sse_server');
const CHROMIUM = '/usr/bin/chromium';
const INTERVAL_MS = 50;
const DROP_AFTER = 8;
let passed = 0;
let failed = 0;

function ok(name) { passed++; console.log(`ok   ${name}`); }
function bad(name, msg = '') { failed++; console.log(`FAIL ${name}: ${msg}`); }
function check(name, cond, msg = '') { if (cond) ok(name); else bad(name, msg); return cond; }
function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
function skip(what, hint) {
  if (process.env.WSX_REQUIRE_PEERS === '1') bad(what, `missing (${hint})`);
  else console.log(`SKIP: ${what} is not installed (${hint}); browser checks did NOT run`);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

async function startServer() {
  const port = await freePort();
  const proc = spawn(SERVER, ['--host', '127.0.0.1', '--port', String(port), '--interval-ms', String(INTERVAL_MS),
    '--drop-after', String(DROP_AFTER), '--retry-ms', '100', '--verbose'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  for (let i = 0; i < 100 && !out.includes('listening'); i++) {
    if (proc.exitCode !== null) break;
    await sleep(50);
  }
  if (!out.includes('listening')) { proc.kill(); throw new Error(`sse_server did not start: ${out}`); }
  return { proc, port, log: () => out };
}

// Runs inside the page: an EventSource until `want` messages.
async function pageSession(want) {
  const es = new EventSource('/events');
  const got = [];
  let opens = 0;
  let errors = 0;
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, 20000);
    es.onopen = () => { opens++; };
    es.onerror = () => { errors++; };
    es.onmessage = (e) => {
      got.push({ id: e.lastEventId, data: e.data, t: performance.now() });
      if (got.length === want) { clearTimeout(timer); resolve(); }
    };
  });
  es.close();
  return { got, opens, errors, state: es.readyState };
}

async function main() {
  if (!fs.existsSync(SERVER)) { bad(`program ${SERVER}`, 'not built (make examples)'); finish(); }
  if (!fs.existsSync(CHROMIUM)) { skip('/usr/bin/chromium', 'apt-get install chromium'); finish(); }
  let chromium;
  try {
    ({ chromium } = createRequire(path.join(here, 'package.json'))('playwright-core'));
  } catch {
    skip("node module 'playwright-core'", 'cd tests/interop && npm install');
    finish();
  }
  const { proc, port, log } = await startServer();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'wsx-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      timeout: 30000,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = context.pages()[0] || await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    // the demo page's own EventSource fills #log
    await page.waitForFunction(() => /id \d+: \d+/.test(document.getElementById('log').textContent),
      null, { timeout: 10000 }).then(() => ok('chromium: the demo page at / shows the feed'),
      (e) => bad('chromium: demo page', e.message));
    await page.goto(`http://127.0.0.1:${port}/nothing-here`); // same origin, no script
    const want = DROP_AFTER * 3 + 2;
    const r = await page.evaluate(pageSession, want);
    const ids = r.got.map((e) => Number(e.id));
    check(`chromium: ${want} events`, r.got.length === want, `${r.got.length}`);
    check('chromium: consecutive ids across reconnects (none lost, none repeated)',
      ids.every((id, i) => i === 0 || id === ids[i - 1] + 1), ids.join(' '));
    check('chromium: data is the id', r.got.every((e) => e.data === e.id));
    check('chromium: reconnected after each drop (open/error events)', r.opens >= 3 && r.errors >= 3,
      `opens ${r.opens}, errors ${r.errors}`);
    // Live events come one per interval; after a reconnect the missed ones
    // come together (the replay), so count the gaps, not every pair.
    const gaps = r.got.filter((e, i) => i > 0 && e.t - r.got[i - 1].t >= INTERVAL_MS / 2).length;
    const span = r.got.at(-1).t - r.got[0].t;
    check('chromium: events arrive one by one', gaps >= want / 3 && span >= (want - 1) * INTERVAL_MS / 2,
      `${gaps} gaps of ${INTERVAL_MS / 2}+ ms between ${want} events, span ${Math.round(span)} ms`);
  } catch (e) {
    bad('chromium session', String(e && e.message || e));
  } finally {
    if (context) await context.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  }
  const status = await new Promise((resolve) => {
    if (proc.exitCode !== null) { resolve(proc.exitCode); return; }
    proc.once('exit', (code) => resolve(code));
    proc.kill('SIGTERM');
  });
  check('sse_server: exit status 0 on SIGTERM', status === 0, `status ${status}`);
  if (failed) console.log(log().split('\n').slice(-20).join('\n'));
  finish();
}

main();
