"""TLS helpers for the Python interop tests (Debian's python3, stdlib ssl).

    tls_server     builds build/examples/demo_server_tls (make), makes a
                   throwaway certificate (the openssl command) and starts it
                   (a wsx_peer.Server); raises Missing without the openssl
                   command or libssl-dev.
    client_hello   the bytes of a real ClientHello (ssl.MemoryBIO).
    TlsClient      a TLS client on a plain socket whose first flight can be
                   written in pieces (one byte at a time, slowly), then
                   request() over it.
"""
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time

from wsx_peer import Server

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Missing(Exception):
    pass


def _context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # a throwaway certificate
    return ctx


def tls_server(build, *args):
    """demo_server_tls on a free port with a fresh certificate."""
    if not shutil.which("openssl"):
        raise Missing("the openssl command (apt-get install openssl)")
    if not os.path.exists("/usr/include/openssl/ssl.h"):
        raise Missing("libssl-dev (apt-get install libssl-dev)")
    rel = os.path.relpath(os.path.abspath(build), REPO)
    r = subprocess.run(["make", "-s", "B=" + rel, rel + "/libwsx.a", rel + "/examples/demo_server_tls"],
                       cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        raise RuntimeError("make demo_server_tls failed: " + r.stdout.decode(errors="replace"))
    tmp = tempfile.mkdtemp(prefix="wsx-tls-")
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=wsx test",
                        "-keyout", key, "-out", cert], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        raise RuntimeError("openssl req failed: " + r.stdout.decode(errors="replace"))
    return Server(os.path.join(build, "examples", "demo_server_tls"), "--cert", cert, "--key", key,
                  *args)


def client_hello():
    """A ClientHello as a client would send it first."""
    out = ssl.MemoryBIO()
    obj = _context().wrap_bio(ssl.MemoryBIO(), out, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


class TlsClient:
    """A TLS client over a plain blocking socket and memory BIOs."""

    def __init__(self, port, timeout=5.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.settimeout(timeout)
        self.inc, self.out = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.obj = _context().wrap_bio(self.inc, self.out, server_hostname="localhost")

    def close(self):
        self.sock.close()

    def _flush(self, piece=0, gap=0.0):
        data = self.out.read()
        if not piece:
            self.sock.sendall(data)
            return
        for i in range(0, len(data), piece):
            self.sock.sendall(data[i:i + piece])
            time.sleep(gap)

    def _fill(self):
        d = self.sock.recv(65536)
        if not d:
            raise ConnectionError("the server closed the connection")
        self.inc.write(d)

    def handshake(self, piece=0, gap=0.0):
        """The handshake; the first flight in pieces of `piece` bytes, `gap`
        seconds apart (0: at once)."""
        first = True
        while True:
            try:
                self.obj.do_handshake()
                self._flush()
                return
            except ssl.SSLWantReadError:
                self._flush(piece if first else 0, gap)
                first = False
                self._fill()

    def request(self, raw):
        """Sends raw (bytes) and returns the response up to its head's end
        plus what came with it."""
        self.obj.write(raw)
        self._flush()
        data = b""
        while b"\r\n\r\n" not in data:
            try:
                data += self.obj.read(65536)
            except ssl.SSLWantReadError:
                self._fill()
        return data


def https_get(port, path=b"/api/history", timeout=5.0):
    """Seconds for a fresh TLS client to get a 200 head for path (None if not 200)."""
    start = time.time()
    c = TlsClient(port, timeout)
    try:
        c.handshake()
        head = c.request(b"GET " + path + b" HTTP/1.1\r\nHost: honest\r\n\r\n")
    finally:
        c.close()
    return time.time() - start if head.startswith(b"HTTP/1.1 200") else None
