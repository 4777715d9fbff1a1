#!/usr/bin/env bash
# curl against build/examples/sse_server:
#   - `curl -N` POST /api/chat: the tokens arrive one by one (the first and
#     the last are many token intervals apart: the server cannot send them
#     faster than its timer, so this cannot flake), ids 1..n, then [DONE];
#   - the response heads of /events (chunked for HTTP/1.1, close-delimited
#     for HTTP/1.0);
#   - refusals: 404, 405 with Allow, 411, 413, 400 (bad JSON, bad head),
#     431 (huge header).
#     tests/interop/test_sse_curl.sh [BUILD_DIR]
. "$(dirname "$0")/lib.sh"
SRV="$B/examples/sse_server"
if [ ! -x "$SRV" ]; then bad "program $SRV" "not built (make examples)"; finish; fi
need curl || finish

TOKEN_MS=40
PORT=$(free_port)
start_server "$TMPD/srv.log" "$SRV" --port "$PORT" --interval-ms 50 --drop-after 3 \
    --token-ms "$TOKEN_MS" || { bad "sse_server start"; finish; }
BASE="http://127.0.0.1:$PORT"

# 1. chat: each line stamped with its arrival time (bash's EPOCHREALTIME)
curl -sN -m 10 -H 'Content-Type: application/json' -d '{"message":"tokens, one by one"}' \
    "$BASE/api/chat" | while IFS= read -r line; do
    printf '%s %s\n' "${EPOCHREALTIME/[.,]/}" "$line"
done >"$TMPD/chat.txt"
ms_of() { echo $(($1 / 1000)); }
first=$(grep -m 1 ' data: {"text":' "$TMPD/chat.txt" | cut -d' ' -f1)
last=$(grep ' data: {"text":' "$TMPD/chat.txt" | tail -n 1 | cut -d' ' -f1)
ntok=$(grep -c ' data: {"text":' "$TMPD/chat.txt")
stamps=$(grep ' data: {"text":' "$TMPD/chat.txt" | cut -d' ' -f1 | while read -r t; do echo $((t / 1000)); done | sort -u | wc -l)
if [ -n "$first" ] && [ "$ntok" -gt 10 ]; then
    span=$(($(ms_of "$last") - $(ms_of "$first")))
    min=$(((ntok - 1) * TOKEN_MS / 2))
    if [ "$span" -ge "$min" ] && [ "$stamps" -ge 5 ]; then
        ok "curl -N: $ntok tokens over $span ms (>= $min), $stamps distinct arrival times"
    else
        bad "curl -N timing" "$ntok tokens over $span ms (want >= $min), $stamps distinct times"
    fi
else
    bad "curl -N chat" "$(head -c 400 "$TMPD/chat.txt")"
fi
if [ "$(tail -n 2 "$TMPD/chat.txt" | head -n 1 | cut -d' ' -f2-)" = "data: [DONE]" ] &&
    [ "$(grep ' id: ' "$TMPD/chat.txt" | cut -d' ' -f3 | tr '\n' ' ')" = "$(seq 1 "$ntok" | tr '\n' ' ')" ] &&
    grep -q ' data: {"text":" \\"tokens,"}$' "$TMPD/chat.txt"; then
    ok "curl -N: ids 1..$ntok, the message's words, ends with [DONE]"
else
    bad "curl -N chat end" "$(tail -n 4 "$TMPD/chat.txt")"
fi
if grep -q ' event: meta$' "$TMPD/chat.txt" && grep -q '"authorization":null}$' "$TMPD/chat.txt"; then
    ok "curl -N: meta event first (no Authorization: null)"
else
    bad "meta" "$(head -n 4 "$TMPD/chat.txt")"
fi

# 2. heads
curl -sN -m 5 -D "$TMPD/h11" -o "$TMPD/b11" "$BASE/events"
if grep -qi '^HTTP/1.1 200' "$TMPD/h11" && grep -qi '^Content-Type: text/event-stream' "$TMPD/h11" &&
    grep -qi '^Cache-Control: no-cache' "$TMPD/h11" && grep -qi '^X-Accel-Buffering: no' "$TMPD/h11" &&
    grep -qi '^Transfer-Encoding: chunked' "$TMPD/h11" && [ "$(grep -c '^data: ' "$TMPD/b11")" -eq 3 ]; then
    ok "HTTP/1.1 /events: SSE head, chunked, 3 events (--drop-after 3)"
else
    bad "HTTP/1.1 head" "$(cat "$TMPD/h11")"
fi
curl -sN -0 -m 5 -D "$TMPD/h10" -o "$TMPD/b10" "$BASE/events"
if grep -qi '^HTTP/1.1 200' "$TMPD/h10" && ! grep -qi '^Transfer-Encoding' "$TMPD/h10" &&
    grep -qi '^Connection: close' "$TMPD/h10" &&
    [ "$(grep -c '^data: ' "$TMPD/b10")" -eq 3 ] && [ "$(head -n 1 "$TMPD/b10")" = "retry: 1000" ]; then
    ok "HTTP/1.0 /events: body delimited by the close"
else
    bad "HTTP/1.0" "$(cat "$TMPD/h10" "$TMPD/b10")"
fi

# a finished chat leaves the connection open: curl's second transfer reuses it
conns=$(curl -s -m 10 -o /dev/null -o /dev/null -w '%{num_connects} ' -d '{"message":"a"}' \
    "$BASE/api/chat" "$BASE/api/chat")
if [ "$conns" = "1 0 " ]; then
    ok "keep-alive: a second chat on the same connection"
else
    bad "keep-alive" "connects per transfer: $conns"
fi

# 3. refusals: code [+ a header line that must be there]
refusal() { # NAME WANT_STATUS WANT_HEADER_REGEX CURL_ARGS...
    local name=$1 want=$2 hdr=$3 code
    shift 3
    code=$(curl -s -m 5 -o /dev/null -D "$TMPD/rh" -w '%{http_code}' "$@")
    if [ "$code" = "$want" ] && { [ -z "$hdr" ] || grep -qi "$hdr" "$TMPD/rh"; }; then
        ok "$name: $code"
    else
        bad "$name" "got $code (want $want): $(tr -d '\r' <"$TMPD/rh" | tr '\n' '|')"
    fi
}
refusal "unknown path" 404 "" "$BASE/nope"
refusal "POST /events" 405 '^Allow: GET' -X POST -d x "$BASE/events"
refusal "GET /api/chat" 405 '^Allow: POST' "$BASE/api/chat"
refusal "POST without length" 411 "" -X POST "$BASE/api/chat"
head -c 20000 /dev/zero | tr '\0' a >"$TMPD/big"
refusal "20 kB body" 413 "" --data-binary @"$TMPD/big" "$BASE/api/chat"
refusal "body not JSON" 400 '^Content-Type: application/json' -d 'message=hi' "$BASE/api/chat"
refusal "no message member" 400 "" -d '{"msg":"hi"}' "$BASE/api/chat"
refusal "huge header" 431 "" -H "X-Big: $(head -c 17000 "$TMPD/big")" "$BASE/events"
refusal "index page" 200 '^Content-Type: text/html' "$BASE/"
# a malformed request line, by hand
if exec 3<>"/dev/tcp/127.0.0.1/$PORT"; then
    printf 'GET  /events HTTP/1.1\r\nHost: x\r\n\r\n' >&3
    line=$(timeout 5 head -n 1 <&3 | tr -d '\r')
    exec 3>&-
    if [ "$line" = "HTTP/1.1 400 Bad Request" ]; then ok "malformed request line: 400"; else bad "malformed" "$line"; fi
fi

# the server is still fine, and exits 0 on SIGTERM
if [ "$(curl -sN -m 5 "$BASE/events" | grep -c '^id: ')" -eq 3 ]; then ok "still serving"; else bad "still serving"; fi
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
st=$?
SERVER_PID=
if [ "$st" -eq 0 ]; then ok "SIGTERM: exit 0"; else bad "SIGTERM" "status $st"; fi
finish
