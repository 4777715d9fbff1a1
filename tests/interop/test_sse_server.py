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
  (body delimited by the close); a long multibyte chat message.

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


def main():
    if suite.need_file(SERVER):
        for t in (slow_client, shared_sequence, keepalive, restarted_server, replay_in_pieces, odd_requests):
            suite.run(t.__name__, t)  # a crash in one group is one failure
    suite.finish()


main()
