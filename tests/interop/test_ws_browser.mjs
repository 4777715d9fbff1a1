// Headless Chromium (Debian /usr/bin/chromium, driven by npm playwright-core)
// opens `new WebSocket()` to build/examples/ws_echo and checks the echoes of
// text and binary (ArrayBuffer) messages inside the page.
//     node tests/interop/test_ws_browser.mjs [BUILD_DIR]
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const B = path.resolve(process.argv[2] || 'build');
const ECHO = path.join(B, 'examples', 'ws_echo');
const CHROMIUM = '/usr/bin/chromium';
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

async function startEcho() {
  const port = await freePort();
  const proc = spawn(ECHO, ['--host', '127.0.0.1', '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  for (let i = 0; i < 100 && !out.includes('listening'); i++) {
    if (proc.exitCode !== null) break;
    await sleep(50);
  }
  if (!out.includes('listening')) { proc.kill(); throw new Error(`ws_echo did not start: ${out}`); }
  return { proc, port };
}

// Runs inside the page: returns what the browser saw.
async function pageSession(url) {
  const log = [];
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  const queue = [];
  let wake = null;
  ws.onmessage = (e) => { queue.push(e.data); if (wake) { wake(); wake = null; } };
  const next = async () => {
    while (!queue.length) await new Promise((r) => { wake = r; });
    return queue.shift();
  };
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = () => reject(new Error('open failed')); });
  log.push(['open', true]);

  ws.send('hello from the browser ✓');
  let m = await next();
  log.push(['text', typeof m === 'string' && m === 'hello from the browser ✓']);

  const bytes = new Uint8Array(256);
  for (let i = 0; i < 256; i++) bytes[i] = i;
  ws.send(bytes.buffer);
  m = await next();
  log.push(['binary ArrayBuffer', m instanceof ArrayBuffer && m.byteLength === 256 &&
    new Uint8Array(m).every((v, i) => v === i)]);

  ws.send(new Blob(['blob body']));
  m = await next();
  log.push(['Blob sent as binary', m instanceof ArrayBuffer && new TextDecoder().decode(m) === 'blob body']);

  const big = new Uint8Array(1 << 20);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 255;
  ws.send(big);
  m = await next();
  log.push(['1 MiB binary', m instanceof ArrayBuffer && m.byteLength === big.length &&
    new Uint8Array(m).every((v, i) => v === big[i])]);

  const text = 'é'.repeat(70000);
  ws.send(text);
  m = await next();
  log.push(['140 kB text', m === text]);

  ws.send('');
  m = await next();
  log.push(['empty text', m === '']);

  for (let i = 0; i < 100; i++) ws.send(`b${i}`);
  let inOrder = true;
  for (let i = 0; i < 100; i++) if ((await next()) !== `b${i}`) inOrder = false;
  log.push(['100 in flight, in order', inOrder]);

  const closed = new Promise((r) => { ws.onclose = (e) => r(e); });
  ws.close(4111, 'browser bye');
  const e = await closed;
  log.push(['close 4111 echoed, clean', e.code === 4111 && e.wasClean]);
  return log;
}

async function main() {
  if (!fs.existsSync(ECHO)) { bad(`program ${ECHO}`, 'not built (make examples)'); finish(); }
  if (!fs.existsSync(CHROMIUM)) { skip('/usr/bin/chromium', 'apt-get install chromium'); finish(); }
  let chromium;
  try {
    ({ chromium } = createRequire(path.join(here, 'package.json'))('playwright-core'));
  } catch {
    skip("node module 'playwright-core'", 'cd tests/interop && npm install');
    finish();
  }
  const { proc, port } = await startEcho();
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
    const log = await page.evaluate(pageSession, `ws://127.0.0.1:${port}/browser`);
    for (const [name, good] of log) check(`chromium: ${name}`, good === true);
    check('chromium: whole session ran', log.length === 9, JSON.stringify(log));
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
  check('ws_echo: exit status 0 on SIGTERM', status === 0, `status ${status}`);
  finish();
}

main();
