// The demo page in headless Chromium against three instances sharing a
// Redis behind nginx (examples/nginx/wsx-cluster.conf, no sticky
// sessions): two pages whose chats are served by different instances join
// by themselves, chat and send a private message; the assistant streams
// through nginx; the instance serving a page's feed is killed (-9): the page
// shows the feed served by another instance with no gap and no duplicate,
// then the instance serving a page's chat: the page reconnects to a
// surviving instance under its name and receives the other page's messages.  A screenshot
// of the page goes to WSX_SCREENSHOT (the README's picture:
// docs/demo-cluster.png) or to the test's temp dir.
//     node tests/interop/test_demo_cluster_browser.mjs [BUILD_DIR]
import fs from 'node:fs';
import path from 'node:path';
import { DEMO } from './demo_lib.mjs';
import { missingTools, startCluster } from './cluster_lib.mjs';
import { bad, check, finish, launchChromium, loadChromium, needProgram, ok, skip, tempDir, waitFor } from './lib.mjs';

const NET_ERROR = /Failed to load resource|net::ERR_|WebSocket connection to|EventSource/;
const text = (page, sel) => page.$eval(sel, (el) => el.textContent);
const instances = (page, kind) => page.evaluate((k) => window.wsxDemo.instances[k], kind);

async function openPage(browser, url, watch, label) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => watch.errors.push(`${label}: page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !(watch.outage && NET_ERROR.test(m.text()))) watch.errors.push(`${label}: ${m.text()}`);
  });
  await page.goto(`${url}/`);
  await page.waitForFunction(() => document.getElementById('me').textContent.startsWith('guest-'), null, { timeout: 10000 });
  return { context, page, me: await text(page, '#me'), chatOn: (await instances(page, 'ws')).at(-1) };
}

const seesChat = (p, from, body) => p.page.waitForFunction(([f, b]) => [...document.querySelectorAll('#messages li.msg')]
  .some((li) => li.dataset.from === f && li.querySelector('.text').textContent === b), [from, body], { timeout: 8000 });

async function say(p, body, to = '') {
  await p.page.fill('#recipients', to);
  await p.page.fill('#chat-input', body);
  await p.page.click('#chat-send');
}

async function flows(cluster, browser, watch, shot) {
  const a = await openPage(browser, cluster.url, watch, 'page A');
  let b = await openPage(browser, cluster.url, watch, 'page B');
  for (let i = 0; i < 8 && b.chatOn === a.chatOn; i++) {
    // A page load makes the same number of requests each time: one more
    // request turns nginx's round-robin so that the next load lands elsewhere.
    await b.context.close();
    await fetch(`${cluster.url}/api/health`);
    b = await openPage(browser, cluster.url, watch, 'page B');
  }
  check(`browser: the two pages' chats are served by different instances (${a.chatOn}, ${b.chatOn})`,
    a.chatOn && b.chatOn && a.chatOn !== b.chatOn);
  check('browser: each page joined by itself with a generated name', /^guest-/.test(a.me) && /^guest-/.test(b.me), `${a.me} ${b.me}`);
  await say(a, 'hello from A');
  await seesChat(b, a.me, 'hello from A');
  ok('browser: a message from page A reaches page B on another instance');
  await say(b, 'only for A', a.me);
  await seesChat(a, b.me, 'only for A');
  ok('browser: a private message from B reaches A on another instance');

  // the assistant through nginx
  await a.page.fill('#prompt', 'scaling out with Redis');
  await a.page.click('#send');
  await a.page.waitForFunction(() => document.getElementById('gen-state').textContent === 'done', null, { timeout: 15000 });
  const genOn = (await instances(a.page, 'gen')).at(-1);
  check(`browser: the assistant streamed through nginx (served by ${genOn})`, !!genOn && Number(await text(a.page, '#gen-tokens')) >= 30);

  // kill -9 the instance serving page A's feed
  await a.page.waitForFunction(() => window.wsxDemo.feedIds.length >= 5, null, { timeout: 10000 });
  const feedOn = (await instances(a.page, 'feed')).at(-1);
  const victim = cluster.instances.findIndex((s) => s.name === feedOn);
  const countBefore = (await a.page.evaluate(() => window.wsxDemo.feedIds.length));
  watch.outage = true;
  await cluster.kill(victim);
  await a.page.waitForFunction(([dead, n]) => window.wsxDemo.instances.feed.at(-1) !== dead
    && window.wsxDemo.feedIds.length >= n + 5, [feedOn, countBefore], { timeout: 15000 });
  const ids = await a.page.evaluate(() => window.wsxDemo.feedIds);
  const problems = Number(await text(a.page, '#feed-problems'));
  let hole = '';
  for (let i = 1; i < ids.length && !hole; i++) if (ids[i] !== ids[i - 1] + 1) hole = `${ids[i - 1]} then ${ids[i]}`;
  check(`browser: after kill -9 of ${feedOn} the feed resumed on ${(await instances(a.page, 'feed')).at(-1)} with no gap `
    + `and no duplicate (${ids.length} events)`, !hole && problems === 0, `${hole} problems ${problems}`);
  check('browser: the page shows the new instance', (await text(a.page, '#feed-instance')).includes(`was ${feedOn}`),
    await text(a.page, '#feed-instance'));
  await cluster.restart(victim);

  // kill -9 the instance serving page A's chat: A reconnects through nginx to
  // a surviving instance and receives B's messages; B sees A's old name leave
  const chatVictim = cluster.instances.findIndex((s) => s.name === (a.chatOn));
  const oldName = await text(a.page, '#me');
  await cluster.kill(chatVictim);
  await a.page.waitForFunction(([dead]) => window.wsxDemo.instances.ws.length > 1
    && window.wsxDemo.instances.ws.at(-1) !== dead && document.getElementById('me').textContent !== '-',
  [a.chatOn], { timeout: 15000 });
  const newOn = (await instances(a.page, 'ws')).at(-1);
  await say(b, 'still here?');
  await seesChat(a, b.me, 'still here?');
  check(`browser: after kill -9 of ${a.chatOn} page A's chat reconnected to ${newOn} under its name and receives B's messages`,
    await text(a.page, '#me') === oldName, await text(a.page, '#me'));
  await cluster.restart(chatVictim);
  await a.page.waitForTimeout(1500); // the chart fills a little more
  await a.page.setViewportSize({ width: 1400, height: 900 });
  await a.page.screenshot({ path: shot, fullPage: true });
  ok(`browser: screenshot ${shot}`);
  watch.outage = false;
  await a.context.close();
  await b.context.close();
}

async function main() {
  const missing = missingTools();
  if (missing.length) {
    skip(missing.join(', '), 'apt-get install redis-server nginx');
    finish();
  }
  if (!needProgram(DEMO) || !loadChromium()) finish();
  const t0 = Date.now();
  const dir = tempDir('cluster-browser');
  const shot = process.env.WSX_SCREENSHOT || path.join(dir, 'demo-cluster.png');
  const cluster = await startCluster({ tokenMs: 40, intervalMs: 250 });
  const browser = await launchChromium();
  const watch = { errors: [], outage: false };
  try {
    await flows(cluster, browser, watch, shot);
  } catch (e) {
    bad('browser flows', `${e && e.stack || e}\n${cluster.logs()}`);
  } finally {
    await browser.close();
    await cluster.stop();
    if (!process.env.WSX_KEEP_ARTIFACTS && !process.env.WSX_SCREENSHOT) fs.rmSync(dir, { recursive: true, force: true });
  }
  check('browser: no page or console errors', watch.errors.length === 0, watch.errors.join('\n'));
  console.log(`# total ${Date.now() - t0} ms`);
  finish();
}

main().catch((e) => { bad('test_demo_cluster_browser', String(e && e.stack || e)); finish(); });
