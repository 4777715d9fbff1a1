#!/usr/bin/env bash
# The single-file wsx (scripts/amalgamate.py, `make amalgamate`):
#  - generated into a fresh directory, it is the same as dist/ would be
#    (two runs give the same bytes) and compiles alone, `cc -std=c99 -c
#    wsx.c`, with gcc and clang, -Wall -Wextra -Wpedantic -Werror;
#  - its wsx.h is clean C++11;
#  - every combination of build options README's "Single file" section
#    lists compiles with both compilers; the public functions its options
#    leave out are gone and those they keep are there; every unit suite
#    whose calls that build defines runs against it and passes (the rest are
#    named with the function they need).  make check also runs every unit
#    suite against the full amalgamation ($(B)/amal/tests).
#   tests/interop/test_amalgamation.sh [BUILD_DIR]
# run.sh: cpu only
. "$(dirname "$0")/lib.sh"
cd "$INTEROP_DIR/../.." || exit 1
need gcc clang g++ python3 nm || finish

A=$TMPD/amal
python3 scripts/amalgamate.py "$A" && python3 scripts/amalgamate.py "$TMPD/again" ||
    { bad "scripts/amalgamate.py" "failed"; finish; }
cmp -s "$A/wsx.c" "$TMPD/again/wsx.c" && cmp -s "$A/wsx.h" "$TMPD/again/wsx.h" &&
    ok "two runs write the same wsx.c and wsx.h" || bad "amalgamation is reproducible" "runs differ"
grep -q '^#include "' "$A/wsx.h" && bad "wsx.h includes nothing of wsx" "$(grep '^#include "' "$A/wsx.h")" ||
    ok "wsx.h includes no other wsx header"
[ "$(grep -c '^#include "' "$A/wsx.c")" = 1 ] && ok "wsx.c includes only wsx.h" ||
    bad "wsx.c includes only wsx.h" "$(grep '^#include "' "$A/wsx.c" | head -3)"

WARN="-std=c99 -Wall -Wextra -Wpedantic -Werror"
# compile CC OBJ FLAGS...: wsx.c alone, in its own directory
compile() {
    local cc=$1 obj=$2
    shift 2
    (cd "$A" && "$cc" $WARN "$@" -c wsx.c -o "$obj") 2>"$TMPD/cc.log"
}
if (cd "$A" && cc -std=c99 -c wsx.c -o "$TMPD/plain.o") 2>"$TMPD/cc.log" && [ ! -s "$TMPD/cc.log" ]; then
    ok "cc -std=c99 -c wsx.c: no warnings"
else
    bad "cc -std=c99 -c wsx.c" "$(head -n 5 "$TMPD/cc.log")"
fi
if g++ -std=c++11 -Wall -Wextra -Wpedantic -Werror -fsyntax-only -x c++ "$A/wsx.h" 2>"$TMPD/cc.log"; then
    ok "wsx.h is clean C++11 (g++ -std=c++11 -Wall -Wextra -Wpedantic)"
else
    bad "wsx.h as C++11" "$(head -n 5 "$TMPD/cc.log")"
fi
compile gcc "$TMPD/full.o" -O1 || bad "full build (gcc)" "$(head -n 5 "$TMPD/cc.log")"
FULL=$(nm -g --defined-only "$TMPD/full.o" | awk 'NF == 3 {print $3}' | sort -u)

# The unit suites as objects, once per flavour of test flags (the NO_
# options change no header, WSX_SMALL and WSX_NO_ERROR_STRINGS do).  The
# _portable and avx2 suites compile a src/ file into themselves under other
# names: they run against the full amalgamation in make check.
TFLAGS="-std=c99 -O0 -Iinclude -Isrc -Itests -D_DEFAULT_SOURCE -DWSX_TEST_QUICK"
SMALL="-DWSX_SMALL -DWSX_NO_ERROR_STRINGS"
mkdir -p "$TMPD/t/fast" "$TMPD/t/small"
SUITES=$(cd tests && ls test_*.c | sed 's/\.c$//' | grep -v -e avx2 -e _portable)
for t in $SUITES; do
    echo "$TFLAGS tests/$t.c -o $TMPD/t/fast/$t.o"
    echo "$TFLAGS $SMALL tests/$t.c -o $TMPD/t/small/$t.o"
done | xargs -P "$(nproc)" -L 1 sh -c 'cc -c "$@" 2>/dev/null' sh

# combo NAME FLAVOUR "OPTIONS" "GONE..." "KEPT...": one README combination
combo() {
    local name=$1 flavour=$2 opts=$3 gone=$4 kept=$5 cc s ran=0 na=0 t libs need out status last
    local defs
    defs=$(for o in $opts; do printf -- '-D%s ' "$o"; done)
    for cc in gcc clang; do
        if compile "$cc" "$TMPD/$name-$cc.o" -O1 $defs; then
            ok "$name: wsx.c compiles alone with $cc -Werror ($opts)"
        else
            bad "$name: $cc $opts" "$(head -n 5 "$TMPD/cc.log")"
            return
        fi
    done
    local o=$TMPD/$name-gcc.o defined
    defined=$(nm -g --defined-only "$o" | awk 'NF == 3 {print $3}' | sort -u)
    for s in $gone; do
        printf '%s\n' "$defined" | grep -qx "$s" && bad "$name: $s left out" "still defined" ||
            ok "$name: $s left out"
    done
    for s in $kept; do
        printf '%s\n' "$defined" | grep -qx "$s" && ok "$name: $s kept" || bad "$name: $s kept" "missing"
    done
    for t in $SUITES; do
        [ -f "$TMPD/t/$flavour/$t.o" ] || { bad "$name: $t" "does not compile"; continue; }
        need=$(nm -u "$TMPD/t/$flavour/$t.o" | awk '$2 ~ /^wsx_/ {print $2}' | sort -u |
            comm -23 - <(printf '%s\n' "$defined") | head -n 1)
        if [ -n "$need" ]; then
            na=$((na + 1))
            printf '%s\n' "$FULL" | grep -qx "$need" ||
                bad "$name: $t" "calls $need, which no build defines"
            echo "n/a  $name: $t (calls $need, left out)"
            continue
        fi
        libs=$(sed -n 's/^.*TEST_LIBS: *//p' "tests/$t.c")
        if ! cc "$TMPD/t/$flavour/$t.o" "$o" -o "$TMPD/$name-$t" -lm $libs 2>"$TMPD/cc.log"; then
            bad "$name: $t links" "$(head -n 5 "$TMPD/cc.log")"
            continue
        fi
        out=$("$TMPD/$name-$t" 2>&1)
        status=$?
        last=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
        if [ "$status" -eq 0 ] && [ -n "$last" ] && [ "${last#*, }" = "0 failed" ]; then
            ran=$((ran + 1))
        else
            bad "$name: $t" "$(printf '%s\n' "$out" | tail -n 10)"
        fi
    done
    [ "$ran" -gt 0 ] && ok "$name: $ran unit suites pass against it ($na do not apply)" ||
        bad "$name: unit suites" "none ran"
}

combo ws-only fast "WSX_NO_SSE" \
    "wsx_sse_parse wsx_sse_write wsx_sse_gzip_event" \
    "wsx_ws_decode wsx_ws_conn_recv wsx_hs_client_request wsx_inflate wsx_http_parse_request"
combo sse-only fast "WSX_NO_WS" \
    "wsx_ws_decode wsx_ws_conn_recv wsx_hs_server_answer wsx_hs_pmd_server wsx_ws_accept" \
    "wsx_sse_parse wsx_sse_check_response wsx_sse_gzip_event wsx_mask wsx_sha1 wsx_http_parse_request"
combo servers fast "WSX_NO_CLIENT" \
    "wsx_hs_client_request wsx_sse_check_response" \
    "wsx_hs_server_answer wsx_sse_parse wsx_ws_decode wsx_hs_pmd_client"
combo no-deflate fast "WSX_NO_DEFLATE" \
    "wsx_inflate wsx_deflate wsx_crc32 wsx_gzip_read wsx_hs_pmd_server wsx_sse_gzip_event" \
    "wsx_ws_conn_recv wsx_hs_server_answer wsx_sse_parse wsx_http_accepts_gzip"
combo no-http-parser fast "WSX_NO_HTTP_PARSER" \
    "wsx_http_parse_request wsx_http_parser_init" \
    "wsx_http_header_next wsx_chunked_decode wsx_hs_server_answer_request"
combo fw-ws-server small "WSX_SMALL WSX_NO_ERROR_STRINGS WSX_NO_SSE WSX_NO_CLIENT WSX_NO_DEFLATE" \
    "wsx_sse_parse wsx_hs_client_request wsx_inflate" \
    "wsx_ws_conn_recv wsx_hs_server_answer wsx_http_parse_request"
combo fw-sse-server small "WSX_SMALL WSX_NO_ERROR_STRINGS WSX_NO_WS WSX_NO_CLIENT WSX_NO_DEFLATE WSX_NO_HTTP_PARSER" \
    "wsx_ws_decode wsx_sse_check_response wsx_inflate wsx_http_parse_request" \
    "wsx_sse_write wsx_sse_response_head wsx_http_header_next"
finish
