// Shared by tests/interop/test_demo_cluster*.mjs: the demo on several
// instances sharing a Redis, behind a real nginx with the shipped
// examples/nginx/wsx-cluster.conf; all on free loopback ports, in a temp
// dir, stopped by pid.  An instance or Redis can be killed and started
// again on the same port.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { DEMO } from './demo_lib.mjs';
import { REPO, bad, freePort, haveCommand, startServer, stopProc, tempDir, waitFor } from './lib.mjs';

export const CLUSTER_CONF = path.join(REPO, 'examples', 'nginx', 'wsx-cluster.conf');

// What the cluster needs on this machine: [] or the missing commands.
export function missingTools() {
  return ['redis-server', 'nginx'].filter((c) => !haveCommand(c));
}

function readIf(f) { try { return fs.readFileSync(f, 'utf8'); } catch { return ''; } }

const canConnect = (port) => new Promise((resolve) => {
  const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
  s.on('error', () => resolve(false));
});

// Redis with its own config: loopback, the given port, an append-only file
// in dir (a restart keeps the stream).
export async function startRedis(dir, port) {
  const conf = path.join(dir, 'redis.conf');
  fs.writeFileSync(conf, `bind 127.0.0.1\nport ${port}\ndir ${dir}\nsave ""\nappendonly yes\n`
    + `appendfsync everysec\ndaemonize no\nlogfile ${dir}/redis.log\n`);
  const proc = spawn('redis-server', [conf], { stdio: 'ignore' });
  await waitFor('redis-server to listen', () => {
    if (proc.exitCode !== null) throw new Error(`redis-server exited: ${readIf(path.join(dir, 'redis.log'))}`);
    return canConnect(port);
  }, 10000, 50);
  return { proc, port, stop: (signal = 'SIGTERM') => stopProc(proc, signal) };
}

// nginx with the shipped cluster config pointed at the instances' ports.
export async function startClusterNginx(dir, ports) {
  const port = await freePort();
  let site = fs.readFileSync(CLUSTER_CONF, 'utf8');
  const servers = ports.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=2s;\n`).join('');
  const before = site;
  site = site.replace(/^ {4}server 127\.0\.0\.1:808[1-9].*\n/gm, '').replace(/^( {4}keepalive 16;)/m, `${servers}$1`)
    .replace(/listen 8080;/, `listen 127.0.0.1:${port};`);
  if (site === before || !site.includes(`listen 127.0.0.1:${port};`)) throw new Error(`${CLUSTER_CONF}: upstream or listen line not found`);
  fs.writeFileSync(path.join(dir, 'site.conf'), site);
  const user = process.getuid && process.getuid() === 0 ? 'user root;\n' : '';
  fs.writeFileSync(path.join(dir, 'nginx.conf'), `${user}worker_processes 1;
error_log ${dir}/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/site.conf;
}
`);
  const proc = spawn('nginx', ['-c', path.join(dir, 'nginx.conf'), '-p', dir, '-e', path.join(dir, 'nginx-error.log'),
    '-g', `daemon off; pid ${dir}/nginx.pid;`], { stdio: 'ignore' });
  await waitFor('nginx to listen', () => {
    if (proc.exitCode !== null) throw new Error(`nginx exited: ${readIf(path.join(dir, 'nginx-error.log'))}`);
    return canConnect(port);
  }, 10000, 50);
  return { proc, port, url: `http://127.0.0.1:${port}`, stop: () => stopProc(proc, 'SIGQUIT') };
}

// The whole cluster: { redis, instances: [{name, port, url, ...}], nginx,
// url, kill(i), restart(i), restartRedis(), stop() }.
export async function startCluster(opts = {}) {
  const dir = tempDir('cluster');
  const n = opts.instances || 3;
  const redisPort = await freePort();
  const redis = await startRedis(dir, redisPort);
  const args = ['--redis', `127.0.0.1:${redisPort}`, '--test-hooks', '--token-ms', String(opts.tokenMs || 40),
    '--interval-ms', String(opts.intervalMs || 100), ...(opts.args || [])];
  const instances = [];
  const launch = async (i, port) => {
    const name = `s${i + 1}`;
    const s = await startServer(DEMO, [...args, '--instance', name], { port });
    const stop = async (signal) => {
      const status = await s.stop(signal);
      // a sanitizer build (tests run against one by hand) reports here
      if (/Sanitizer|runtime error:/.test(s.log())) bad(`${name}: sanitizer report`, s.log().slice(-3000));
      return status;
    };
    instances[i] = { ...s, stop, name };
    return instances[i];
  };
  for (let i = 0; i < n; i++) await launch(i, await freePort());
  const nginx = await startClusterNginx(dir, instances.map((s) => s.port));
  const cluster = {
    dir, redis, instances, nginx, url: nginx.url,
    byName: (name) => instances.find((s) => s.name === name),
    kill: async (i) => { await instances[i].stop('SIGKILL'); },
    restart: (i) => launch(i, instances[i].port),
    stopRedis: async () => { await cluster.redis.stop(); },
    startRedis: async () => { cluster.redis = await startRedis(dir, redisPort); },
    logs: () => instances.map((s) => `--- ${s.name}\n${s.log().slice(-2000)}`).join('\n'),
    stop: async () => {
      for (const s of instances) await s.stop('SIGTERM');
      await nginx.stop();
      await cluster.redis.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}

export async function health(url) {
  const res = await fetch(`${url}/api/health`);
  return { status: res.status, ...(await res.json()) };
}
