// Headless Chromium (npm playwright-core, /usr/bin/chromium) with the page on
// one origin and build/examples/sse_server on another, as an LLM chat front
// end meets its API:
//   - from an allowed origin (--allow-origin), an EventSource with
//     withCredentials (the cookie token=T goes along: --token) and a fetch
//     POST with JSON and "Authorization: Bearer T" (preflighted) both
//     stream, and render what they got;
//   - the preflight is answered once and then cached for its Max-Age: a
//     second and third POST send none;
//   - from an origin that is not allowed, both fail the way the browser
//     reports CORS failures (EventSource: error, CLOSED; fetch: TypeError)
//     and nothing is rendered.
//     node tests/interop/test_sse_cors_browser.mjs [BUILD_DIR]
import http from 'node:http';
import {
  bad, check, examplePath, finish, freePort, inChromium, loadChromium, needProgram, ok, startServer,
} from './lib.mjs';

const SERVER = examplePath('sse_server');
const TOKEN = 'T0k-en';

// The page of origin A: empty; the test evaluates its scripts in it.
function pageServer(port) {
  const srv = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><meta charset=utf-8><title>front end</title><pre id=out></pre>');
  });
  return new Promise((resolve) => srv.listen(port, '127.0.0.1', () => resolve(srv)));
}

// In the page: an EventSource with credentials until `want` messages (or an
// error that closes it), then a fetch POST read as an event stream, `posts`
// times.  What arrives is rendered into #out.
async function session({ api, token, want, posts }) {
  const out = document.getElementById('out');
  const render = (s) => { out.textContent += s; };
  document.cookie = `token=${token}; path=/`;
  const es = new EventSource(`${api}/events`, { withCredentials: true });
  const feed = await new Promise((resolve) => {
    const got = [];
    const timer = setTimeout(() => resolve({ got, state: es.readyState, timeout: true }), 10000);
    es.onmessage = (e) => {
      got.push(e.data);
      render(`feed ${e.data}\n`);
      if (got.length === want) { clearTimeout(timer); resolve({ got, state: es.readyState }); }
    };
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) {
        clearTimeout(timer);
        resolve({ got, state: es.readyState, error: true });
      }
    };
  });
  es.close();
  const chats = [];
  for (let i = 0; i < posts; i++) {
    try {
      const res = await fetch(`${api}/api/chat`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify({ message: `hello ${i}` }),
      });
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      const tokens = [];
      let done = false;
      while (!done) {
        const r = await reader.read();
        if (r.done) break;
        buf += r.value;
        let cut;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          const data = block.split('\n').filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trimStart()).join('\n');
          if (/^event: ?meta$/m.test(block) || data === '') continue;
          if (data === '[DONE]') { done = true; break; }
          tokens.push(JSON.parse(data).text);
          render(JSON.parse(data).text);
        }
      }
      chats.push({ status: res.status, tokens, done });
    } catch (e) {
      chats.push({ error: `${e.name}: ${e.message}` });
    }
  }
  return { feed, chats, rendered: out.textContent };
}

const preflights = (log) => (log().match(/OPTIONS answered/g) || []).length;

async function main() {
  if (!needProgram(SERVER) || !loadChromium()) finish();
  const portA = await freePort();
  const portC = await freePort();
  const pageA = await pageServer(portA);
  const pageC = await pageServer(portC);
  const api = await startServer(SERVER, ['--interval-ms', '40', '--token-ms', '5',
    '--allow-origin', `http://127.0.0.1:${portA}`, '--token', TOKEN, '--verbose']);
  try {
    await inChromium(async (page) => {
      await page.goto(`http://127.0.0.1:${portA}/`);
      const r = await page.evaluate(session, { api: api.url, token: TOKEN, want: 3, posts: 3 });
      check('allowed origin: EventSource withCredentials streams the feed',
        r.feed.got.length === 3 && r.feed.got.every((d) => /^\d+$/.test(d)), JSON.stringify(r.feed));
      check('allowed origin: fetch POST + JSON + Authorization streams tokens to [DONE], 3 times',
        r.chats.length === 3 && r.chats.every((c) => c.status === 200 && c.done && c.tokens.length > 3),
        JSON.stringify(r.chats).slice(0, 400));
      check('allowed origin: the page rendered both', /feed \d+/.test(r.rendered)
        && r.rendered.length > 40, r.rendered.slice(0, 200));
      check('the preflight was answered once, then cached (Max-Age 600): 3 POSTs, 1 OPTIONS',
        preflights(api.log) === 1, `${preflights(api.log)} preflights`);

      const before = preflights(api.log);
      await page.goto(`http://127.0.0.1:${portC}/`);
      const n = await page.evaluate(session, { api: api.url, token: TOKEN, want: 3, posts: 1 });
      check('origin not allowed: EventSource fails (error, CLOSED), no message',
        n.feed.error === true && n.feed.state === 2 && n.feed.got.length === 0, JSON.stringify(n.feed));
      check('origin not allowed: fetch rejects with a TypeError (CORS), nothing streamed',
        n.chats.length === 1 && /^TypeError/.test(n.chats[0].error || ''), JSON.stringify(n.chats));
      check('origin not allowed: nothing rendered', n.rendered === '', JSON.stringify(n.rendered));
      check('origin not allowed: the preflight was refused by the server',
        preflights(api.log) === before && /OPTIONS: preflight refused/.test(api.log()),
        api.log().slice(-400));
    });
  } catch (e) {
    bad('cors session', e.message);
  } finally {
    await api.stop();
    pageA.close();
    pageC.close();
  }
  finish();
}

main();
