"""The access rules of sse_server and demo_server on the wire
(examples/common/access.c over wsx_cors_check, wsx_cors_preflight,
wsx_sse_refusal), byte for byte where
the Fetch standard and RFC 9110 say what must be there:
  - a granted preflight for POST /api/chat (Content-Type, Authorization):
    the origin echoed (credentials: never "*"), -Allow-Credentials,
    -Allow-Methods, -Allow-Headers, -Max-Age, Vary;
  - refused preflights (origin, method, header): 403 with Vary and no
    Access-Control-* line; a plain OPTIONS: 204 with Allow;
  - a stream's head carries the CORS lines for an allowed origin; the
    server's own origin needs none; an origin not allowed gets 403;
  - --token: 401 with "WWW-Authenticate: Bearer" (and the CORS lines, so
    the page can read it); the cookie token=T opens GET /events;
  - --max-streams-per-client 1: the second stream gets 429 with
    "Retry-After: 2", and one from another address is not counted;
  - --allow-origin '*' with credentials echoes the origin, refuses "null".
    /usr/bin/python3 tests/interop/test_sse_access.py [BUILD_DIR]
"""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wsx_peer import Server, Suite, build_dir  # noqa: E402

T = Suite()
CURRENT = [""]


def check(name, cond, msg=""):
    return T.check("%s: %s" % (CURRENT[0], name), cond, msg)
A = "http://127.0.0.1:8001"
VARY_PREFLIGHT = (b"Vary: Origin, Access-Control-Request-Method, "
                  b"Access-Control-Request-Headers\r\n")


def request(srv, head, read_all=True, addr="127.0.0.1"):
    """Sends a request head; returns the response head (and body, whole
    when the server closes)."""
    s = socket.socket()
    s.settimeout(5)
    s.bind((addr, 0))
    s.connect(("127.0.0.1", srv.port))
    s.sendall(head.replace("\n", "\r\n").encode())
    data = b""
    while True:
        try:
            part = s.recv(65536)
        except socket.timeout:
            break
        if not part:
            break
        data += part
        if not read_all and b"\r\n\r\n" in data:
            break
    if read_all:
        s.close()
        return data
    return data, s


def preflight(srv, origin, method="POST", headers="content-type,authorization"):
    return request(srv, "OPTIONS /api/chat HTTP/1.1\nHost: 127.0.0.1:%d\nOrigin: %s\n"
                        "Access-Control-Request-Method: %s\n"
                        "Access-Control-Request-Headers: %s\nConnection: close\n\n"
                   % (srv.port, origin, method, headers))


def forbidden_preflight(why):
    body = why + b"\n"
    return (b"HTTP/1.1 403 Forbidden\r\n" + VARY_PREFLIGHT +
            b"Content-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\n\r\n" % len(body)
            + body)


def preflights(prog):
    with Server(prog, "--allow-origin", A, "--allow-origin", "https://b.example") as srv:
        got = preflight(srv, A)
        check("granted preflight, byte for byte", got == (
            b"HTTP/1.1 204 No Content\r\n"
            b"Access-Control-Allow-Origin: " + A.encode() + b"\r\n"
            b"Access-Control-Allow-Credentials: true\r\n"
            b"Access-Control-Allow-Methods: GET, POST\r\n"
            b"Access-Control-Allow-Headers: Content-Type, Authorization, Last-Event-ID\r\n"
            b"Access-Control-Max-Age: 600\r\n" + VARY_PREFLIGHT + b"\r\n"), repr(got))
        got = preflight(srv, "https://b.example", headers="Authorization")
        check("the second --allow-origin is allowed too",
                b"Access-Control-Allow-Origin: https://b.example\r\n" in got, repr(got))
        check("origin not allowed: 403, no Access-Control-*",
                preflight(srv, "http://127.0.0.1:8009") ==
                forbidden_preflight(b"Origin not allowed by the CORS policy"))
        check("method not allowed: 403",
                preflight(srv, A, method="DELETE") ==
                forbidden_preflight(b"CORS preflight asks for a method that is not allowed"))
        check("header not allowed: 403",
                preflight(srv, A, headers="content-type,x-debug") ==
                forbidden_preflight(b"CORS preflight asks for a header that is not allowed"))
        got = request(srv, "OPTIONS /api/chat HTTP/1.1\nHost: x\nConnection: close\n\n")
        check("a plain OPTIONS: 204 with Allow",
                got == b"HTTP/1.1 204 No Content\r\nAllow: OPTIONS, GET, POST\r\n\r\n", repr(got))


def stream_heads(prog):
    with Server(prog, "--allow-origin", A) as srv:
        head, s = request(srv, "GET /events HTTP/1.1\nHost: 127.0.0.1:%d\nOrigin: %s\n\n"
                          % (srv.port, A), read_all=False)
        s.close()
        check("a stream's head for an allowed origin has the CORS lines",
                head.startswith(b"HTTP/1.1 200 OK\r\n") and
                b"\r\nAccess-Control-Allow-Origin: " + A.encode() +
                b"\r\nAccess-Control-Allow-Credentials: true\r\nVary: Origin\r\n" in head,
                repr(head))
        own = "http://127.0.0.1:%d" % srv.port
        head, s = request(srv, "GET /events HTTP/1.1\nHost: 127.0.0.1:%d\nOrigin: %s\n\n"
                          % (srv.port, own), read_all=False)
        s.close()
        check("the server's own origin: a stream, no Access-Control-* line",
                head.startswith(b"HTTP/1.1 200 OK\r\n") and b"Access-Control" not in head,
                repr(head))
        got = request(srv, "GET /events HTTP/1.1\nHost: x\nOrigin: http://evil.example\n\n")
        check("an origin not allowed: 403, byte for byte", got == (
            b"HTTP/1.1 403 Forbidden\r\nVary: Origin\r\nConnection: close\r\n"
            b"Content-Type: text/plain; charset=utf-8\r\nContent-Length: 10\r\n\r\n"
            b"Forbidden\n"), repr(got))
        got = request(srv, "PUT /events HTTP/1.1\nHost: x\nContent-Length: 0\n\n")
        check("405 names OPTIONS in Allow",
                got.startswith(b"HTTP/1.1 405 ") and b"\r\nAllow: GET, " in got and
                b", OPTIONS\r\n" in got, repr(got))


def tokens(prog):
    with Server(prog, "--allow-origin", A, "--token", "s3cret") as srv:
        got = request(srv, "POST /api/chat HTTP/1.1\nHost: x\nOrigin: %s\n"
                           "Content-Type: application/json\nContent-Length: 2\n\n{}" % A)
        check("no token: 401 + WWW-Authenticate: Bearer + CORS lines, byte for byte", got == (
            b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\n"
            b"Access-Control-Allow-Origin: " + A.encode() + b"\r\n"
            b"Access-Control-Allow-Credentials: true\r\nVary: Origin\r\nConnection: close\r\n"
            b"Content-Type: text/plain; charset=utf-8\r\nContent-Length: 13\r\n\r\n"
            b"Unauthorized\n"), repr(got))
        got = request(srv, "POST /api/chat HTTP/1.1\nHost: x\nAuthorization: Bearer wrong\n"
                           "Content-Length: 2\n\n{}")
        check("a wrong token: 401", got.startswith(b"HTTP/1.1 401 "), repr(got[:60]))
        body = '{"message":"hi"}'
        got = request(srv, "POST /api/chat HTTP/1.1\nHost: x\nAuthorization: Bearer s3cret\n"
                           "Content-Length: %d\nConnection: close\n\n%s" % (len(body), body))
        check("the token: the chat streams to [DONE]",
                got.startswith(b"HTTP/1.1 200 OK\r\n") and b"[DONE]" in got, repr(got[:80]))
        head, s = request(srv, "GET /events HTTP/1.1\nHost: x\nCookie: a=1; token=s3cret\n\n",
                          read_all=False)
        s.close()
        check("GET /events with the cookie token=T: a stream",
                head.startswith(b"HTTP/1.1 200 OK\r\n"), repr(head[:60]))
        got = request(srv, "GET /events HTTP/1.1\nHost: x\nCookie: token=s3cretX\n\n")
        check("a wrong cookie: 401", got.startswith(b"HTTP/1.1 401 "), repr(got[:60]))


def limits(prog):
    with Server(prog, "--max-streams-per-client", "1") as srv:
        head, first = request(srv, "GET /events HTTP/1.1\nHost: x\n\n", read_all=False)
        check("the first stream opens", head.startswith(b"HTTP/1.1 200 OK"), repr(head[:40]))
        time.sleep(0.2)
        got = request(srv, "GET /events HTTP/1.1\nHost: x\n\n")
        check("the second one from the same address: 429 + Retry-After: 2, byte for byte",
                got == (b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\n"
                        b"Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\n"
                        b"Content-Length: 18\r\n\r\nToo Many Requests\n"), repr(got))
        head, other = request(srv, "GET /events HTTP/1.1\nHost: x\n\n", read_all=False,
                              addr="127.0.0.2")
        other.close()
        check("another address is not counted", head.startswith(b"HTTP/1.1 200 OK"),
                repr(head[:40]))
        first.close()
        time.sleep(0.3)
        head, again = request(srv, "GET /events HTTP/1.1\nHost: x\n\n", read_all=False)
        again.close()
        check("once the first stream closed, a new one opens",
                head.startswith(b"HTTP/1.1 200 OK"), repr(head[:40]))


def wildcard(prog):
    with Server(prog, "--allow-origin", "*") as srv:
        got = preflight(srv, "https://any.example")
        check("'*' with credentials: the origin echoed, never '*'",
                b"Access-Control-Allow-Origin: https://any.example\r\n" in got and
                b"Allow-Origin: *" not in got, repr(got))
        got = preflight(srv, "null")
        check("'*' with credentials refuses the origin null", got.startswith(b"HTTP/1.1 403 "),
                repr(got[:40]))


def main():
    progs = [os.path.join(build_dir(), "examples", p) for p in ("sse_server", "demo_server")]
    if not all(T.need_file(p) for p in progs):
        T.finish()
    for prog in progs:
        CURRENT[0] = os.path.basename(prog)
        T.run("preflights", preflights, prog)
        T.run("stream heads", stream_heads, prog)
        T.run("tokens", tokens, prog)
        T.run("limits", limits, prog)
        T.run("wildcard", wildcard, prog)
    T.finish()


main()
