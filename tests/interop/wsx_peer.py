"""Helpers shared by the Python interop tests (run with Debian's /usr/bin/python3).

    Suite          counts checks, prints "ok"/"FAIL" lines and the final
                   "N passed, N failed" (finish()).
    need_module    loud SKIP locally, a failure under WSX_REQUIRE_PEERS=1.
    Server         starts a build/examples program on a free loopback port,
                   waits for its "listening" line, opens plain sockets to
                   it, stops it by pid; its CPU time, open descriptors and
                   resident memory from /proc.
    RawClient      a WebSocket client on a plain socket: real handshake, then
                   any frame bytes we like (malformed ones included) and a
                   frame reader that returns what the server sent.
"""
import base64
import hashlib
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0, 1, 2, 8, 9, 10


class Suite:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, name):
        self.passed += 1
        print("ok   " + name, flush=True)

    def bad(self, name, msg=""):
        self.failed += 1
        print("FAIL %s: %s" % (name, msg), flush=True)

    def check(self, name, cond, msg=""):
        if cond:
            self.ok(name)
        else:
            self.bad(name, msg)
        return cond

    def run(self, name, fn, *args):
        """Runs fn(*args); an exception is a failure of check `name`."""
        try:
            return fn(*args)
        except Exception as e:  # noqa: BLE001 - a test reports, never crashes
            self.bad(name, "%s: %s" % (type(e).__name__, e))
            return None

    def need_module(self, name):
        try:
            __import__(name)
            return True
        except Exception:  # noqa: BLE001
            if os.environ.get("WSX_REQUIRE_PEERS") == "1":
                self.bad("python module " + name,
                         "missing (apt-get install python3-%s)" % name)
            else:
                print("SKIP: python module '%s' is not installed for %s; "
                      "these interop checks did NOT run" % (name, sys.executable))
            return False

    def need_file(self, path):
        if os.path.exists(path):
            return True
        # A program we build ourselves missing is always a failure.
        self.bad("program " + path, "not built (make examples)")
        return False

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed), flush=True)
        sys.exit(1 if self.failed else 0)


def build_dir():
    return sys.argv[1] if len(sys.argv) > 1 else "build"


def echo_prog():
    """The echo server under test: build/examples/ws_echo, or the example
    WSX_ECHO names (test_ws_echo_uring.sh runs the echo suites again against
    ws_echo_uring, with WSX_ECHO_ARGS added to its command line)."""
    return os.path.join(build_dir(), "examples", os.environ.get("WSX_ECHO", "ws_echo"))


def echo_only():
    """True when a suite that checks several servers is to check only the
    echo server (WSX_ECHO is set)."""
    return "WSX_ECHO" in os.environ


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    """A build/examples program started with --host 127.0.0.1 --port P."""

    def __init__(self, prog, *args, preexec_fn=None):
        self.port = free_port()
        self.log = tempfile.TemporaryFile()
        cmd = [prog, "--host", "127.0.0.1", "--port", str(self.port)] + list(args)
        if prog == echo_prog():
            cmd += os.environ.get("WSX_ECHO_ARGS", "").split()
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT,
                                     preexec_fn=preexec_fn)
        deadline = time.time() + 5
        while time.time() < deadline:
            if b"listening" in self.output():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        out = self.output().decode(errors="replace")
        self.stop()
        raise RuntimeError("server did not start: %s\n%s" % (" ".join(cmd), out))

    def output(self):
        self.log.seek(0)
        return self.log.read()

    def alive(self):
        return self.proc.poll() is None

    def connect(self, rcvbuf=0, timeout=5):
        """A plain blocking socket to the server (SO_RCVBUF set first if given)."""
        s = socket.socket()
        if rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        s.settimeout(timeout)
        s.connect(("127.0.0.1", self.port))
        return s

    def stop(self, sig=signal.SIGTERM, timeout=5):
        """Stops the server by pid; returns its exit status (None if killed)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return None
        return self.proc.returncode

    def cpu_seconds(self):
        """User + system CPU time the server has used so far (/proc/PID/stat)."""
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def open_fds(self):
        try:
            return len(os.listdir("/proc/%d/fd" % self.proc.pid))
        except OSError:
            return -1

    def rss_kib(self):
        """Resident memory (VmRSS) in KiB."""
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return -1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


# ---- frames ------------------------------------------------------------------

def frame(opcode, payload=b"", fin=True, rsv=0, mask=True, length=None,
          length_form=None, key=None):
    """Encodes one frame.  length overrides the declared length; length_form
    forces the 7/16/64-bit encoding ('7', '16', '64') even when not minimal."""
    if isinstance(payload, str):
        payload = payload.encode()
    n = len(payload) if length is None else length
    b0 = (0x80 if fin else 0) | (rsv << 4) | opcode
    mbit = 0x80 if mask else 0
    form = length_form or ("7" if n < 126 else "16" if n < 65536 else "64")
    if form == "7":
        head = struct.pack("!BB", b0, mbit | n)
    elif form == "16":
        head = struct.pack("!BBH", b0, mbit | 126, n)
    else:
        head = struct.pack("!BBQ", b0, mbit | 127, n)
    if not mask:
        return head + payload
    key = key if key is not None else os.urandom(4)
    return head + key + mask_bytes(payload, key)


def mask_bytes(data, key):
    if not data:
        return b""
    k = (key * (len(data) // 4 + 1))[:len(data)]
    return (int.from_bytes(data, "big") ^ int.from_bytes(k, "big")).to_bytes(len(data), "big")


def close_payload(code, reason=b""):
    return struct.pack("!H", code) + reason


class Closed(Exception):
    pass


class RawClient:
    """A client on a plain blocking socket with a timeout."""

    def __init__(self, port, host="127.0.0.1", timeout=5.0, handshake=True, path="/"):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.settimeout(timeout)
        self.buf = b""
        self.head = None
        if handshake:
            self.handshake(path)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, data):
        self.sock.sendall(data)

    def recv_some(self):
        data = self.sock.recv(65536)
        if not data:
            raise Closed("connection closed by the server")
        self.buf += data

    def read_head(self):
        """Reads an HTTP response head; returns (status, {lower name: value}, raw)."""
        while b"\r\n\r\n" not in self.buf:
            self.recv_some()
        raw, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return status, headers, raw

    def handshake(self, path="/", extra=b""):
        key = base64.b64encode(os.urandom(16))
        self.send(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
                  b"Sec-WebSocket-Key: " + key + b"\r\nSec-WebSocket-Version: 13\r\n\r\n"
                  + extra)
        status, headers, raw = self.read_head()
        want = base64.b64encode(hashlib.sha1(key + GUID).digest()).decode()
        if status != 101 or headers.get("sec-websocket-accept") != want:
            raise RuntimeError("bad handshake response: %r" % raw)
        self.head = headers

    def read_frame(self):
        """Returns (fin, rsv, opcode, payload) of the next frame from the server;
        raises Closed on EOF, socket.timeout on silence."""
        while True:
            f = self._parse()
            if f is not None:
                return f
            self.recv_some()

    def _parse(self):
        b = self.buf
        if len(b) < 2:
            return None
        fin, rsv, op = b[0] >> 7, (b[0] >> 4) & 7, b[0] & 15
        masked, n, pos = b[1] >> 7, b[1] & 127, 2
        if n == 126:
            if len(b) < 4:
                return None
            n, pos = struct.unpack("!H", b[2:4])[0], 4
        elif n == 127:
            if len(b) < 10:
                return None
            n, pos = struct.unpack("!Q", b[2:10])[0], 10
        if masked:
            raise RuntimeError("server sent a masked frame")
        if len(b) < pos + n:
            return None
        self.buf = b[pos + n:]
        return fin, rsv, op, b[pos:pos + n]

    def read_message(self):
        """Reassembles the next data message, skipping pongs; returns
        (opcode, payload) or ("close", code, reason) for a close frame."""
        op0, parts = None, []
        while True:
            fin, _, op, payload = self.read_frame()
            if op == OP_CLOSE:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                return ("close", code, payload[2:])
            if op in (OP_PING, OP_PONG):
                continue
            if op0 is None:
                op0 = op
            parts.append(payload)
            if fin:
                return op0, b"".join(parts)

    def read_close(self):
        """Skips data frames until a close frame; returns (code, reason)."""
        while True:
            fin, _, op, payload = self.read_frame()
            if op == OP_CLOSE:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                return code, payload[2:]

    def wait_eof(self, timeout=3.0):
        """True if the server closes TCP within timeout (data is discarded)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            r, _, _ = select.select([self.sock], [], [], deadline - time.time())
            if not r:
                return False
            try:
                if not self.sock.recv(65536):
                    return True
            except ConnectionResetError:
                return True
            except OSError:
                return True
        return False


def echo_ok(port, payload=b"still serving"):
    """One fresh client: handshake, a text message, its echo, a clean close."""
    with RawClient(port) as c:
        c.send(frame(OP_TEXT, payload))
        got = c.read_message()
        c.send(frame(OP_CLOSE, close_payload(1000)))
        code, _ = c.read_close()
        return got == (OP_TEXT, payload) and code == 1000 and c.wait_eof()
