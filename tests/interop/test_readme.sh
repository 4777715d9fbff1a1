#!/usr/bin/env bash
# README tells the truth: its first C example (the read loop) compiles with
# -Wall -Werror and, given a tiny accept() main, echoes for a real client
# (Python websockets): text, a large binary message, a fragmented message,
# a ping, and the close code.
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
start_server "$TMPD/server.log" "$TMPD/readme" || { bad "readme server" "did not start"; finish; }
port=$(awk '/listening/ {print $2; exit}' "$TMPD/server.log")
out=$(/usr/bin/python3 - "$port" <<'PY'
import asyncio, sys, websockets
async def main():
    async with websockets.connect(f"ws://127.0.0.1:{sys.argv[1]}/", max_size=None) as ws:
        await ws.send("hello")
        print("text", await ws.recv())
        await ws.send(b"\x00\x01" * 40000)
        r = await ws.recv()
        print("binary", type(r).__name__, len(r), r == b"\x00\x01" * 40000)
        await ws.send(iter(["frag", "mented"]))
        print("fragmented", await ws.recv())
        await asyncio.wait_for(await ws.ping(b"hb"), 5)
        print("pong ok")
        await ws.close(code=4000)
    print("close", ws.close_code)
asyncio.run(asyncio.wait_for(main(), 20))
PY
)
echo "$out" | grep -qx 'text hello' && ok "text echoed" || bad "text echoed" "$out"
echo "$out" | grep -qx 'binary bytes 80000 True' && ok "binary echoed" || bad "binary echoed" "$out"
echo "$out" | grep -qx 'fragmented fragmented' && ok "fragmented echoed" || bad "fragmented echoed" "$out"
echo "$out" | grep -qx 'pong ok' && ok "ping answered" || bad "ping answered" "$out"
echo "$out" | grep -qx 'close 4000' && ok "close code echoed" || bad "close code echoed" "$out"
finish
