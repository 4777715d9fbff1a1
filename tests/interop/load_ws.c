/*
 * load_ws.c — load_client's WebSocket clients: ws-echo (ws_echo) and
 * ws-chat (demo_server /ws).  Frames are built and parsed here, without
 * wsx.
 */
#include "load_client.h"

#include <stdio.h>

#define IN_FLIGHT 4
#define BIG_MESSAGE 65546 /* a 64-bit length on the way back */
#define PH_CLOSED 9       /* the server's close frame came */

/* The RFC 6455 section 1.3 key and its accept value. */
static const char ws_accept[] = "sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo=";

static void ws_start(conn *c, const char *path)
{
    char req[256];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\n\r\n",
                     path);
    c->msg_op = -1;
    buf_put(&c->out, req, (size_t)n);
}

/* One masked frame into c->out. */
static void put_frame(conn *c, int op, int fin, const uint8_t *p, size_t n)
{
    uint8_t h[14];
    size_t hl = 2, i;
    uint32_t key = (uint32_t)rand();
    h[0] = (uint8_t)((fin ? 0x80 : 0) | op);
    if (n < 126) {
        h[1] = (uint8_t)(0x80 | n);
    } else if (n < 65536) {
        h[1] = 0x80 | 126;
        h[2] = (uint8_t)(n >> 8);
        h[3] = (uint8_t)n;
        hl = 4;
    } else {
        h[1] = 0x80 | 127;
        for (i = 0; i < 8; i++)
            h[2 + i] = (uint8_t)((uint64_t)n >> (56 - 8 * i));
        hl = 10;
    }
    memcpy(h + hl, &key, 4);
    hl += 4;
    if (buf_room(&c->out, hl + n) != 0)
        return;
    memcpy(c->out.p + c->out.len, h, hl);
    for (i = 0; i < n; i++)
        c->out.p[c->out.len + hl + i] = p[i] ^ h[hl - 4 + (i & 3)];
    c->out.len += hl + n;
}

static void send_close(conn *c)
{
    static const uint8_t normal[2] = {0x03, 0xE8}; /* 1000 */
    put_frame(c, 8, 1, normal, 2);
    c->state = ST_CLOSING;
}

static int ws_close(conn *c, spec *s)
{
    (void)s;
    send_close(c);
    return 0;
}

static void ws_eof(conn *c, spec *s)
{
    (void)s;
    if (c->state == ST_CLOSING && c->phase == PH_CLOSED)
        finish(c);
}

/* Control frames other than pongs; returns -1 when c failed. */
static int on_control(conn *c, int op, const uint8_t *p, size_t n)
{
    if (op == 9) {
        put_frame(c, 10, 1, p, n);
    } else if (op == 8) {
        int code = n >= 2 ? p[0] << 8 | p[1] : 0;
        if (c->state != ST_CLOSING || code != 1000) {
            fail(c, "close frame %d \"%.*s\"", code, (int)(n > 2 ? n - 2 : 0), (const char *)p + 2);
            return -1;
        }
        c->phase = PH_CLOSED;
    } else {
        fail(c, "control opcode %d", op);
        return -1;
    }
    return 0;
}

/* Parses the frames in c->in; complete messages go to on_message. */
static void ws_frames(conn *c, spec *s, void (*on_message)(conn *, spec *, int, buf *))
{
    while (c->in.len >= 2 && c->state < ST_DONE) {
        const uint8_t *p = c->in.p;
        uint64_t n = p[1] & 127;
        size_t hl = 2, i;
        int op = p[0] & 15, fin = p[0] >> 7;
        if ((p[1] & 0x80) || (p[0] & 0x70)) {
            fail(c, "masked frame or RSV bits from the server: %02x %02x", p[0], p[1]);
            return;
        }
        if (n == 126) {
            if (c->in.len < 4)
                return;
            n = (uint64_t)p[2] << 8 | p[3];
            hl = 4;
        } else if (n == 127) {
            if (c->in.len < 10)
                return;
            for (n = 0, i = 2; i < 10; i++)
                n = n << 8 | p[i];
            hl = 10;
        }
        if (n > (1u << 24)) {
            fail(c, "frame of %llu bytes", (unsigned long long)n);
            return;
        }
        if (c->in.len < hl + n)
            return;
        if (op >= 8) {
            if (n > 125 || !fin) {
                fail(c, "bad control frame");
                return;
            }
            if (op == 10) { /* pongs go to the kind, as messages */
                buf pong = {(uint8_t *)p + hl, (size_t)n, (size_t)n};
                on_message(c, s, op, &pong);
            } else if (on_control(c, op, p + hl, (size_t)n) != 0) {
                return;
            }
        } else if ((op == 0) != (c->msg_op >= 0)) {
            fail(c, "opcode %d with %s message", op, c->msg_op >= 0 ? "a fragmented" : "no");
            return;
        } else {
            if (op != 0) {
                c->msg_op = op;
                c->msg.len = 0;
            }
            if (buf_put(&c->msg, p + hl, (size_t)n) != 0) {
                fail(c, "out of memory");
                return;
            }
            if (fin) {
                int mop = c->msg_op;
                c->msg_op = -1;
                on_message(c, s, mop, &c->msg);
            }
        }
        buf_consume(&c->in, hl + (size_t)n);
    }
}

/* The handshake's answer; 1 once it is complete and right. */
static int ws_head(conn *c)
{
    long n = head_length(c);
    if (n <= 0)
        return 0;
    if (memcmp(c->in.p, "HTTP/1.1 101 ", 13) != 0 || !head_has(c->in.p, (size_t)n, ws_accept) ||
        head_has(c->in.p, (size_t)n, "sec-websocket-extensions")) {
        fail(c, "handshake answered %.*s", (int)(n < 200 ? n : 200), (const char *)c->in.p);
        return 0;
    }
    buf_consume(&c->in, (size_t)n);
    established(c);
    return 1;
}

typedef void (*pump_fn)(conn *c, spec *s);

/* A reply checked: the connection is done after s->param of them, else
 * it sends what it may. */
static void reply_counted(conn *c, spec *s, pump_fn pump)
{
    c->got++;
    s->checked++;
    if (c->got == s->param)
        work_done(c);
    else
        pump(c, s);
}

/* Input of a kind that starts sending once its handshake is done. */
static void pumped_input(conn *c, spec *s, pump_fn pump,
                         void (*on_message)(conn *, spec *, int, buf *))
{
    if (c->state == ST_HEAD) {
        if (!ws_head(c))
            return;
        pump(c, s);
    }
    ws_frames(c, s, on_message);
}

/* ---- ws-echo -------------------------------------------------------------- */

static uint8_t scratch[BIG_MESSAGE];

static size_t echo_len(int i, int j)
{
    static const size_t sizes[] = {0, 1, 20, 125, 126, 300, 1000, 4096};
    if (j == 1 && i % 64 == 0)
        return BIG_MESSAGE;
    return sizes[(size_t)(i * 7 + j) % 8];
}

/* Message j of client i into scratch; returns its opcode. */
static int echo_message(int i, int j, size_t *len)
{
    int op = (i + j) % 3 == 0 ? 1 : 2;
    size_t k;
    *len = echo_len(i, j);
    for (k = 0; k < *len; k++)
        scratch[k] = op == 1 ? (uint8_t)('a' + ((size_t)i + 3 * (size_t)j + k) % 26)
                             : (uint8_t)((size_t)i * 31 + (size_t)j * 17 + k);
    return op;
}

static void echo_pump(conn *c, spec *s)
{
    while (c->sent < s->param && c->sent - c->got < IN_FLIGHT) {
        size_t len;
        int op = echo_message(c->idx, c->sent, &len);
        if (c->sent % 4 == 1 && len >= 2) { /* two fragments */
            put_frame(c, op, 0, scratch, len / 2);
            put_frame(c, 0, 1, scratch + len / 2, len - len / 2);
        } else {
            put_frame(c, op, 1, scratch, len);
        }
        c->sent++;
    }
}

static void echo_message_in(conn *c, spec *s, int op, buf *m)
{
    size_t len, k;
    int want_op;
    if (c->got >= c->sent) {
        fail(c, "an echo of a message not sent");
        return;
    }
    want_op = echo_message(c->idx, c->got, &len);
    if (op != want_op || m->len != len) {
        fail(c, "echo %d: opcode %d, %zu bytes (sent opcode %d, %zu bytes)", c->got, op, m->len,
             want_op, len);
        return;
    }
    for (k = 0; k < len; k++)
        if (m->p[k] != scratch[k]) {
            fail(c, "echo %d: byte %zu is %u, sent %u", c->got, k, m->p[k], scratch[k]);
            return;
        }
    reply_counted(c, s, echo_pump);
}

static void echo_start(conn *c, spec *s)
{
    (void)s;
    ws_start(c, "/");
}

static void echo_input(conn *c, spec *s) { pumped_input(c, s, echo_pump, echo_message_in); }

const kind_op ws_echo_op = {"ws-echo", echo_start, echo_input, ws_eof, ws_close};

/* ---- ws-ping: pings on /ws of demo_server, their pongs in order ----------- */

static int ping_payload(int i, int j, char *out, size_t cap)
{
    return snprintf(out, cap, "ping %d of client %d", j, i);
}

static void ping_pump(conn *c, spec *s)
{
    while (c->sent < s->param && c->sent - c->got < IN_FLIGHT) {
        char p[64];
        int n = ping_payload(c->idx, c->sent++, p, sizeof p);
        put_frame(c, 9, 1, (const uint8_t *)p, (size_t)n);
    }
}

static void ping_message_in(conn *c, spec *s, int op, buf *m)
{
    char p[64];
    int n = ping_payload(c->idx, c->got, p, sizeof p);
    if (op != 10 || c->got >= c->sent || m->len != (size_t)n || memcmp(m->p, p, (size_t)n) != 0) {
        fail(c, "expected the pong \"%s\", got opcode %d \"%.*s\"", p, op,
             (int)(m->len < 100 ? m->len : 100), (const char *)m->p);
        return;
    }
    reply_counted(c, s, ping_pump);
}

static void ping_start(conn *c, spec *s)
{
    (void)s;
    ws_start(c, "/ws");
}

static void ping_input(conn *c, spec *s) { pumped_input(c, s, ping_pump, ping_message_in); }

const kind_op ws_ping_op = {"ws-ping", ping_start, ping_input, ws_eof, ws_close};

/* ---- ws-chat ----------------------------------------------------------------- */

enum { CH_WELCOME, CH_JOIN, CH_RUN };

static int chat_text(int i, int j, char *out, size_t cap)
{
    int n = snprintf(out, cap, "m%d of u%d \\\"q\\\" ", j, i);
    int pad = (j * 37 + i) % 200;
    memset(out + n, 'x', (size_t)pad);
    return n + pad;
}

static void chat_pump(conn *c, spec *s)
{
    while (c->sent < s->param && c->sent - c->got < IN_FLIGHT) {
        char text[512], msg[1024];
        int tl = chat_text(c->idx, c->sent, text, sizeof text);
        int n = snprintf(msg, sizeof msg, "{\"type\":\"chat\",\"text\":\"%.*s\",\"to\":[\"u%d\"]}",
                         tl, text, c->idx);
        put_frame(c, 1, 1, (const uint8_t *)msg, (size_t)n);
        c->sent++;
    }
}

/* A join or leave notice of another client: known name, none twice, no
 * join after a leave.  Returns 1 if m was one. */
static int chat_notice(conn *c, spec *s, const char *m, size_t len)
{
    static const char join[] = "{\"type\":\"join\",\"name\":\"u";
    static const char leave[] = "{\"type\":\"leave\",\"name\":\"u";
    int is_join = len > sizeof join && memcmp(m, join, sizeof join - 1) == 0, who = 0;
    int is_leave = len > sizeof leave && memcmp(m, leave, sizeof leave - 1) == 0;
    size_t pos = is_join ? sizeof join - 1 : sizeof leave - 1, digits = pos;
    unsigned char *bits;
    if (!is_join && !is_leave)
        return 0;
    while (pos < len && m[pos] >= '0' && m[pos] <= '9' && who < 1000000)
        who = who * 10 + (m[pos++] - '0');
    if (pos == digits || len - pos != 2 || memcmp(m + pos, "\"}", 2) != 0 || who >= s->count) {
        fail(c, "notice about an unknown name: %.*s", (int)len, m);
        return 1;
    }
    bits = &c->seen[who / 4];
    if (is_join && (*bits >> (who % 4 * 2) & 3)) {
        fail(c, "join of u%d after its join or leave", who);
        return 1;
    }
    if (is_leave && (*bits >> (who % 4 * 2) & 2)) {
        fail(c, "leave of u%d twice", who);
        return 1;
    }
    *bits |= (unsigned char)((is_join ? 1 : 2) << (who % 4 * 2));
    s->checked++;
    return 1;
}

static void chat_message_in(conn *c, spec *s, int op, buf *b)
{
    char want[1024];
    const char *m = (const char *)b->p;
    int n;
    if (op != 1) {
        fail(c, "opcode %d from the chat", op);
        return;
    }
    if (c->phase == CH_WELCOME) {
        n = snprintf(want, sizeof want, "{\"type\":\"welcome\",\"name\":\"u%d\",\"users\":[",
                     c->idx);
        if (b->len < (size_t)n + 2 || memcmp(m, want, (size_t)n) != 0 ||
            memcmp(m + b->len - 2, "]}", 2))
            fail(c, "expected the welcome, got %.*s", (int)(b->len < 200 ? b->len : 200), m);
        c->phase = CH_JOIN;
    } else if (c->phase == CH_JOIN) {
        n = snprintf(want, sizeof want, "{\"type\":\"join\",\"name\":\"u%d\"}", c->idx);
        if (b->len != (size_t)n || memcmp(m, want, (size_t)n) != 0)
            fail(c, "expected its own join, got %.*s", (int)(b->len < 200 ? b->len : 200), m);
        c->seen[c->idx / 4] |= (unsigned char)(1 << (c->idx % 4 * 2));
        c->phase = CH_RUN;
        chat_pump(c, s);
    } else if (!chat_notice(c, s, m, b->len)) {
        char text[512];
        int tl = chat_text(c->idx, c->got, text, sizeof text);
        n = snprintf(want, sizeof want,
                     "{\"type\":\"chat\",\"from\":\"u%d\",\"text\":\"%.*s\",\"to\":[\"u%d\"]}",
                     c->idx, tl, text, c->idx);
        if (c->got >= c->sent || b->len != (size_t)n || memcmp(m, want, (size_t)n) != 0) {
            fail(c, "message %d: got %.*s", c->got, (int)(b->len < 200 ? b->len : 200), m);
            return;
        }
        c->got++;
        s->checked++;
        if (c->got == s->param)
            work_done(c);
        else
            chat_pump(c, s);
    }
}

static void chat_start(conn *c, spec *s)
{
    c->seen = (unsigned char *)calloc((size_t)s->count / 4 + 1, 1);
    if (!c->seen)
        fail(c, "out of memory");
    ws_start(c, "/ws");
}

static void chat_input(conn *c, spec *s)
{
    if (c->state == ST_HEAD) {
        char hello[64];
        int n = snprintf(hello, sizeof hello, "{\"type\":\"hello\",\"name\":\"u%d\"}", c->idx);
        if (!ws_head(c))
            return;
        put_frame(c, 1, 1, (const uint8_t *)hello, (size_t)n);
    }
    ws_frames(c, s, chat_message_in);
}

const kind_op ws_chat_op = {"ws-chat", chat_start, chat_input, ws_eof, ws_close};
