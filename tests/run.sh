#!/bin/sh
# Runs every wsx test and prints the total as the last line: "N passed, N failed".
#   tests/run.sh [BUILD_DIR]
# Each suite (unit binary, fuzz corpus replay, interop script) prints its own
# "N passed, N failed" as its last line; a suite that crashes or prints no such
# line counts as one failure.  Interop scripts: tests/interop/test_*.{sh,py,mjs}.
# Set WSX_REQUIRE_PEERS=1 (CI does) to make a missing interop peer a failure.
# WSX_TEST_FILTER="substring ..." runs only the suites whose name contains one
# of the words.  WSX_STRESS=1 (make stress) runs the load and fault suites at
# full size.
B=${1:-build}
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

suite() {
    name=$1
    shift
    if [ -n "${WSX_TEST_FILTER:-}" ]; then
        hit=
        for word in $WSX_TEST_FILTER; do
            case "$name" in *"$word"*) hit=1 ;; esac
        done
        [ -n "$hit" ] || return
    fi
    timeout "${WSX_SUITE_TIMEOUT:-900}" "$@" >"$log" 2>&1
    status=$?
    last=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
    if [ -z "$last" ]; then
        p=0; f=1
        last="no summary (exit status $status)"
    else
        p=${last%% *}
        f=${last#*, }; f=${f%% *}
        if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; last="$last, exit status $status"; fi
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$f" -ne 0 ]; then
        echo "FAIL $name: $last"
        sed 's/^/    /' "$log" | tail -n 60
    else
        echo "ok   $name: $last"
        grep -E '^SKIP' "$log" | sed 's/^/    /'
    fi
}

suite headers-c99 sh tests/check_headers.sh
suite symbols sh tests/check_symbols.sh "$B"
suite clang sh tests/check_clang.sh
suite format sh tests/check_format.sh

for t in "$B"/tests/test_*; do
    [ -x "$t" ] && suite "${t#$B/}" "$t"
done
for t in "$B"/asan/tests/test_*; do
    [ -x "$t" ] && suite "${t#$B/}" "$t"
done
for t in "$B"/small/tests/test_*; do
    [ -x "$t" ] && suite "${t#$B/}" "$t"
done
for t in "$B"/asan/fuzz/fuzz_*; do
    [ -x "$t" ] || continue
    n=$(basename "$t")
    suite "corpus/$n" "$t" "fuzz/corpus/$n"
done
for t in "$B"/small/fuzz/fuzz_*; do
    [ -x "$t" ] || continue
    n=$(basename "$t")
    suite "small/corpus/$n" "$t" "fuzz/corpus/$n"
done
for t in tests/interop/test_*; do
    [ -f "$t" ] || continue
    case "$t" in
    *.sh) suite "$t" bash "$t" "$B" ;;
    *.py) suite "$t" /usr/bin/python3 "$t" "$B" ;;
    *.mjs | *.js) suite "$t" node "$t" "$B" ;;
    esac
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
