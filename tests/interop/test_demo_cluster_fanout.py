#!/usr/bin/env python3
"""Fan-out of the demo's feed in cluster mode: SSE clients spread over three
demo_server instances sharing a Redis (--redis), all connected, then one
burst of events added to the stream at once (POST /api/debug/feed-burst,
one Lua script of XADDs); every client must receive every event of the
burst, in order, ids consecutive (build/interop/load_client sse-feed checks
each one).  Reports the events delivered per second and the time from the
burst's XADDs to the last client's last event (load_client's exit).

make check: 3 x 300 clients and 1,000 events; WSX_STRESS=1: 3 x 1,000
clients (3,000) and 1,000 events, as issue 13 asks.  Needs redis-server (a
failure under WSX_REQUIRE_PEERS=1 when missing).

    tests/interop/test_demo_cluster_fanout.py [BUILD_DIR]
"""
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wsx_peer import Server, Suite, build_dir, free_port  # noqa: E402

T = Suite()
B = build_dir()
DEMO = os.path.join(B, "examples", "demo_server")
LOAD = os.path.join(B, "interop", "load_client")
STRESS = os.environ.get("WSX_STRESS") == "1"
PER_INSTANCE = 1000 if STRESS else 300
EVENTS = 1000


def http(port, path, method="GET"):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def start_redis(tmp):
    port = free_port()
    conf = os.path.join(tmp, "redis.conf")
    with open(conf, "w") as f:
        f.write("bind 127.0.0.1\nport %d\ndir %s\nsave \"\"\nappendonly no\ndaemonize no\n"
                "logfile %s/redis.log\n" % (port, tmp, tmp))
    proc = subprocess.Popen(["redis-server", conf], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 10
    while time.time() < deadline:
        if subprocess.run(["redis-cli", "-p", str(port), "ping"], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL).stdout.strip() == b"PONG":
            return proc, port
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("redis-server did not start")


def wait(what, fn, timeout):
    end = time.time() + timeout
    while time.time() < end:
        v = fn()
        if v:
            return v
        time.sleep(0.05)
    raise RuntimeError("timed out waiting for " + what)


def fanout(redis_port):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    args = ["--redis", "127.0.0.1:%d" % redis_port, "--test-hooks", "--quiet",
            "--interval-ms", "3600000", "--max-connections", str(PER_INSTANCE + 100)]
    servers = [Server(DEMO, *(args + ["--instance", "f%d" % i])) for i in range(3)]
    try:
        wait("the instances to reach Redis",
             lambda: all(http(s.port, "/api/health")[0] == 200 for s in servers), 10)
        specs = ["sse-feed:%d:%d:%d" % (s.port, PER_INSTANCE, EVENTS) for s in servers]
        load = subprocess.Popen([LOAD, "--timeout", "120"] + specs, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        # every client connected (each instance also counts the health request)
        wait("every client to connect", lambda: all(
            http(s.port, "/api/health")[1]["clients"] >= PER_INSTANCE + 1 for s in servers), 60)
        t0 = time.time()
        status, burst = http(servers[0].port, "/api/debug/feed-burst?n=%d" % EVENTS, "POST")
        out = load.communicate(timeout=150)[0].decode(errors="replace")
        took = time.time() - t0
        for line in out.splitlines():
            print("    " + line)
        total = 3 * PER_INSTANCE * EVENTS
        T.check("burst: %d events added by one script (%s)" % (EVENTS, burst),
                status == 200 and burst["last"] - burst["first"] + 1 == EVENTS)
        T.check("fan-out: %d clients on 3 instances each received all %d events in order; "
                "%.0f events/s delivered, %.2f s from the XADDs to the last client"
                % (3 * PER_INSTANCE, EVENTS, total / took, took),
                load.returncode == 0 and "RESULT ok" in out, "exit status %d" % load.returncode)
        T.check("the instances are still up", all(s.alive() for s in servers))
    finally:
        for s in servers:
            s.stop()


def main():
    if not shutil.which("redis-server"):
        if os.environ.get("WSX_REQUIRE_PEERS") == "1":
            T.bad("redis-server", "missing (apt-get install redis-server)")
        else:
            print("SKIP: redis-server is not installed; these checks did NOT run")
        T.finish()
    for prog in (DEMO, LOAD):
        if not os.path.exists(prog):
            T.bad(prog, "not built (make examples; make %s)" % LOAD)
            T.finish()
    tmp = tempfile.mkdtemp(prefix="wsx-fanout-")
    redis, port = start_redis(tmp)
    try:
        T.run("fan-out", fanout, port)
    finally:
        redis.terminate()
        redis.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    T.finish()


main()
