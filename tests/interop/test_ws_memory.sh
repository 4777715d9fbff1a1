#!/usr/bin/env bash
# Server memory per connection, with bounds that hold however loaded the
# machine is (memory does not depend on timing): ws_echo with 2,000 idle
# connections under 2 KiB each, back within 8 MiB of its start after 500
# of them echoed 70,000-byte messages and all left; sse_server and
# demo_server with 1,000 idle event streams under 2 KiB each.
# bench/bench_ws_memory.c --check does the work (make bench runs it at
# full size for the figures).
#   tests/interop/test_ws_memory.sh [BUILD_DIR]
B=${1:-build}
for p in "$B/interop/ws_memory" "$B/examples/ws_echo" "$B/examples/sse_server" \
    "$B/examples/demo_server"; do
    if [ ! -x "$p" ]; then
        echo "FAIL: $p not built (make unit-tests)"
        echo "0 passed, 1 failed"
        exit 1
    fi
done
exec "$B/interop/ws_memory" --check "$B"
