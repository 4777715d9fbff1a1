#!/usr/bin/env bash
# The demo on N servers behind nginx, sharing a Redis of its own (make demo-cluster).
#   examples/demo/cluster.sh DEMO_SERVER [PORT] [N]
# Starts redis-server (own config in a temp dir, loopback, a free port, append-only file so a restart
# keeps the feed's stream), N demo_server instances (s1..sN, free ports) and nginx on PORT (default
# 8080) with examples/nginx/wsx-cluster.conf pointed at them; prints "listening" when all are up.
# Ctrl-C (or SIGTERM) stops them all.
set -euo pipefail
demo=${1:?usage: cluster.sh DEMO_SERVER [PORT] [N]}
port=${2:-8080}
count=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
conf_src="$here/../nginx/wsx-cluster.conf"

need() { # command, Debian package
    command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || {
        echo "make demo-cluster: '$1' is missing: apt-get install $2" >&2
        exit 1
    }
}
need redis-server redis-server
need redis-cli redis-tools
need nginx nginx
need python3 python3
PATH=$PATH:/usr/sbin

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/wsx-cluster-XXXXXX")
pids=()
stop_all() {
    trap - INT TERM EXIT
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$dir"
    echo "demo-cluster: stopped"
}
trap 'stop_all; exit 0' INT TERM
trap stop_all EXIT

wait_for() { # what, command...
    local what=$1 i
    shift
    for i in $(seq 1 100); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "demo-cluster: $what did not start; logs in $dir" >&2
    tail -n 20 "$dir"/*.log >&2 || true
    exit 1
}

# ---- Redis: loopback only, its files in the temp dir
redis_port=$(free_port)
cat >"$dir/redis.conf" <<EOF
bind 127.0.0.1
port $redis_port
dir $dir
save ""
appendonly yes
appendfsync everysec
daemonize no
logfile $dir/redis.log
EOF
redis-server "$dir/redis.conf" &
pids+=($!)
wait_for redis redis-cli -p "$redis_port" ping

# ---- the instances, on ports they pick
ports=()
for i in $(seq 1 "$count"); do
    "$demo" --host 127.0.0.1 --port 0 --redis "127.0.0.1:$redis_port" --instance "s$i" \
        >"$dir/s$i.log" 2>&1 &
    pids+=($!)
    wait_for "instance s$i" grep -q listening "$dir/s$i.log"
    ports+=("$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$dir/s$i.log")")
done

# ---- nginx: the shipped site config with these ports
upstreams=""
for p in "${ports[@]}"; do upstreams+="    server 127.0.0.1:$p max_fails=1 fail_timeout=2s;\n"; done
sed -e '/^    server 127\.0\.0\.1:808[1-9]/d' \
    -e "s|^    keepalive 16;|$upstreams    keepalive 16;|" \
    -e "s|listen 8080;|listen 127.0.0.1:$port;|" "$conf_src" >"$dir/site.conf"
user=""
[ "$(id -u)" -eq 0 ] && user="user root;"
cat >"$dir/nginx.conf" <<EOF
$user
worker_processes 1;
error_log $dir/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/client_body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  include $dir/site.conf;
}
EOF
nginx -c "$dir/nginx.conf" -p "$dir" -e "$dir/nginx-error.log" -g "daemon off; pid $dir/nginx.pid;" &
pids+=($!)
wait_for nginx python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)"

echo "demo-cluster: redis on 127.0.0.1:$redis_port, instances s1..s$count on ${ports[*]}"
echo "demo-cluster listening on http://127.0.0.1:$port/ (Ctrl-C stops it; logs in $dir)"
wait -n "${pids[@]}" || true
echo "demo-cluster: a process ended; stopping the rest" >&2
