#!/bin/sh
# Line and branch coverage of src/ from the unit tests and the corpus replays.
#   tests/coverage.sh COV_DIR MIN_LINES MIN_BRANCHES
# COV_DIR holds a --coverage build (make coverage): COV_DIR/tests/test_* and
# COV_DIR/fuzz/fuzz_* (replaying fuzz/corpus/fuzz_*).  Prints the totals, the
# files with the most uncovered lines, and fails below either minimum.
cov=$1
min_lines=$2
min_branches=$3
find "$cov" -name '*.gcda' -delete
failed=0
for t in "$cov"/tests/test_*; do
    [ -x "$t" ] || continue
    "$t" > "$cov/last.log" 2>&1 || { echo "FAIL $t"; tail -n 20 "$cov/last.log"; failed=1; }
done
for t in "$cov"/fuzz/fuzz_*; do
    [ -x "$t" ] || continue
    "$t" "fuzz/corpus/$(basename "$t")" > "$cov/last.log" 2>&1 ||
        { echo "FAIL $t"; tail -n 20 "$cov/last.log"; failed=1; }
done
[ "$failed" -eq 0 ] || exit 1
# Only the library's objects count: some tests and fuzz/sse_other_profile.c
# compile src/ files again under other names and settings, which gcovr
# cannot merge with the library's functions.
gcovr -r . --filter 'src/' "$cov/obj" --txt "$cov/lines.txt" \
    --json-summary "$cov/summary.json" --json-summary-pretty --print-summary \
    --fail-under-line "$min_lines" --fail-under-branch "$min_branches"
status=$?
echo "files with the most uncovered lines (full list: $cov/lines.txt):"
grep '^src/' "$cov/lines.txt" | awk '{ print $2 - $3, $0 }' | sort -rn | head -n 8 | cut -d' ' -f2- | cut -c1-100
if [ "$status" -ne 0 ]; then
    echo "coverage below the minimum: lines $min_lines%, branches $min_branches%"
fi
exit "$status"
