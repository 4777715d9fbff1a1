#!/bin/sh
# Line and branch coverage of src/ from the unit tests and the corpus replays.
#   tests/coverage.sh MIN_LINES MIN_BRANCHES COV_DIR...
# Each COV_DIR holds a --coverage build (make coverage: the default and the
# WSX_SMALL profile): COV_DIR/tests/test_* and COV_DIR/fuzz/fuzz_*
# (replaying fuzz/corpus/fuzz_*).  The counts of all builds are merged: a
# line counts as run when any build runs it.  Prints the totals, the files
# with the most uncovered lines, and fails below either minimum.
min_lines=$1
min_branches=$2
shift 2
cov=$1
# The builds run at the same time (each has its own counts).
run_build() {
    dir=$1
    status=0
    find "$dir" -name '*.gcda' -delete
    for t in "$dir"/tests/test_*; do
        [ -x "$t" ] || continue
        "$t" > "$dir/last.log" 2>&1 || { echo "FAIL $t"; tail -n 20 "$dir/last.log"; status=1; }
    done
    for t in "$dir"/fuzz/fuzz_*; do
        [ -x "$t" ] || continue
        "$t" "fuzz/corpus/$(basename "$t")" > "$dir/last.log" 2>&1 ||
            { echo "FAIL $t"; tail -n 20 "$dir/last.log"; status=1; }
    done
    return $status
}
pids=
for dir in "$@"; do
    run_build "$dir" &
    pids="$pids $!"
done
failed=0
for pid in $pids; do
    wait "$pid" || failed=1
done
[ "$failed" -eq 0 ] || exit 1
# Only the library's objects count: some tests and fuzz/sse_other_profile.c
# compile src/ files again under other names and settings, which gcovr
# cannot merge with the library's functions.  A function of one profile may
# sit on another line in the other (an #if picks its body), which this
# gcovr cannot merge either: the per-build reports drop function records
# (lines and branches are what count) before they are added together.
traces=
for dir in "$@"; do
    gcovr -r . --filter 'src/' "$dir/obj" --json "$dir/trace.json" || exit 1
    /usr/bin/python3 -c '
import json, sys
path = sys.argv[1]
report = json.load(open(path))
for f in report["files"]:
    f["functions"] = []
json.dump(report, open(path, "w"))
' "$dir/trace.json" || exit 1
    traces="$traces --add-tracefile $dir/trace.json"
done
# shellcheck disable=SC2086 # one option per build
gcovr -r . $traces --txt "$cov/lines.txt" \
    --json-summary "$cov/summary.json" --json-summary-pretty --print-summary \
    --fail-under-line "$min_lines" --fail-under-branch "$min_branches"
status=$?
echo "files with the most uncovered lines (full list: $cov/lines.txt):"
grep '^src/' "$cov/lines.txt" | awk '{ print $2 - $3, $0 }' | sort -rn | head -n 8 | cut -d' ' -f2- | cut -c1-100
if [ "$status" -ne 0 ]; then
    echo "coverage below the minimum: lines $min_lines%, branches $min_branches%"
fi
exit "$status"
