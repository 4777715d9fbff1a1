"""permessage-deflate negotiation of wsx against real peers, live.
    /usr/bin/python3 tests/interop/test_pmd_peers.py [BUILD_DIR]

wsx's handshake functions run in pmd_tool (tests/interop/pmd_tool.c, built
here against BUILD_DIR/libwsx.a); this script moves the bytes.
  - node ws and Python websockets clients, with their default and with
    explicit deflate options, connect to a raw socket: their request goes
    to wsx's server side under several policies, wsx's 101 goes back; the
    client must open, and its view of the agreed parameters must equal
    wsx's.  The default offers must be the ones test_pmd_negotiation.c
    carries as vectors.
  - wsx's client offers (several) go to node ws and Python websockets
    servers (default and explicit options); wsx must accept their answers
    and agree with the server's view of the parameters.
"""
import json
import os
import select
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wsx_peer import Suite, build_dir  # noqa: E402

T = Suite()
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
WS = os.path.join(HERE, "node_modules", "ws")
PY = "/usr/bin/python3"
TIMEOUT = 20

# Offers peers send by default (also vectors in tests/test_pmd_negotiation.c).
DEFAULT_OFFERS = {
    "node ws": "permessage-deflate; client_max_window_bits",
    "websockets": "permessage-deflate; client_max_window_bits",
}

# wsx server policies: server_max, server_min, client_max, client_required,
# server_no_context_takeover, client_no_context_takeover.
POLICIES = {
    "default": [0, 0, 0, 0, 0, 0],
    "small windows": [12, 0, 10, 0, 0, 0],
    "no context takeover": [0, 0, 0, 0, 1, 1],
    # (a client window of 8 fails zlib-based clients: Python websockets
    # cannot make a raw deflate stream with 2^8; RFC 7692 section 8.1)
    "tiny windows": [9, 8, 9, 1, 0, 0],
}

NODE_CLIENT = r"""
const WebSocket = require(process.argv[1]);
const opts = JSON.parse(process.argv[2]);
const ws = new WebSocket('ws://127.0.0.1:' + process.argv[3] + '/', {perMessageDeflate: opts});
ws.on('open', () => {
  const e = ws._extensions['permessage-deflate'];
  console.log(JSON.stringify(e ? e.params : null));
  process.exit(0);
});
ws.on('error', (err) => { console.log(JSON.stringify({error: err.message})); process.exit(0); });
"""

PY_CLIENT = r"""
import asyncio, json, os, sys, websockets
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory
opts = json.loads(sys.argv[1])
async def main():
    kw = {"compression": "deflate"} if opts is None else {
        "extensions": [ClientPerMessageDeflateFactory(**opts)], "compression": None}
    try:
        ws = await websockets.connect("ws://127.0.0.1:%s/" % sys.argv[2], **kw)
    except Exception as e:
        print(json.dumps({"error": str(e)}), flush=True)
        os._exit(0)
    e = ws.extensions[0] if ws.extensions else None
    print(json.dumps(None if e is None else [
        e.remote_max_window_bits, e.local_max_window_bits,
        int(e.remote_no_context_takeover), int(e.local_no_context_takeover)]), flush=True)
    os._exit(0)
asyncio.run(main())
"""

NODE_SERVER = r"""
const { WebSocketServer } = require(process.argv[1]);
const opts = JSON.parse(process.argv[2]);
const wss = new WebSocketServer({host: '127.0.0.1', port: 0, perMessageDeflate: opts});
wss.on('listening', () => console.log('port ' + wss.address().port));
wss.on('connection', (ws) => {
  const e = ws._extensions['permessage-deflate'];
  console.log('view ' + JSON.stringify(e ? e.params : null));
});
"""

PY_SERVER = r"""
import asyncio, json, sys, websockets
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory
opts = json.loads(sys.argv[1])
async def handler(ws, path=None):
    e = ws.extensions[0] if ws.extensions else None
    print("view " + json.dumps(None if e is None else [
        e.local_max_window_bits, e.remote_max_window_bits,
        int(e.local_no_context_takeover), int(e.remote_no_context_takeover)]), flush=True)
    await asyncio.sleep(30)
async def main():
    kw = {"compression": "deflate"} if opts is None else {
        "extensions": [ServerPerMessageDeflateFactory(**opts)], "compression": None}
    async with websockets.serve(handler, "127.0.0.1", 0, **kw) as server:
        print("port %d" % server.sockets[0].getsockname()[1], flush=True)
        await asyncio.sleep(3600)
asyncio.run(main())
"""


def node_terms(params):
    """node ws params -> [server_bits, client_bits, server_nct, client_nct]."""
    if params is None:
        return None

    def bits(v):
        return v if isinstance(v, int) and not isinstance(v, bool) else 15
    return [bits(params.get("server_max_window_bits")), bits(params.get("client_max_window_bits")),
            int(bool(params.get("server_no_context_takeover"))),
            int(bool(params.get("client_no_context_takeover")))]


def read_head(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"


def offer_of(head):
    for line in head.decode("latin-1").split("\r\n"):
        if line.lower().startswith("sec-websocket-extensions:"):
            return line.split(":", 1)[1].strip()
    return None


def wsx_server_once(tool, policy, client_cmd, label):
    """One real client against wsx's server side: (offer, wsx terms, client view)."""
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(1)
    lst.settimeout(TIMEOUT)
    proc = subprocess.Popen(client_cmd + [str(lst.getsockname()[1])], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        conn, _ = lst.accept()
        conn.settimeout(TIMEOUT)
        head = read_head(conn)
        run = subprocess.run([tool, "server"] + [str(v) for v in policy], input=head,
                             capture_output=True, timeout=TIMEOUT)
        if run.returncode != 0:
            raise RuntimeError("pmd_tool: " + run.stderr.decode())
        first, _, response = run.stdout.partition(b"\n")
        terms = [int(v) for v in first.split()[1:]]
        conn.sendall(response)
        out, err = proc.communicate(timeout=TIMEOUT)
        conn.close()
        view = json.loads(out.decode().strip().splitlines()[-1]) if out.strip() else {
            "error": err.decode()[-300:]}
        return offer_of(head), terms, view
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        lst.close()


def clients_against_wsx(tool):
    clients = [
        ("node ws", "default", ["node", "-e", NODE_CLIENT, WS, "true"], "node"),
        ("node ws", "all options",
         ["node", "-e", NODE_CLIENT, WS, json.dumps({
             "serverMaxWindowBits": 10, "clientMaxWindowBits": 11,
             "serverNoContextTakeover": True, "clientNoContextTakeover": True})], "node"),
        ("node ws", "client window 9",
         ["node", "-e", NODE_CLIENT, WS, json.dumps({"clientMaxWindowBits": 9})], "node"),
        ("websockets", "default", [PY, "-c", PY_CLIENT, "null"], "py"),
        ("websockets", "all options",
         [PY, "-c", PY_CLIENT, json.dumps({
             "server_max_window_bits": 10, "client_max_window_bits": 12,
             "server_no_context_takeover": True, "client_no_context_takeover": True})], "py"),
    ]
    for who, what, cmd, kind in clients:
        for pname, policy in POLICIES.items():
            label = "%s client (%s) vs wsx server (%s)" % (who, what, pname)
            res = T.run(label, wsx_server_once, tool, policy, cmd, label)
            if res is None:
                continue
            offer, terms, view = res
            if os.environ.get("WSX_PMD_VERBOSE"):
                print("  offer %r" % offer)
            if what == "default" and pname == "default":
                T.check("%s default offer is %r" % (who, DEFAULT_OFFERS[who]),
                        offer == DEFAULT_OFFERS[who], "got %r" % offer)
            if isinstance(view, dict) and "error" in view:
                T.bad(label, "client failed: %r (offer %r)" % (view, offer))
                continue
            if kind == "node":
                view = node_terms(view)
            ours = terms[1:] if terms[0] else None
            # a policy that declines every offer: the client opens uncompressed
            T.check(label + ": same terms on both ends", view == ours,
                    "offer %r: wsx %r, client %r" % (offer, ours, view))


def start_server(cmd):
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if not line.startswith("port "):
        proc.kill()
        raise RuntimeError("server did not start: %r %s" % (line, proc.stderr.read()[-300:]))
    return proc, int(line.split()[1])


def tool_client(tool, offer, port):
    """Runs pmd_tool client: its request to the server at port, the server's
    head back to it; (wsx's result fields, the response head)."""
    proc = subprocess.Popen([tool, "client"] + [str(v) for v in offer], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        request = b""
        while not request.endswith(b"\r\n\r\n"):
            c = proc.stdout.read(1)
            if not c:
                raise RuntimeError("pmd_tool wrote no request: " + proc.stderr.read().decode())
            request += c
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as s:
            s.sendall(request)
            head = read_head(s)
            out, _ = proc.communicate(head, timeout=TIMEOUT)
        return out.decode().split(), head
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def wsx_client_once(tool, offer, port, server):
    """wsx's offer to a real server: (wsx result fields, server view, answer)."""
    result, head = tool_client(tool, offer, port)
    ready, _, _ = select.select([server.stdout], [], [], TIMEOUT)
    view_line = server.stdout.readline().strip() if ready else "(no line in time)"
    view = json.loads(view_line[5:]) if view_line.startswith("view ") else {"error": view_line}
    if os.environ.get("WSX_PMD_VERBOSE"):
        print("  answer %r" % offer_of(head))
    return result, view, offer_of(head)


def wsx_against_servers(tool):
    servers = [
        ("node ws", "default", ["node", "-e", NODE_SERVER, WS, "true"], "node"),
        ("node ws", "small windows",
         ["node", "-e", NODE_SERVER, WS, json.dumps({
             "serverMaxWindowBits": 10, "clientMaxWindowBits": 9})], "node"),
        ("websockets", "default", [PY, "-c", PY_SERVER, "null"], "py"),
        ("websockets", "no context takeover",
         [PY, "-c", PY_SERVER, json.dumps({
             "server_no_context_takeover": True, "client_no_context_takeover": True,
             "server_max_window_bits": 11})], "py"),
    ]
    # wsx offers: client_max, server_max, server_nct, client_nct
    offers = {
        "default": [0, 0, 0, 0],
        "client window 11": [11, 0, 0, 0],
        "everything": [10, 12, 1, 1],
        "server window 9": [0, 9, 0, 0],
    }
    # node ws answers 400 instead of declining an offer it cannot serve
    # (a server window below its serverMaxWindowBits): wsx sees the status
    refused = {("node ws", "small windows", "server window 9")}
    for who, what, cmd, kind in servers:
        try:
            server, port = start_server(cmd)
        except Exception as e:  # noqa: BLE001
            T.bad("%s server (%s)" % (who, what), str(e))
            continue
        try:
            for oname, offer in offers.items():
                label = "wsx client (%s) vs %s server (%s)" % (oname, who, what)
                if (who, what, oname) in refused:
                    res = T.run(label, tool_client, tool, offer, port)
                    T.check(label + ": refused with 400, wsx says WSX_E_HS_STATUS",
                            res and res[0] == ["result", "WSX_E_HS_STATUS", "0", "15", "15", "0",
                                               "0"] and res[1].startswith(b"HTTP/1.1 400"),
                            repr(res))
                    continue
                res = T.run(label, wsx_client_once, tool, offer, port, server)
                if res is None:
                    continue
                result, view, answer = res
                if isinstance(view, dict) and "error" in view:
                    T.bad(label, "server saw no connection: %r" % view)
                    continue
                if kind == "node":
                    view = node_terms(view)
                # a server that cannot serve the offer declines it: both see none
                ours = [int(v) for v in result[3:]] if result[2] == "1" else None
                T.check(label + ": wsx accepts the answer", result[1] == "OK",
                        "%r for answer %r" % (result, answer))
                T.check(label + ": same terms on both ends", view == ours,
                        "answer %r: wsx %r, server %r" % (answer, ours, view))
        finally:
            server.kill()
            server.wait()


def main():
    b = build_dir()
    have_node = os.path.isdir(WS)
    if not have_node:
        if os.environ.get("WSX_REQUIRE_PEERS") == "1":
            T.bad("node module ws", "missing (run npm install in tests/interop)")
        else:
            print("SKIP: node module 'ws' is not installed; node checks did NOT run")
    have_py = T.need_module("websockets")
    lib = os.path.join(b, "libwsx.a")
    if not T.need_file(lib):
        T.finish()
    with tempfile.TemporaryDirectory() as tmp:
        tool = os.path.join(tmp, "pmd_tool")
        cc = subprocess.run([os.environ.get("CC", "cc"), "-std=c99", "-Wall", "-Wextra", "-Werror",
                             "-I" + os.path.join(ROOT, "include"),
                             os.path.join(HERE, "pmd_tool.c"), lib, "-o", tool],
                            capture_output=True, text=True)
        if not T.check("pmd_tool compiles", cc.returncode == 0, cc.stderr[-500:]):
            T.finish()
        if have_node and have_py:
            clients_against_wsx(tool)
            wsx_against_servers(tool)
    T.finish()


main()
