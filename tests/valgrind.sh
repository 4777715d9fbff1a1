#!/bin/sh
# The unit tests (built with WSX_TEST_QUICK: the exhaustive loops trimmed)
# under valgrind memcheck, JOBS at a time: an invalid access, a use of
# uninitialised memory or a definite leak fails the test.  Prints one line
# per test and, last, "N passed, N failed".
#   sh tests/valgrind.sh BUILD_DIR [JOBS]
set -u
B=${1:-build}
JOBS=${2:-2}
if ! command -v valgrind >/dev/null 2>&1; then
    echo "FAIL valgrind is not installed (.ci/run installs it)"
    echo "0 passed, 1 failed"
    exit 1
fi
LOGS=$B/vg/logs
rm -rf "$LOGS"
mkdir -p "$LOGS"
ls "$B"/vg/tests/test_* | xargs -P "$JOBS" -I{} sh -c '
    name=$(basename "$1")
    if valgrind -q --error-exitcode=99 --leak-check=full \
        --errors-for-leak-kinds=definite,indirect "$1" >"$2/$name.txt" 2>&1; then
        touch "$2/$name.ok"
    fi' sh {} "$LOGS"
pass=0
fail=0
for t in "$B"/vg/tests/test_*; do
    name=$(basename "$t")
    if [ -f "$LOGS/$name.ok" ]; then
        pass=$((pass + 1))
        echo "ok   valgrind $name"
    else
        fail=$((fail + 1))
        echo "FAIL valgrind $name (see $LOGS/$name.txt)"
        grep -m 20 "==[0-9]*==" "$LOGS/$name.txt"
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
