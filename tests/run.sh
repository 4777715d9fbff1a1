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
# The unit binaries, the corpus replays and the interop scripts marked with a
# line "# run.sh: cpu only" (no ports, nothing timed: builds and runs under
# qemu) run WSX_TEST_JOBS at a time (default: the number of CPUs), each
# suite's line printed when it ends; the other interop suites, which time
# things, one at a time, after them.  Each suite's line ends with its seconds.
B=${1:-build}
passed=0
failed=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

selected() {
    [ -n "${WSX_TEST_FILTER:-}" ] || return 0
    for word in $WSX_TEST_FILTER; do
        case "$1" in *"$word"*) return 0 ;; esac
    done
    return 1
}

# Runs one suite; its report goes to $2.report, its counts to $2.counts.
run_suite() {
    name=$1
    out=$2
    shift 2
    start=$(date +%s)
    timeout "${WSX_SUITE_TIMEOUT:-900}" "$@" >"$out.log" 2>&1
    status=$?
    secs=$(($(date +%s) - start))
    last=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out.log" | tail -n 1)
    if [ -z "$last" ]; then
        p=0; f=1
        last="no summary (exit status $status)"
    else
        p=${last%% *}
        f=${last#*, }; f=${f%% *}
        if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; last="$last, exit status $status"; fi
    fi
    echo "$p $f" >"$out.counts"
    if [ "$f" -ne 0 ]; then
        echo "FAIL $name: $last (${secs} s)"
        sed 's/^/    /' "$out.log" | tail -n 60
    else
        echo "ok   $name: $last (${secs} s)"
        grep -E '^SKIP' "$out.log" | sed 's/^/    /'
    fi >"$out.report"
    rm -f "$out.log"
}

if [ "${1:-}" = --one ]; then # tests/run.sh --one NAME OUT CMD... (parallel worker)
    shift
    run_suite "$@"
    cat "$2.report"
    exit 0
fi

count() { # adds a finished suite's counts
    read -r p f <"$1.counts"
    passed=$((passed + p))
    failed=$((failed + f))
}

suite() { # one at a time, now
    selected "$1" || return 0
    name=$1
    shift
    n=$((n + 1))
    run_suite "$name" "$work/s$n" "$@"
    cat "$work/s$n.report"
    count "$work/s$n"
}

n=0
queue=$work/queue
: >"$queue"
batch() { # into the parallel batch (arguments without spaces)
    selected "$1" || return 0
    name=$1
    shift
    n=$((n + 1))
    echo "$name $work/s$n $*" >>"$queue"
}

interop() { # the command that runs interop script $1
    case "$1" in
    *.sh) echo "bash $1 $B" ;;
    *.py) echo "/usr/bin/python3 $1 $B" ;;
    *.mjs | *.js) echo "node $1 $B" ;;
    esac
}
cpu_only() { grep -q '^# run.sh: cpu only' "$1"; }

suite headers-c99 sh tests/check_headers.sh
suite symbols sh tests/check_symbols.sh "$B"
suite clang sh tests/check_clang.sh
suite format sh tests/check_format.sh
suite freestanding sh tests/check_freestanding.sh

# The long builds first, so that the batch ends with every CPU busy.
for t in tests/interop/test_*; do
    [ -f "$t" ] && cpu_only "$t" && batch "$t" $(interop "$t")
done
for t in "$B"/tests/test_* "$B"/asan/tests/test_* "$B"/small/tests/test_* "$B"/amal/tests/test_*; do
    [ -x "$t" ] && batch "${t#$B/}" "$t"
done
for t in "$B"/asan/fuzz/fuzz_*; do
    [ -x "$t" ] && batch "corpus/$(basename "$t")" "$t" "fuzz/corpus/$(basename "$t")"
done
for t in "$B"/small/fuzz/fuzz_*; do
    [ -x "$t" ] && batch "small/corpus/$(basename "$t")" "$t" "fuzz/corpus/$(basename "$t")"
done
jobs=${WSX_TEST_JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}
xargs -r -P "$jobs" -L 1 sh "$0" --one <"$queue"
while read -r name out rest; do
    count "$out"
done <"$queue"

for t in tests/interop/test_*; do
    [ -f "$t" ] && ! cpu_only "$t" && suite "$t" $(interop "$t")
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
