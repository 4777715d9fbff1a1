#!/usr/bin/env python3
"""build/examples/sse_server on raw sockets (Debian's python3, stdlib only):

- a client that never reads is dropped (--buffer, --sndbuf) while a client
  that reads goes on with no gap;
- many clients share one sequence;
- keep-alive comments on a quiet stream (--keepalive-ms);
- Last-Event-ID newer than anything sent (a restarted server): event reset,
  then live;
- a replay larger than the client buffer: what fits, the connection
  closes, the next request resumes from there;
- a request head sent byte by byte; Expect: 100-continue; HTTP/1.0 chat
  (body delimited by the close); a long multibyte chat message;
- HEAD: the head GET gets and no body (/events, /, errors), the connection
  kept or closed as after a GET;
- chunked POST bodies: the same answer as with Content-Length (whatever the
  chunking, extensions, trailers, reads cut anywhere), 413 over the limit
  (in total or in one chunk's size line), 400 when malformed or framed
  ambiguously, 501 for other codings, and the server goes on serving.

    tests/interop/test_sse_server.py [BUILD_DIR]
"""
import json
import os
import re
import socket
import time

from wsx_peer import Server, Suite, build_dir

SERVER = os.path.join(build_dir(), "examples", "sse_server")
suite = Suite()
check = suite.check


def sse_server(*args):
    return Server(SERVER, *args)


def stop(srv):
    """Stops the server; returns (exit status, everything it printed)."""
    code = srv.stop()
    return code, srv.output().decode(errors="replace")


def get_events(s, last_id=None, version="1.1"):
    extra = "Last-Event-ID: %s\r\n" % last_id if last_id is not None else ""
    s.sendall(("GET /events HTTP/%s\r\nHost: t\r\n%s\r\n" % (version, extra)).encode())


class Reader:
    """Reads a response: head, then the body (chunked or not) as text."""

    def __init__(self, sock):
        self.s = sock
        self.buf = b""
        self.head = None
        self.chunked = False
        self.body = b""
        self.eof = False

    def _fill(self):
        try:
            d = self.s.recv(65536)
        except socket.timeout:
            return False
        except ConnectionResetError:
            d = b""
        if not d:
            self.eof = True
            return False
        self.buf += d
        return True

    def _parse(self):
        if self.head is None and b"\r\n\r\n" in self.buf:
            h, self.buf = self.buf.split(b"\r\n\r\n", 1)
            self.head = h.decode()
            self.chunked = "transfer-encoding: chunked" in self.head.lower()
        if self.head is None:
            return
        if not self.chunked:
            self.body += self.buf
            self.buf = b""
            return
        while b"\r\n" in self.buf:
            line, rest = self.buf.split(b"\r\n", 1)
            n = int(line, 16)
            if len(rest) < n + 2:
                return
            self.body += rest[:n]
            self.buf = rest[n + 2:]

    def until(self, pred, timeout=5.0):
        end = time.time() + timeout
        while not pred(self) and time.time() < end and not self.eof:
            self._fill()
            self._parse()
        self._parse()
        return pred(self)

    def text(self):
        return self.body.decode()

    def ids(self):
        return [int(x) for x in re.findall(r"^id: (\d+)$", self.text(), re.M)]


def consecutive(ids):
    return all(b == a + 1 for a, b in zip(ids, ids[1:]))


def slow_client():
    srv = sse_server("--interval-ms", "1", "--buffer", "4096", "--sndbuf", "4096", "--verbose")
    slow = srv.connect(rcvbuf=2048)
    get_events(slow)
    fast = Reader(srv.connect())
    get_events(fast.s)
    t0 = time.time()
    fast.until(lambda r: len(r.ids()) >= 1500, timeout=10)
    ids = fast.ids()
    check("slow client: the reading client got %d consecutive events meanwhile" % len(ids),
          len(ids) >= 1500 and consecutive(ids), "%d ids" % len(ids))
    r = Reader(slow)
    r.until(lambda r: False, timeout=3)  # read what the kernel holds, then EOF
    check("slow client: its connection was closed", r.eof, "no EOF after %.1f s" % (time.time() - t0))
    code, log = stop(srv)
    check("slow client: the server says why", "too slow: dropped" in log, log[-300:])
    check("slow client: server exit 0", code == 0, str(code))


def shared_sequence():
    srv = sse_server("--interval-ms", "30")
    readers = []
    for _ in range(20):
        r = Reader(srv.connect())
        get_events(r.s)
        readers.append(r)
    for r in readers:
        r.until(lambda r: len(r.ids()) >= 5)
    lasts = [r.ids()[4] for r in readers]
    good = all(len(r.ids()) >= 5 and consecutive(r.ids()) for r in readers)
    # all connected within a few ms of each other: the 5th ids differ by a tick or two
    check("20 clients: consecutive ids from one shared counter", good and max(lasts) - min(lasts) <= 3,
          str(lasts))
    srv.stop()


def keepalive():
    srv = sse_server("--interval-ms", "100000", "--keepalive-ms", "150")
    r = Reader(srv.connect())
    get_events(r.s)
    t0 = time.time()
    got = r.until(lambda r: r.text().count(": keep-alive\n\n") >= 2, timeout=3)
    dt = time.time() - t0
    check("keep-alive comments on a quiet stream (two in %.2f s)" % dt, got and dt >= 0.25, repr(r.text()))
    srv.stop()


def restarted_server():
    srv = sse_server("--interval-ms", "20")
    time.sleep(0.15)
    r = Reader(srv.connect())
    get_events(r.s, last_id="999999")
    r.until(lambda r: len(r.ids()) >= 4)
    m = re.search(r'event: reset\nid: (\d+)\ndata: \{"lastEventId":"999999","resumeAfter":(\d+)\}\n\n',
                  r.text())
    ids = r.ids()
    check("Last-Event-ID from the future: reset to the current id, then live",
          m and m.group(1) == m.group(2) and ids[0] == int(m.group(1)) and ids[1] == ids[0] + 1
          and consecutive(ids), repr(r.text()[:300]))
    srv.stop()


def replay_in_pieces():
    srv = sse_server("--interval-ms", "1", "--buffer", "4096", "--replay", "1000")
    time.sleep(0.6)  # a few hundred stored events: more than 4 KiB
    first = Reader(srv.connect())
    get_events(first.s, last_id="1")
    first.until(lambda r: False, timeout=3)
    ids = first.ids()
    check("replay larger than the buffer: a part, then the close",
          first.eof and len(ids) > 50 and ids[0] == 2 and consecutive(ids), "%d ids" % len(ids))
    second = Reader(srv.connect())
    get_events(second.s, last_id=str(ids[-1]))
    second.until(lambda r: len(r.ids()) >= 1)
    check("... and the next request resumes right after it",
          second.ids()[:1] == [ids[-1] + 1], str(second.ids()[:3]))
    srv.stop()


def odd_requests():
    srv = sse_server("--interval-ms", "20", "--token-ms", "1")
    # byte by byte
    r = Reader(srv.connect())
    for b in b"GET /events HTTP/1.1\r\nHost: t\r\n\r\n":
        r.s.send(bytes([b]))
        time.sleep(0.001)
    check("head sent byte by byte", r.until(lambda r: len(r.ids()) >= 2) and r.head.startswith("HTTP/1.1 200"))
    # Expect: 100-continue
    s = srv.connect()
    body = b'{"message":"continue"}'
    s.sendall(b"POST /api/chat HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
              b"Content-Length: %d\r\nExpect: 100-continue\r\n\r\n" % len(body))
    interim = s.recv(100)
    s.sendall(body)
    r = Reader(s)
    r.until(lambda r: "[DONE]" in r.text())
    check("Expect: 100-continue", interim == b"HTTP/1.1 100 Continue\r\n\r\n" and "[DONE]" in r.text(),
          repr(interim))
    # a long message of multibyte characters, quotes and control characters:
    # every token is valid JSON of valid UTF-8, and they spell the answer
    msg = ('é"\\\x01 ' * 800) + '✓'
    big = ('{"message":%s}' % json.dumps(msg, ensure_ascii=False)).encode()
    s = srv.connect()
    s.sendall(b"POST /api/chat HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n%s" % (len(big), big))
    r = Reader(s)
    r.until(lambda r: "[DONE]" in r.body.decode("utf-8", "replace"), timeout=20)
    try:
        datas = re.findall(r"^data: (.*)$", r.body.decode("utf-8"), re.M)
        meta = json.loads(datas[0])
        text = "".join(json.loads(d)["text"] for d in datas[1:-1])
        good = datas[-1] == "[DONE]" and text.startswith('You said: "' + msg[:9000]) and \
            meta["message"] == msg[:len(meta["message"])] and len(meta["message"]) > 50
    except (ValueError, KeyError, IndexError) as e:
        good, text = False, repr(e)
    check("long multibyte message: tokens are valid JSON and UTF-8, spelling the answer", good, text[:200])
    # HTTP/1.0: no chunked framing, the close ends the body
    s = srv.connect()
    s.sendall(b"POST /api/chat HTTP/1.0\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    r = Reader(s)
    r.until(lambda r: False, timeout=5)
    check("HTTP/1.0 chat: close-delimited",
          r.eof and not r.chunked and r.text().endswith("data: [DONE]\n\n"), repr(r.text()[-80:]))
    srv.stop()


def exchange(srv, raw, timeout=3.0, pause=None):
    """Sends raw (a list: the pieces, with `pause` seconds between them),
    then reads until EOF or `timeout` of silence; returns (bytes, eof)."""
    s = srv.connect()
    pieces = raw if isinstance(raw, list) else [raw]
    for i, piece in enumerate(pieces):
        s.sendall(piece)
        if pause and i + 1 < len(pieces):
            time.sleep(pause)
    s.settimeout(timeout)
    got, eof = b"", False
    while True:
        try:
            d = s.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            d = b""
        if not d:
            eof = True
            break
        got += d
    s.close()
    return got, eof


def split_head(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    return lines[0], lines[1:], body


def head_requests():
    srv = sse_server("--interval-ms", "20")
    # HEAD /events on HTTP/1.1: GET's head, no body, and the connection
    # stays for the next request (the feed ticks every 20 ms meanwhile).
    g = srv.connect()
    g.sendall(b"GET /events HTTP/1.1\r\nHost: t\r\n\r\n")
    r = Reader(g)
    r.until(lambda r: r.head is not None)
    get_head = r.head
    g.close()
    s = srv.connect()
    s.settimeout(0.5)
    s.sendall(b"HEAD /events HTTP/1.1\r\nHost: t\r\n\r\n")
    got = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            got += d
    except socket.timeout:
        pass
    check("HEAD /events: the same head as GET",
          got.endswith(b"\r\n\r\n") and got[:-4].decode() == get_head, repr(got[:400]))
    check("HEAD /events: no body (nothing after the head in 0.5 s)",
          got.count(b"\r\n\r\n") == 1 and got.endswith(b"\r\n\r\n"), repr(got[-100:]))
    s.sendall(b"GET /events HTTP/1.1\r\nHost: t\r\n\r\n")
    r = Reader(s)
    check("HEAD /events: the connection serves the next request",
          r.until(lambda r: len(r.ids()) >= 2) and r.head.startswith("HTTP/1.1 200"), repr(r.buf[:200]))
    s.close()
    # HTTP/1.0: head, then the close
    got, eof = exchange(srv, b"HEAD /events HTTP/1.0\r\n\r\n")
    status, headers, body = split_head(got)
    check("HEAD /events HTTP/1.0: 200 text/event-stream, no body, closed",
          status.startswith("HTTP/1.1 200") and eof and body == b"" and
          any(h.lower().startswith("content-type: text/event-stream") for h in headers), repr(got))
    # HEAD /: GET's Content-Length, no body
    got_get, _ = exchange(srv, b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
    got, eof = exchange(srv, b"HEAD / HTTP/1.1\r\nHost: t\r\n\r\n")
    gs, gh, gb = split_head(got_get)
    hs, hh, hb = split_head(got)
    check("HEAD /: the same head as GET (Content-Length %d), no body" % len(gb),
          hs == gs and hh == gh and hb == b"" and eof and "Content-Length: %d" % len(gb) in hh and
          len(gb) > 0, repr(got))
    # errors to HEAD carry no body either
    got, eof = exchange(srv, b"HEAD /nope HTTP/1.1\r\nHost: t\r\n\r\n")
    status, headers, body = split_head(got)
    check("HEAD /nope: 404, no body", status.startswith("HTTP/1.1 404") and body == b"" and eof, repr(got))
    got, eof = exchange(srv, b"HEAD /api/chat HTTP/1.1\r\nHost: t\r\n\r\n")
    status, headers, body = split_head(got)
    check("HEAD /api/chat: 405 Allow: POST, OPTIONS, no body",
          status.startswith("HTTP/1.1 405") and "Allow: POST, OPTIONS" in headers and body == b"",
          repr(got))
    got, eof = exchange(srv, b"POST /events HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
    status, headers, body = split_head(got)
    check("POST /events: 405 Allow: GET, HEAD, OPTIONS",
          status.startswith("HTTP/1.1 405") and "Allow: GET, HEAD, OPTIONS" in headers, repr(got))
    srv.stop()


def chunked(body, sizes):
    """body in chunks of the given sizes (cycled), with an extension on the
    first chunk and a trailer field after the last one."""
    out, i, k = [], 0, 0
    while i < len(body):
        n = sizes[k % len(sizes)]
        k += 1
        ext = b";note=x" if i == 0 else b""
        out.append(b"%x%s\r\n%s\r\n" % (len(body[i:i + n]), ext, body[i:i + n]))
        i += n
    out.append(b"0\r\nX-Trailer: ok\r\n\r\n")
    return b"".join(out)


def chat_text(srv, raw, pause=None):
    pieces = raw if isinstance(raw, list) else [raw]
    s = srv.connect()
    for i, piece in enumerate(pieces):
        s.sendall(piece)
        if pause and i + 1 < len(pieces):
            time.sleep(pause)
    r = Reader(s)
    r.until(lambda r: "[DONE]" in r.body.decode("utf-8", "replace"), timeout=10)
    return r, s


def chunked_bodies():
    srv = sse_server("--interval-ms", "1000", "--token-ms", "1")
    body = ('{"message":"chunked ✓ %s"}' % ("word " * 30)).encode()
    head_cl = b"POST /api/chat HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n" % len(body)
    head_te = b"POST /api/chat HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
    want, s = chat_text(srv, head_cl + body)
    s.close()
    check("Content-Length chat answers", want.text().endswith("data: [DONE]\n\n"), repr(want.text()[-80:]))
    # one chunk, several chunks, reads cut inside the framing
    r, s = chat_text(srv, head_te + chunked(body, [len(body)]))
    check("chunked POST (one chunk): the same stream as Content-Length", r.text() == want.text(),
          repr(r.text()[:200]))
    s.close()
    wire = chunked(body, [1, 7, 30, 2])
    pieces = [head_te[:20], head_te[20:] + wire[:3]] + [wire[i:i + 5] for i in range(3, len(wire), 5)]
    r, s = chat_text(srv, pieces, pause=0.002)
    check("chunked POST (many chunks, sent 5 bytes at a time): the same stream", r.text() == want.text(),
          repr(r.text()[:200]))
    # persistence: the same connection takes the next request
    s.sendall(head_te + chunked(body, [50]))
    r2 = Reader(s)
    r2.until(lambda r: "[DONE]" in r.body.decode("utf-8", "replace"), timeout=10)
    check("chunked POST: the connection serves the next chunked POST", r2.text() == want.text(),
          repr(r2.buf[:200]))
    s.close()
    # Expect: 100-continue with a chunked body
    s = srv.connect()
    s.sendall(head_te[:-2] + b"Expect: 100-continue\r\n\r\n")
    interim = s.recv(100)
    s.sendall(chunked(body, [64]))
    r = Reader(s)
    r.until(lambda r: "[DONE]" in r.text())
    check("chunked POST with Expect: 100-continue",
          interim == b"HTTP/1.1 100 Continue\r\n\r\n" and r.text() == want.text(), repr(interim))
    s.close()
    # exactly the limit is fine, one byte over is 413 (the same as Content-Length)
    msg = "x" * (16384 - len('{"message":""}'))
    at_limit = ('{"message":"%s"}' % msg).encode()
    r, s = chat_text(srv, head_te + chunked(at_limit, [1000]))
    check("chunked body of exactly 16 KiB: answered", "[DONE]" in r.text(), repr(r.head))
    s.close()
    over = at_limit[:-2] + b'x"}'
    got, eof = exchange(srv, head_te + chunked(over, [1000]))
    check("chunked body of 16 KiB + 1 (1000-byte chunks): 413, closed",
          got.startswith(b"HTTP/1.1 413") and eof, repr(got[:80]))
    got, eof = exchange(srv, head_cl.replace(b"%d" % len(body), b"%d" % len(over)) + over)
    check("Content-Length body of 16 KiB + 1: 413 too", got.startswith(b"HTTP/1.1 413"), repr(got[:80]))
    got, eof = exchange(srv, head_te + b"4001\r\n")
    check("one chunk declared over the limit: 413 at its size line", got.startswith(b"HTTP/1.1 413") and eof,
          repr(got[:80]))
    # malformed or ambiguous framing
    for name, raw, want_status in (
            ("a size that is not hex", head_te + b"zz\r\nhello\r\n0\r\n\r\n", 400),
            ("data not followed by CRLF", head_te + b"5\r\nhelloXY0\r\n\r\n", 400),
            ("a size with 0x", head_te + b"0x5\r\nhello\r\n0\r\n\r\n", 400),
            ("chunked and Content-Length", head_te[:-2] + b"Content-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 400),
            ("chunked not last", head_te.replace(b"chunked", b"chunked, gzip") + b"0\r\n\r\n", 400),
            ("Transfer-Encoding in HTTP/1.0", head_te.replace(b"HTTP/1.1", b"HTTP/1.0") + b"0\r\n\r\n", 400),
            ("gzip, chunked", head_te.replace(b"chunked", b"gzip, chunked") + b"0\r\n\r\n", 501)):
        got, eof = exchange(srv, raw)
        check("%s: %d, closed" % (name, want_status),
              got.startswith(b"HTTP/1.1 %d" % want_status) and eof, repr(got[:80]))
    # the same codings over two field lines are one list (RFC 9110 section 5.3)
    r, s = chat_text(srv, head_te[:-2] + b"Transfer-Encoding: \r\n\r\n" + chunked(body, [9]))
    check("Transfer-Encoding: chunked plus an empty field line: accepted", r.text() == want.text(),
          repr(r.text()[:100]))
    s.close()
    # and the server is still fine
    r = Reader(srv.connect())
    get_events(r.s)
    check("still serving after the bad bodies", r.until(lambda r: r.head is not None and
                                                         r.head.startswith("HTTP/1.1 200")))
    r.s.close()
    r, s = chat_text(srv, head_te + chunked(body, [11]))
    check("... and chunked chats", r.text() == want.text())
    s.close()
    code, _ = stop(srv)
    check("server exit 0", code == 0, str(code))


def main():
    if suite.need_file(SERVER):
        for t in (slow_client, shared_sequence, keepalive, restarted_server, replay_in_pieces, odd_requests,
                  head_requests, chunked_bodies):
            suite.run(t.__name__, t)  # a crash in one group is one failure
    suite.finish()


main()
