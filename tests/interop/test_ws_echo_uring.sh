#!/usr/bin/env bash
# The echo suites of tests/interop again, against build/examples/ws_echo_uring
# (the io_uring echo server): node `ws`, Python `websockets` and
# websocket-client, raw-socket protocol and handshake checks, large,
# fragmented and compressed messages, the close handshake, backpressure,
# heartbeat and timeouts, refusals and slot exhaustion, and the load client
# with hundreds of connections checking every echo.  Each suite picks the
# server from WSX_ECHO (wsx_peer.py echo_prog, lib.mjs echoPath).  The core
# suites run a second time with --no-multishot (one receive per connection
# into its own buffer: what kernels before 6.1 get).
#   tests/interop/test_ws_echo_uring.sh [BUILD_DIR]
. "$(dirname "$0")/lib.sh"

PROG="$B/examples/ws_echo_uring"
if [ ! -x "$PROG" ]; then
    if pkg-config --exists liburing 2>/dev/null || [ "${WSX_REQUIRE_PEERS:-0}" = 1 ]; then
        bad "$PROG" "not built (make examples; .ci/run installs liburing-dev)"
    else
        echo "SKIP: liburing-dev is not installed, so ws_echo_uring is not built; these checks did NOT run"
    fi
    finish
fi
# io_uring may be missing (an old kernel) or forbidden (a container's
# seccomp policy, kernel.io_uring_disabled): the server says so and exits.
"$PROG" --host 127.0.0.1 --port 0 --quiet >"$TMPD/probe" 2>&1 &
probe=$!
for _ in $(seq 50); do
    grep -q listening "$TMPD/probe" && break
    kill -0 "$probe" 2>/dev/null || break
    sleep 0.1
done
kill "$probe" 2>/dev/null
wait "$probe" 2>/dev/null
if grep -q "io_uring is not available" "$TMPD/probe"; then
    if [ "${WSX_REQUIRE_PEERS:-0}" = 1 ]; then
        bad "io_uring" "$(cat "$TMPD/probe")"
    else
        echo "SKIP: $(cat "$TMPD/probe"); ws_echo_uring's checks did NOT run"
    fi
    finish
fi
check "ws_echo_uring starts" grep -q listening "$TMPD/probe"

# run_suite NAME CMD...: runs one suite with WSX_ECHO set, adds its counts.
run_suite() {
    local name=$1 last p f
    shift
    WSX_ECHO=ws_echo_uring "$@" "$B" >"$TMPD/out" 2>&1
    local status=$?
    last=$(tail -n 1 "$TMPD/out")
    grep -v '^ok ' "$TMPD/out" | sed 's/^/    /'
    if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
        p=${BASH_REMATCH[1]}
        f=${BASH_REMATCH[2]}
        PASSED=$((PASSED + p))
        FAILED=$((FAILED + f))
        if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then bad "$name" "exit status $status"; fi
        echo "$( [ "$f" -eq 0 ] && echo ok || echo FAIL)   $name ($WSX_ECHO_ARGS): $p passed, $f failed"
    else
        bad "$name" "no summary line (exit status $status)"
    fi
}

PY=/usr/bin/python3
CORE=(test_ws_python.py test_ws_malformed.py test_ws_handshake.py test_ws_backpressure.py
      test_ws_echo_deflate.py test_ws_ping_burst.py)
export WSX_ECHO_ARGS=
for t in "${CORE[@]}" test_ws_echo_idle.py test_ws_message_timeout.py test_busy_loops.py \
    test_http_refusals.py test_slow_readers.py test_slot_exhaustion.py test_stress_load.py \
    test_ws_autobahn.py; do
    run_suite "$t" "$PY" "$INTEROP_DIR/$t"
done
for t in test_ws_node.mjs test_pmd_node.mjs; do
    run_suite "$t" node "$INTEROP_DIR/$t"
done
export WSX_ECHO_ARGS=--no-multishot
for t in "${CORE[@]}" test_stress_load.py; do
    run_suite "$t" "$PY" "$INTEROP_DIR/$t"
done
run_suite test_ws_node.mjs node "$INTEROP_DIR/test_ws_node.mjs"
finish
