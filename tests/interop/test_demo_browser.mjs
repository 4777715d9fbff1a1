// The demo page (examples/demo) in headless Chromium against
// build/examples/demo_server, first directly, then through a real nginx
// started with the shipped examples/nginx/wsx-demo.conf turned back to
// nginx's defaults for the streams ("proxy_buffering on", HTTP/1.0 to the
// upstream; /ws keeps 1.1): only the server's X-Accel-Buffering: no keeps
// the token stream live there (test_demo_clients.mjs shows nginx buffering
// it into one lump when told to ignore that header).  Flows:
//   chat       three users, each WebSocket with permessage-deflate
//              (ws.extensions); join/leave notices; a private message reaches
//              only its recipient and the sender; reconnect after a restart
//   assistant  tokens arrive as separate DOM updates spread over time;
//              Stop leaves /api/history equal to what the page shows
//   feed       EventSource survives a server-side drop and a server restart
//              with no gap and no duplicate
// Fails on any page error or console error (network errors are allowed only
// while the test itself has taken the server away).  Screenshots go to the
// test's temp dir (kept with WSX_KEEP_ARTIFACTS=1).
//     node tests/interop/test_demo_browser.mjs [BUILD_DIR]
import fs from 'node:fs';
import path from 'node:path';
import { DEMO, spreadVerdict, startDemo, startNginx } from './demo_lib.mjs';
import {
  bad, check, finish, haveCommand, launchChromium, loadChromium, needProgram, ok, skip, sleep, tempDir, waitFor,
} from './lib.mjs';

const TOKEN_MS = 40;
const NET_ERROR = /Failed to load resource|net::ERR_|WebSocket connection to|EventSource/;

const text = (page, sel) => page.$eval(sel, (el) => el.textContent);

async function openUser(browser, base, name, watch) {
  const context = await browser.newContext(); // own connection pool per user
  const page = await context.newPage();
  page.on('pageerror', (e) => watch.errors.push(`${name}: page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const line = `${name}: console error: ${m.text()}`;
    if (watch.outage && NET_ERROR.test(m.text())) watch.expected.push(line);
    else watch.errors.push(line);
  });
  await page.goto(`${base}/`);
  if (name !== 'viewer') {
    await page.fill('#name', name);
    await page.click('#connect');
    await page.waitForFunction((n) => document.getElementById('me').textContent === n, name, { timeout: 10000 });
  }
  return { context, page, name };
}

// Waits until the chat log of page shows a message `body` from `from`.
function seesMessage(u, from, body, timeout = 10000) {
  return u.page.waitForFunction(([f, b]) => [...document.querySelectorAll('#messages li.msg')]
    .some((li) => li.dataset.from === f && li.querySelector('.text').textContent === b), [from, body], { timeout });
}
const hasMessage = (u, body) => u.page.evaluate((b) => [...document.querySelectorAll('#messages li.msg .text')]
  .some((s) => s.textContent === b), body);
const seesNotice = (u, note) => u.page.waitForFunction((n) => [...document.querySelectorAll('#messages li.notice')]
  .some((li) => li.textContent === n), note, { timeout: 10000 });

async function say(u, body, to = '') {
  await u.page.fill('#recipients', to);
  await u.page.fill('#chat-input', body);
  await u.page.click('#chat-send');
}

async function chatFlow(tag, users) {
  const [ann, bob, cat] = users;
  await seesNotice(ann, 'bob joined');
  await seesNotice(ann, 'cat joined');
  await seesNotice(bob, 'cat joined');
  ok(`${tag}: join notices`);
  // Chromium offers permessage-deflate; the demo accepts it by default.
  for (const u of users) {
    const ext = await u.page.evaluate(() => window.wsxDemo.wsExtensions);
    check(`${tag}: ${u.name}'s WebSocket negotiated permessage-deflate`, /^permessage-deflate/.test(ext), ext);
  }
  await say(ann, 'hello everyone ✓');
  for (const u of users) await seesMessage(u, 'ann', 'hello everyone ✓');
  ok(`${tag}: a message to everyone reaches all three pages`);
  await say(ann, 'secret for bob', 'bob');
  await seesMessage(bob, 'ann', 'secret for bob');
  await seesMessage(ann, 'ann', 'secret for bob');
  // The server sends in order on each connection: once cat has the next
  // broadcast, it would already have had the secret if it had been sent.
  await say(ann, 'after the secret');
  await seesMessage(cat, 'ann', 'after the secret');
  check(`${tag}: a message to one recipient shows at the recipient and the sender only`,
    !(await hasMessage(cat, 'secret for bob')));
  const users2 = await cat.page.$eval('#users', (el) => el.textContent);
  check(`${tag}: online list`, ['ann', 'bob', 'cat'].every((n) => users2.includes(n)), users2);
  await cat.page.click('#disconnect');
  await seesNotice(ann, 'cat left');
  await cat.page.waitForFunction(() => document.getElementById('ws-state').dataset.state === 'CLOSED');
  ok(`${tag}: leave notice; the page shows CLOSED`);
}

async function historyOf(base, id) {
  const list = await (await fetch(`${base}/api/history`)).json();
  return list.find((h) => h.id === id);
}

async function assistantFlow(tag, u, base) {
  const { page } = u;
  await page.evaluate(() => {
    window.__updates = [];
    new MutationObserver((ms) => {
      for (const m of ms) if (m.addedNodes.length) window.__updates.push(performance.now());
    }).observe(document.getElementById('answer'), { childList: true, characterData: true, subtree: true });
  });
  await page.fill('#prompt', 'How do WebSocket and Server-Sent Events differ behind a proxy?');
  await page.click('#send');
  await page.waitForFunction(() => ['done', 'stopped', 'error'].includes(document.getElementById('gen-state').textContent),
    null, { timeout: 20000 });
  const shown = await page.evaluate(() => ({
    state: document.getElementById('gen-state').textContent,
    id: document.getElementById('gen-id').textContent,
    text: document.getElementById('answer').textContent,
    tokens: Number(document.getElementById('gen-tokens').textContent),
    updates: window.__updates,
  }));
  check(`${tag}: assistant stream ends with [DONE]`, shown.state === 'done', shown.state);
  check(`${tag}: one DOM update per token`, shown.updates.length === shown.tokens && shown.tokens >= 30,
    `${shown.updates.length} updates, ${shown.tokens} tokens`);
  const v = spreadVerdict(shown.updates, TOKEN_MS);
  check(`${tag}: tokens arrive one by one (${v.why})`, v.good, v.why);
  const h = await historyOf(base, shown.id);
  check(`${tag}: /api/history holds the streamed answer`, h && h.answer === shown.text && h.stopped === false &&
    h.tokens === shown.tokens, JSON.stringify(h));

  // Stop in the middle: the page keeps reading until the server ends the
  // stream, so what it shows is exactly what the server recorded as sent.
  await page.fill('#prompt', 'Write a very long answer that I will interrupt');
  await page.click('#send');
  await page.waitForFunction(() => Number(document.getElementById('gen-tokens').textContent) >= 5, null, { timeout: 10000 });
  await page.click('#stop');
  await page.waitForFunction(() => !['waiting', 'streaming', 'stopping'].includes(document.getElementById('gen-state').textContent),
    null, { timeout: 10000 });
  const s = await page.evaluate(() => ({
    state: document.getElementById('gen-state').textContent,
    id: document.getElementById('gen-id').textContent,
    text: document.getElementById('answer').textContent,
    tokens: Number(document.getElementById('gen-tokens').textContent),
  }));
  const hs = await historyOf(base, s.id);
  // (This prompt plans 58 tokens: Stop after 5 leaves ~2 s of slack.)
  check(`${tag}: Stop ends the stream early (${s.tokens} tokens shown)`, s.state === 'stopped' && s.tokens >= 5 &&
    s.tokens < 58, JSON.stringify(s));
  check(`${tag}: after Stop, /api/history equals what the page displayed`,
    hs && hs.stopped === true && hs.answer === s.text && hs.tokens === s.tokens,
    `page ${JSON.stringify(s)} history ${JSON.stringify(hs)}`);
  const r = await fetch(`${base}/api/stop-generation`, { method: 'POST', body: JSON.stringify({ id: s.id }) });
  check(`${tag}: stopping a finished generation is 404`, r.status === 404, String(r.status));
  await page.click('#history-refresh');
  await page.waitForSelector(`#history li[data-id="${s.id}"]`, { timeout: 5000 });
  ok(`${tag}: the History view lists the generations`);
}

const feedState = (u) => u.page.evaluate(() => ({
  ids: window.wsxDemo.feedIds.slice(),
  reconnects: Number(document.getElementById('feed-reconnects').textContent),
  problems: Number(document.getElementById('feed-problems').textContent),
  lastId: document.getElementById('feed-last-id').textContent,
}));

function contiguous(ids) {
  for (let i = 1; i < ids.length; i++) if (ids[i] !== ids[i - 1] + 1) return `at ${i}: ${ids[i - 1]} then ${ids[i]}`;
  return '';
}

async function feedFlow(tag, u, base, watch, restart) {
  await waitFor('5 feed events', async () => (await feedState(u)).ids.length >= 5);
  const before = await feedState(u);
  watch.outage = true;
  const r = await (await fetch(`${base}/api/debug/drop-feeds`, { method: 'POST' })).json();
  check(`${tag}: server dropped the feed connections`, r.dropped >= 1, JSON.stringify(r));
  await waitFor('the feed to come back', async () => {
    const s = await feedState(u);
    return s.reconnects >= 1 && s.ids.length >= before.ids.length + 5;
  }, 15000);
  const afterDrop = await feedState(u);
  check(`${tag}: feed resumes after a server-side drop, no gap, no duplicate`,
    contiguous(afterDrop.ids) === '' && afterDrop.problems === 0, contiguous(afterDrop.ids));

  const lastBefore = (await feedState(u)).ids.at(-1);
  await restart();
  await waitFor('the feed to come back after the restart', async () => {
    const s = await feedState(u);
    return s.ids.at(-1) >= lastBefore + 5;
  }, 20000);
  const s = await feedState(u);
  check(`${tag}: feed continues across a server restart, no gap, no duplicate (${s.ids[0]}..${s.ids.at(-1)}, ` +
    `${s.reconnects} reconnects)`, contiguous(s.ids) === '' && s.problems === 0 && s.reconnects >= 2,
  `${contiguous(s.ids)} problems ${s.problems} reconnects ${s.reconnects}`);
  check(`${tag}: the page shows the last event id`, s.lastId === String(s.ids.at(-1)), s.lastId);
  // The chat of the same page reconnected with backoff.
  await u.page.waitForFunction(() => document.getElementById('me').textContent === 'ann', null, { timeout: 20000 });
  ok(`${tag}: chat reconnects by itself after the restart`);
  await sleep(300);
  watch.outage = false;
}

async function runFlows(browser, tag, base, restart, shotDir) {
  const watch = { outage: false, errors: [], expected: [] };
  const users = [];
  try {
    for (const n of ['ann', 'bob', 'cat']) users.push(await openUser(browser, base, n, watch));
    await chatFlow(tag, users);
    await assistantFlow(tag, users[0], base);
    await feedFlow(tag, users[0], base, watch, restart);
    const shot = path.join(shotDir, `demo-${tag.replace(/\W+/g, '_')}.png`);
    await users[0].page.screenshot({ path: shot, fullPage: true });
    check(`${tag}: screenshot ${shot}`, fs.statSync(shot).size > 10000);
  } catch (e) {
    bad(`${tag}: flow`, String(e && e.stack || e));
  } finally {
    for (const u of users) await u.context.close().catch(() => {});
  }
  check(`${tag}: no page error or console error`, watch.errors.length === 0, watch.errors.join(' | '));
  if (watch.expected.length) console.log(`     (${watch.expected.length} network errors logged while the server was away, as expected)`);
}

async function main() {
  if (!needProgram(DEMO) || !loadChromium()) finish();
  const work = tempDir('demo-browser');
  const state = path.join(work, 'feed.state');
  let server = await startDemo({ state, tokenMs: TOKEN_MS });
  const restart = async () => {
    const port = server.port;
    const status = await server.stop();
    if (status !== 0) bad('demo_server: exit status 0 on SIGTERM', `status ${status}`);
    await sleep(300);
    server = await startDemo({ state, tokenMs: TOKEN_MS, port });
  };
  let browser;
  try {
    browser = await launchChromium();
    await runFlows(browser, 'direct', server.url, restart, work);
    if (!haveCommand('nginx')) {
      skip('nginx', 'apt-get install nginx');
    } else {
      const proxy = await startNginx(server.port, 'nginx-defaults');
      try {
        await runFlows(browser, 'nginx (defaults: proxy_buffering on, HTTP/1.0 upstream)', proxy.url, restart, work);
        const errs = proxy.errors().split('\n').filter((l) => /\[(emerg|alert|crit)\]/.test(l));
        check('nginx: no critical errors in its log', errs.length === 0, errs.join(' | '));
      } finally {
        await proxy.stop();
      }
    }
  } catch (e) {
    bad('browser session', String(e && e.stack || e));
  } finally {
    if (browser) await browser.close().catch(() => {});
  }
  const status = await server.stop();
  check('demo_server: exit status 0 on SIGTERM', status === 0, `status ${status}`);
  if (process.env.WSX_KEEP_ARTIFACTS === '1') console.log(`artifacts kept in ${work}`);
  else fs.rmSync(work, { recursive: true, force: true });
  finish();
}

main();
