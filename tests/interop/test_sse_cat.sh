#!/usr/bin/env bash
# sse_cat's output contract (examples/sse_cat/): one JSON object per line,
# the same whatever --chunk, exit 0 at the end of input and 2 on a parse
# error.  Scripts outside the project rely on it.
#   tests/interop/test_sse_cat.sh [BUILD_DIR]
B=${1:-build}
CAT="$B/examples/sse_cat"
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$CAT" ]; then
    echo "FAIL: $CAT not built"
    echo "0 passed, 1 failed"
    exit 1
fi

# check NAME INPUT(printf format) EXPECTED [STATUS]
check() {
    local name=$1 input=$2 want=$3 want_status=${4:-0} chunk got status
    printf "$input" >"$tmp/in"
    printf '%s' "$want" >"$tmp/want"
    for chunk in 1 2 3 7 4096; do
        "$CAT" --chunk "$chunk" - <"$tmp/in" >"$tmp/got" 2>"$tmp/err"
        status=$?
        if [ "$status" -ne "$want_status" ] || ! cmp -s "$tmp/got" "$tmp/want"; then
            echo "FAIL $name (--chunk $chunk): status $status (want $want_status)"
            echo "  got:  $(cat "$tmp/got")"
            echo "  want: $want"
            sed 's/^/  stderr: /' "$tmp/err"
            fail=$((fail + 1))
            return
        fi
    done
    pass=$((pass + 1))
}

check basic 'data: hello\n\n' '{"type":"message","data":"hello","id":""}
'
check typed-id-retry 'retry: 1500\nevent: tick\nid: 7\ndata: a\ndata: b\n\n' '{"retry":1500}
{"type":"tick","data":"a\nb","id":"7"}
'
check escapes 'data: "q" \\ \t\x01\x7f\xe2\x80\xa6\n\n' '{"type":"message","data":"\"q\" \\ \t\u0001\u007f…","id":""}
'
check nul 'data:\0\n\n' '{"type":"message","data":"\u0000","id":""}
'
check crlf-bom '\xef\xbb\xbfdata: one\r\n\r\ndata: two\r\rid: x\n\n' '{"type":"message","data":"one","id":""}
{"type":"message","data":"two","id":""}
'
check id-persists 'id: 1\ndata: a\n\ndata: b\n\nid\ndata: c\n\n' '{"type":"message","data":"a","id":"1"}
{"type":"message","data":"b","id":"1"}
{"type":"message","data":"c","id":""}
'
check unterminated 'data: a\n\ndata: dropped' '{"type":"message","data":"a","id":""}
'
check done 'data: [DONE]\n\n' '{"type":"message","data":"[DONE]","id":""}
'
check cr-last 'data: x\n\r' '{"type":"message","data":"x","id":""}
'

# a parse error (event over --max-event): exit 2, message on stderr
printf 'data: 0123456789abcdef\n\n' >"$tmp/big"
if "$CAT" --max-event 8 - <"$tmp/big" >"$tmp/got" 2>"$tmp/err"; then status=0; else status=$?; fi
if [ "$status" -eq 2 ] && [ -s "$tmp/err" ] && [ ! -s "$tmp/got" ]; then
    pass=$((pass + 1))
else
    echo "FAIL max-event: status $status"; fail=$((fail + 1))
fi
# bad usage
if "$CAT" --chunk 0 - </dev/null >/dev/null 2>&1; then status=0; else status=$?; fi
if [ "$status" -eq 64 ]; then pass=$((pass + 1)); else echo "FAIL usage: $status"; fail=$((fail + 1)); fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
