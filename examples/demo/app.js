// wsx demo page: plain JavaScript, no build step.
//   Chat       WebSocket /ws, JSON messages, reconnect with exponential backoff.
//   Assistant  fetch POST /api/chat, the text/event-stream body read with a
//              ReadableStream reader and a small SSE parser; Stop asks the
//              server (POST /api/stop-generation) and keeps reading until the
//              server ends the stream, so the page shows exactly what was sent.
//   Live feed  EventSource /events; the browser resumes with Last-Event-ID.
//   Cluster    behind `make demo-cluster` each panel shows which instance
//              serves its connection (the welcome, the meta event, the feed's
//              "instance" event), the chat joins by itself with a generated
//              name, and a canvas plots when tokens, feed events and
//              reconnects arrived.
'use strict';

const $ = (id) => document.getElementById(id);
// What the page saw, for tests and curious readers (bounded).
const demo = window.wsxDemo = {
  feedIds: [], tokenTimes: [], chat: [], wsExtensions: '',
  instances: { ws: [], gen: [], feed: [] }, arrivals: { tokens: [], feed: [], reconnects: [] },
};

// Which instance serves a connection (cluster mode).
function setInstance(kind, name) {
  const seen = demo.instances[kind];
  seen.push(name);
  const el = $(`${kind}-instance`);
  el.textContent = seen.length > 1 && seen[seen.length - 2] !== name ? `${name} (was ${seen[seen.length - 2]})` : name;
}

function arrived(list) {
  list.push(performance.now());
  while (list.length > 2000) list.shift();
}

function addItem(list, cls, parts, max = 200) {
  const li = document.createElement('li');
  li.className = cls;
  for (const [c, text] of parts) {
    const span = document.createElement('span');
    if (c) span.className = c;
    span.textContent = text;
    li.appendChild(span);
  }
  list.appendChild(li);
  while (list.children.length > max) list.removeChild(list.firstChild);
  list.scrollTop = list.scrollHeight;
  return li;
}

// ---------------------------------------------------------------- chat ----

const STATES = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'];
const chat = { ws: null, wanted: false, attempt: 0, timer: null, users: new Set(), me: '' };

function chatState(note = '') {
  const st = chat.ws ? STATES[chat.ws.readyState] : 'CLOSED';
  const el = $('ws-state');
  el.textContent = st + note;
  el.dataset.state = st;
  const open = st === 'OPEN' && chat.me !== '';
  for (const id of ['chat-input', 'recipients', 'chat-send']) $(id).disabled = !open;
  $('connect').disabled = chat.wanted;
  $('disconnect').disabled = !chat.wanted;
  $('name').disabled = chat.wanted;
}

function showUsers() {
  $('users').textContent = chat.users.size ? [...chat.users].join(', ') : '-';
}

function notice(text, cls = 'notice') {
  addItem($('messages'), cls, [[null, text]]);
}

function chatOpen() {
  clearTimeout(chat.timer);
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  const ws = chat.ws = new WebSocket(url);
  chatState();
  ws.onopen = () => {
    if (chat.attempt > 0) demo.arrivals.reconnects.push(performance.now());
    chat.attempt = 0;
    demo.wsExtensions = ws.extensions; // "permessage-deflate; ..." when compressed
    ws.send(JSON.stringify({ type: 'hello', name: $('name').value.trim() || 'guest' }));
    chatState();
  };
  ws.onmessage = (e) => {
    let m;
    try { m = JSON.parse(e.data); } catch { return; }
    demo.chat.push(m);
    if (demo.chat.length > 1000) demo.chat.shift();
    if (m.type === 'welcome') {
      if (m.instance) setInstance('ws', m.instance);
      chat.me = m.name;
      $('me').textContent = m.name;
      chat.users = new Set(m.users);
      showUsers();
      chatState();
    } else if (m.type === 'join' || m.type === 'leave') {
      if (m.type === 'join') chat.users.add(m.name); else chat.users.delete(m.name);
      showUsers();
      if (m.name !== chat.me) notice(`${m.name} ${m.type === 'join' ? 'joined' : 'left'}`);
    } else if (m.type === 'chat') {
      const parts = [['from', m.from]];
      if (Array.isArray(m.to)) parts.push(['to', `→ ${m.to.join(', ')}`]);
      parts.push(['text', m.text]);
      const li = addItem($('messages'), Array.isArray(m.to) ? 'msg private' : 'msg', parts);
      li.dataset.from = m.from;
    }
  };
  ws.onclose = (e) => {
    if (chat.ws !== ws) return;
    chat.me = '';
    $('me').textContent = '-';
    chat.users.clear();
    showUsers();
    notice(`disconnected (${e.code}${e.reason ? ': ' + e.reason : ''})`);
    if (!chat.wanted) { chatState(); return; }
    // Exponential backoff with jitter: 0.5 s, 1 s, 2 s ... 15 s.
    const delay = Math.min(15000, 500 * 2 ** chat.attempt++) * (1 + Math.random() * 0.3);
    chat.timer = setTimeout(chatOpen, delay);
    chatState(` (reconnecting in ${(delay / 1000).toFixed(1)} s)`);
  };
}

$('connect').onclick = () => { chat.wanted = true; chat.attempt = 0; chatOpen(); };
$('disconnect').onclick = () => {
  chat.wanted = false;
  clearTimeout(chat.timer);
  if (chat.ws && chat.ws.readyState <= 1) chat.ws.close(1000, 'bye');
  chatState();
};
$('name').onkeydown = (e) => { if (e.key === 'Enter' && !chat.wanted) $('connect').click(); };
$('chat-form').onsubmit = (e) => {
  e.preventDefault();
  const text = $('chat-input').value;
  if (!text || !chat.ws || chat.ws.readyState !== 1) return;
  const to = $('recipients').value.split(',').map((s) => s.trim()).filter(Boolean);
  chat.ws.send(JSON.stringify(to.length ? { type: 'chat', text, to } : { type: 'chat', text }));
  $('chat-input').value = '';
};

// ----------------------------------------------------------- assistant ----

// A small text/event-stream parser (WHATWG rules: CR, LF or CRLF line ends,
// "field: value", data lines joined with LF, dispatch on an empty line).
function sseParser(onEvent) {
  let buf = '';
  let data = null;
  let type = '';
  let id = '';
  function line(l) {
    if (l === '') {
      if (data !== null) onEvent({ type: type || 'message', data: data.join('\n'), id });
      data = null;
      type = '';
      return;
    }
    if (l[0] === ':') return; // comment (keep-alive)
    const i = l.indexOf(':');
    const field = i < 0 ? l : l.slice(0, i);
    let value = i < 0 ? '' : l.slice(i + 1);
    if (value[0] === ' ') value = value.slice(1);
    if (field === 'data') (data = data || []).push(value);
    else if (field === 'event') type = value;
    else if (field === 'id' && !value.includes('\0')) id = value;
  }
  return (text) => {
    buf += text;
    for (;;) {
      const i = buf.search(/[\r\n]/);
      if (i < 0 || (buf[i] === '\r' && i === buf.length - 1)) break; // CR: maybe CRLF
      line(buf.slice(0, i));
      buf = buf.slice(i + (buf[i] === '\r' && buf[i + 1] === '\n' ? 2 : 1));
    }
  };
}

const gen = { id: null, busy: false };

function genState(state) {
  $('gen-state').textContent = state;
  $('send').disabled = gen.busy;
  $('stop').disabled = !gen.busy || !gen.id;
}

async function ask(message) {
  gen.busy = true;
  gen.id = null;
  $('gen-id').textContent = '-';
  $('answer').textContent = '';
  $('gen-tokens').textContent = '0';
  demo.tokenTimes = [];
  genState('waiting');
  let tokens = 0;
  let end = 'ended';
  try {
    const res = await fetch('/api/chat', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
      body: JSON.stringify({ message }),
    });
    if (!res.ok || !(res.headers.get('Content-Type') || '').startsWith('text/event-stream')) {
      throw new Error(`HTTP ${res.status}: ${(await res.text()).trim()}`);
    }
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    const push = sseParser((ev) => {
      if (ev.type === 'meta') {
        const meta = JSON.parse(ev.data);
        gen.id = meta.id;
        if (meta.instance) setInstance('gen', meta.instance);
        $('gen-id').textContent = gen.id;
        genState('streaming');
      } else if (ev.type === 'stopped') {
        end = 'stopped';
      } else if (ev.data === '[DONE]') {
        end = 'done';
      } else if (ev.type === 'message') {
        // Typewriter: each token shows up the moment it arrives.
        $('answer').append(JSON.parse(ev.data).text);
        demo.tokenTimes.push(performance.now());
        arrived(demo.arrivals.tokens);
        $('gen-tokens').textContent = String(++tokens);
      }
    });
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      push(decoder.decode(value, { stream: true }));
    }
  } catch (err) {
    end = 'error';
    addItem($('history'), 'error', [[null, String(err.message || err)]]);
  }
  gen.busy = false;
  genState(end);
}

$('prompt-form').onsubmit = (e) => {
  e.preventDefault();
  const message = $('prompt').value.trim();
  if (message && !gen.busy) ask(message);
};

// Stop asks the server; the stream keeps being read until the server ends
// it, so what is on screen is what the server recorded as sent.
$('stop').onclick = async () => {
  if (!gen.id) return;
  $('stop').disabled = true;
  genState('stopping');
  const res = await fetch('/api/stop-generation', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ id: gen.id }),
  });
  if (res.status === 404 && gen.busy) genState('streaming (already over)');
};

$('history-refresh').onclick = async () => {
  const list = $('history');
  const items = await (await fetch('/api/history')).json();
  list.textContent = '';
  for (const h of items) {
    const li = addItem(list, h.stopped ? 'stopped' : '', [
      ['from', `${h.id}${h.stopped ? ' (stopped)' : ''}${h.running ? ' (running)' : ''}: `],
      ['prompt', h.prompt],
      [null, ' → '],
      ['text', h.answer],
    ]);
    li.dataset.id = h.id;
  }
};

// ----------------------------------------------------------- live feed ----

const feed = { es: null, last: null, count: 0, reconnects: 0, problems: 0, opened: false, retry: 0 };

function feedNote(text) {
  addItem($('feed-notes'), 'notice', [[null, `${new Date().toLocaleTimeString()} ${text}`]], 50);
}

function feedOpen() {
  // The browser itself resumes with Last-Event-ID after a dropped
  // connection.  When it gives up (an error status, e.g. a proxy's 502
  // while the server restarts) the page opens a new EventSource, which has
  // no Last-Event-ID: the last id goes in the URL instead.
  const url = feed.last === null ? '/events' : `/events?lastEventId=${feed.last}`;
  const es = feed.es = new EventSource(url);
  let resumed = feed.opened;
  $('feed-state').textContent = 'CONNECTING';
  es.onopen = () => {
    feed.retry = 0;
    $('feed-state').textContent = 'OPEN';
    if (feed.opened) {
      demo.arrivals.reconnects.push(performance.now());
      feed.reconnects++;
      $('feed-reconnects').textContent = String(feed.reconnects);
      feedNote(`reconnected after id ${feed.last}`);
    }
    feed.opened = true;
  };
  es.onerror = () => {
    resumed = true;
    if (es.readyState === EventSource.CLOSED) {
      const delay = Math.min(10000, 1000 * 2 ** feed.retry++);
      $('feed-state').textContent = `CLOSED (new connection in ${delay / 1000} s)`;
      feedNote('the browser gave up; opening a new connection');
      setTimeout(feedOpen, delay);
    } else {
      $('feed-state').textContent = 'CONNECTING (reconnecting)';
    }
  };
  es.onmessage = (e) => {
    const n = Number(e.data);
    if (feed.last !== null && n !== feed.last + 1) {
      feed.problems++;
      $('feed-problems').textContent = String(feed.problems);
      feedNote(n <= feed.last ? `duplicate ${n}` : `gap: ${feed.last + 1}..${n - 1} missing`);
    }
    feed.last = n;
    feed.count++;
    arrived(demo.arrivals.feed);
    demo.feedIds.push(n);
    if (demo.feedIds.length > 100000) demo.feedIds.shift();
    $('feed-last-id').textContent = e.lastEventId;
    $('feed-count').textContent = String(feed.count);
    const span = document.createElement('span');
    span.textContent = e.data;
    if (resumed) { span.className = 'resumed'; resumed = false; }
    const list = $('feed-list');
    list.appendChild(span);
    while (list.children.length > 40) list.removeChild(list.firstChild);
  };
  es.addEventListener('instance', (e) => {
    const name = JSON.parse(e.data).instance;
    const seen = demo.instances.feed;
    if (seen.length && seen[seen.length - 1] !== name) feedNote(`now served by ${name}`);
    setInstance('feed', name);
  });
  es.addEventListener('gap', (e) => {
    const g = JSON.parse(e.data);
    feed.problems++;
    $('feed-problems').textContent = String(feed.problems);
    feedNote(`server: events ${g.from}..${g.to} are no longer available`);
    feed.last = g.to;
  });
  es.addEventListener('reset', (e) => {
    feedNote(`server: sequence restarted (now at ${JSON.parse(e.data).last})`);
    feed.last = null;
  });
}

// ------------------------------------------------------------- the chart ----

// Arrival times of the last 20 s on three rows: tokens, feed events,
// reconnects (chat or feed).  Plain canvas.
const CHART_SPAN_MS = 20000;
function drawChart() {
  const cv = $('chart');
  const ctx = cv.getContext('2d');
  const w = cv.width;
  const h = cv.height;
  const now = performance.now();
  const rows = [['tokens', demo.arrivals.tokens, '#2f6fb0'], ['feed', demo.arrivals.feed, '#2e8b57'],
    ['reconnects', demo.arrivals.reconnects, '#c0392b']];
  ctx.clearRect(0, 0, w, h);
  ctx.font = '11px monospace';
  ctx.strokeStyle = '#d7dde3';
  for (let s = 0; s <= CHART_SPAN_MS; s += 5000) {
    const x = 80 + (w - 90) * (1 - s / CHART_SPAN_MS);
    ctx.beginPath(); ctx.moveTo(x, 4); ctx.lineTo(x, h - 16); ctx.stroke();
    ctx.fillStyle = '#6b7885';
    ctx.fillText(s ? `-${s / 1000}s` : 'now', x - 12, h - 4);
  }
  rows.forEach(([label, times, color], r) => {
    const y = 12 + r * ((h - 30) / 3);
    const rowH = (h - 30) / 3 - 6;
    ctx.fillStyle = '#47535e';
    ctx.fillText(label, 4, y + rowH / 2 + 4);
    ctx.fillStyle = color;
    for (let i = times.length - 1; i >= 0 && now - times[i] <= CHART_SPAN_MS; i--) {
      const x = 80 + (w - 90) * (1 - (now - times[i]) / CHART_SPAN_MS);
      ctx.fillRect(x - 1, y, r === 2 ? 3 : 2, rowH);
    }
  });
}
setInterval(drawChart, 200);

// Behind `make demo-cluster` the chat joins by itself under a generated name.
async function autoJoin() {
  try {
    const h = await (await fetch('/api/health')).json();
    if (!h.instance || chat.wanted) return;
    if (!$('name').value.trim()) $('name').value = `guest-${Math.random().toString(16).slice(2, 6)}`;
    $('connect').click();
  } catch { /* one process, or not reachable: Connect by hand */ }
}

chatState();
genState('idle');
feedOpen();
drawChart();
autoJoin();
