// Shared by the node interop scripts (tests/interop/test_*.mjs); not a test
// itself (tests/run.sh runs only test_*):
//   ok/bad/check/finish  count checks, print "ok"/"FAIL" lines and the final
//                        "N passed, N failed" (the exit status follows it)
//   skip, loadModule     a missing peer: a loud SKIP locally, a failure when
//                        WSX_REQUIRE_PEERS=1 (CI)
//   needProgram          a build/examples program we build ourselves missing
//                        is always a failure
//   startServer          a build/examples program on a free loopback port,
//                        up once it prints "listening", stopped by pid
//   loadChromium, launchChromium, inChromium
//                        headless Debian Chromium through playwright-core
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const INTEROP = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(INTEROP, '..', '..');
export const B = path.resolve(process.argv[2] || 'build');
export const CHROMIUM = '/usr/bin/chromium';
export const requireInterop = createRequire(path.join(INTEROP, 'package.json'));
export const examplePath = (name) => path.join(B, 'examples', name);
// The echo server under test: ws_echo, or the example WSX_ECHO names
// (test_ws_echo_uring.sh runs the echo suites again against ws_echo_uring,
// with WSX_ECHO_ARGS added to its command line).
export const echoPath = () => examplePath(process.env.WSX_ECHO || 'ws_echo');

// ---- counting ---------------------------------------------------------------

let passed = 0;
let failed = 0;
export function ok(name) { passed++; console.log(`ok   ${name}`); }
export function bad(name, msg = '') { failed++; console.log(`FAIL ${name}: ${msg}`); }
export function check(name, cond, msg = '') { if (cond) ok(name); else bad(name, msg); return cond; }
export const failures = () => failed;
export function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

// ---- peers and programs -------------------------------------------------------

export function skip(what, hint) {
  if (process.env.WSX_REQUIRE_PEERS === '1') bad(what, `missing (${hint})`);
  else console.log(`SKIP: ${what} is not available (${hint}); these checks did NOT run`);
}

// An npm module from tests/interop/node_modules, or null after skip().
export function loadModule(name) {
  try {
    return requireInterop(name);
  } catch {
    skip(`node module '${name}'`, 'cd tests/interop && npm install');
    return null;
  }
}

// False (after a failure) if prog has not been built.
export function needProgram(prog) {
  if (fs.existsSync(prog)) return true;
  bad(`program ${prog}`, 'not built (make examples)');
  return false;
}

export function haveCommand(cmd) {
  return (process.env.PATH || '').split(':').concat(['/usr/sbin', '/sbin'])
    .some((d) => { try { fs.accessSync(path.join(d, cmd), fs.constants.X_OK); return true; } catch { return false; } });
}

// ---- time -----------------------------------------------------------------------

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(what, fn, timeoutMs = 10000, stepMs = 25) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(stepMs);
  }
}

export function withTimeout(p, ms, what) {
  let t;
  return Promise.race([p, new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`timeout: ${what}`)), ms); })])
    .finally(() => clearTimeout(t));
}

// ---- processes ------------------------------------------------------------------

// Opens a node `ws` client (options as for new WebSocket; onUpgrade(ws, res)
// runs on the HTTP upgrade).  The socket gets next(): a promise of the next
// message, { data, isBinary }, in arrival order.
export function openWsClient(WebSocket, url, options, onUpgrade = null) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    const queue = [];
    const waiters = [];
    ws.on('message', (data, isBinary) => {
      const m = { data, isBinary };
      if (waiters.length) waiters.shift()(m); else queue.push(m);
    });
    ws.next = () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => waiters.push(r)));
    if (onUpgrade) ws.on('upgrade', (res) => onUpgrade(ws, res));
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

export function tempDir(tag) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `wsx-${tag}-`));
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

// Signals proc (by pid) unless it has ended; resolves to its exit code.
export function stopProc(proc, signal = 'SIGTERM') {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) { resolve(proc.exitCode); return; }
    proc.once('exit', (code) => resolve(code));
    proc.kill(signal);
  });
}

// Runs `prog --host 127.0.0.1 --port P ...args` and waits for its
// "listening" line; P is a free port, or opts.port (0: the server picks one
// and its "listening on <scheme>://127.0.0.1:P" line says which).  opts.cwd:
// where it runs.  Returns { proc, port, url, log(), stop(signal) -> exit code }.
export async function startServer(prog, args = [], opts = {}) {
  const name = path.basename(prog);
  const askPort = opts.port ?? await freePort();
  const extra = prog === echoPath() ? (process.env.WSX_ECHO_ARGS || '').split(/\s+/).filter(Boolean) : [];
  const proc = spawn(prog, ['--host', '127.0.0.1', '--port', String(askPort), ...args, ...extra],
    { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  let port;
  try {
    port = await waitFor(`${name} to start`, () => {
      if (proc.exitCode !== null) throw new Error(`${name} exited: ${out}`);
      if (!out.includes('listening')) return 0;
      if (askPort !== 0) return askPort;
      const m = /listening on \S+?:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      return m && Number(m[1]);
    });
  } catch (e) {
    proc.kill('SIGKILL');
    throw new Error(`${name} did not start: ${e.message}\n${out}`);
  }
  return {
    proc, port, url: `http://127.0.0.1:${port}`, log: () => out,
    stop: (signal) => stopProc(proc, signal),
  };
}

// ---- Chromium -------------------------------------------------------------------

// Debian's Chromium (never a downloaded one), with no first-run, background
// or QUIC traffic of its own.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// playwright-core's chromium, or null after skip() when /usr/bin/chromium or
// the module is missing.
export function loadChromium() {
  if (!fs.existsSync(CHROMIUM)) { skip(CHROMIUM, 'apt-get install chromium'); return null; }
  const pw = loadModule('playwright-core');
  return pw && pw.chromium;
}

function chromiumOptions(opts) {
  const { args = [], ...rest } = opts;
  return { executablePath: CHROMIUM, headless: true, timeout: 30000, ...rest, args: [...CHROMIUM_ARGS, ...args] };
}

// A browser (playwright creates and removes its own temporary profile).
export function launchChromium(opts = {}) {
  return requireInterop('playwright-core').chromium.launch(chromiumOptions(opts));
}

// A persistent context in a fresh user-data-dir: { context, page, close() };
// close() ends the browser and removes the directory.
async function openChromiumProfile(opts) {
  const profile = tempDir('chromium');
  const gone = () => fs.rmSync(profile, { recursive: true, force: true });
  let context;
  try {
    context = await requireInterop('playwright-core').chromium.launchPersistentContext(profile, chromiumOptions(opts));
    const page = context.pages()[0] || await context.newPage();
    return { context, page, close: async () => { await context.close().catch(() => {}); gone(); } };
  } catch (e) {
    if (context) await context.close().catch(() => {});
    gone();
    throw e;
  }
}

// Runs fn(page) in a browser with a fresh user-data-dir, then removes it;
// anything fn throws is the failure 'chromium session'.  opts: extra launch
// options (args are added to the common flags).
export async function inChromium(fn, opts = {}) {
  let chromium;
  try {
    chromium = await openChromiumProfile(opts);
    await fn(chromium.page);
  } catch (e) {
    bad('chromium session', String(e && e.message || e));
  } finally {
    if (chromium) await chromium.close();
  }
}
