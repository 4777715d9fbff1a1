#!/usr/bin/env bash
# README tells the truth: its first C example (the read loop) and its
# backpressure block (with the poll loop of readme_poll_main.c around it)
# compile with -Wall -Werror and, given a tiny accept() main, echo for a real client
# (Python websockets): text and binary messages of 0 B to 1 MiB, whole and
# fragmented, around the 64 KiB of its buffers (backpressure), a ping, and
# the close code.
. "$(dirname "$0")/lib.sh"
need /usr/bin/python3 || finish
need_py_module websockets || finish
src=$TMPD/readme.c
awk '/^```c$/ {on = 1; next} on && /^```$/ {exit} on {print}' README.md > "$src"
if [ ! -s "$src" ]; then bad "readme example" "no \`\`\`c block in README.md"; finish; fi
cat "$INTEROP_DIR/readme_main.c" >> "$src"
if ${CC:-cc} -std=c99 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -Wno-unused-result \
        -Iinclude "$src" "$B/libwsx.a" -o "$TMPD/readme" 2>"$TMPD/cc.log"; then
    ok "readme example compiles"
else
    bad "readme example compiles" "$(head -5 "$TMPD/cc.log")"; finish
fi
echo_checks() { # $1: label, $2: server binary
start_server "$TMPD/server-$1.log" "$2" || { bad "$1 server" "did not start"; return; }
port=$(awk '/listening/ {print $2; exit}' "$TMPD/server-$1.log")
out=$(/usr/bin/python3 - "$port" <<'PY'
import asyncio, sys, websockets

def text_of(n):
    # n bytes of UTF-8 mixing 1-, 2-, 3- and 4-byte code points
    unit = "a\u00e9\u20ac\U0001F600"          # 1 + 2 + 3 + 4 = 10 bytes
    s = unit * (n // 10)
    return s + "z" * (n - len(s.encode()))

def pieces(m, size):
    return [m[i:i + size] for i in range(0, len(m), size)] or [m[:0]]

async def main():
    async with websockets.connect(f"ws://127.0.0.1:{sys.argv[1]}/", max_size=None,
                                  compression=None) as ws:
        await ws.send("hello")
        print("text", await ws.recv())
        for n in (0, 125, 65520, 65530, 65532, 65534, 65535, 65536, 65537, 131060, 200000, 1 << 20):
            for kind in ("text", "binary"):
                m = text_of(n) if kind == "text" else bytes(i * 7 & 255 for i in range(n))
                for frag in (False, True):
                    await ws.send(iter(pieces(m, 50000)) if frag else m)
                    r = await ws.recv()
                    size = len(r.encode()) if isinstance(r, str) else len(r)
                    print("echo", n, kind, "fragmented" if frag else "whole",
                          "ok" if r == m else f"BAD got {type(r).__name__} of {size} bytes")
        await asyncio.wait_for(await ws.ping(b"hb"), 5)
        print("pong ok")
        await ws.close(code=4000)
    print("close", ws.close_code)
asyncio.run(asyncio.wait_for(main(), 60))
PY
)
echo "$out" | grep -qx 'text hello' && ok "$1: text echoed" || bad "$1: text echoed" "$out"
for n in 0 125 65520 65530 65532 65534 65535 65536 65537 131060 200000 1048576; do
    for kind in text binary; do
        for how in whole fragmented; do
            line="echo $n $kind $how ok"
            echo "$out" | grep -qx "$line" && ok "$1: $n-byte $kind message, $how, echoed whole" \
                || bad "$1: $n-byte $kind message, $how, echoed whole" "$(echo "$out" | grep "^echo $n $kind $how" || echo "$out" | tail -3)"
        done
    done
done
echo "$out" | grep -qx 'pong ok' && ok "$1: ping answered" || bad "$1: ping answered" "$out"
echo "$out" | grep -qx 'close 4000' && ok "$1: close code echoed" || bad "$1: close code echoed" "$out"
stop_server
}
echo_checks loop "$TMPD/readme"

# The backpressure block (the second C block), with a poll loop around it.
awk '/^```c$/ {n++; on = n == 2; next} on && /^```$/ {exit} on {print}' README.md > "$TMPD/poll.c"
if [ ! -s "$TMPD/poll.c" ]; then bad "readme backpressure block" "no second \`\`\`c block"; finish; fi
cat "$INTEROP_DIR/readme_poll_main.c" "$INTEROP_DIR/readme_main.c" >> "$TMPD/poll.c"
if ${CC:-cc} -std=c99 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -Wno-unused-result \
        -Iinclude "$TMPD/poll.c" "$B/libwsx.a" -o "$TMPD/poll" 2>"$TMPD/cc.log"; then
    ok "readme backpressure block compiles"
    echo_checks poll "$TMPD/poll"
else
    bad "readme backpressure block compiles" "$(head -5 "$TMPD/cc.log")"
fi
finish
