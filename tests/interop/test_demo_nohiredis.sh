#!/usr/bin/env bash
# The demo without hiredis: the Makefile leaves the cluster files and
# -lhiredis out when pkg-config finds no hiredis (HIREDIS= stands for
# that), the demo builds from the rest with -Werror, serves as one process
# (/api/health says {"cluster":false}, the feed runs) and refuses --redis
# with a message naming the package; `make demo-cluster` names it too.
#     bash tests/interop/test_demo_nohiredis.sh [BUILD_DIR]
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.." || exit 1

line=$(make -n -B HIREDIS= "$B/examples/demo_server" 2>/dev/null | grep -- "-o $B/examples/demo_server ")
if [ -n "$line" ] && ! grep -q -e cluster -e redis_loop -e hiredis -e DEMO_CLUSTER <<<"$line"; then
    ok "make without hiredis: demo_server is built without the cluster files and -lhiredis"
else
    bad "make without hiredis" "link line: $line"
fi
out=$(make demo-cluster HIREDIS= 2>&1)
if [ $? -ne 0 ] && grep -q "libhiredis-dev" <<<"$out"; then
    ok "make demo-cluster without hiredis fails and names libhiredis-dev"
else
    bad "make demo-cluster without hiredis" "$out"
fi

if [ ! -f "$B/libwsx.a" ]; then
    bad "libwsx.a" "not built (make)"
    finish
fi
srcs=()
for f in examples/demo/*.c; do
    case "$f" in *cluster* | *redis_loop* | */tls.c) ;; *) srcs+=("$f") ;; esac
done
prog=$TMPD/demo_nohiredis
if cc -std=c99 -Wall -Wextra -Wpedantic -Werror -Iinclude -Iexamples/common -D_GNU_SOURCE -O0 \
    "${srcs[@]}" examples/common/*.c "$B/libwsx.a" -o "$prog" 2>"$TMPD/cc.log"; then
    ok "demo_server builds without hiredis (-Werror)"
else
    bad "demo_server without hiredis" "$(cat "$TMPD/cc.log")"
    finish
fi
if nm "$prog" | grep -q -i redis; then bad "no hiredis symbol" "$(nm "$prog" | grep -i redis | head -3)"; else ok "no hiredis symbol in it"; fi

"$prog" --port 0 --redis 127.0.0.1:6379 >"$TMPD/refuse.log" 2>&1
status=$?
if [ "$status" -eq 2 ] && grep -q "libhiredis-dev" "$TMPD/refuse.log"; then
    ok "--redis is refused with exit 2, naming libhiredis-dev"
else
    bad "--redis without cluster mode" "status $status: $(cat "$TMPD/refuse.log")"
fi

port=$(free_port)
start_server "$TMPD/server.log" "$prog" --host 127.0.0.1 --port "$port" --interval-ms 50
health=$(curl -s "http://127.0.0.1:$port/api/health")
check "one process: /api/health says {\"cluster\":false}" test "$health" = '{"cluster":false}'
feed=$(curl -s -N --max-time 1 "http://127.0.0.1:$port/events")
if grep -q "^id: [0-9]*$" <<<"$feed" && ! grep -q "event: instance" <<<"$feed"; then
    ok "one process: the feed runs, with no instance event"
else
    bad "one process feed" "$feed"
fi
stop_server
finish
