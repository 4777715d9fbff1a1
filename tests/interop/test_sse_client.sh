#!/usr/bin/env bash
# sse_cat's URL mode (examples/sse_cat/url.c) against build/examples/sse_server
# and a small Python HTTP/1.0 server (close-delimited bodies, 204, redirects,
# wrong content type):
#   - the /events feed across reconnects (--drop-after): ids continuous, no
#     duplicate, Last-Event-ID sent;
#   - POST /api/chat with -d and an Authorization header;
#   - 204 stops for good, 404 and text/html exit 2 without reconnecting;
#   - 302 to another server, 307 keeps POST and its body, 303 turns it into
#     a GET, a redirect loop stops;
#   - a close-delimited body, and its reconnect with Last-Event-ID;
#   - SIGTERM while streaming: exit 0.
#     tests/interop/test_sse_client.sh [BUILD_DIR]
. "$(dirname "$0")/lib.sh"
CAT="$B/examples/sse_cat"
SRV="$B/examples/sse_server"
for p in "$CAT" "$SRV"; do
    if [ ! -x "$p" ]; then bad "program $p" "not built (make examples)"; finish; fi
done
need /usr/bin/python3 || finish

PORT=$(free_port)
start_server "$TMPD/srv.log" "$SRV" --port "$PORT" --interval-ms 40 --drop-after 4 \
    --retry-ms 100 --token-ms 5 || { bad "sse_server start"; finish; }
BASE="http://127.0.0.1:$PORT"

# The Python peer: HTTP/1.0, so bodies end at the close.  Every request is
# logged to $TMPD/py.log as "METHOD PATH last-event-id".
cat >"$TMPD/peer.py" <<'EOF'
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

SSE_PORT = sys.argv[2]
LOG = sys.argv[3]

class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def note(self):
        with open(LOG, "a") as f:
            f.write("%s %s %s\n" % (self.command, self.path,
                                    self.headers.get("Last-Event-ID", "-")))

    def send(self, status, ctype=None, body=b"", location=None):
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        if location:
            self.send_header("Location", location)
        self.end_headers()
        self.wfile.write(body)

    def route(self):
        self.note()
        n = int(self.headers.get("Content-Length", "0") or 0)
        body = self.rfile.read(n) if n else b""
        p = self.path
        if p == "/204":
            self.send(204)
        elif p == "/html":
            self.send(200, "text/html", b"<p>no</p>")
        elif p == "/to-events":
            self.send(302, location="http://127.0.0.1:%s/events" % SSE_PORT)
        elif p == "/loop":
            self.send(302, location="/loop")
        elif p == "/see-other":
            self.send(303, location="/method")
        elif p == "/temporary":
            self.send(307, location="method")  # relative to /
        elif p == "/method":
            ctype = self.headers.get("Content-Type", "none")
            data = "%s %d %s %s" % (self.command, len(body), ctype, body.decode())
            self.send(200, "text/event-stream; charset=utf-8",
                      ("data: %s\n\n" % data).encode())
        elif p == "/stream":
            last = self.headers.get("Last-Event-ID")
            if last is None:
                self.send(200, "Text/Event-Stream",
                          b"retry: 50\nid: s1\ndata: one\n\ndata: cut")
            else:
                self.send(200, "text/event-stream",
                          ("id: s2\ndata: after %s\n\n" % last).encode())
        else:
            self.send(404, "text/plain", b"nope")

    do_GET = route
    do_POST = route

srv = HTTPServer(("127.0.0.1", int(sys.argv[1])), H)
print("listening", flush=True)
srv.serve_forever()
EOF
PYPORT=$(free_port)
/usr/bin/python3 "$TMPD/peer.py" "$PYPORT" "$PORT" "$TMPD/py.log" >"$TMPD/py.out" 2>&1 &
PY_PID=$!
trap 'kill $PY_PID 2>/dev/null; stop_server; rm -rf "$TMPD"' EXIT
for i in $(seq 1 100); do grep -q listening "$TMPD/py.out" 2>/dev/null && break; sleep 0.05; done
PY="http://127.0.0.1:$PYPORT"

# run NAME ARGS...: runs sse_cat (10 s at most); status in $st, output in
# $TMPD/NAME.out and .err
run() {
    local name=$1; shift
    timeout 10 "$CAT" "$@" >"$TMPD/$name.out" 2>"$TMPD/$name.err"
    st=$?
}
ids() { sed -n 's/.*"id":"\([^"]*\)"}$/\1/p' "$1"; }

# 1. the feed, 3 reconnects, 4 events per connection: 16 consecutive ids
run feed --verbose --max-reconnects 3 "$BASE/events"
n=$(grep -c '"type":"message"' "$TMPD/feed.out")
first=$(ids "$TMPD/feed.out" | head -n 1)
if [ "$st" -eq 0 ] && [ "$n" -eq 16 ] &&
    [ "$(ids "$TMPD/feed.out" | tr '\n' ' ')" = "$(seq "$first" $((first + 15)) | tr '\n' ' ')" ]; then
    ok "feed: 16 consecutive ids over 4 connections"
else
    bad "feed" "status $st, $n events: $(ids "$TMPD/feed.out" | tr '\n' ' ')"
fi
if [ "$(grep -c "Last-Event-ID '[0-9]" "$TMPD/feed.err")" -eq 3 ] &&
    [ "$(grep -c '"data":"\([0-9]*\)","id":"\1"' "$TMPD/feed.out")" -eq 16 ]; then
    ok "feed: Last-Event-ID sent on each reconnect, data == id"
else
    bad "feed: Last-Event-ID" "$(cat "$TMPD/feed.err")"
fi
if [ "$(grep -c '^{"retry":100}$' "$TMPD/feed.out")" -eq 4 ]; then
    ok "feed: retry: 100 at the start of each response"
else
    bad "feed: retry" "$(grep retry "$TMPD/feed.out" | tr '\n' ' ')"
fi

# 2. POST /api/chat with a body and an Authorization header
run chat --max-reconnects 0 -H 'Authorization: Bearer s3cret' -d '{"message":"hello wsx"}' \
    "$BASE/api/chat"
tokens=$(grep -c '"data":"{\\"text\\"' "$TMPD/chat.out")
if [ "$st" -eq 0 ] &&
    grep -q '^{"type":"meta","data":"{.*\\"message\\":\\"hello wsx\\",\\"authorization\\":\\"Bearer s3cret\\"}","id":""}$' "$TMPD/chat.out" &&
    [ "$(tail -n 1 "$TMPD/chat.out")" = "{\"type\":\"message\",\"data\":\"[DONE]\",\"id\":\"$tokens\"}" ] &&
    [ "$(ids "$TMPD/chat.out" | grep -v '^$' | sort -un | tr '\n' ' ')" = "$(seq 1 "$tokens" | tr '\n' ' ')" ] &&
    [ "$tokens" -gt 10 ]; then
    ok "chat: meta echoes the message and Authorization, $tokens tokens with ids 1..$tokens, then [DONE]"
else
    bad "chat" "status $st: $(head -c 600 "$TMPD/chat.out") $(cat "$TMPD/chat.err")"
fi
if grep -q '"data":"{\\"text\\":\\" \\\\\\"hello\\"}"' "$TMPD/chat.out" &&
    grep -q '"data":"{\\"text\\":\\" wsx\\\\\\".\\"}"' "$TMPD/chat.out"; then
    ok "chat: tokens carry the message words"
else
    bad "chat: tokens" "$(grep -c text "$TMPD/chat.out") token lines"
fi

# 3. 204: stop for good
: >"$TMPD/py.log"
run stop --max-reconnects 5 "$PY/204"
if [ "$st" -eq 0 ] && [ ! -s "$TMPD/stop.out" ] && [ "$(grep -c ' /204 ' "$TMPD/py.log")" -eq 1 ]; then
    ok "204: exit 0, one request, no reconnect"
else
    bad "204" "status $st, requests: $(cat "$TMPD/py.log")"
fi

# 4. 404 and a wrong content type: exit 2, no reconnect
run nf --verbose --max-reconnects 5 "$BASE/nope"
if [ "$st" -eq 2 ] && grep -q 404 "$TMPD/nf.err" && ! grep -q 'reconnecting in' "$TMPD/nf.err"; then
    ok "404: exit 2 with a message, no reconnect"
else
    bad "404" "status $st: $(cat "$TMPD/nf.err")"
fi
: >"$TMPD/py.log"
run html --max-reconnects 5 "$PY/html"
if [ "$st" -eq 2 ] && grep -q 'text/event-stream' "$TMPD/html.err" &&
    [ "$(wc -l <"$TMPD/py.log")" -eq 1 ]; then
    ok "text/html: exit 2, one request"
else
    bad "text/html" "status $st: $(cat "$TMPD/html.err")"
fi

# 5. redirects
run redir --max-reconnects 0 "$PY/to-events"
if [ "$st" -eq 0 ] && [ "$(grep -c '"type":"message"' "$TMPD/redir.out")" -eq 4 ]; then
    ok "302 to sse_server's /events followed"
else
    bad "302" "status $st: $(cat "$TMPD/redir.out" "$TMPD/redir.err")"
fi
run see --max-reconnects 0 -H 'Content-Type: application/json' -d '{"a":1}' "$PY/see-other"
if [ "$st" -eq 0 ] && grep -qx '{"type":"message","data":"GET 0 none ","id":""}' "$TMPD/see.out"; then
    ok "303: POST becomes GET without body or Content-Type"
else
    bad "303" "status $st: $(cat "$TMPD/see.out" "$TMPD/see.err")"
fi
run tmp --max-reconnects 0 -d '{"b":22}' "$PY/temporary"
if [ "$st" -eq 0 ] &&
    grep -qx '{"type":"message","data":"POST 8 application/json {\\"b\\":22}","id":""}' "$TMPD/tmp.out"; then
    ok "307 (relative Location): POST, body and Content-Type kept"
else
    bad "307" "status $st: $(cat "$TMPD/tmp.out" "$TMPD/tmp.err")"
fi
run loop --max-reconnects 3 --max-redirects 4 "$PY/loop"
if [ "$st" -eq 2 ] && grep -q 'redirects' "$TMPD/loop.err"; then
    ok "redirect loop: exit 2 after --max-redirects"
else
    bad "redirect loop" "status $st: $(cat "$TMPD/loop.err")"
fi

# 6. close-delimited body; the unterminated "data: cut" is dropped; the
# reconnect sends Last-Event-ID: s1 (retry: 50 keeps it quick)
: >"$TMPD/py.log"
run close --max-reconnects 1 "$PY/stream"
want='{"retry":50}
{"type":"message","data":"one","id":"s1"}
{"type":"message","data":"after s1","id":"s2"}'
if [ "$st" -eq 0 ] && [ "$(cat "$TMPD/close.out")" = "$want" ] &&
    [ "$(cat "$TMPD/py.log")" = "GET /stream -
GET /stream s1" ]; then
    ok "close-delimited body, reconnect with Last-Event-ID"
else
    bad "close-delimited" "status $st: $(cat "$TMPD/close.out" "$TMPD/py.log" "$TMPD/close.err")"
fi

# 7. a Last-Event-ID older than the replay window: "event: reset", then
# everything in the window (sse_server --replay 4, read raw with curl;
# --drop-after 5: the 4 stored events and one live one)
if need curl; then
    P2=$(free_port)
    "$SRV" --port "$P2" --interval-ms 20 --replay 4 --drop-after 5 >"$TMPD/srv2.log" 2>&1 &
    S2=$!
    for i in $(seq 1 100); do grep -q listening "$TMPD/srv2.log" && break; sleep 0.05; done
    sleep 0.4
    curl -sN -m 5 -H 'Last-Event-ID: 1' "http://127.0.0.1:$P2/events" | "$CAT" - >"$TMPD/reset.out"
    kill "$S2"; wait "$S2"
    f=$(sed -n '2s/.*"resumeAfter\\":\([0-9]*\)}.*/\1/p' "$TMPD/reset.out")
    if [ -n "$f" ] && [ "$f" -gt 2 ] &&
        [ "$(sed -n 2p "$TMPD/reset.out")" = "{\"type\":\"reset\",\"data\":\"{\\\"lastEventId\\\":\\\"1\\\",\\\"resumeAfter\\\":$f}\",\"id\":\"$f\"}" ] &&
        [ "$(ids "$TMPD/reset.out" | sed -n '2,$p' | tr '\n' ' ')" = "$(seq $((f + 1)) $((f + 5)) | tr '\n' ' ')" ]; then
        ok "old Last-Event-ID: event reset (resumeAfter $f), then the window"
    else
        bad "old Last-Event-ID" "$(cat "$TMPD/reset.out")"
    fi
fi

# 8. SIGTERM while streaming: exit 0
"$CAT" "$BASE/events" >"$TMPD/term.out" 2>&1 &
C=$!
sleep 0.5
kill -TERM "$C"
wait "$C"
st=$?
if [ "$st" -eq 0 ] && grep -q '"type":"message"' "$TMPD/term.out"; then
    ok "SIGTERM: exit 0"
else
    bad "SIGTERM" "status $st"
fi

# usage: -d makes no sense for standard input; https is not supported
if "$CAT" -d x - </dev/null >/dev/null 2>&1; then st=0; else st=$?; fi
if [ "$st" -eq 64 ]; then ok "usage: -d with stdin is 64"; else bad "usage -d" "status $st"; fi
if "$CAT" https://127.0.0.1:1/x >/dev/null 2>&1; then st=0; else st=$?; fi
if [ "$st" -eq 64 ]; then ok "usage: https URL is 64"; else bad "usage https" "status $st"; fi

kill "$PY_PID" 2>/dev/null
wait "$PY_PID" 2>/dev/null
stop_server
finish
