// The demo on three instances sharing a Redis, behind nginx with the shipped
// examples/nginx/wsx-cluster.conf (round-robin, no sticky sessions): the
// cluster mode of examples/demo (cluster*.c, redis_loop.c).  Flows:
//   chat       clients on different instances see each other's joins,
//              messages and private messages (only the recipient and the
//              sender); a kill -9'd instance's user is announced as gone
//              within the presence bound
//   feed       an SSE client through nginx; the instance serving it is
//              killed (-9) and started again, KILLS times: the client
//              resumes on another instance with no gap and no duplicate;
//              a Last-Event-ID older than an instance's window comes from
//              the stream, one newer than the stream gets the reset, one
//              older than its retention the gap note
//   assistant  Stop through nginx lands on another instance than the
//              stream's and stops it within 3 tokens, the history (read
//              from yet another instance) equals what the client was shown;
//              an instance killed mid-stream leaves its record
//              "interrupted" with what was sent
//   Redis      restarted: every instance says so on /api/health, reconnects,
//              and the feed goes on; no instance crashes
// Needs redis-server and nginx (a missing one is a failure with
// WSX_REQUIRE_PEERS=1, as in CI).  20 kills (issue 13), WSX_STRESS=1: 50.
//     node tests/interop/test_demo_cluster.mjs [BUILD_DIR]
import { DEMO } from './demo_lib.mjs';
import { health, missingTools, startCluster } from './cluster_lib.mjs';
import { bad, check, finish, loadModule, needProgram, ok, skip, sleep, waitFor, withTimeout } from './lib.mjs';

const KILLS = process.env.WSX_STRESS === '1' ? 50 : 20;
const PRESENCE_BOUND_MS = 6000; /* TTL 3 s + heartbeat 1 s, and slack for a loaded machine */

// ---- an SSE reader that reconnects with Last-Event-ID (fetch, gzip or not) ----

function sseClient(url) {
  const st = { ids: [], instances: [], instance: '', last: null, stopped: false, reconnects: 0, resets: 0, gaps: 0 };
  const run = async () => {
    while (!st.stopped) {
      const ctl = new AbortController();
      st.abort = () => ctl.abort();
      try {
        const headers = st.last === null ? {} : { 'Last-Event-ID': String(st.last) };
        const res = await fetch(`${url}/events`, { headers, signal: ctl.signal });
        const reader = res.body.getReader();
        const dec = new TextDecoder();
        let buf = '';
        let ev = { type: '', data: '', id: null };
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += dec.decode(value, { stream: true });
          let i;
          while ((i = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            if (line === '') {
              if (ev.type === 'instance') {
                st.instance = JSON.parse(ev.data).instance;
                st.instances.push(st.instance);
              } else if (ev.type === 'reset') st.resets++;
              else if (ev.type === 'gap') st.gaps++;
              else if (ev.data !== '') { st.ids.push(Number(ev.data)); st.last = Number(ev.id); }
              ev = { type: '', data: '', id: null };
            } else if (line.startsWith('data: ')) ev.data = line.slice(6);
            else if (line.startsWith('event: ')) ev.type = line.slice(7);
            else if (line.startsWith('id: ')) ev.id = line.slice(4);
          }
        }
      } catch { /* killed under us: reconnect */ }
      if (st.stopped) break;
      st.reconnects++;
      await sleep(100);
    }
  };
  st.done = run();
  st.stop = () => { st.stopped = true; if (st.abort) st.abort(); return st.done; };
  return st;
}

function consecutive(ids) {
  for (let i = 1; i < ids.length; i++) if (ids[i] !== ids[i - 1] + 1) return `at ${i}: ${ids[i - 1]} then ${ids[i]}`;
  return '';
}

async function feedFlow(cluster) {
  const feed = sseClient(cluster.url);
  try {
    await waitFor('the first events', () => feed.ids.length >= 3, 10000);
    const t0 = Date.now();
    for (let k = 0; k < KILLS; k++) {
      const victim = cluster.instances.findIndex((s) => s.name === feed.instance);
      if (victim < 0) throw new Error(`feed served by unknown instance '${feed.instance}'`);
      const before = feed.ids.length;
      await cluster.kill(victim);
      await waitFor(`the feed to resume after killing ${feed.instance}`,
        () => feed.instance !== cluster.instances[victim].name && feed.ids.length >= before + 3, 15000);
      await cluster.restart(victim);
    }
    await feed.stop();
    const hole = consecutive(feed.ids);
    check(`feed: ${KILLS} kill -9s of the serving instance, resumed elsewhere each time: ${feed.ids.length} events `
      + `${feed.ids[0]}..${feed.ids[feed.ids.length - 1]} with no gap and no duplicate (${Date.now() - t0} ms)`,
    hole === '' && feed.resets === 0 && feed.gaps === 0, `${hole} resets ${feed.resets} gaps ${feed.gaps}`);
    check('feed: served by more than one instance over the run', new Set(feed.instances).size >= 2, feed.instances.join(','));
  } finally {
    await feed.stop();
  }
}

// GET /events with Last-Event-ID `last` at url: the events until `enough(events)` (or 5 s).
async function resumeAt(url, last, enough) {
  const ctl = new AbortController();
  const events = [];
  const timer = setTimeout(() => ctl.abort(), 5000);
  try {
    const res = await fetch(`${url}/events`, { headers: { 'Last-Event-ID': String(last) }, signal: ctl.signal });
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    let buf = '';
    while (!enough(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const type = (/^event: (.*)$/m.exec(block) || [])[1] || 'message';
        const data = (/^data: (.*)$/m.exec(block) || [])[1];
        if (data !== undefined) events.push({ type, data });
      }
    }
  } catch { /* the 5 s are over */ }
  clearTimeout(timer);
  ctl.abort();
  return events;
}

async function burst(url, n) {
  const res = await fetch(`${url}/api/debug/feed-burst?n=${n}`, { method: 'POST' });
  return res.json();
}

// Resuming outside an instance's 512-event window: from the stream.
async function resumeFlow(cluster) {
  const [s1, s2, s3] = cluster.instances;
  const b = await burst(s1.url, 1000);
  await waitFor('the burst to reach s2', async () => (await health(s2.url)).feed_last >= b.last, 5000, 50);
  const from = b.last - 900;
  const got = await resumeAt(s2.url, from, (ev) => ev.filter((e) => e.type === 'message').length >= 900);
  const ids = got.filter((e) => e.type === 'message').map((e) => Number(e.data));
  check(`resume: Last-Event-ID ${from}, older than s2's window, in the stream: the 900 events after it, in order`,
    ids.length >= 900 && ids[0] === from + 1 && consecutive(ids) === '' && !got.some((e) => e.type === 'gap' || e.type === 'reset'),
    `${ids.length} events from ${ids[0]}: ${consecutive(ids)}`);
  const ahead = await resumeAt(s3.url, b.last + 10000, (ev) => ev.some((e) => e.type === 'reset'));
  check('resume: an id newer than the stream gets the reset', ahead.some((e) => e.type === 'reset'), JSON.stringify(ahead.slice(0, 3)));
  await burst(s1.url, 5000);
  const old = await resumeAt(s3.url, 1, (ev) => ev.some((e) => e.type === 'gap'));
  const gap = old.find((e) => e.type === 'gap');
  check(`resume: an id older than the stream's retention gets the gap note (${gap && gap.data})`,
    gap && JSON.parse(gap.data).from === 2 && old.filter((e) => e.type === 'message').length === 0, JSON.stringify(old.slice(0, 3)));
}

// ---- chat ---------------------------------------------------------------------------

function chatClient(WebSocket, url, name) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`);
    const c = { ws, name, got: [], closed: false };
    ws.on('message', (d) => {
      const m = JSON.parse(String(d));
      c.got.push(m);
      if (m.type === 'welcome') { c.welcome = m; resolve(c); }
    });
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', name })));
    ws.on('close', () => { c.closed = true; });
    ws.on('error', reject);
  });
}
const sees = (c, pred, what, ms = 5000) => waitFor(`${c.name} to see ${what}`, () => c.got.some(pred), ms);

async function chatFlow(cluster, WebSocket) {
  const [s1, s2, s3] = cluster.instances;
  const ann = await chatClient(WebSocket, s1.url, 'ann');
  const bob = await chatClient(WebSocket, s2.url, 'bob');
  const cat = await chatClient(WebSocket, s3.url, 'cat');
  check('chat: each client is told its instance', ann.welcome.instance === 's1' && bob.welcome.instance === 's2'
    && cat.welcome.instance === 's3', JSON.stringify([ann.welcome, bob.welcome, cat.welcome]));
  await sees(ann, (m) => m.type === 'join' && m.name === 'cat', 'cat join');
  ok('chat: a join on s3 reaches a client on s1');
  check('chat: the welcome lists users of the other instances', cat.welcome.users.includes('ann') && cat.welcome.users.includes('bob'),
    JSON.stringify(cat.welcome.users));
  ann.ws.send(JSON.stringify({ type: 'chat', text: 'hello all' }));
  for (const u of [ann, bob, cat]) await sees(u, (m) => m.type === 'chat' && m.text === 'hello all', 'hello all');
  ok('chat: a message on s1 reaches s1, s2 and s3');
  cat.ws.send(JSON.stringify({ type: 'chat', text: 'psst bob', to: ['bob'] }));
  await sees(bob, (m) => m.text === 'psst bob', 'the private message');
  await sees(cat, (m) => m.text === 'psst bob', 'its own private message');
  await sleep(300);
  check('chat: a private message from s3 reaches bob on s2 and the sender only', !ann.got.some((m) => m.text === 'psst bob'));
  // presence: kill -9 s1, the instance of ann and amy; amy comes back on s3 at once
  const amy = await chatClient(WebSocket, s1.url, 'amy');
  await sees(bob, (m) => m.type === 'join' && m.name === 'amy', 'amy join');
  const t0 = Date.now();
  await cluster.kill(0);
  const amy2 = await chatClient(WebSocket, s3.url, 'amy');
  await sees(bob, (m) => m.type === 'leave' && m.name === 'ann', 'ann leave', PRESENCE_BOUND_MS + 4000);
  const took = Date.now() - t0;
  check(`chat: the users of a kill -9'd instance are announced gone in ${took} ms (bound ${PRESENCE_BOUND_MS} ms)`,
    took <= PRESENCE_BOUND_MS);
  await sees(cat, (m) => m.type === 'leave' && m.name === 'ann', 'ann leave');
  check('chat: the leave is announced once', bob.got.filter((m) => m.type === 'leave' && m.name === 'ann').length === 1);
  check('chat: a user of the dead instance who came back on another one is not announced gone',
    !bob.got.some((m) => m.type === 'leave' && m.name === 'amy') && amy2.welcome.name === 'amy');
  await cluster.restart(0);
  const dan = await chatClient(WebSocket, cluster.instances[0].url, 'dan');
  check('chat: the restarted instance lists the others and not the dead user', dan.welcome.users.includes('bob')
    && dan.welcome.users.includes('amy') && !dan.welcome.users.includes('ann'), JSON.stringify(dan.welcome.users));
  bob.ws.send(JSON.stringify({ type: 'chat', text: 'welcome back' }));
  await sees(dan, (m) => m.text === 'welcome back', 'welcome back');
  ok('chat: the restarted instance receives the others\' messages');
  // a clean stop (SIGTERM): its users are announced gone at once
  const fay = await chatClient(WebSocket, cluster.instances[1].url, 'fay');
  await sees(cat, (m) => m.type === 'join' && m.name === 'fay', 'fay join');
  const t1 = Date.now();
  await cluster.instances[1].stop('SIGTERM');
  await sees(cat, (m) => m.type === 'leave' && m.name === 'fay', 'fay leave', PRESENCE_BOUND_MS);
  check(`chat: the users of a stopped (SIGTERM) instance are announced gone at once (${Date.now() - t1} ms)`,
    Date.now() - t1 < 1500);
  await cluster.restart(1);
  for (const u of [bob, cat, dan, amy2, fay]) u.ws.close();
}

// ---- assistant ------------------------------------------------------------------------

// POST /api/chat at url; resolves once `after` tokens arrived: { meta, tokens, text, end() }.
async function startStream(url, message, after) {
  const res = await fetch(`${url}/api/chat`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ message }) });
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  const st = { meta: null, tokens: 0, text: '', state: '', buf: '' };
  let wake = null;
  const pump = (async () => {
    for (;;) {
      let r;
      try { r = await reader.read(); } catch { st.state = st.state || 'error'; break; }
      if (r.done) break;
      st.buf += dec.decode(r.value, { stream: true });
      let i;
      while ((i = st.buf.indexOf('\n\n')) >= 0) {
        const block = st.buf.slice(0, i);
        st.buf = st.buf.slice(i + 2);
        const type = (/^event: (.*)$/m.exec(block) || [])[1] || 'message';
        const data = (/^data: (.*)$/m.exec(block) || [])[1];
        if (type === 'meta') st.meta = JSON.parse(data);
        else if (type === 'stopped') st.state = 'stopped';
        else if (data === '[DONE]') st.state = 'done';
        else if (type === 'message' && data) { st.text += JSON.parse(data).text; st.tokens++; }
      }
      if (wake) wake();
    }
    st.state = st.state || 'cut';
    if (wake) wake();
  })();
  st.ended = pump;
  await waitFor(`${after} tokens`, () => st.tokens >= after || st.state, 10000, 5);
  return st;
}

async function historyRecord(url, id) {
  const list = await (await fetch(`${url}/api/history`)).json();
  return list.find((h) => h.id === id);
}

async function assistantFlow(cluster) {
  const st = await startStream(cluster.url, 'stop me from elsewhere please', 5);
  const res = await fetch(`${cluster.url}/api/stop-generation`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ id: st.meta.id }) });
  const ans = await res.json();
  const tokensAtStop = st.tokens;
  await withTimeout(st.ended, 5000, 'the stopped stream to end');
  check(`assistant: Stop through nginx landed on another instance (${ans.instance}) than the stream (${st.meta.instance})`,
    res.status === 200 && ans.instance && ans.instance !== st.meta.instance, `${res.status} ${JSON.stringify(ans)}`);
  check(`assistant: the stream stopped within 3 tokens of the answer (${st.tokens - tokensAtStop} more)`,
    st.state === 'stopped' && st.tokens - tokensAtStop <= 3, `${st.state} ${st.tokens - tokensAtStop}`);
  const other = cluster.instances.find((s) => s.name !== ans.instance && s.name !== st.meta.instance);
  const h = await historyRecord(other.url, st.meta.id);
  check(`assistant: the history on a third instance (${other.name}) equals what the client was shown`,
    h && h.stopped && h.answer === st.text && h.tokens === st.tokens, JSON.stringify({ h, shown: st.text }));

  // kill -9 mid-stream: the record says interrupted, with what was sent
  const victim = cluster.instances.findIndex((s) => s.name === 's2');
  const st2 = await startStream(cluster.instances[victim].url, 'this instance dies mid-answer', 6);
  await cluster.kill(victim);
  await withTimeout(st2.ended, 5000, 'the cut stream to end');
  const survivor = cluster.instances[(victim + 1) % cluster.instances.length];
  const rec = await waitFor('the generation to be marked interrupted', async () => {
    const r = await historyRecord(survivor.url, st2.meta.id);
    return r && r.interrupted ? r : null;
  }, PRESENCE_BOUND_MS + 4000, 200);
  check(`assistant: a generation whose instance died is recorded as interrupted with what was sent (${rec.tokens} of ${st2.tokens} shown tokens)`,
    st2.text.startsWith(rec.answer) && st2.tokens - rec.tokens <= 1 && rec.tokens >= 6, JSON.stringify({ rec, shown: st2.text }));
  await cluster.restart(victim);
}

// ---- Redis restart ----------------------------------------------------------------------

async function redisFlow(cluster) {
  const before = (await health(cluster.instances[0].url)).feed_last;
  await cluster.stopRedis();
  const down = await waitFor('every instance to report Redis down', async () => {
    const hs = await Promise.all(cluster.instances.map((s) => health(s.url)));
    return hs.every((h) => h.status === 503 && h.redis === false) ? hs : null;
  }, 8000, 100);
  check('redis: /api/health says 503 and redis:false on every instance while Redis is down', down.length === 3);
  const chatMeanwhile = await fetch(`${cluster.instances[1].url}/`);
  check('redis: the instances keep serving (the page) while Redis is down', chatMeanwhile.status === 200);
  await cluster.startRedis();
  await waitFor('every instance to reconnect', async () => {
    const hs = await Promise.all(cluster.instances.map((s) => health(s.url)));
    return hs.every((h) => h.status === 200 && h.redis === true);
  }, 10000, 100);
  ok('redis: every instance reconnected after the restart (health 200, redis:true)');
  const after = await waitFor('the feed to go on', async () => {
    const h = await health(cluster.instances[2].url);
    return h.feed_last > before + 2 ? h.feed_last : 0;
  }, 5000, 100);
  check(`redis: the feed goes on after the restart (${before} -> ${after})`, after > before);
  const alive = cluster.instances.every((s) => s.proc.exitCode === null && s.proc.signalCode === null);
  check('redis: no instance crashed', alive);
  const logs = cluster.logs();
  check('redis: the instances logged the lost connection and the reconnect', /connection lost/.test(logs) && /connected to/.test(logs));
}

async function main() {
  const missing = missingTools();
  if (missing.length) {
    skip(missing.join(', '), 'apt-get install redis-server nginx');
    finish();
  }
  if (!needProgram(DEMO)) finish();
  const WebSocket = loadModule('ws');
  if (!WebSocket) finish();
  const t0 = Date.now();
  const cluster = await startCluster();
  try {
    const hs = await Promise.all(cluster.instances.map((s) => health(s.url)));
    await waitFor('Redis connections', async () => (await Promise.all(cluster.instances.map((s) => health(s.url))))
      .every((h) => h.redis), 5000, 50);
    check('health: every instance reaches Redis', hs.length === 3);
    const names = new Set();
    for (let i = 0; i < 6; i++) names.add((await health(cluster.url)).instance);
    check(`nginx: round-robin over the instances (${[...names].sort().join(', ')})`, names.size === 3);
    for (const [name, flow] of [['chat', () => chatFlow(cluster, WebSocket)], ['feed', () => feedFlow(cluster)],
      ['resume', () => resumeFlow(cluster)], ['assistant', () => assistantFlow(cluster)],
      ['redis', () => redisFlow(cluster)]]) {
      const t = Date.now();
      await flow().catch((e) => bad(`${name} flow`, `${e && e.stack || e}\n${cluster.logs()}`));
      console.log(`# ${name}: ${Date.now() - t} ms`);
    }
  } finally {
    await cluster.stop();
  }
  console.log(`# total ${Date.now() - t0} ms`);
  finish();
}

main().catch((e) => { bad('test_demo_cluster', String(e && e.stack || e)); finish(); });
