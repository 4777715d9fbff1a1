// Shared by tests/interop/test_demo_*.mjs, on top of lib.mjs: the demo
// server and a real nginx started on free loopback ports (stopped by pid),
// and the verdict on token timing.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { REPO, bad, examplePath, freePort, startServer, stopProc, tempDir, waitFor } from './lib.mjs';

export const DEMO = examplePath('demo_server');
export const NGINX_CONF = path.join(REPO, 'examples', 'nginx', 'wsx-demo.conf');

// The demo server on a free port (or the given one): { port, url, stop(), log() }.
export async function startDemo(opts = {}) {
  const server = await startServer(DEMO, ['--test-hooks',
    '--token-ms', String(opts.tokenMs || 40), '--interval-ms', String(opts.intervalMs || 100),
    ...(opts.state ? ['--state', opts.state] : []), ...(opts.args || [])], { port: opts.port });
  return {
    ...server,
    stop: async (signal) => {
      const status = await server.stop(signal);
      // A sanitizer build (tests run against one by hand) reports here.
      if (/Sanitizer|runtime error:/.test(server.log())) bad('demo_server: sanitizer report', server.log().slice(-3000));
      return status;
    },
  };
}

// nginx with the shipped examples/nginx/wsx-demo.conf, pointed at the
// backend port, listening on a free port, every path in a temp dir.  mode:
//   'shipped'         the file as it is (proxy_buffering off for SSE)
//   'buffering-on'    proxy_buffering on everywhere (HTTP/1.1 upstream)
//   'nginx-defaults'  proxy_buffering on and HTTP/1.0 upstream (nginx's
//                     defaults; /ws keeps its own 1.1): a close-delimited
//                     stream is buffered unless the server's
//                     X-Accel-Buffering: no says otherwise
//   'ignore-accel'    nginx-defaults plus proxy_ignore_headers
//                     X-Accel-Buffering: a negative control, nginx buffers
export async function startNginx(backendPort, mode = 'shipped') {
  const dir = tempDir('nginx');
  const port = await freePort();
  let site = fs.readFileSync(NGINX_CONF, 'utf8');
  const swaps = [
    [/server 127\.0\.0\.1:8080;/g, `server 127.0.0.1:${backendPort};`],
    [/listen 8000;/g, `listen 127.0.0.1:${port};`],
  ];
  if (mode !== 'shipped') swaps.push([/proxy_buffering off;/g, 'proxy_buffering on; ']);
  if (mode === 'nginx-defaults') swaps.push([/proxy_http_version 1\.1;/, 'proxy_http_version 1.0;']);
  if (mode === 'ignore-accel') {
    swaps.push([/proxy_http_version 1\.1;/, 'proxy_http_version 1.0; proxy_ignore_headers X-Accel-Buffering;']);
  }
  for (const [re, to] of swaps) {
    if (!re.test(site)) throw new Error(`nginx config: ${re} not found in ${NGINX_CONF}`);
    site = site.replace(re, to);
  }
  fs.writeFileSync(path.join(dir, 'site.conf'), site);
  const user = process.getuid && process.getuid() === 0 ? 'user root;\n' : '';
  const conf = `${user}worker_processes 1;
error_log ${dir}/error.log info;
events { worker_connections 512; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/site.conf;
}
`;
  fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const proc = spawn('nginx', ['-c', path.join(dir, 'nginx.conf'), '-p', dir, '-e', path.join(dir, 'error.log'),
    '-g', `daemon off; pid ${dir}/nginx.pid;`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  await waitFor('nginx to listen', () => {
    if (proc.exitCode !== null) throw new Error(`nginx exited: ${out} ${readIf(path.join(dir, 'error.log'))}`);
    return new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
  }, 10000, 50);
  return {
    port, dir, url: `http://127.0.0.1:${port}`,
    errors: () => readIf(path.join(dir, 'error.log')),
    stop: async () => { await stopProc(proc, 'SIGQUIT'); fs.rmSync(dir, { recursive: true, force: true }); },
  };
}

function readIf(f) { try { return fs.readFileSync(f, 'utf8'); } catch { return ''; } }

// Token arrival times -> a verdict that a buffering proxy cannot pass and a
// loaded machine cannot fail: the tokens arrived as many separate updates
// spread over a good part of the time the server took to send them.
export function spreadVerdict(times, tokenMs) {
  const n = times.length;
  if (n < 2) return { good: false, why: `${n} tokens` };
  const span = times[n - 1] - times[0];
  let groups = 1;
  for (let i = 1; i < n; i++) if (times[i] - times[i - 1] >= tokenMs / 4) groups++;
  const want = (n - 1) * tokenMs * 0.5;
  const good = groups >= Math.min(10, n / 3) && span >= want;
  return { good, why: `${n} tokens in ${groups} separate updates over ${span.toFixed(0)} ms (server sends one every ${tokenMs} ms; want >= ${Math.min(10, n / 3).toFixed(0)} updates over >= ${want.toFixed(0)} ms)`, span, groups };
}
