// Headless Chromium (Debian /usr/bin/chromium, driven by npm playwright-core)
// opens `new WebSocket()` to build/examples/ws_echo and checks the echoes of
// text and binary (ArrayBuffer) messages inside the page.
//     node tests/interop/test_ws_browser.mjs [BUILD_DIR]
import { check, echoPath, finish, inChromium, loadChromium, needProgram, startServer } from './lib.mjs';

const ECHO = echoPath();

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
  if (!needProgram(ECHO) || !loadChromium()) finish();
  const server = await startServer(ECHO);
  await inChromium(async (page) => {
    const log = await page.evaluate(pageSession, `ws://127.0.0.1:${server.port}/browser`);
    for (const [name, good] of log) check(`chromium: ${name}`, good === true);
    check('chromium: whole session ran', log.length === 9, JSON.stringify(log));
  });
  const status = await server.stop();
  check('ws_echo: exit status 0 on SIGTERM', status === 0, `status ${status}`);
  finish();
}

main();
