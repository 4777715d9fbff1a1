#!/bin/sh
# Static analyzers over src/, both profiles (default and -DWSX_SMALL):
#   cppcheck, gcc -fanalyzer, clang-tidy (.clang-tidy), clang's scan-build.
# Any finding fails.  A finding that is wrong is justified where it is
# reported (a cppcheck-suppress or NOLINT comment saying why), never
# silenced here.
#   sh tests/analyze.sh BUILD_DIR [JOBS]
set -u
B=${1:-build}
JOBS=${2:-2}
OUT=$B/analyze
mkdir -p "$OUT"
CPP="-Iinclude -Isrc -DWSX_BUILDING"
failed=0
need() {
    command -v "$1" >/dev/null 2>&1 && return 0
    echo "FAIL analyze: $1 is not installed (.ci/run installs it)"
    failed=1
    return 1
}
report() { # name, log file, status
    if [ "$3" -ne 0 ] || grep -q . "$2"; then
        echo "FAIL analyze: $1 (see $2)"
        sed -n 1,40p "$2"
        failed=1
    else
        echo "ok   analyze: $1"
    fi
}

for profile in default small; do
    def=""
    [ "$profile" = small ] && def="-DWSX_SMALL"

    if need cppcheck; then
        log=$OUT/cppcheck-$profile.txt
        cppcheck -q -j "$JOBS" --std=c99 --enable=warning,performance,portability \
            --inline-suppr --error-exitcode=1 $CPP $def src/ >"$log" 2>&1
        report "cppcheck ($profile)" "$log" $?
    fi

    if need gcc; then
        log=$OUT/fanalyzer-$profile.txt
        ls src/*.c | xargs -P "$JOBS" -I{} \
            gcc -std=c99 $CPP $def -O1 -fanalyzer -c {} -o /dev/null >"$log" 2>&1
        report "gcc -fanalyzer ($profile)" "$log" $?
    fi

    if need clang-tidy; then
        log=$OUT/clang-tidy-$profile.txt
        ls src/*.c | xargs -P "$JOBS" -n 4 sh -c \
            'clang-tidy --quiet "$@" -- -std=c99 '"$CPP $def" sh >"$log" 2>&1
        st=$?
        grep -E "(warning|error):" "$log" >"$log.findings"
        report "clang-tidy ($profile)" "$log.findings" $st
    fi

    if need scan-build; then
        log=$OUT/scan-build-$profile.txt
        objs=$OUT/scan-$profile
        rm -rf "$objs"
        mkdir -p "$objs"
        for f in src/*.c; do
            echo "$objs/$(basename "$f" .c).o: $f"
            printf '\t$(CC) -std=c99 %s %s -O1 -c %s -o $@\n' "$CPP" "$def" "$f"
        done >"$objs/Makefile"
        printf 'all: %s\n' "$(ls src/*.c | sed "s|src/\(.*\)\.c|$objs/\1.o|" | tr '\n' ' ')" \
            >>"$objs/Makefile"
        scan-build --status-bugs -o "$objs/reports" make -s -j "$JOBS" -f "$objs/Makefile" all \
            >"$log" 2>&1
        st=$?
        grep -E "warning:|[0-9]+ bugs? found" "$log" >"$log.findings"
        report "scan-build ($profile)" "$log.findings" $st
    fi
done

[ "$failed" -eq 0 ] && echo "analyze: every analyzer is clean" || exit 1
