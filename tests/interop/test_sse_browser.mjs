// Headless Chromium (Debian /usr/bin/chromium, driven by npm playwright-core)
// against build/examples/sse_server: the demo page at / shows the feed, and
// an `new EventSource('/events')` in the page gets the events one by one,
// resumes after each --drop-after close (Chromium sends Last-Event-ID), and
// loses or repeats none.
//     node tests/interop/test_sse_browser.mjs [BUILD_DIR]
import {
  bad, check, examplePath, failures, finish, inChromium, loadChromium, needProgram, ok, startServer,
} from './lib.mjs';

const SERVER = examplePath('sse_server');
const INTERVAL_MS = 50;
const DROP_AFTER = 8;

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
  if (!needProgram(SERVER) || !loadChromium()) finish();
  const server = await startServer(SERVER, ['--interval-ms', String(INTERVAL_MS),
    '--drop-after', String(DROP_AFTER), '--retry-ms', '100', '--verbose']);
  const { port } = server;
  await inChromium(async (page) => {
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
  });
  const status = await server.stop();
  check('sse_server: exit status 0 on SIGTERM', status === 0, `status ${status}`);
  if (failures()) console.log(server.log().split('\n').slice(-20).join('\n'));
  finish();
}

main();
