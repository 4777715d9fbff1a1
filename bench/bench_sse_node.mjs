// Node side of bench/bench_sse.c: eventsource-parser@3 on the same bytes.
//   node bench/bench_sse_node.mjs FILE CHUNK MIN_SECONDS
// Prints one JSON line: {"bytes":N,"events":N,"seconds":S} for the best
// run (input pre-split into CHUNK-byte strings outside the timed part, as
// a fetch body through a TextDecoderStream would give them).
// eventsource-parser is resolved from tests/interop/node_modules.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const [file, chunkArg, minArg] = process.argv.slice(2);
const require = createRequire(new URL('../tests/interop/package.json', import.meta.url));
let mod;
try {
  mod = await import(pathToFileURL(require.resolve('eventsource-parser')).href);
} catch (e) {
  console.log(JSON.stringify({ skip: 'eventsource-parser not installed (cd tests/interop && npm install)' }));
  process.exit(0);
}
const text = readFileSync(file).toString('latin1'); // ASCII streams: 1 char = 1 byte
const chunk = Number(chunkArg);
const chunks = [];
for (let i = 0; i < text.length; i += chunk) chunks.push(text.slice(i, i + chunk));
const minSeconds = Number(minArg || '0.5');

let events = 0;
let sink = 0;
function once() {
  events = 0;
  const parser = mod.createParser({
    onEvent(ev) {
      events++;
      sink += ev.data.length;
    },
  });
  const t0 = process.hrtime.bigint();
  for (const c of chunks) parser.feed(c);
  const t1 = process.hrtime.bigint();
  return Number(t1 - t0) / 1e9;
}

let best = Infinity;
let total = 0;
let runs = 0;
while (total < minSeconds || runs < 5) {
  const s = once();
  total += s;
  runs++;
  if (s < best) best = s;
}
console.log(JSON.stringify({ bytes: text.length, events, seconds: best, sink }));
