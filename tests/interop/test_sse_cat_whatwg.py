#!/usr/bin/env python3
"""sse_cat prints what a browser's EventSource dispatches, whatever the field.

For generated streams (ids, event types, data and comment lines up to
64 KiB - 1 bytes, CR / LF / CRLF line ends, a BOM or half of one, retry
fields valid and not, NUL and invalid UTF-8 anywhere, unknown fields, a last
event that is never terminated), the output of examples/sse_cat (default
limits, several --chunk sizes) must equal what the WHATWG algorithm below
dispatches: HTML, "Server-sent events", 9.2.5 "Parsing an event stream" and
9.2.6 "Interpreting an event stream", run on the stream decoded as UTF-8
(each invalid sequence one U+FFFD, a leading BOM dropped).  Retry values are
compared as sse_cat prints them (saturated at 2^32 - 1).

    tests/interop/test_sse_cat_whatwg.py [BUILD_DIR]
"""
import json
import os
import random
import subprocess
import sys

B = sys.argv[1] if len(sys.argv) > 1 else "build"
CAT = os.path.join(B, "examples", "sse_cat")
MAX_LINE = 64 * 1024 - 1


def whatwg(stream):
    """The events and retries an EventSource takes from stream (bytes)."""
    text = stream.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    out = []
    data, event_type, id_buffer, last_event_id = "", "", "", ""
    pos = 0
    while True:
        ends = [k for k in (text.find("\r", pos), text.find("\n", pos)) if k >= 0]
        if not ends:
            break  # a line without its end: never processed
        end = min(ends)
        line = text[pos:end]
        pos = end + (2 if text.startswith("\r\n", end) else 1)
        if line == "":
            # dispatch
            last_event_id = id_buffer
            if data == "":
                event_type = ""
                continue
            if data.endswith("\n"):
                data = data[:-1]
            out.append({"type": event_type or "message", "data": data, "id": last_event_id})
            data, event_type = "", ""
            continue
        if line.startswith(":"):
            continue
        if ":" in line:
            name, value = line.split(":", 1)
            if value.startswith(" "):
                value = value[1:]
        else:
            name, value = line, ""
        if name == "event":
            event_type = value
        elif name == "data":
            data += value + "\n"
        elif name == "id":
            if "\0" not in value:
                id_buffer = value
        elif name == "retry":
            if value and all("0" <= c <= "9" for c in value):
                out.append({"retry": min(int(value), 0xFFFFFFFF)})
    return out


def sse_cat(stream, chunk):
    p = subprocess.run([CAT, "--chunk", str(chunk), "-"], input=stream,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    if p.returncode != 0:
        raise RuntimeError("exit %d: %s" % (p.returncode, p.stderr.decode(errors="replace")))
    try:
        # one object per "\n" (str.splitlines() would also cut at U+2028, U+0085...)
        return [json.loads(line) for line in p.stdout.decode("utf-8").split("\n") if line]
    except ValueError as e:  # not UTF-8, not JSON
        raise RuntimeError("bad output: %s" % e)


# ---- generated streams ---------------------------------------------------

ALPHABET = (b"abcxyz019 :-_\t" + "é€😀".encode() + b"\0\x01\x7f" +
            b"\x80\xbf\xc0\xc3\xe2\x82\xed\xa0\xf0\x9f\xf4\x90\xf5\xff")


def value(rng, longest):
    """A field value without CR or LF, sometimes very long."""
    r = rng.random()
    n = rng.randrange(0, 12) if r < 0.7 else rng.randrange(0, 600) if r < 0.9 else \
        rng.randrange(longest // 2, longest + 1)
    if rng.random() < 0.3:
        return bytes(rng.choice(ALPHABET) for _ in range(min(n, 400))) + b"q" * max(0, n - 400)
    return bytes(rng.choice(b"abcdefghij0123456789") for _ in range(min(n, 64))) + \
        b"v" * max(0, n - 64)


def line(rng):
    kind = rng.choice(["data"] * 5 + ["id"] * 2 + ["event"] * 2 +
                      ["retry", "comment", "unknown", "bare", "empty"] + ["empty"] * 3)
    if kind == "empty":
        return b""
    if kind == "retry":
        return rng.choice([b"retry: ", b"retry:"]) + rng.choice(
            [b"1000", b"0", b"007", b"", b" 5", b"12x", b"-1", b"99999999999999999999",
             str(rng.randrange(0, 1 << 33)).encode()])
    if kind == "bare":
        return rng.choice([b"data", b"id", b"event", b"retry", b"dat", b"Data"])
    name = {"comment": b"", "unknown": rng.choice([b"foo", b"Data", b"ID", b"dat\xe2"])}.get(
        kind, kind.encode())
    sep = rng.choice([b":", b": ", b":  "])
    return name + sep + value(rng, MAX_LINE - len(name) - len(sep))


def stream(rng, max_bytes):
    parts = []
    r = rng.random()
    if r < 0.4:
        parts.append(b"\xef\xbb\xbf")
    elif r < 0.5:
        parts.append(rng.choice([b"\xef", b"\xef\xbb", b"\xef\xbb\xbf\xef\xbb\xbf"]))
    size = 0
    while size < max_bytes:
        ln = line(rng) + rng.choice([b"\n", b"\r", b"\r\n"])
        parts.append(ln)
        size += len(ln)
    if rng.random() < 0.5:
        parts.append(b"data: never dispatched")  # no line end, no empty line
    return b"".join(parts)


def fixed_streams():
    big_id = b"i" * (MAX_LINE - 4)
    big_type = b"t" * (MAX_LINE - 7)
    big_data = b"d" * (MAX_LINE - 6)
    return [
        # the longest id, then a different one while it is the last event ID
        b"id: " + big_id + b"\ndata: 1\n\nid: " + big_id[:-1] + b"j\ndata: 2\n\n",
        # longest type, id, data and comment lines in one event, and again
        (b"event: " + big_type + b"\r\nid: " + big_id + b"\r\n:" + b"c" * (MAX_LINE - 1) +
         b"\r\ndata: " + big_data + b"\r\ndata: " + big_data + b"\r\n\r\n") * 2,
        # an id line after the type, both long, then ids of other lengths
        b"event: " + big_type + b"\nid: " + big_id + b"\ndata: x\n\nid: 1\ndata: y\n\n",
        "id: \u2026\ndata: \u00e9\n\nid\ndata\n\n".encode(),
        b"\xef\xbb\xbfdata: a\r\rdata: b\r\n\r\nretry: 5\ndata: c\n\r",
    ]


def main():
    if not os.access(CAT, os.X_OK):
        print("FAIL: %s not built" % CAT)
        print("0 passed, 1 failed")
        return 1
    rng = random.Random(20260907)
    cases = [(s, (1, 5, 4096, 65536)) for s in fixed_streams()[3:]]
    cases += [(s, (7, 4096, 65536)) for s in fixed_streams()[:3]]
    cases += [(stream(rng, 2000), (1, 3, 4096)) for _ in range(40)]
    cases += [(stream(rng, 400000), (7, 4096, 65536)) for _ in range(12)]
    passed = failed = 0
    for i, (s, chunks) in enumerate(cases):
        want = whatwg(s)
        for chunk in chunks:
            try:
                got = sse_cat(s, chunk)
            except RuntimeError as e:
                got = str(e)
            if got != want:
                failed += 1
                print("FAIL stream %d (%d bytes, --chunk %d)" % (i, len(s), chunk))
                if isinstance(got, str):
                    print("  " + got)
                else:
                    for k, (g, w) in enumerate(zip(got, want)):
                        if g != w:
                            print("  first difference at output line %d:" % k)
                            print("    got  %.200r" % (g,))
                            print("    want %.200r" % (w,))
                            break
                    else:
                        print("  %d lines, want %d" % (len(got), len(want)))
                break
        else:
            passed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
