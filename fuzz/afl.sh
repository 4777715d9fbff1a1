#!/bin/sh
# Runs libFuzzer targets under AFL++ (built by `make afl`) for a fixed time
# each, as a second opinion next to libFuzzer, and prints a table of their
# speed and coverage from afl-fuzz's fuzzer_stats.
#   fuzz/afl.sh BUILD_DIR SECONDS TARGET[:DICT] ...
# Each target starts from its checked-in corpus (copied, so the tree stays
# clean; inputs over AFL++'s 1 MB limit are left out); its queue, crashes
# and hangs go to BUILD_DIR/afl-run/TARGET.  Exits non-zero if a target
# found a crash or a hang, or did not run.
B=$1
seconds=$2
shift 2
out=$B/afl-run
mkdir -p "$out"
table=$out/table.txt
printf '%-22s %8s %10s %8s %10s %8s  %s\n' target seconds 'execs/s' corpus 'edges' crashes status > "$table"
failed=0
# No UI, no CPU frequency or core_pattern checks (containers), no
# affinity binding (other work shares the cores).
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
for spec in "$@"; do
    name=${spec%%:*}
    dict=${spec#"$name"}
    dict=${dict#:}
    dir=$out/$name
    rm -rf "$dir"
    mkdir -p "$dir/in"
    find "fuzz/corpus/$name" -type f -size -1000k -exec cp {} "$dir/in/" \;
    echo "== $name (${seconds}s${dict:+, $dict})"
    afl-fuzz -i "$dir/in" -o "$dir/out" -V "$seconds" -t 2000 -m none \
        ${dict:+-x "$dict"} -- "$B/afl/$name" > "$dir/log.txt" 2>&1
    status=$?
    stats=$dir/out/default/fuzzer_stats
    field() { sed -n "s/^$1 *: *//p" "$stats" 2>/dev/null; }
    execs=$(field execs_per_sec)
    corpus=$(field corpus_count)
    edges=$(field edges_found)/$(field total_edges)
    crashes=$(field saved_crashes)
    hangs=$(field saved_hangs)
    if [ "$status" -ne 0 ] || [ ! -f "$stats" ]; then
        result="FAIL (exit $status, see $dir/log.txt)"
        failed=$((failed + 1))
    elif [ "${crashes:-0}" != 0 ] || [ "${hangs:-0}" != 0 ]; then
        result="FAIL ($crashes crashes, $hangs hangs in $dir/out/default)"
        failed=$((failed + 1))
    else
        result=ok
    fi
    printf '%-22s %8s %10s %8s %10s %8s  %s\n' "$name" "$seconds" "${execs:-?}" "${corpus:-?}" "$edges" "${crashes:-?}" "$result" >> "$table"
done
echo
cat "$table"
[ "$failed" -eq 0 ]
