/*
 * ws_cat — a WebSocket client for the command line, built on wsx.
 *
 *   ws_cat [--binary] [--ping] [--close CODE] [--wait] [--origin O]
 *          [--no-deflate] URL
 *
 * Connects to URL (ws:// only; see the TLS example for wss://), then:
 *   - every line read from stdin goes out as one text message (one binary
 *     message with --binary), without its line ending ("\n" or "\r\n");
 *     a line longer than the 64 KiB line buffer is streamed as a
 *     fragmented message, so any length works;
 *   - every message received is printed on stdout followed by "\n": text
 *     as it is, binary as lowercase hex (so output stays one line per
 *     message and safe for a terminal);
 *   - --ping sends a ping when connected; the pong is reported on stderr
 *     as "pong: PAYLOAD";
 *   - at the end of stdin it starts the close handshake with --close CODE
 *     (default 1000), unless --wait: then it stays until the server
 *     closes.
 *   - permessage-deflate (RFC 7692) is offered unless --no-deflate; when
 *     the server agrees ("connected to URL (permessage-deflate)"), lines
 *     of 32 bytes or more go out compressed, and compressed messages are
 *     inflated before they are printed.
 * Status lines (connected, pong, close) go to stderr, messages to stdout.
 * It exits when the server closes the connection: status 0 after a
 * complete close handshake, 1 on any failure, 2 for bad arguments.
 *
 * As a client it masks every frame with a fresh key from getrandom() and
 * sends a random 16-byte Sec-WebSocket-Key nonce (RFC 6455 sections 4.1,
 * 5.3, 10.3).
 */
#include "net.h"
#include "opt.h"
#include "pmd.h"

#include <wsx.h>
#include <wsx_conn.h>
#include <wsx_handshake.h>
#include <wsx_http.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define LINE_CAP (64 * 1024)
#define QUEUE_CAP (4 * LINE_CAP)
#define READ_CAP (64 * 1024)
#define HEAD_CAP 16384
#define MAX_HEADERS 64

typedef struct options {
    int binary, ping, wait, no_deflate;
    unsigned close_code;
    const char *origin;
    const char *url;
} options;

typedef struct cat {
    options opt;
    net_url url;
    int fd;
    wsx_ws_conn conn;
    pmd_mem *pmd; /* compression memory, once agreed */
    /* stdin */
    int stdin_open;
    char line[LINE_CAP];
    size_t line_len;
    int line_streaming; /* the current line is being sent in fragments */
    /* received message */
    unsigned msg_opcode;
    int failed;    /* local error: exit 1 */
    int got_close; /* the server's close frame arrived */
    uint8_t in[READ_CAP];
    uint8_t out[QUEUE_CAP];
    /* random bytes for mask keys, refilled from getrandom() */
    uint8_t pool[256];
    size_t pool_left;
} cat;

/* ---- randomness -------------------------------------------------------------- */

static void random_bytes(void *ctx, uint8_t *out, size_t n)
{
    cat *k = (cat *)ctx;
    while (n > 0) {
        size_t take;
        if (k->pool_left == 0) {
            if (net_random(k->pool, sizeof k->pool) != 0) {
                fputs("ws_cat: no random source\n", stderr);
                exit(1); /* never mask with predictable keys */
            }
            k->pool_left = sizeof k->pool;
        }
        take = n < k->pool_left ? n : k->pool_left;
        memcpy(out, k->pool + sizeof k->pool - k->pool_left, take);
        memset(k->pool + sizeof k->pool - k->pool_left, 0, take);
        k->pool_left -= take;
        out += take;
        n -= take;
    }
}

/* ---- output of received messages ------------------------------------------------ */

static void print_payload(unsigned opcode, const uint8_t *data, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t i;
    if (opcode == WSX_WS_OP_TEXT) {
        fwrite(data, 1, len, stdout);
        return;
    }
    for (i = 0; i < len; i++) {
        putchar(hex[data[i] >> 4]);
        putchar(hex[data[i] & 15]);
    }
}

/* Control payloads on stderr: as text when printable, else as hex. */
static void print_control(const char *what, const uint8_t *data, size_t len)
{
    size_t i;
    int printable = 1;
    for (i = 0; i < len; i++)
        if (data[i] < 0x20 || data[i] == 0x7f)
            printable = 0;
    fprintf(stderr, "%s: ", what);
    if (printable) {
        fwrite(data, 1, len, stderr);
    } else {
        for (i = 0; i < len; i++)
            fprintf(stderr, "%02x", data[i]);
    }
    fputc('\n', stderr);
}

static void on_event(cat *k, const wsx_ws_event *ev)
{
    switch (ev->kind) {
    case WSX_WS_EV_MESSAGE_START:
        k->msg_opcode = ev->opcode;
        break;
    case WSX_WS_EV_DATA:
        print_payload(k->msg_opcode, ev->data, ev->size);
        break;
    case WSX_WS_EV_MESSAGE_END:
        putchar('\n');
        fflush(stdout);
        break;
    case WSX_WS_EV_MESSAGE: /* a whole message at once */
        print_payload(ev->opcode, ev->data, ev->size);
        putchar('\n');
        fflush(stdout);
        break;
    case WSX_WS_EV_PING:
        print_control("ping", ev->data, ev->size);
        break;
    case WSX_WS_EV_PONG:
        print_control("pong", ev->data, ev->size);
        break;
    case WSX_WS_EV_CLOSE:
        fprintf(stderr, "closed by server: %u%s%.*s\n", ev->close_code, ev->size ? " " : "",
                (int)ev->size, (const char *)ev->data);
        k->got_close = 1;
        break;
    default:
        break;
    }
}

/* ---- sending lines ------------------------------------------------------------------ */

static unsigned line_opcode(const cat *k)
{
    return k->opt.binary ? WSX_WS_OP_BINARY : WSX_WS_OP_TEXT;
}

static int report(const char *what, int r)
{
    if (r != WSX_OK) {
        fprintf(stderr, "ws_cat: %s: %s\n", what, wsx_strerror(r));
        return -1;
    }
    return 0;
}

/* Sends line[0..len) as the end of the current message (the whole message
 * unless fragments went before it). */
static int send_line_end(cat *k, size_t len)
{
    int r;
    if (len > 0 && k->line[len - 1] == '\r')
        len--;
    if (k->line_streaming)
        r = wsx_ws_conn_stream_end(&k->conn, k->line, len);
    else
        r = wsx_ws_conn_send(&k->conn, line_opcode(k), k->line, len);
    k->line_streaming = 0;
    return report("send", r);
}

/* A full buffer without a newline: send it as a fragment, keeping a
 * trailing '\r' back in case the '\n' follows. */
static int send_line_part(cat *k)
{
    size_t n = k->line_len;
    int r = WSX_OK;
    if (k->line[n - 1] == '\r')
        n--;
    if (!k->line_streaming) {
        r = wsx_ws_conn_stream_begin(&k->conn, line_opcode(k));
        k->line_streaming = 1;
    }
    if (r == WSX_OK)
        r = wsx_ws_conn_stream_part(&k->conn, k->line, n);
    if (report("send", r) != 0)
        return -1;
    memmove(k->line, k->line + n, k->line_len - n);
    k->line_len -= n;
    return 0;
}

/* Moves every complete line out of the line buffer.  Called only when the
 * queue has room for a whole buffer (see want_stdin). */
static int send_lines(cat *k)
{
    for (;;) {
        char *nl = (char *)memchr(k->line, '\n', k->line_len);
        size_t len;
        if (!nl)
            break;
        len = (size_t)(nl - k->line);
        if (send_line_end(k, len) != 0)
            return -1;
        memmove(k->line, nl + 1, k->line_len - len - 1);
        k->line_len -= len + 1;
        /* Keep the queue from overflowing: the caller comes back once it
         * has drained. */
        if (wsx_ws_conn_send_room(&k->conn) < LINE_CAP + WSX_WS_MAX_HEADER)
            return 0;
    }
    if (k->line_len == LINE_CAP)
        return send_line_part(k);
    return 0;
}

static int end_of_input(cat *k)
{
    uint64_t now = net_now_ms();
    k->stdin_open = 0;
    if (k->line_len > 0 || k->line_streaming) { /* a last line without '\n' */
        if (send_line_end(k, k->line_len) != 0)
            return -1;
        k->line_len = 0;
    }
    if (k->opt.wait)
        return 0;
    return report("close", wsx_ws_conn_close(&k->conn, k->opt.close_code, NULL, 0, now));
}

static int read_stdin(cat *k)
{
    ssize_t n = read(STDIN_FILENO, k->line + k->line_len, LINE_CAP - k->line_len);
    if (n < 0)
        return errno == EINTR || errno == EAGAIN ? 0 : -1;
    if (n == 0)
        return end_of_input(k);
    k->line_len += (size_t)n;
    return send_lines(k);
}

/* Read stdin only while the queue can take a whole line buffer. */
static int want_stdin(cat *k)
{
    return k->stdin_open && wsx_ws_conn_state(&k->conn) == WSX_WS_OPEN &&
           wsx_ws_conn_send_room(&k->conn) >= LINE_CAP + WSX_WS_MAX_HEADER;
}

/* ---- socket --------------------------------------------------------------------------- */

static int flush_socket(cat *k)
{
    for (;;) {
        wsx_ws_chunk ch[WSX_WS_CONN_MAX_CHUNKS];
        struct iovec iov[WSX_WS_CONN_MAX_CHUNKS];
        size_t i, m = wsx_ws_conn_output_vec(&k->conn, ch);
        ssize_t w;
        if (m == 0)
            return 0;
        for (i = 0; i < m; i++) {
            iov[i].iov_base = (void *)ch[i].data;
            iov[i].iov_len = ch[i].len;
        }
        w = writev(k->fd, iov, (int)m);
        if (w < 0)
            return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
        wsx_ws_conn_consume(&k->conn, (size_t)w);
    }
}

/* Decodes buf[0..len) (bytes from the server) and prints what comes. */
static int decode(cat *k, uint8_t *buf, size_t len)
{
    uint64_t now = net_now_ms();
    for (;;) {
        wsx_ws_event ev;
        size_t used = 0;
        int r = wsx_ws_conn_recv(&k->conn, buf, len, &used, &ev, now);
        buf += used;
        len -= used;
        if (r == 0)
            return 0;
        if (r < 0) {
            fprintf(stderr, "ws_cat: server broke the protocol: %s (closing with %d)\n",
                    wsx_strerror(r), wsx_err_close_code(r));
            k->failed = 1;
            return 0; /* our close frame is queued: flush it, then stop */
        }
        on_event(k, &ev);
    }
}

static int read_socket(cat *k)
{
    ssize_t n = read(k->fd, k->in, sizeof k->in);
    if (n < 0)
        return errno == EINTR || errno == EAGAIN ? 0 : -1;
    if (n == 0) {
        wsx_ws_conn_eof(&k->conn);
        return 0;
    }
    return decode(k, k->in, (size_t)n);
}

/* ---- opening handshake ------------------------------------------------------------------- */

/* Sends the upgrade request and reads the 101; bytes that came behind the
 * response head are decoded as the first frames.  Blocking. */
static int handshake(cat *k)
{
    char req[4096];
    uint8_t nonce[WSX_HS_NONCE_LEN];
    size_t req_len = 0, len = 0;
    wsx_hs_client hs;
    wsx_hs_client_config hc;
    wsx_http_parser p;
    wsx_header headers[MAX_HEADERS];
    wsx_http_response res;
    int r;

    /* A fresh random nonce for Sec-WebSocket-Key (RFC 6455 section 4.1). */
    if (net_random(nonce, sizeof nonce) != 0)
        return report("random", WSX_E_STATE);
    memset(&hc, 0, sizeof hc);
    hc.host = k->url.host_header;
    hc.path = k->url.target;
    hc.origin = k->opt.origin;
    if (!k->opt.no_deflate)
        hc.deflate.enable = &wsx_hs_pmd_client;
    r = wsx_hs_client_request(&hs, &hc, nonce, req, sizeof req, &req_len);
    if (report("request", r) != 0)
        return -1;
    if (net_write_all(k->fd, req, req_len) != 0) {
        perror("ws_cat: send");
        return -1;
    }
    wsx_http_parser_init(&p, NULL);
    for (;;) {
        ssize_t n = read(k->fd, k->in + len, HEAD_CAP - len);
        if (n <= 0) {
            fputs("ws_cat: connection closed during the handshake\n", stderr);
            return -1;
        }
        len += (size_t)n;
        r = wsx_http_parse_response(&p, k->in, len, headers, MAX_HEADERS, &res);
        if (r > 0)
            break;
        if (r < 0 || len == HEAD_CAP)
            return report("response", r < 0 ? r : WSX_E_HTTP_HEAD_TOO_LARGE);
    }
    {
        wsx_hs_response got;
        int err = wsx_hs_client_check_response(&hs, &res, &got);
        if (err != WSX_OK) {
            fprintf(stderr, "ws_cat: upgrade refused: HTTP %d %.*s (%s)\n", res.status,
                    (int)res.reason_len, res.reason, wsx_strerror(err));
            return -1;
        }
        if (got.permessage_deflate &&
            !(k->pmd = pmd_attach(&k->conn, &got.deflate, WSX_WS_CLIENT, 0))) {
            fputs("ws_cat: out of memory for permessage-deflate\n", stderr);
            return -1;
        }
    }
    wsx_ws_conn_open(&k->conn, net_now_ms());
    fprintf(stderr, "connected to %s%s\n", k->opt.url, k->pmd ? " (permessage-deflate)" : "");
    if ((size_t)r < len)
        return decode(k, k->in + r, len - (size_t)r);
    return 0;
}

/* ---- main ---------------------------------------------------------------------------------- */

static void usage(void)
{
    fputs("usage: ws_cat [--binary] [--ping] [--close CODE] [--wait] [--origin O]\n"
          "              [--no-deflate] URL\n"
          "  --binary      send stdin lines as binary messages\n"
          "  --ping        send a ping when connected and print the pong\n"
          "  --close CODE  close code at end of stdin (default 1000)\n"
          "  --wait        at end of stdin, wait for the server to close\n"
          "  --origin O    send an Origin header\n"
          "  --no-deflate  do not offer permessage-deflate (compression; offered\n"
          "                by default: 15-bit windows, about 244 KiB when agreed)\n"
          "  URL           ws://host[:port][/path][?query]\n"
          "stdin lines go out as messages; messages received are printed one per\n"
          "line (binary as hex); status on stderr.\n",
          stderr);
}

static int parse_options(int argc, char **argv, options *o)
{
    int i;
    memset(o, 0, sizeof *o);
    o->close_code = 1000;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--binary") == 0) {
            o->binary = 1;
        } else if (strcmp(a, "--ping") == 0) {
            o->ping = 1;
        } else if (strcmp(a, "--wait") == 0) {
            o->wait = 1;
        } else if (strcmp(a, "--no-deflate") == 0) {
            o->no_deflate = 1;
        } else if (strcmp(a, "--close") == 0 && i + 1 < argc) {
            uint64_t code;
            if (opt_u64(argv[++i], 0, 65535, &code) != 0 ||
                !wsx_ws_close_code_valid((unsigned)code)) {
                fprintf(stderr, "ws_cat: %s cannot be sent as a close code\n", argv[i]);
                return -1;
            }
            o->close_code = (unsigned)code;
        } else if (strcmp(a, "--origin") == 0 && i + 1 < argc) {
            o->origin = argv[++i];
        } else if (a[0] == '-' || o->url) {
            return -1;
        } else {
            o->url = a;
        }
    }
    return o->url ? 0 : -1;
}

static int run(cat *k)
{
    wsx_ws_conn_config cfg;
    wsx_ws_conn_config_default(&cfg);
    cfg.role = WSX_WS_CLIENT;
    cfg.random = random_bytes;
    cfg.random_ctx = k;
    cfg.decoder.max_message_size = WSX_WS_UNLIMITED; /* streamed to stdout */
    cfg.decoder.max_frame_size = WSX_WS_UNLIMITED;
    if (report("init", wsx_ws_conn_init(&k->conn, &cfg, k->out, sizeof k->out)) != 0)
        return 1;
    if (handshake(k) != 0)
        return 1;
    net_set_nonblocking(k->fd, 1);
    k->stdin_open = 1;
    if (k->opt.ping)
        wsx_ws_conn_ping(&k->conn, "ws_cat", 6, net_now_ms());

    for (;;) {
        struct pollfd pfd[2];
        uint64_t deadline, now;
        unsigned want;
        int timeout = -1, n, r, nfds = want_stdin(k) ? 2 : 1;
        if (flush_socket(k) != 0) {
            wsx_ws_conn_eof(&k->conn);
            break;
        }
        /* what the connection waits for: read, write, close; and when */
        want = wsx_ws_conn_wants(&k->conn, &deadline);
        if (want & WSX_WANT_CLOSE)
            break;
        pfd[0].fd = k->fd;
        pfd[0].events =
            (short)((want & WSX_WANT_READ ? POLLIN : 0) | (want & WSX_WANT_WRITE ? POLLOUT : 0));
        pfd[1].fd = STDIN_FILENO;
        pfd[1].events = POLLIN;
        pfd[1].revents = 0;
        now = net_now_ms();
        if (deadline != WSX_WS_NO_DEADLINE)
            timeout = deadline <= now ? 0 : (int)(deadline - now > 60000 ? 60000 : deadline - now);
        n = poll(pfd, (nfds_t)nfds, timeout);
        if (net_stop) {
            wsx_ws_conn_close(&k->conn, 1001, "interrupted", 11, net_now_ms());
            net_stop = 0;
            k->stdin_open = 0;
        }
        if (n < 0 && errno != EINTR)
            return 1;
        if (n > 0 && (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) && read_socket(k) != 0)
            wsx_ws_conn_eof(&k->conn);
        if (n > 0 && nfds == 2 && (pfd[1].revents & (POLLIN | POLLHUP)) && read_stdin(k) != 0) {
            wsx_ws_conn_close(&k->conn, 1000, NULL, 0, net_now_ms());
            k->failed = 1;
        }
        if (k->stdin_open && k->line_len > 0 && wsx_ws_conn_state(&k->conn) == WSX_WS_OPEN &&
            wsx_ws_conn_send_room(&k->conn) >= LINE_CAP + WSX_WS_MAX_HEADER && send_lines(k) != 0)
            k->failed = 1;
        if ((r = wsx_ws_conn_tick(&k->conn, net_now_ms())) < 0) {
            fprintf(stderr, "ws_cat: timed out: %s\n", wsx_strerror(r));
            k->failed = 1;
        }
    }
    fflush(stdout);
    return k->failed || !k->got_close ? 1 : 0;
}

int main(int argc, char **argv)
{
    static cat k; /* ~400 KiB of buffers: not on the stack */
    int status;
    if (parse_options(argc, argv, &k.opt) != 0) {
        usage();
        return 2;
    }
    if (net_parse_url(k.opt.url, &k.url) != 0 || strcmp(k.url.scheme, "ws") != 0) {
        fprintf(stderr, "ws_cat: %s: not a ws:// URL\n", k.opt.url);
        return 2;
    }
    net_catch_signals();
    k.fd = net_connect(k.url.host, k.url.port);
    if (k.fd < 0) {
        fprintf(stderr, "ws_cat: cannot connect to %s:%d: %s\n", k.url.host, k.url.port,
                strerror(errno));
        return 1;
    }
    status = run(&k);
    close(k.fd);
    free(k.pmd);
    return status;
}
