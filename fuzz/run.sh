#!/bin/sh
# Runs libFuzzer targets for a fixed time each and prints a table of their
# speed and coverage.
#   fuzz/run.sh BUILD_DIR SECONDS JOBS TARGET[:DICT] ...
# Each target runs on its checked-in corpus (fuzz/corpus/TARGET, read only);
# new inputs and crash artifacts go to BUILD_DIR/fuzz-run/TARGET, so the tree
# stays clean.  JOBS targets run at a time (one core each).  Exits non-zero
# if any target crashes, leaks or times out.
B=$1
seconds=$2
jobs=$3
shift 3
out=$B/fuzz-run
mkdir -p "$out"

# run_one TARGET[:DICT]: one target; its table row goes to its row.txt
run_one() {
    name=${1%%:*}
    dict=${1#"$name"}
    dict=${dict#:}
    dir=$out/$name
    rm -rf "$dir"
    mkdir -p "$dir/new"
    log=$dir/log.txt
    echo "== $name (${seconds}s${dict:+, $dict})"
    "$B/fuzz/$name" -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="$dir/" ${dict:+-dict="$dict"} \
        "$dir/new" "fuzz/corpus/$name" > "$log" 2>&1
    status=$?
    execs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    last=$(grep -E '^#[0-9]+.* cov: ' "$log" | tail -n 1)
    cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
    if [ "$status" -eq 0 ]; then
        result=ok
    else
        result="FAIL (exit $status, see $log)"
        grep -E 'ERROR|SUMMARY|artifact' "$log" | head -n 5 | sed 's/^/    /'
    fi
    printf '%-22s %8s %10s %8s %8s  %s\n' "$name" "$seconds" "${execs:-?}" "${cov:-?}" "${ft:-?}" \
        "$result" > "$dir/row.txt"
}

running=0
for spec in "$@"; do
    if [ "$running" -ge "$jobs" ]; then
        wait
        running=0
    fi
    run_one "$spec" &
    running=$((running + 1))
done
wait

table=$out/table.txt
printf '%-22s %8s %10s %8s %8s  %s\n' target seconds 'execs/s' cov ft status > "$table"
failed=0
for spec in "$@"; do
    row=$out/${spec%%:*}/row.txt
    if [ -f "$row" ]; then
        cat "$row" >> "$table"
        grep -q ' ok$' "$row" || failed=$((failed + 1))
    else
        echo "${spec%%:*}: no result" >> "$table"
        failed=$((failed + 1))
    fi
done
echo
cat "$table"
[ "$failed" -eq 0 ]
