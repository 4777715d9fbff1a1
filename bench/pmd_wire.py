"""Bytes on the wire with and without permessage-deflate, through ws_echo.
    /usr/bin/python3 bench/pmd_wire.py [BUILD_DIR] [WINDOW_BITS]

Sends two workloads to build/examples/ws_echo (--deflate-window-bits N,
default 12) from a raw client that compresses each message (zlib, context
takeover), and counts the bytes of the server's frames (headers included)
against the same messages sent plain:
  chat    300 chat messages as the demo relays them,
          {"type":"chat","from":NAME,"text":LINE}, lines taken from README.md;
  tokens  one message per token of an assistant's answer,
          {"type":"token","text":WORD} (README.md's words, 3000 tokens).
"""
import json
import os
import re
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "interop"))
from wsx_peer import Server, frame  # noqa: E402
from test_ws_echo_deflate import TAIL, open_offering  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def workloads():
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    lines = [ln.strip() for ln in text.splitlines() if len(ln.strip()) > 20][:300]
    names = ["ann", "bob", "cat", "dan"]
    chat = [json.dumps({"type": "chat", "from": names[i % 4], "text": ln}, ensure_ascii=False)
            for i, ln in enumerate(lines)]
    words = re.findall(r"\s*\S+", text)[:3000]
    tokens = [json.dumps({"type": "token", "text": w}, ensure_ascii=False) for w in words]
    return {"chat": chat, "tokens": tokens}


def wire(port, messages, bits):
    comp = zlib.compressobj(6, zlib.DEFLATED, -bits)
    plain = got = 0
    with open_offering(port) as c:
        for m in messages:
            data = m.encode()
            out = comp.compress(data) + comp.flush(zlib.Z_SYNC_FLUSH)
            c.send(frame(1, out[:-len(TAIL)], rsv=4))
            plain += len(frame(1, data, mask=False))
            fin = False
            while not fin:
                fin, rsv, op, payload = c.read_frame()
                got += len(frame(op, payload, mask=False))
    return plain, got


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    bits = int(sys.argv[2]) if len(sys.argv) > 2 else 12
    with Server(os.path.join(build, "examples", "ws_echo"), "--quiet",
                "--deflate-window-bits", str(bits)) as s:
        for name, msgs in workloads().items():
            plain, got = wire(s.port, msgs, bits)
            print("%-7s %5d messages  plain %8d bytes  compressed %8d bytes  saved %4.1f%%"
                  % (name, len(msgs), plain, got, 100.0 * (plain - got) / plain))


if __name__ == "__main__":
    main()
