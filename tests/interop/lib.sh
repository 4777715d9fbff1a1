# Shared by the interop scripts (bash). Source it:  . "$(dirname "$0")/lib.sh"
#   B              build dir (first argument of the script, default build)
#   ok NAME / bad NAME MSG    count a passed / failed check
#   need CMD...    true if every command exists; otherwise a loud SKIP (locally)
#                  or a failure (WSX_REQUIRE_PEERS=1, as in CI)
#   free_port      prints a free loopback TCP port
#   start_server LOGFILE CMD...   starts CMD in the background, waits for a
#                  line containing "listening" in LOGFILE; sets SERVER_PID
#   stop_server    stops SERVER_PID (and waits)
#   finish         prints "N passed, N failed" and exits with the status
B=${1:-build}
PASSED=0
FAILED=0
SERVER_PID=
INTEROP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TMPD=$(mktemp -d)
trap 'stop_server; rm -rf "$TMPD"' EXIT

ok() { PASSED=$((PASSED + 1)); echo "ok   $1"; }
bad() { FAILED=$((FAILED + 1)); echo "FAIL $1: ${2:-}"; }
check() { # check NAME CMD...: ok if CMD succeeds
    local name=$1; shift
    if "$@"; then ok "$name"; else bad "$name" "command failed: $*"; fi
}

need() {
    local c
    for c in "$@"; do
        if ! command -v "$c" >/dev/null 2>&1 && [ ! -e "$c" ]; then
            if [ "${WSX_REQUIRE_PEERS:-0}" = 1 ]; then
                bad "peer $c" "required peer missing (WSX_REQUIRE_PEERS=1)"
            else
                echo "SKIP: peer '$c' is not installed; these interop checks did NOT run (.ci/run installs it)"
            fi
            return 1
        fi
    done
    return 0
}

# need_node_module NAME: the module is installed under tests/interop/node_modules
need_node_module() {
    if [ -d "$INTEROP_DIR/node_modules/$1" ]; then return 0; fi
    if [ "${WSX_REQUIRE_PEERS:-0}" = 1 ]; then
        bad "node module $1" "missing (run npm install in tests/interop)"
    else
        echo "SKIP: node module '$1' is not installed (cd tests/interop && npm install); checks did NOT run"
    fi
    return 1
}

# need_py_module NAME: importable by Debian's /usr/bin/python3
need_py_module() {
    if /usr/bin/python3 -c "import $1" 2>/dev/null; then return 0; fi
    if [ "${WSX_REQUIRE_PEERS:-0}" = 1 ]; then
        bad "python module $1" "missing (apt-get install python3-$1)"
    else
        echo "SKIP: python module '$1' is not installed for /usr/bin/python3; checks did NOT run"
    fi
    return 1
}

free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

start_server() {
    local log=$1; shift
    "$@" >"$log" 2>&1 &
    SERVER_PID=$!
    local i
    for i in $(seq 1 100); do
        if grep -q listening "$log" 2>/dev/null; then return 0; fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
        sleep 0.05
    done
    echo "server did not start: $*"; cat "$log"
    return 1
}

stop_server() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
        SERVER_PID=
    fi
}

finish() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
    exit $?
}
