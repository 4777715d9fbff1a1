/*
 * WebSocket connection layer: a server and a client wired back to back in
 * memory.  Messages both ways, streaming, automatic pongs, the close
 * handshake from either side, protocol errors, backpressure, partial
 * writes, heartbeat and close timeouts, zero-copy sends.  Input is given
 * whole, byte by byte and split at every offset, from guarded memory.
 */
#include <stdlib.h>

#include "harness.h"
#include "wsx_conn.h"

#define BIG (1u << 20)

/* ---- a connection end with an event log ------------------------------- */

typedef struct end {
    wsx_ws_conn c;
    uint8_t *out;
    size_t cap;
    /* what it received */
    uint8_t *msg; /* the last (or current) message */
    size_t msg_len;
    unsigned msg_op;
    int starts, ends, pings, pongs, closes;
    int messages;     /* MESSAGE events (each also counted as a start and an end) */
    uint8_t ctl[125]; /* last ping/pong payload */
    size_t ctl_len;
    unsigned close_code;
    char reason[126];
    int err;
    char log[4096]; /* one letter per event: S D E P O C ! */
    size_t log_len;
    char pong_log[1024]; /* payloads of the pongs received, each + ',' */
} end;

static uint8_t key_seed;
static int fixed_key;

/* Deterministic "random" keys; fixed_key gives the RFC 6455 vector key. */
static void test_random(void *ctx, uint8_t *out, size_t n)
{
    static const uint8_t rfc_key[4] = {0x37, 0xfa, 0x21, 0x3d};
    size_t i;
    (void)ctx;
    for (i = 0; i < n; i++)
        out[i] = fixed_key ? rfc_key[i % 4] : (uint8_t)(key_seed++ * 37 + 11);
}

static void end_setup(end *e, wsx_ws_role role, size_t cap, const wsx_ws_conn_config *base)
{
    wsx_ws_conn_config cfg;
    if (base)
        cfg = *base;
    else
        wsx_ws_conn_config_default(&cfg);
    cfg.role = role;
    cfg.random = test_random;
    memset(e, 0, offsetof(end, out));
    e->out = (uint8_t *)malloc(cap);
    e->cap = cap;
    e->msg = (uint8_t *)malloc(BIG);
    e->msg_len = 0;
    e->starts = e->ends = e->pings = e->pongs = e->closes = e->messages = 0;
    e->ctl_len = 0;
    e->close_code = 0;
    e->err = 0;
    e->log_len = 0;
    e->reason[0] = 0;
    e->pong_log[0] = 0;
    CHECK_EQ(wsx_ws_conn_init(&e->c, &cfg, e->out, cap), WSX_OK);
    CHECK_EQ(wsx_ws_conn_state(&e->c), WSX_WS_CONNECTING);
    CHECK_EQ(wsx_ws_conn_open(&e->c, 0), WSX_OK);
}

static void end_free(end *e)
{
    free(e->out);
    free(e->msg);
}

static void note(end *e, char ch)
{
    if (e->log_len + 1 < sizeof e->log) {
        e->log[e->log_len++] = ch;
        e->log[e->log_len] = 0;
    }
}

static void record(end *e, const wsx_ws_event *ev);

/* MESSAGE: recorded as the START, DATA (unless empty), END it stands for. */
static void record_message(end *e, const wsx_ws_event *ev)
{
    wsx_ws_event part = *ev;
    e->messages++;
    part.kind = WSX_WS_EV_MESSAGE_START;
    record(e, &part);
    part.kind = WSX_WS_EV_DATA;
    if (ev->size)
        record(e, &part);
    part.kind = WSX_WS_EV_MESSAGE_END;
    record(e, &part);
}

static void record(end *e, const wsx_ws_event *ev)
{
    switch (ev->kind) {
    case WSX_WS_EV_MESSAGE:
        record_message(e, ev);
        break;
    case WSX_WS_EV_MESSAGE_START:
        e->starts++;
        e->msg_len = 0;
        e->msg_op = ev->opcode;
        note(e, 'S');
        break;
    case WSX_WS_EV_DATA:
        CHECK(e->msg_len + ev->size <= BIG);
        memcpy(e->msg + e->msg_len, ev->data, ev->size);
        e->msg_len += ev->size;
        if (e->log_len == 0 || e->log[e->log_len - 1] != 'D')
            note(e, 'D');
        break;
    case WSX_WS_EV_MESSAGE_END:
        e->ends++;
        note(e, 'E');
        break;
    case WSX_WS_EV_PING:
    case WSX_WS_EV_PONG:
        if (ev->kind == WSX_WS_EV_PING)
            e->pings++;
        else
            e->pongs++;
        memcpy(e->ctl, ev->data, ev->size);
        e->ctl_len = ev->size;
        if (ev->kind == WSX_WS_EV_PONG && strlen(e->pong_log) + ev->size + 2 < sizeof e->pong_log) {
            strncat(e->pong_log, (const char *)ev->data, ev->size);
            strcat(e->pong_log, ",");
        }
        note(e, ev->kind == WSX_WS_EV_PING ? 'P' : 'O');
        break;
    case WSX_WS_EV_CLOSE:
        e->closes++;
        e->close_code = ev->close_code;
        memcpy(e->reason, ev->data, ev->size);
        e->reason[ev->size] = 0;
        note(e, 'C');
        break;
    default:
        CHECK(0);
    }
}

/* Runs recv over buf[0..len) until it needs more; logs the events. */
static int feed_bytes(end *e, uint8_t *buf, size_t len, uint64_t now)
{
    for (;;) {
        size_t used = 0;
        wsx_ws_event ev;
        int r = wsx_ws_conn_recv(&e->c, buf, len, &used, &ev, now);
        CHECK(used <= len);
        buf += used;
        len -= used;
        if (r == 0) {
            CHECK_EQ(len, 0);
            return 0;
        }
        if (r < 0) {
            e->err = r;
            note(e, '!');
            return r;
        }
        CHECK_EQ(ev.kind, r);
        record(e, &ev);
    }
}

enum { WHOLE = -1, BYTES = -2 };

/* Feeds buf to e whole (split = WHOLE), byte by byte (BYTES) or as two
 * pieces cut at `split`, each piece in guarded memory. */
static void feed_split(end *e, const uint8_t *bytes, size_t len, long split, uint64_t now)
{
    size_t cut = split == WHOLE ? len : split == BYTES ? 1 : (size_t)split;
    size_t at = 0;
    do {
        size_t n = len - at < cut ? len - at : cut;
        uint8_t *g = guarded_copy(bytes + at, n ? n : 1);
        int r = feed_bytes(e, g, n, now);
        guarded_free(g, n ? n : 1);
        at += n;
        if (r < 0)
            return;
        if (split >= 0)
            cut = len; /* second piece: the rest */
    } while (at < len);
}

/* Takes all pending output of e into dst (capacity cap), consuming it. */
static size_t drain(end *e, uint8_t *dst, size_t cap)
{
    size_t total = 0;
    for (;;) {
        size_t n;
        const uint8_t *p = wsx_ws_conn_output(&e->c, &n);
        if (n == 0) {
            CHECK(p == NULL);
            CHECK_EQ(wsx_ws_conn_output_size(&e->c), 0);
            return total;
        }
        CHECK(total + n <= cap);
        memcpy(dst + total, p, n);
        total += n;
        CHECK_EQ(wsx_ws_conn_consume(&e->c, n), WSX_OK);
    }
}

static uint8_t wire[BIG + 4096];

/* Moves everything pending from a to b, fed as `split` says. */
static size_t pass(end *a, end *b, long split, uint64_t now)
{
    size_t n = drain(a, wire, sizeof wire);
    feed_split(b, wire, n, split, now);
    return n;
}

/* ---- setup ------------------------------------------------------------ */

static void test_struct_and_init(void)
{
    wsx_ws_conn c;
    wsx_ws_conn_config cfg;
    uint8_t out[WSX_WS_CONN_MIN_QUEUE];
    size_t used;
    wsx_ws_event ev;

    CHECK(sizeof(wsx_ws_conn) <= 768); /* 712 on LP64 */
    wsx_ws_conn_config_default(&cfg);
    CHECK_EQ(cfg.role, WSX_WS_SERVER);
    CHECK_EQ(cfg.ping_interval_ms, 0);
    CHECK_EQ(cfg.pong_timeout_ms, 30000);
    CHECK_EQ(cfg.close_timeout_ms, 5000);
    CHECK_EQ(cfg.check_send_utf8, 1);
    CHECK(cfg.decoder.max_message_size == WSX_WS_DEFAULT_MAX_MESSAGE);

    CHECK_EQ(wsx_ws_conn_init(NULL, &cfg, out, sizeof out), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_init(&c, &cfg, NULL, sizeof out), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_init(&c, &cfg, out, sizeof out - 1), WSX_E_ARG);
    cfg.role = WSX_WS_CLIENT; /* no random source */
    CHECK_EQ(wsx_ws_conn_init(&c, &cfg, out, sizeof out), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_send(&c, WSX_WS_OP_TEXT, "x", 1), WSX_E_CONN_CLOSED);
    cfg.role = (wsx_ws_role)7;
    cfg.random = test_random;
    CHECK_EQ(wsx_ws_conn_init(&c, &cfg, out, sizeof out), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_init(&c, NULL, out, sizeof out), WSX_OK);

    /* CONNECTING: nothing moves */
    CHECK_EQ(wsx_ws_conn_state(&c), WSX_WS_CONNECTING);
    CHECK_EQ(wsx_ws_conn_send(&c, WSX_WS_OP_TEXT, "x", 1), WSX_E_STATE);
    CHECK_EQ(wsx_ws_conn_ping(&c, NULL, 0, 0), WSX_E_STATE);
    CHECK_EQ(wsx_ws_conn_close(&c, 1000, NULL, 0, 0), WSX_E_STATE);
    CHECK_EQ(wsx_ws_conn_recv(&c, out, 1, &used, &ev, 0), WSX_E_STATE);
    CHECK_EQ(wsx_ws_conn_next_deadline(&c), WSX_WS_NO_DEADLINE);
    CHECK_EQ(wsx_ws_conn_tick(&c, 1000000), WSX_OK);
    CHECK_EQ(wsx_ws_conn_close_code(&c), 0);
    CHECK_EQ(wsx_ws_conn_open(&c, 5), WSX_OK);
    CHECK_EQ(wsx_ws_conn_open(&c, 5), WSX_E_STATE);
    CHECK_EQ(wsx_ws_conn_state(&c), WSX_WS_OPEN);
    CHECK_EQ(wsx_ws_conn_recv(&c, NULL, 1, &used, &ev, 0), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_recv(&c, NULL, 0, &used, &ev, 0), 0);
    CHECK_EQ(wsx_ws_conn_next_deadline(&c), WSX_WS_NO_DEADLINE);
}

/* ---- messages ------------------------------------------------------------ */

static void test_rfc_vectors(void)
{
    end s, k;
    size_t n;
    static const uint8_t hello[] = {0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
    static const uint8_t masked[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
                                     0x7f, 0x9f, 0x4d, 0x51, 0x58};
    end_setup(&s, WSX_WS_SERVER, 4096, NULL);
    end_setup(&k, WSX_WS_CLIENT, 4096, NULL);
    CHECK_EQ(wsx_ws_conn_send(&s.c, WSX_WS_OP_TEXT, "Hello", 5), WSX_OK);
    n = drain(&s, wire, sizeof wire);
    CHECK_EQ(n, sizeof hello);
    CHECK_MEM(wire, hello, sizeof hello);
    fixed_key = 1;
    CHECK_EQ(wsx_ws_conn_send(&k.c, WSX_WS_OP_TEXT, "Hello", 5), WSX_OK);
    fixed_key = 0;
    n = drain(&k, wire, sizeof wire);
    CHECK_EQ(n, sizeof masked);
    CHECK_MEM(wire, masked, sizeof masked);
    end_free(&s);
    end_free(&k);
}

static void fill(uint8_t *p, size_t n, unsigned seed)
{
    size_t i;
    for (i = 0; i < n; i++)
        p[i] = (uint8_t)((i * 131u + seed) >> 3);
}

static void test_messages_both_ways(void)
{
    static uint8_t payload[70000];
    static const size_t sizes[] = {0, 1, 125, 126, 65535, 65536, 70000};
    end s, k;
    size_t i;
    end_setup(&s, WSX_WS_SERVER, 80000, NULL);
    end_setup(&k, WSX_WS_CLIENT, 80000, NULL);
    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        fill(payload, sizes[i], (unsigned)i);
        CHECK_EQ(wsx_ws_conn_send(&s.c, WSX_WS_OP_BINARY, payload, sizes[i]), WSX_OK);
        pass(&s, &k, WHOLE, 1);
        CHECK_EQ(k.msg_len, sizes[i]);
        CHECK_EQ(k.msg_op, WSX_WS_OP_BINARY);
        CHECK_MEM(k.msg, payload, sizes[i]);
        CHECK_EQ(wsx_ws_conn_send(&k.c, WSX_WS_OP_BINARY, payload, sizes[i]), WSX_OK);
        pass(&k, &s, WHOLE, 1);
        CHECK_EQ(s.msg_len, sizes[i]);
        CHECK_MEM(s.msg, payload, sizes[i]);
    }
    CHECK_EQ(s.ends, 7);
    CHECK_EQ(k.ends, 7);
    CHECK_EQ(wsx_ws_conn_send(&k.c, WSX_WS_OP_TEXT, "h\xc3\xa9llo", 6), WSX_OK);
    pass(&k, &s, WHOLE, 1);
    CHECK_EQ(s.msg_op, WSX_WS_OP_TEXT);
    CHECK_EQ(s.msg_len, 6);
    CHECK_MEM(s.msg, "h\xc3\xa9llo", 6);
    /* refused sends queue nothing */
    CHECK_EQ(wsx_ws_conn_send(&k.c, WSX_WS_OP_TEXT, "\xc3", 1), WSX_E_WS_UTF8);
    CHECK_EQ(wsx_ws_conn_send(&k.c, WSX_WS_OP_PING, "x", 1), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_send(&k.c, 3, "x", 1), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_send(&k.c, WSX_WS_OP_TEXT, NULL, 1), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_output_size(&k.c), 0);
    CHECK_EQ(s.err, 0);
    CHECK_EQ(k.err, 0);
    end_free(&s);
    end_free(&k);
}

/* The same conversation, delivered whole, byte by byte and at every cut,
 * gives the same events on both sides. */
static void test_every_split(void)
{
    end s, k;
    uint8_t frames[600], *ref_msg = (uint8_t *)malloc(BIG);
    char ref_log[4096];
    size_t n, ref_len;
    long split;
    uint8_t big[300];

    fill(big, sizeof big, 9);
    end_setup(&k, WSX_WS_CLIENT, 4096, NULL);
    CHECK_EQ(wsx_ws_conn_send(&k.c, WSX_WS_OP_TEXT, "\xe2\x82\xac", 3), WSX_OK);
    CHECK_EQ(wsx_ws_conn_ping(&k.c, "p1", 2, 0), WSX_OK);
    CHECK_EQ(wsx_ws_conn_stream_begin(&k.c, WSX_WS_OP_BINARY), WSX_OK);
    CHECK_EQ(wsx_ws_conn_stream_part(&k.c, big, 200), WSX_OK);
    CHECK_EQ(wsx_ws_conn_stream_end(&k.c, big + 200, 100), WSX_OK);
    CHECK_EQ(wsx_ws_conn_close(&k.c, 4000, "done", 4, 0), WSX_OK);
    n = drain(&k, frames, sizeof frames);
    end_free(&k);

    end_setup(&s, WSX_WS_SERVER, 4096, NULL);
    feed_split(&s, frames, n, WHOLE, 0);
    CHECK_EQ(s.err, 0);
    CHECK(strcmp(s.log, "SDEPSDEC") == 0);
    CHECK_EQ(s.close_code, 4000);
    CHECK(strcmp(s.reason, "done") == 0);
    CHECK_EQ(s.msg_len, 300);
    CHECK_MEM(s.msg, big, 300);
    strcpy(ref_log, s.log);
    memcpy(ref_msg, s.msg, s.msg_len);
    ref_len = s.msg_len;
    end_free(&s);

    for (split = BYTES; split <= (long)n; split++) {
        if (split == WHOLE)
            continue;
        end_setup(&s, WSX_WS_SERVER, 4096, NULL);
        feed_split(&s, frames, n, split, 0);
        CHECK_EQ(s.err, 0);
        CHECK(strcmp(s.log, ref_log) == 0);
        CHECK_EQ(s.msg_len, ref_len);
        CHECK_MEM(s.msg, ref_msg, ref_len);
        CHECK_EQ(s.close_code, 4000);
        CHECK_EQ(wsx_ws_conn_state(&s.c), WSX_WS_CLOSING);
        end_free(&s);
    }
    free(ref_msg);
}

static void test_stream_send(void)
{
    static uint8_t payload[200000];
    end s, k;
    size_t at = 0;
    int full = 0;
    end_setup(&s, WSX_WS_SERVER, 16384, NULL);
    end_setup(&k, WSX_WS_CLIENT, 16384, NULL);
    fill(payload, sizeof payload, 3);

    /* a message far bigger than the queue, as fragments, draining as we go */
    CHECK_EQ(wsx_ws_conn_stream_begin(&k.c, WSX_WS_OP_BINARY), WSX_OK);
    CHECK_EQ(wsx_ws_conn_stream_begin(&k.c, WSX_WS_OP_BINARY), WSX_E_STATE);
    CHECK_EQ(wsx_ws_conn_send(&k.c, WSX_WS_OP_BINARY, "x", 1), WSX_E_STATE);
    CHECK_EQ(wsx_ws_conn_output_size(&k.c), 0); /* begin queues nothing */
    while (at < sizeof payload) {
        size_t n = sizeof payload - at < 5000 ? sizeof payload - at : 5000;
        int r = wsx_ws_conn_stream_part(&k.c, payload + at, n);
        if (r == WSX_E_CONN_QUEUE_FULL) {
            full++;
            pass(&k, &s, WHOLE, 1);
            continue;
        }
        CHECK_EQ(r, WSX_OK);
        if (r)
            break;
        at += n;
        if (at == 100000) { /* a ping from the peer between fragments */
            CHECK_EQ(wsx_ws_conn_ping(&s.c, "mid", 3, 1), WSX_OK);
            pass(&s, &k, WHOLE, 1);
        }
    }
    CHECK(full > 0);
    CHECK_EQ(wsx_ws_conn_stream_part(&k.c, payload, 0), WSX_OK); /* nothing */
    CHECK_EQ(wsx_ws_conn_stream_end(&k.c, NULL, 0), WSX_OK);
    CHECK_EQ(wsx_ws_conn_stream_end(&k.c, NULL, 0), WSX_E_STATE);
    CHECK_EQ(wsx_ws_conn_stream_part(&k.c, "x", 1), WSX_E_STATE);
    pass(&k, &s, WHOLE, 1);
    CHECK_EQ(s.err, 0);
    CHECK_EQ(s.starts, 1);
    CHECK_EQ(s.ends, 1);
    CHECK_EQ(s.msg_len, sizeof payload);
    CHECK_MEM(s.msg, payload, sizeof payload);
    CHECK_EQ(s.pongs, 1); /* the automatic pong went out between fragments */
    CHECK_EQ(s.ctl_len, 3);
    CHECK_EQ(k.pings, 1);

    /* text: a code point split between parts; bad bytes are refused */
    CHECK_EQ(wsx_ws_conn_stream_begin(&s.c, WSX_WS_OP_TEXT), WSX_OK);
    CHECK_EQ(wsx_ws_conn_stream_part(&s.c, "a\xe2\x82", 3), WSX_OK);
    CHECK_EQ(wsx_ws_conn_stream_part(&s.c, "\xff", 1), WSX_E_WS_UTF8);
    CHECK_EQ(wsx_ws_conn_stream_end(&s.c, "", 0), WSX_E_WS_UTF8); /* truncated */
    CHECK_EQ(wsx_ws_conn_stream_end(&s.c, "\xac!", 2), WSX_OK);
    pass(&s, &k, BYTES, 2);
    CHECK_EQ(k.err, 0);
    CHECK_EQ(k.msg_op, WSX_WS_OP_TEXT);
    CHECK_EQ(k.msg_len, 5);
    CHECK_MEM(k.msg, "a\xe2\x82\xac!", 5);

    /* a one-frame stream: end without parts */
    CHECK_EQ(wsx_ws_conn_stream_begin(&s.c, WSX_WS_OP_BINARY), WSX_OK);
    CHECK_EQ(wsx_ws_conn_stream_end(&s.c, "xyz", 3), WSX_OK);
    CHECK_EQ(drain(&s, wire, sizeof wire), 5);
    CHECK_EQ(wire[0], 0x82);
    CHECK_EQ(wire[1], 3);
    end_free(&s);
    end_free(&k);
}

/* ---- pings ------------------------------------------------------------------ */

/* The pongs in out[0..n) (a server's output: unmasked frames, anything
 * else skipped) as their payloads joined by ',' into log. */
static void pong_log(const uint8_t *out, size_t n, char *log, size_t cap)
{
    size_t at = 0, len = 0;
    log[0] = 0;
    while (at + 2 <= n) {
        size_t size = out[at + 1] & 0x7F, head = 2;
        if (size == 126) {
            size = (size_t)out[at + 2] << 8 | out[at + 3];
            head = 4;
        }
        CHECK(size < 127 || head == 4); /* tests send no larger frames */
        if ((out[at] & 0x0F) == WSX_WS_OP_PONG && len + size + 2 < cap) {
            if (len)
                log[len++] = ',';
            memcpy(log + len, out + at + head, size);
            len += size;
            log[len] = 0;
        }
        at += head + size;
    }
    CHECK_EQ(at, n);
}

/* Client bytes for pings "p0".."p<count-1>", one after the other. */
static size_t ping_burst(uint8_t *dst, size_t cap, int count)
{
    end k;
    size_t n = 0;
    int i;
    end_setup(&k, WSX_WS_CLIENT, 4096, NULL);
    for (i = 0; i < count; i++) {
        char p[16];
        sprintf(p, "p%d", i);
        CHECK_EQ(wsx_ws_conn_ping(&k.c, p, strlen(p), 0), WSX_OK);
        n += drain(&k, dst + n, cap - n);
    }
    end_free(&k);
    return n;
}

/* Autobahn case 2.10: ten pings in one read get ten pongs, in order, with
 * their payloads; the same whatever the chunking of the input. */
static void test_pong_per_ping(void)
{
    static uint8_t pings[1000];
    char log[400];
    end s;
    size_t n = ping_burst(pings, sizeof pings, 10), out;
    long split;
    for (split = BYTES; split <= (long)n; split++) {
        end_setup(&s, WSX_WS_SERVER, 4096, NULL);
        feed_split(&s, pings, n, split, 1);
        CHECK_EQ(s.pings, 10);
        out = drain(&s, wire, sizeof wire);
        CHECK_EQ(out, 10 * 4);
        pong_log(wire, out, log, sizeof log);
        CHECK(strcmp(log, "p0,p1,p2,p3,p4,p5,p6,p7,p8,p9") == 0);
        end_free(&s);
    }
    /* answered in order with the output taken in between, too */
    end_setup(&s, WSX_WS_SERVER, 4096, NULL);
    feed_split(&s, pings, 4, WHOLE, 1);
    out = drain(&s, wire, sizeof wire);
    feed_split(&s, pings + 4, n - 4, WHOLE, 1);
    out += drain(&s, wire + out, sizeof wire - out);
    pong_log(wire, out, log, sizeof log);
    CHECK(strcmp(log, "p0,p1,p2,p3,p4,p5,p6,p7,p8,p9") == 0);
    end_free(&s);
}

/* Under backpressure pongs are coalesced, never lost: the queue takes the
 * pongs it has room for, in order, and the last ping is always answered. */
static void test_pong_backpressure(void)
{
    static uint8_t pings[1000], payload[300];
    char log[400];
    end s;
    size_t n = ping_burst(pings, sizeof pings, 10), out, room;
    for (room = 0; room <= 20; room++) {
        end_setup(&s, WSX_WS_SERVER, 256, NULL);
        /* fill the queue to leave `room` bytes */
        CHECK_EQ(wsx_ws_conn_send(&s.c, WSX_WS_OP_BINARY, payload, 256 - 4 - room), WSX_OK);
        CHECK_EQ(wsx_ws_conn_output_size(&s.c), 256 - room);
        feed_split(&s, pings, n, WHOLE, 1);
        CHECK_EQ(s.pings, 10);
        out = drain(&s, wire, sizeof wire);
        pong_log(wire, out, log, sizeof log);
        /* room / 4 pongs fit at once, the last one waited */
        {
            char want[400] = "";
            size_t i, fit = room / 4 < 10 ? room / 4 : 10;
            for (i = 0; i < fit; i++)
                sprintf(want + strlen(want), "%sp%u", i ? "," : "", (unsigned)i);
            if (fit < 10)
                sprintf(want + strlen(want), "%sp9", fit ? "," : "");
            CHECK(strcmp(log, want) == 0);
            if (strcmp(log, want) != 0)
                fprintf(stderr, "  room %zu: %s, want %s\n", room, log, want);
        }
        end_free(&s);
    }
    /* a pong waiting when the connection fails is dropped; one queued
     * before is written, ahead of the close */
    end_setup(&s, WSX_WS_SERVER, 256, NULL);
    CHECK_EQ(wsx_ws_conn_send(&s.c, WSX_WS_OP_BINARY, payload, 244), WSX_OK);
    feed_split(&s, pings, n, WHOLE, 1); /* p0 p1 queued, p9 waits */
    CHECK_EQ(wsx_ws_conn_fail(&s.c, WSX_E_LIMIT, 2), WSX_OK);
    out = drain(&s, wire, sizeof wire);
    pong_log(wire, out, log, sizeof log);
    CHECK(strcmp(log, "p0,p1") == 0);
    CHECK_EQ(wire[out - 2 - 2 - strlen(wsx_strerror(WSX_E_LIMIT))], 0x88);
    end_free(&s);
}

/* Pongs and our own pings between the fragments of a message we stream,
 * both roles: the peer's decoder accepts every frame (control frames only
 * at frame boundaries, RFC 6455 section 5.4), each ping gets its pong in
 * order, and the message arrives intact. */
static void test_pong_between_fragments(void)
{
    static uint8_t payload[5000];
    int role;
    fill(payload, sizeof payload, 4);
    for (role = 0; role < 2; role++) {
        end a, b;
        size_t at = 0;
        unsigned i = 0;
        char want[400] = "";
        end_setup(&a, (wsx_ws_role)role, 600, NULL);
        end_setup(&b, (wsx_ws_role)!role, 600, NULL);
        CHECK_EQ(wsx_ws_conn_stream_begin(&a.c, WSX_WS_OP_BINARY), WSX_OK);
        while (at < sizeof payload) {
            char p[8];
            size_t n = sizeof payload - at < 300 ? sizeof payload - at : 300;
            CHECK_EQ(wsx_ws_conn_stream_part(&a.c, payload + at, n), WSX_OK);
            at += n;
            /* b pings, sends data, pings: a's pongs follow its fragment */
            sprintf(p, "q%u", i++);
            CHECK_EQ(wsx_ws_conn_ping(&b.c, p, strlen(p), 0), WSX_OK);
            CHECK_EQ(wsx_ws_conn_send(&b.c, WSX_WS_OP_TEXT, "t", 1), WSX_OK);
            sprintf(want + strlen(want), "%s%s,", p, "");
            pass(&b, &a, WHOLE, 0);
            sprintf(p, "q%u", i++);
            CHECK_EQ(wsx_ws_conn_ping(&b.c, p, strlen(p), 0), WSX_OK);
            sprintf(want + strlen(want), "%s,", p);
            pass(&b, &a, WHOLE, 0);
            if (i == 2) /* a's own ping, between fragments too */
                CHECK_EQ(wsx_ws_conn_ping(&a.c, "mine", 4, 0), WSX_OK);
            pass(&a, &b, WHOLE, 0);
            CHECK_EQ(b.err, 0);
        }
        CHECK_EQ(wsx_ws_conn_stream_end(&a.c, NULL, 0), WSX_OK);
        pass(&a, &b, WHOLE, 0);
        CHECK_EQ(a.err, 0);
        CHECK_EQ(b.err, 0);
        CHECK_EQ(b.starts, 1);
        CHECK_EQ(b.ends, 1);
        CHECK_EQ(b.msg_len, sizeof payload);
        CHECK_MEM(b.msg, payload, sizeof payload);
        CHECK_EQ(b.pings, 1);
        CHECK(strcmp(b.pong_log, want) == 0);
        CHECK_EQ(a.ends, (int)i / 2); /* b's text messages */
        end_free(&a);
        end_free(&b);
    }
}

static void test_ping_payloads(void)
{
    end s, k;
    end_setup(&s, WSX_WS_SERVER, 4096, NULL);
    end_setup(&k, WSX_WS_CLIENT, 4096, NULL);
    /* a user ping not yet taken into the queue is replaced by a newer one */
    CHECK_EQ(wsx_ws_conn_ping(&s.c, "old", 3, 0), WSX_OK);
    CHECK_EQ(wsx_ws_conn_ping(&s.c, "new", 3, 0), WSX_OK);
    pass(&s, &k, WHOLE, 1);
    CHECK_EQ(k.pings, 1);
    CHECK_MEM(k.ctl, "new", 3);
    /* payload limits */
    {
        uint8_t p[126];
        memset(p, 'x', sizeof p);
        CHECK_EQ(wsx_ws_conn_ping(&s.c, p, 126, 0), WSX_E_ARG);
        CHECK_EQ(wsx_ws_conn_ping(&s.c, p, 125, 0), WSX_OK);
        CHECK_EQ(wsx_ws_conn_ping(&s.c, NULL, 1, 0), WSX_E_ARG);
        pass(&s, &k, BYTES, 1);
        CHECK_EQ(k.ctl_len, 125);
        pass(&k, &s, WHOLE, 1);
        CHECK_EQ(s.ctl_len, 125);
    }
    end_free(&s);
    end_free(&k);
}

/* ---- closing ---------------------------------------------------------------- */

static void test_close_from_client(void)
{
    end s, k;
    size_t n;
    end_setup(&s, WSX_WS_SERVER, 4096, NULL);
    end_setup(&k, WSX_WS_CLIENT, 4096, NULL);
    CHECK_EQ(wsx_ws_conn_close(&k.c, 1000, "bye", 3, 100), WSX_OK);
    CHECK_EQ(wsx_ws_conn_state(&k.c), WSX_WS_CLOSING);
    CHECK_EQ(wsx_ws_conn_close(&k.c, 1000, NULL, 0, 100), WSX_E_CONN_CLOSED);
    CHECK_EQ(wsx_ws_conn_send(&k.c, WSX_WS_OP_TEXT, "x", 1), WSX_E_CONN_CLOSED);
    CHECK_EQ(wsx_ws_conn_ping(&k.c, NULL, 0, 100), WSX_E_CONN_CLOSED);
    CHECK_EQ(wsx_ws_conn_next_deadline(&k.c), 5100);

    /* the server may still send data until it sees the close */
    CHECK_EQ(wsx_ws_conn_send(&s.c, WSX_WS_OP_TEXT, "late", 4), WSX_OK);
    pass(&k, &s, WHOLE, 200);
    CHECK_EQ(s.closes, 1);
    CHECK_EQ(s.close_code, 1000);
    CHECK(strcmp(s.reason, "bye") == 0);
    CHECK_EQ(wsx_ws_conn_state(&s.c), WSX_WS_CLOSING);
    CHECK_EQ(wsx_ws_conn_send(&s.c, WSX_WS_OP_TEXT, "x", 1), WSX_E_CONN_CLOSED);
    CHECK_EQ(wsx_ws_conn_close(&s.c, 1000, NULL, 0, 200), WSX_E_CONN_CLOSED);
    CHECK(!wsx_ws_conn_should_close_transport(&s.c));
    /* the echo: queued data first, then close 1000 without the reason */
    n = drain(&s, wire, sizeof wire);
    CHECK_EQ(n, 6 + 4);
    CHECK_EQ(wire[6], 0x88);
    CHECK_EQ(wire[7], 2);
    CHECK_EQ(wire[8], 0x03);
    CHECK_EQ(wire[9], 0xE8);
    CHECK_EQ(wsx_ws_conn_state(&s.c), WSX_WS_CLOSED);
    CHECK(wsx_ws_conn_should_close_transport(&s.c)); /* server closes first */
    CHECK_EQ(wsx_ws_conn_close_code(&s.c), 1000);
    /* bytes after the close frame are discarded */
    feed_split(&s, (const uint8_t *)"junk", 4, WHOLE, 200);
    CHECK_EQ(s.err, 0);

    feed_split(&k, wire, n, BYTES, 300);
    CHECK_EQ(k.ends, 1);
    CHECK_EQ(k.closes, 1);
    CHECK_EQ(k.close_code, 1000);
    CHECK_EQ(wsx_ws_conn_state(&k.c), WSX_WS_CLOSED);
    /* the client waits for the server to close the TCP connection */
    CHECK(!wsx_ws_conn_should_close_transport(&k.c));
    CHECK_EQ(wsx_ws_conn_next_deadline(&k.c), 5100);
    CHECK_EQ(wsx_ws_conn_tick(&k.c, 5099), WSX_OK);
    CHECK(!wsx_ws_conn_should_close_transport(&k.c));
    CHECK_EQ(wsx_ws_conn_tick(&k.c, 5100), WSX_OK);
    CHECK(wsx_ws_conn_should_close_transport(&k.c));
    CHECK_EQ(wsx_ws_conn_next_deadline(&k.c), WSX_WS_NO_DEADLINE);
    CHECK_EQ(wsx_ws_conn_error(&k.c), 0);
    end_free(&s);
    end_free(&k);
}

static void test_close_from_server(void)
{
    end s, k;
    end_setup(&s, WSX_WS_SERVER, 4096, NULL);
    end_setup(&k, WSX_WS_CLIENT, 4096, NULL);
    CHECK_EQ(wsx_ws_conn_close(&s.c, 1001, "going away", 10, 0), WSX_OK);
    pass(&s, &k, WHOLE, 10);
    CHECK_EQ(k.close_code, 1001);
    CHECK(strcmp(k.reason, "going away") == 0);
    CHECK_EQ(wsx_ws_conn_state(&s.c), WSX_WS_CLOSING);
    CHECK_EQ(wsx_ws_conn_state(&k.c), WSX_WS_CLOSING); /* echo not written */
    pass(&k, &s, WHOLE, 20);
    CHECK_EQ(wsx_ws_conn_state(&k.c), WSX_WS_CLOSED);
    CHECK(!wsx_ws_conn_should_close_transport(&k.c));
    CHECK_EQ(s.close_code, 1001);
    CHECK_EQ(wsx_ws_conn_state(&s.c), WSX_WS_CLOSED);
    CHECK(wsx_ws_conn_should_close_transport(&s.c));
    CHECK_EQ(wsx_ws_conn_output_size(&s.c), 0); /* no second close */
    /* the server closes TCP: the client sees EOF */
    wsx_ws_conn_eof(&k.c);
    CHECK(wsx_ws_conn_should_close_transport(&k.c));
    CHECK_EQ(wsx_ws_conn_close_code(&k.c), 1001);
    end_free(&s);
    end_free(&k);
}

static void test_close_without_code(void)
{
    end s, k;
    size_t n;
    end_setup(&s, WSX_WS_SERVER, 4096, NULL);
    end_setup(&k, WSX_WS_CLIENT, 4096, NULL);
    CHECK_EQ(wsx_ws_conn_close(&k.c, 0, "x", 1, 0), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_close(&k.c, 1005, NULL, 0, 0), WSX_E_WS_CLOSE_CODE);
    CHECK_EQ(wsx_ws_conn_close(&k.c, 999, NULL, 0, 0), WSX_E_WS_CLOSE_CODE);
    CHECK_EQ(wsx_ws_conn_close(&k.c, 1000, NULL, 1, 0), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_close(&k.c, 1000, "\xff", 1, 0), WSX_E_WS_CLOSE_REASON_UTF8);
    {
        char r[124];
        memset(r, 'r', sizeof r);
        CHECK_EQ(wsx_ws_conn_close(&k.c, 1000, r, 124, 0), WSX_E_WS_REASON_TOO_LONG);
        CHECK_EQ(wsx_ws_conn_state(&k.c), WSX_WS_OPEN);
        CHECK_EQ(wsx_ws_conn_output_size(&k.c), 0);
    }
    CHECK_EQ(wsx_ws_conn_close(&k.c, 0, NULL, 0, 0), WSX_OK);
    pass(&k, &s, WHOLE, 1);
    CHECK_EQ(s.close_code, 1005);
    CHECK_EQ(wsx_ws_conn_close_code(&s.c), 1005);
    n = drain(&s, wire, sizeof wire);
    CHECK_EQ(n, 2);
    CHECK_EQ(wire[0], 0x88);
    CHECK_EQ(wire[1], 0x00);
    feed_split(&k, wire, n, WHOLE, 2);
    CHECK_EQ(k.close_code, 1005);
    CHECK_EQ(wsx_ws_conn_state(&k.c), WSX_WS_CLOSED);
    end_free(&s);
    end_free(&k);
}

/* A message whole in one recv comes as one MESSAGE event, which ends the
 * message timeout like MESSAGE_END; its header alone starts it. */
static void test_whole_message_event(void)
{
    static const uint8_t hello[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
                                    0x7f, 0x9f, 0x4d, 0x51, 0x58};
    wsx_ws_conn_config cfg;
    wsx_ws_event ev;
    uint8_t in[sizeof hello];
    size_t used;
    end s;
    wsx_ws_conn_config_default(&cfg);
    cfg.message_timeout_ms = 100;
    end_setup(&s, WSX_WS_SERVER, 4096, &cfg);
    memcpy(in, hello, sizeof hello);
    if (!(wsx_build_flags() & WSX_BUILD_SMALL)) { /* (small: START, DATA, END) */
        CHECK_EQ(wsx_ws_conn_recv(&s.c, in, sizeof in, &used, &ev, 10), WSX_WS_EV_MESSAGE);
        CHECK(used == sizeof in && ev.size == 5 && memcmp(ev.data, "Hello", 5) == 0);
        CHECK_EQ(wsx_ws_conn_next_deadline(&s.c), WSX_WS_NO_DEADLINE);
    }
    memcpy(in, hello, sizeof hello);
    CHECK_EQ(wsx_ws_conn_recv(&s.c, in, 6, &used, &ev, 20), WSX_WS_EV_MESSAGE_START);
    CHECK_EQ(wsx_ws_conn_next_deadline(&s.c), 120);
    CHECK_EQ(wsx_ws_conn_recv(&s.c, in + 6, 5, &used, &ev, 30), WSX_WS_EV_DATA);
    CHECK_EQ(wsx_ws_conn_recv(&s.c, in + 11, 0, &used, &ev, 30), WSX_WS_EV_MESSAGE_END);
    CHECK_EQ(wsx_ws_conn_next_deadline(&s.c), WSX_WS_NO_DEADLINE);
    end_free(&s);
}

static void test_close_timeout(void)
{
    end s, k;
    end_setup(&s, WSX_WS_SERVER, 4096, NULL);
    end_setup(&k, WSX_WS_CLIENT, 4096, NULL);
    CHECK_EQ(wsx_ws_conn_close(&s.c, 1000, NULL, 0, 1000), WSX_OK);
    pass(&s, &k, WHOLE, 1000); /* the client never answers */
    CHECK_EQ(wsx_ws_conn_next_deadline(&s.c), 6000);
    CHECK_EQ(wsx_ws_conn_tick(&s.c, 5999), WSX_OK);
    CHECK_EQ(wsx_ws_conn_state(&s.c), WSX_WS_CLOSING);
    CHECK_EQ(wsx_ws_conn_tick(&s.c, 6000), WSX_E_CONN_TIMEOUT);
    CHECK_EQ(wsx_ws_conn_state(&s.c), WSX_WS_CLOSED);
    CHECK(wsx_ws_conn_should_close_transport(&s.c));
    CHECK_EQ(wsx_ws_conn_close_code(&s.c), 1006);
    CHECK_EQ(wsx_ws_conn_error(&s.c), WSX_E_CONN_TIMEOUT);
    CHECK_EQ(wsx_ws_conn_tick(&s.c, 7000), WSX_OK);
    CHECK_EQ(wsx_ws_conn_next_deadline(&s.c), WSX_WS_NO_DEADLINE);
    end_free(&s);
    end_free(&k);
}

static void test_close_during_stream(void)
{
    end s, k;
    end_setup(&s, WSX_WS_SERVER, 4096, NULL);
    end_setup(&k, WSX_WS_CLIENT, 4096, NULL);
    CHECK_EQ(wsx_ws_conn_stream_begin(&s.c, WSX_WS_OP_TEXT), WSX_OK);
    CHECK_EQ(wsx_ws_conn_stream_part(&s.c, "abc", 3), WSX_OK);
    CHECK_EQ(wsx_ws_conn_close(&s.c, 1001, NULL, 0, 0), WSX_OK);
    CHECK_EQ(wsx_ws_conn_stream_end(&s.c, "d", 1), WSX_E_CONN_CLOSED);
    pass(&s, &k, WHOLE, 1);
    CHECK_EQ(k.err, 0);
    CHECK_EQ(k.closes, 1);
    CHECK(strcmp(k.log, "SDC") == 0);
    end_free(&s);
    end_free(&k);
}

static void test_eof(void)
{
    end s;
    end_setup(&s, WSX_WS_SERVER, 4096, NULL);
    wsx_ws_conn_eof(&s.c);
    CHECK_EQ(wsx_ws_conn_state(&s.c), WSX_WS_CLOSED);
    CHECK(wsx_ws_conn_should_close_transport(&s.c));
    CHECK_EQ(wsx_ws_conn_close_code(&s.c), 1006);
    CHECK_EQ(wsx_ws_conn_send(&s.c, WSX_WS_OP_TEXT, "x", 1), WSX_E_CONN_CLOSED);
    CHECK_EQ(wsx_ws_conn_close(&s.c, 1000, NULL, 0, 0), WSX_E_CONN_CLOSED);
    end_free(&s);
}

/* ---- failures ------------------------------------------------------------- */

/* Feeds raw bytes to a fresh end, expects error err and a close frame with
 * close code `code`, for every way of splitting the input. */
static void expect_failure(wsx_ws_role role, const wsx_ws_conn_config *cfg, const uint8_t *bytes,
                           size_t len, int err, unsigned code)
{
    long split;
    for (split = BYTES; split <= (long)len; split++) {
        end e;
        size_t n;
        size_t used;
        wsx_ws_event ev;
        end_setup(&e, role, 4096, cfg);
        feed_split(&e, bytes, len, split, 7);
        CHECK_EQ(e.err, err);
        CHECK_EQ(wsx_ws_conn_state(&e.c), WSX_WS_CLOSING);
        CHECK_EQ(wsx_ws_conn_error(&e.c), err);
        CHECK_EQ(wsx_ws_conn_recv(&e.c, e.out, 0, &used, &ev, 8), err);
        CHECK_EQ(wsx_ws_conn_send(&e.c, WSX_WS_OP_TEXT, "x", 1), WSX_E_CONN_CLOSED);
        CHECK_EQ(wsx_ws_conn_fail(&e.c, WSX_E_LIMIT, 8), WSX_E_CONN_CLOSED);
        CHECK(!wsx_ws_conn_should_close_transport(&e.c));
        n = drain(&e, wire, sizeof wire);
        /* maybe data events came first; the close frame ends the output */
        CHECK(n >= 4);
        {
            size_t hl = role == WSX_WS_CLIENT ? 6 : 2;
            size_t plen = (size_t)(wire[1] & 0x7F);
            uint8_t cc[2];
            CHECK_EQ(wire[0], 0x88);
            CHECK_EQ(n, hl + plen);
            CHECK_EQ(plen, 2 + strlen(wsx_strerror(err)));
            memcpy(cc, wire + hl, 2);
            if (role == WSX_WS_CLIENT) {
                cc[0] ^= wire[2];
                cc[1] ^= wire[3];
            }
            CHECK_EQ((unsigned)(cc[0] << 8 | cc[1]), code);
        }
        CHECK_EQ(wsx_ws_conn_state(&e.c), WSX_WS_CLOSED);
        CHECK(wsx_ws_conn_should_close_transport(&e.c));
        CHECK_EQ(wsx_ws_conn_close_code(&e.c), 1006);
        end_free(&e);
    }
}

static void test_protocol_errors(void)
{
    wsx_ws_conn_config cfg;
    /* server gets an unmasked frame */
    static const uint8_t unmasked[] = {0x81, 0x02, 'h', 'i'};
    /* client gets a masked frame */
    static const uint8_t masked[] = {0x81, 0x82, 1, 2, 3, 4, 'h' ^ 1, 'i' ^ 2};
    /* invalid UTF-8 in a text message (server->client, unmasked) */
    static const uint8_t bad_utf8[] = {0x81, 0x03, 'o', 'k', 0xC0};
    /* 200-byte binary frame: over a 100-byte message limit */
    static const uint8_t too_big[] = {0x82, 0x7E, 0x00, 0xC8};
    /* reserved opcode */
    static const uint8_t opcode[] = {0x83, 0x00};
    expect_failure(WSX_WS_SERVER, NULL, unmasked, sizeof unmasked, WSX_E_WS_MASK_REQUIRED, 1002);
    expect_failure(WSX_WS_CLIENT, NULL, masked, sizeof masked, WSX_E_WS_MASK_FORBIDDEN, 1002);
    expect_failure(WSX_WS_CLIENT, NULL, bad_utf8, sizeof bad_utf8, WSX_E_WS_UTF8, 1007);
    expect_failure(WSX_WS_CLIENT, NULL, opcode, sizeof opcode, WSX_E_WS_OPCODE, 1002);
    wsx_ws_conn_config_default(&cfg);
    cfg.decoder.max_message_size = 100;
    expect_failure(WSX_WS_CLIENT, &cfg, too_big, sizeof too_big, WSX_E_WS_MESSAGE_TOO_BIG, 1009);
}

/* The valid prefix of a text message is delivered, and the close 1007 is
 * prepared right away, before the next recv call. */
static void test_fail_fast_utf8(void)
{
    end e;
    /* masked with a zero key: the payload reads as is */
    static const uint8_t frame[] = {0x81, 0x84, 0, 0, 0, 0, 'a', 'b', 0xFF, 'c'};
    uint8_t *g = guarded_copy(frame, sizeof frame);
    size_t used, n;
    wsx_ws_event ev;
    end_setup(&e, WSX_WS_SERVER, 4096, NULL);
    CHECK_EQ(wsx_ws_conn_recv(&e.c, g, sizeof frame, &used, &ev, 0), WSX_WS_EV_MESSAGE_START);
    CHECK_EQ(wsx_ws_conn_recv(&e.c, g + used, sizeof frame - used, &used, &ev, 0), WSX_WS_EV_DATA);
    CHECK_EQ(ev.size, 2);
    CHECK_EQ(wsx_ws_conn_state(&e.c), WSX_WS_CLOSING);
    n = drain(&e, wire, sizeof wire);
    CHECK(n > 4);
    CHECK_EQ(wire[0], 0x88);
    CHECK_EQ(wire[2], 1007 >> 8);
    CHECK_EQ(wire[3], 1007 & 0xFF);
    CHECK_EQ(wsx_ws_conn_state(&e.c), WSX_WS_CLOSED);
    guarded_free(g, sizeof frame);
    end_free(&e);
}

static void test_app_fail(void)
{
    end s;
    end_setup(&s, WSX_WS_SERVER, 4096, NULL);
    CHECK_EQ(wsx_ws_conn_fail(&s.c, 0, 0), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_fail(&s.c, WSX_E_LIMIT, 0), WSX_OK);
    CHECK_EQ(wsx_ws_conn_state(&s.c), WSX_WS_CLOSING);
    drain(&s, wire, sizeof wire);
    CHECK_EQ(wire[2], 1009 >> 8);
    CHECK_EQ(wire[3], 1009 & 0xFF);
    CHECK_EQ(wsx_ws_conn_state(&s.c), WSX_WS_CLOSED);
    CHECK(wsx_ws_conn_should_close_transport(&s.c));
    end_free(&s);
}

/* ---- backpressure ------------------------------------------------------------ */

static void test_queue_full(void)
{
    end s, k;
    uint8_t payload[300], before[256];
    size_t n, n2;
    const uint8_t *p;
    fill(payload, sizeof payload, 1);
    end_setup(&s, WSX_WS_SERVER, 256, NULL);
    end_setup(&k, WSX_WS_CLIENT, 4096, NULL);
    CHECK_EQ(wsx_ws_conn_send_room(&s.c), 252);
    CHECK_EQ(wsx_ws_conn_send(&s.c, WSX_WS_OP_BINARY, payload, 200), WSX_OK);
    CHECK_EQ(wsx_ws_conn_send_room(&s.c), 50);
    p = wsx_ws_conn_output(&s.c, &n);
    CHECK_EQ(n, 204);
    memcpy(before, p, n);
    CHECK_EQ(wsx_ws_conn_send(&s.c, WSX_WS_OP_BINARY, payload, 51), WSX_E_CONN_QUEUE_FULL);
    CHECK_EQ(wsx_ws_conn_send(&s.c, WSX_WS_OP_BINARY, payload, 253), WSX_E_BUFFER);
    CHECK_EQ(wsx_ws_conn_send(&s.c, WSX_WS_OP_BINARY, payload, 50), WSX_OK);
    CHECK_EQ(wsx_ws_conn_send(&s.c, WSX_WS_OP_BINARY, payload, 0), WSX_E_CONN_QUEUE_FULL);
    CHECK_EQ(wsx_ws_conn_send_room(&s.c), 0);
    p = wsx_ws_conn_output(&s.c, &n2);
    CHECK_EQ(n2, 256);
    CHECK_MEM(p, before, 204); /* queued bytes never moved or changed */

    /* control frames still get out: the ping waits, ahead of later data */
    CHECK_EQ(wsx_ws_conn_ping(&s.c, "hb", 2, 0), WSX_OK);
    CHECK_EQ(wsx_ws_conn_output_size(&s.c), 256);
    /* a received ping: its pong waits too */
    CHECK_EQ(wsx_ws_conn_ping(&k.c, "q", 1, 0), WSX_OK);
    pass(&k, &s, WHOLE, 0);
    CHECK_EQ(s.pings, 1);
    CHECK_EQ(wsx_ws_conn_send(&s.c, WSX_WS_OP_BINARY, payload, 1), WSX_E_CONN_QUEUE_FULL);
    /* drain part: room for the ping and the pong but they come first */
    CHECK_EQ(wsx_ws_conn_consume(&s.c, 204), WSX_OK);
    CHECK_EQ(wsx_ws_conn_send(&s.c, WSX_WS_OP_BINARY, payload, 3), WSX_OK);
    pass(&s, &k, WHOLE, 0);
    /* the 200 bytes were dropped; the pong goes ahead of our ping */
    CHECK(strcmp(k.log, "SDEOPSDE") == 0);
    CHECK_EQ(k.msg_len, 3);
    /* after draining, the full capacity is back */
    CHECK_EQ(wsx_ws_conn_send(&s.c, WSX_WS_OP_BINARY, payload, 252), WSX_OK);
    CHECK_EQ(wsx_ws_conn_consume(&s.c, 257), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_output_size(&s.c), 256);
    pass(&s, &k, WHOLE, 0);
    CHECK_EQ(k.msg_len, 252);
    CHECK_MEM(k.msg, payload, 252);
    end_free(&s);
    end_free(&k);
}

static void test_send_room_matches(void)
{
    end e;
    static uint8_t payload[70000];
    size_t caps[] = {131, 133, 200, 300, 66000, 70000};
    size_t i;
    for (i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        int role;
        for (role = 0; role < 2; role++) {
            size_t room;
            end_setup(&e, (wsx_ws_role)role, caps[i], NULL);
            room = wsx_ws_conn_send_room(&e.c);
            CHECK_EQ(wsx_ws_conn_send(&e.c, WSX_WS_OP_BINARY, payload, room + 1) != WSX_OK, 1);
            CHECK_EQ(wsx_ws_conn_send(&e.c, WSX_WS_OP_BINARY, payload, room), WSX_OK);
            end_free(&e);
        }
    }
}

/* Output written one byte at a time, each byte fed to the peer. */
static void test_partial_consume(void)
{
    end s, k;
    static uint8_t payload[1000];
    size_t total = 0;
    fill(payload, sizeof payload, 5);
    end_setup(&s, WSX_WS_SERVER, 2048, NULL);
    end_setup(&k, WSX_WS_CLIENT, 2048, NULL);
    CHECK_EQ(wsx_ws_conn_send(&s.c, WSX_WS_OP_BINARY, payload, 1000), WSX_OK);
    CHECK_EQ(wsx_ws_conn_ping(&s.c, "x", 1, 0), WSX_OK);
    CHECK_EQ(wsx_ws_conn_send(&s.c, WSX_WS_OP_TEXT, "abc", 3), WSX_OK);
    for (;;) {
        size_t n;
        const uint8_t *p = wsx_ws_conn_output(&s.c, &n);
        uint8_t byte;
        if (!n)
            break;
        byte = p[0];
        CHECK_EQ(wsx_ws_conn_consume(&s.c, 1), WSX_OK);
        feed_bytes(&k, &byte, 1, 0);
        total++;
        /* sending while half-written appends after the pending bytes */
        if (total == 500)
            CHECK_EQ(wsx_ws_conn_send(&s.c, WSX_WS_OP_TEXT, "z", 1), WSX_OK);
    }
    CHECK_EQ(total, 1004 + 3 + 5 + 3);
    CHECK(strcmp(k.log, "SDEPSDESDE") == 0);
    CHECK_EQ(k.msg_len, 1);
    CHECK_EQ(k.msg[0], 'z');
    CHECK_EQ(k.err, 0);
    end_free(&s);
    end_free(&k);
}

/* ---- heartbeat ------------------------------------------------------------- */

static void test_heartbeat(void)
{
    end s, k;
    wsx_ws_conn_config cfg;
    size_t n;
    wsx_ws_conn_config_default(&cfg);
    cfg.ping_interval_ms = 1000;
    cfg.pong_timeout_ms = 500;
    end_setup(&s, WSX_WS_SERVER, 4096, &cfg);
    end_setup(&k, WSX_WS_CLIENT, 4096, NULL);

    CHECK_EQ(wsx_ws_conn_next_deadline(&s.c), 1000);
    CHECK_EQ(wsx_ws_conn_tick(&s.c, 999), WSX_OK);
    CHECK_EQ(wsx_ws_conn_output_size(&s.c), 0);
    /* any byte received restarts the silence timer */
    CHECK_EQ(wsx_ws_conn_send(&k.c, WSX_WS_OP_TEXT, "hi", 2), WSX_OK);
    pass(&k, &s, WHOLE, 600);
    CHECK_EQ(wsx_ws_conn_next_deadline(&s.c), 1600);
    CHECK_EQ(wsx_ws_conn_tick(&s.c, 1000), WSX_OK);
    CHECK_EQ(wsx_ws_conn_output_size(&s.c), 0);
    /* silence: a ping at 1600, answer due by 2100 */
    CHECK_EQ(wsx_ws_conn_tick(&s.c, 1600), WSX_OK);
    n = drain(&s, wire, sizeof wire);
    CHECK_EQ(n, 2);
    CHECK_EQ(wire[0], 0x89);
    CHECK_EQ(wsx_ws_conn_next_deadline(&s.c), 2100);
    feed_split(&k, wire, n, WHOLE, 1700);
    CHECK_EQ(k.pings, 1);
    /* the automatic pong clears the deadline */
    pass(&k, &s, WHOLE, 1800);
    CHECK_EQ(s.pongs, 1);
    CHECK_EQ(wsx_ws_conn_next_deadline(&s.c), 2800);
    CHECK_EQ(wsx_ws_conn_tick(&s.c, 2100), WSX_OK);
    CHECK_EQ(wsx_ws_conn_state(&s.c), WSX_WS_OPEN);
    /* the next ping gets no answer: dead 500 ms later */
    CHECK_EQ(wsx_ws_conn_tick(&s.c, 2800), WSX_OK);
    CHECK_EQ(drain(&s, wire, sizeof wire), 2);
    CHECK_EQ(wsx_ws_conn_next_deadline(&s.c), 3300);
    CHECK_EQ(wsx_ws_conn_tick(&s.c, 3299), WSX_OK);
    CHECK_EQ(wsx_ws_conn_tick(&s.c, 3300), WSX_E_CONN_TIMEOUT);
    /* the peer is dead: the close of the error's table row is queued
     * (1001 and its text), then the transport can close */
    CHECK_EQ(wsx_ws_conn_state(&s.c), WSX_WS_CLOSING);
    CHECK_EQ(wsx_ws_conn_error(&s.c), WSX_E_CONN_TIMEOUT);
    CHECK_EQ(wsx_ws_conn_send(&s.c, WSX_WS_OP_TEXT, "x", 1), WSX_E_CONN_CLOSED);
    CHECK(!wsx_ws_conn_should_close_transport(&s.c));
    CHECK_EQ(wsx_ws_conn_next_deadline(&s.c), 3300 + 5000);
    n = drain(&s, wire, sizeof wire);
    {
        const char *why = wsx_strerror(WSX_E_CONN_TIMEOUT);
        CHECK_EQ(n, 2 + 2 + strlen(why));
        CHECK_EQ(wire[0], 0x88);
        CHECK_EQ(wire[1], 2 + strlen(why));
        CHECK_EQ(wire[2], 1001 >> 8);
        CHECK_EQ(wire[3], 1001 & 0xFF);
        CHECK_MEM(wire + 4, why, strlen(why));
    }
    CHECK_EQ(wsx_ws_conn_state(&s.c), WSX_WS_CLOSED);
    CHECK(wsx_ws_conn_should_close_transport(&s.c));
    CHECK_EQ(wsx_ws_conn_close_code(&s.c), 1006);
    CHECK_EQ(wsx_ws_conn_error(&s.c), WSX_E_CONN_TIMEOUT);
    CHECK_EQ(wsx_ws_conn_next_deadline(&s.c), WSX_WS_NO_DEADLINE);
    CHECK_EQ(wsx_ws_conn_tick(&s.c, 9000), WSX_OK); /* reported once */
    CHECK_EQ(wsx_ws_conn_send(&s.c, WSX_WS_OP_TEXT, "x", 1), WSX_E_CONN_CLOSED);
    /* the peer reads it: close 1001 with the reason */
    feed_split(&k, wire, n, WHOLE, 3400);
    CHECK_EQ(k.closes, 1);
    CHECK_EQ(k.close_code, 1001);
    CHECK(strcmp(k.reason, wsx_strerror(WSX_E_CONN_TIMEOUT)) == 0);
    end_free(&s);
    end_free(&k);
}

/* A dead peer that does not read: the close frame stays behind unwritten
 * bytes; the transport is given up close_timeout_ms after the timeout.
 * A client's heartbeat timeout sends a masked close 1001. */
static void test_heartbeat_dead_peer(void)
{
    end s, k;
    wsx_ws_conn_config cfg;
    static uint8_t payload[3000];
    uint64_t deadline;
    wsx_ws_conn_config_default(&cfg);
    cfg.ping_interval_ms = 100;
    cfg.pong_timeout_ms = 100;
    cfg.close_timeout_ms = 1000;
    end_setup(&s, WSX_WS_SERVER, 4096, &cfg);
    CHECK_EQ(wsx_ws_conn_send(&s.c, WSX_WS_OP_BINARY, payload, 3000), WSX_OK);
    CHECK_EQ(wsx_ws_conn_tick(&s.c, 100), WSX_OK);     /* the ping */
    CHECK_EQ(wsx_ws_conn_consume(&s.c, 1000), WSX_OK); /* then stuck */
    CHECK_EQ(wsx_ws_conn_tick(&s.c, 200), WSX_E_CONN_TIMEOUT);
    CHECK_EQ(wsx_ws_conn_wants(&s.c, &deadline), WSX_WANT_READ | WSX_WANT_WRITE);
    CHECK_EQ(deadline, 1200);
    CHECK_EQ(wsx_ws_conn_tick(&s.c, 1199), WSX_OK);
    CHECK_EQ(wsx_ws_conn_state(&s.c), WSX_WS_CLOSING);
    CHECK_EQ(wsx_ws_conn_tick(&s.c, 1200), WSX_OK);
    CHECK_EQ(wsx_ws_conn_wants(&s.c, &deadline), WSX_WANT_CLOSE);
    CHECK_EQ(deadline, WSX_WS_NO_DEADLINE);
    CHECK_EQ(wsx_ws_conn_state(&s.c), WSX_WS_CLOSED);
    CHECK_EQ(wsx_ws_conn_error(&s.c), WSX_E_CONN_TIMEOUT);
    end_free(&s);

    end_setup(&k, WSX_WS_CLIENT, 4096, &cfg);
    end_setup(&s, WSX_WS_SERVER, 4096, NULL);
    CHECK_EQ(wsx_ws_conn_tick(&k.c, 100), WSX_OK);
    CHECK_EQ(wsx_ws_conn_wants(&k.c, NULL), WSX_WANT_READ | WSX_WANT_WRITE);
    CHECK_EQ(wsx_ws_conn_tick(&k.c, 200), WSX_E_CONN_TIMEOUT);
    pass(&k, &s, WHOLE, 200); /* the ping, then the close */
    CHECK_EQ(s.err, 0);
    CHECK_EQ(s.pings, 1);
    CHECK_EQ(s.close_code, 1001);
    CHECK_EQ(wsx_ws_conn_state(&k.c), WSX_WS_CLOSED);
    CHECK(wsx_ws_conn_should_close_transport(&k.c));
    end_free(&s);
    end_free(&k);
}

/* pings without pong timeout keep coming every interval of silence; a user
 * ping arms the timeout even without heartbeat */
static void test_heartbeat_variants(void)
{
    end s;
    wsx_ws_conn_config cfg;
    wsx_ws_conn_config_default(&cfg);
    cfg.ping_interval_ms = 100;
    cfg.pong_timeout_ms = 0;
    end_setup(&s, WSX_WS_SERVER, 4096, &cfg);
    CHECK_EQ(wsx_ws_conn_tick(&s.c, 100), WSX_OK);
    CHECK_EQ(wsx_ws_conn_next_deadline(&s.c), 200);
    CHECK_EQ(wsx_ws_conn_tick(&s.c, 150), WSX_OK);
    CHECK_EQ(wsx_ws_conn_tick(&s.c, 250), WSX_OK);
    CHECK_EQ(drain(&s, wire, sizeof wire), 2); /* one ping: the 2nd replaced it */
    CHECK_EQ(wsx_ws_conn_tick(&s.c, 100000), WSX_OK);
    CHECK_EQ(wsx_ws_conn_state(&s.c), WSX_WS_OPEN);
    end_free(&s);

    wsx_ws_conn_config_default(&cfg);
    cfg.pong_timeout_ms = 50;
    end_setup(&s, WSX_WS_SERVER, 4096, &cfg);
    CHECK_EQ(wsx_ws_conn_next_deadline(&s.c), WSX_WS_NO_DEADLINE);
    CHECK_EQ(wsx_ws_conn_ping(&s.c, NULL, 0, 10), WSX_OK);
    CHECK_EQ(wsx_ws_conn_next_deadline(&s.c), 60);
    CHECK_EQ(wsx_ws_conn_ping(&s.c, NULL, 0, 40), WSX_OK); /* no extension */
    CHECK_EQ(wsx_ws_conn_next_deadline(&s.c), 60);
    CHECK_EQ(wsx_ws_conn_tick(&s.c, 60), WSX_E_CONN_TIMEOUT);
    end_free(&s);
}

/* the heartbeat counts from the later of the last byte received and the
 * last ping queued (a user ping too), with a clock that never goes back */
static void test_heartbeat_restarts(void)
{
    end s, k;
    wsx_ws_conn_config cfg;
    wsx_ws_conn_config_default(&cfg);
    cfg.ping_interval_ms = 1000;
    cfg.pong_timeout_ms = 0;
    end_setup(&s, WSX_WS_SERVER, 4096, &cfg);
    end_setup(&k, WSX_WS_CLIENT, 4096, NULL);
    CHECK_EQ(wsx_ws_conn_ping(&s.c, NULL, 0, 300), WSX_OK);
    CHECK_EQ(wsx_ws_conn_next_deadline(&s.c), 1300);
    CHECK_EQ(wsx_ws_conn_send(&k.c, WSX_WS_OP_TEXT, "a", 1), WSX_OK);
    pass(&k, &s, WHOLE, 500);
    CHECK_EQ(wsx_ws_conn_next_deadline(&s.c), 1500);
    CHECK_EQ(wsx_ws_conn_ping(&s.c, "p", 1, 700), WSX_OK);
    CHECK_EQ(wsx_ws_conn_next_deadline(&s.c), 1700);
    drain(&s, wire, sizeof wire);
    CHECK_EQ(wsx_ws_conn_tick(&s.c, 1699), WSX_OK);
    CHECK_EQ(wsx_ws_conn_output_size(&s.c), 0);
    CHECK_EQ(wsx_ws_conn_tick(&s.c, 1700), WSX_OK);
    CHECK_EQ(drain(&s, wire, sizeof wire), 2);
    CHECK_EQ(wsx_ws_conn_next_deadline(&s.c), 2700);
    end_free(&s);
    end_free(&k);
}

/* ---- message timeout ------------------------------------------------------- */

/* Feeds wire[*at..*at + n) to e at time now. */
static void trickle(end *e, size_t *at, size_t n, uint64_t now)
{
    feed_bytes(e, wire + *at, n, now);
    *at += n;
}

/* A peer that trickles one byte every 100 ms keeps the heartbeat content
 * (every byte counts as life) but not the message timeout: the message
 * started at 1000 must end by 1000 + 1500; close 1008 with the row's
 * text, like the heartbeat's failure. */
static void test_message_timeout_trickle(void)
{
    static uint8_t payload[100];
    end s, k;
    wsx_ws_conn_config cfg;
    size_t n, at = 0;
    uint64_t now = 1000;
    int round;
    for (round = 0; round < 2; round++) {
        /* round 0: no message timeout, the trickle holds the connection;
         * round 1: it times out */
        wsx_ws_conn_config_default(&cfg);
        cfg.ping_interval_ms = 300;
        cfg.pong_timeout_ms = 200;
        cfg.message_timeout_ms = round ? 1500 : WSX_WS_CONN_NO_TIMEOUT;
        end_setup(&s, WSX_WS_SERVER, 4096, &cfg);
        end_setup(&k, WSX_WS_CLIENT, 4096, NULL);
        fill(payload, sizeof payload, 3);
        CHECK_EQ(wsx_ws_conn_send(&k.c, WSX_WS_OP_BINARY, payload, 100), WSX_OK);
        n = drain(&k, wire, sizeof wire);
        CHECK_EQ(n, 106);
        now = 1000;
        at = 0;
        trickle(&s, &at, 1, now);
        CHECK_EQ(wsx_ws_conn_next_deadline(&s.c), 1300); /* the ping */
        while (at < 30) {
            now += 100;
            CHECK_EQ(wsx_ws_conn_tick(&s.c, now - 1), WSX_OK);
            trickle(&s, &at, 1, now);
            if (now < 2500 || !round)
                CHECK_EQ(wsx_ws_conn_tick(&s.c, now), WSX_OK);
            else
                break;
            CHECK_EQ(wsx_ws_conn_state(&s.c), WSX_WS_OPEN);
            CHECK_EQ(wsx_ws_conn_output_size(&s.c), 0); /* no ping: alive */
            if (round && now >= 2300)
                CHECK_EQ(wsx_ws_conn_next_deadline(&s.c), 2500);
        }
        if (!round) {
            CHECK_EQ(now, 1000 + 29 * 100);
            CHECK_EQ(wsx_ws_conn_next_deadline(&s.c), now + 300);
            CHECK_EQ(s.err, 0);
            end_free(&s);
            end_free(&k);
            continue;
        }
        CHECK_EQ(now, 2500);
        CHECK_EQ(wsx_ws_conn_tick(&s.c, now), WSX_E_CONN_MESSAGE_TIMEOUT);
        CHECK_EQ(wsx_ws_conn_state(&s.c), WSX_WS_CLOSING);
        CHECK_EQ(wsx_ws_conn_error(&s.c), WSX_E_CONN_MESSAGE_TIMEOUT);
        CHECK_EQ(wsx_ws_conn_next_deadline(&s.c), 2500 + 5000);
        CHECK_EQ(wsx_ws_conn_tick(&s.c, now + 1), WSX_OK); /* reported once */
        {
            size_t used;
            wsx_ws_event ev;
            CHECK_EQ(wsx_ws_conn_recv(&s.c, wire + at, 1, &used, &ev, now),
                     WSX_E_CONN_MESSAGE_TIMEOUT);
        }
        n = drain(&s, wire, sizeof wire);
        {
            const char *why = wsx_strerror(WSX_E_CONN_MESSAGE_TIMEOUT);
            CHECK_EQ(n, 2 + 2 + strlen(why));
            CHECK_EQ(wire[0], 0x88);
            CHECK_EQ(wire[2], 1008 >> 8);
            CHECK_EQ(wire[3], 1008 & 0xFF);
            CHECK_MEM(wire + 4, why, strlen(why));
            feed_split(&k, wire, n, WHOLE, now);
            CHECK_EQ(k.close_code, 1008);
            CHECK(strcmp(k.reason, why) == 0);
        }
        CHECK_EQ(wsx_ws_conn_state(&s.c), WSX_WS_CLOSED);
        CHECK(wsx_ws_conn_should_close_transport(&s.c));
        CHECK_EQ(s.ends, 0);
        end_free(&s);
        end_free(&k);
    }
}

/* A large message that comes slowly but steadily within the limit is
 * whole; the timer stops at its end and starts again with the next
 * message's first byte, not before.  A control frame between fragments
 * does not restart it; one outside a message is timed by itself. */
static void test_message_timeout_steady(void)
{
    static uint8_t payload[200000];
    end s, k;
    wsx_ws_conn_config cfg;
    size_t n, at = 0;
    uint64_t now = 0;
    wsx_ws_conn_config_default(&cfg);
    cfg.message_timeout_ms = 10000;
    end_setup(&s, WSX_WS_SERVER, 4096, &cfg);
    end_setup(&k, WSX_WS_CLIENT, 300000, NULL);
    fill(payload, sizeof payload, 9);
    CHECK_EQ(wsx_ws_conn_send(&k.c, WSX_WS_OP_BINARY, payload, sizeof payload), WSX_OK);
    n = drain(&k, wire, sizeof wire);
    now = 100;
    while (at < n) { /* 1000 bytes every 49 ms: 9.8 s in all */
        trickle(&s, &at, n - at < 1000 ? n - at : 1000, now);
        CHECK_EQ(wsx_ws_conn_tick(&s.c, now), WSX_OK);
        if (at < n)
            CHECK_EQ(wsx_ws_conn_next_deadline(&s.c), 100 + 10000);
        now += 49;
    }
    CHECK(now - 49 < 100 + 10000);
    CHECK_EQ(s.ends, 1);
    CHECK_EQ(s.msg_len, sizeof payload);
    CHECK_MEM(s.msg, payload, sizeof payload);
    CHECK_EQ(wsx_ws_conn_next_deadline(&s.c), WSX_WS_NO_DEADLINE);
    CHECK_EQ(wsx_ws_conn_tick(&s.c, 50000), WSX_OK);
    CHECK_EQ(wsx_ws_conn_state(&s.c), WSX_WS_OPEN);

    /* a fragmented message with a ping between its frames: timed from
     * its first byte at 60000 to the end of its final frame */
    CHECK_EQ(wsx_ws_conn_stream_begin(&k.c, WSX_WS_OP_TEXT), WSX_OK);
    CHECK_EQ(wsx_ws_conn_stream_part(&k.c, "ab", 2), WSX_OK);
    CHECK_EQ(wsx_ws_conn_ping(&k.c, "p", 1, 0), WSX_OK);
    n = drain(&k, wire, sizeof wire);
    at = 0;
    trickle(&s, &at, n, 60000);
    CHECK_EQ(s.pings, 1);
    CHECK_EQ(wsx_ws_conn_next_deadline(&s.c), 70000);
    CHECK_EQ(wsx_ws_conn_stream_end(&k.c, "c", 1), WSX_OK);
    n = drain(&k, wire, sizeof wire);
    at = 0;
    trickle(&s, &at, 3, 65000); /* the final frame's header, not all */
    CHECK_EQ(wsx_ws_conn_next_deadline(&s.c), 70000);
    trickle(&s, &at, n - 3, 69999);
    CHECK_EQ(s.ends, 2);
    CHECK_EQ(wsx_ws_conn_next_deadline(&s.c), WSX_WS_NO_DEADLINE);

    /* a ping alone, cut after its first byte */
    CHECK_EQ(wsx_ws_conn_ping(&k.c, "q", 1, 0), WSX_OK);
    n = drain(&k, wire, sizeof wire);
    at = 0;
    trickle(&s, &at, 1, 80000);
    CHECK_EQ(wsx_ws_conn_next_deadline(&s.c), 90000);
    trickle(&s, &at, n - 1, 80001);
    CHECK_EQ(s.pings, 2);
    CHECK_EQ(wsx_ws_conn_next_deadline(&s.c), WSX_WS_NO_DEADLINE);
    CHECK_EQ(s.err, 0);
    end_free(&s);
    end_free(&k);
}

/* The default: 60 s, for a zeroed config too (wsx_base.h rule 4). */
static void test_message_timeout_default(void)
{
    wsx_ws_conn c;
    wsx_ws_conn_config cfg;
    uint8_t out[WSX_WS_CONN_MIN_QUEUE], byte = 0x82;
    size_t used;
    wsx_ws_event ev;
    wsx_ws_conn_config_default(&cfg);
    CHECK(cfg.message_timeout_ms == WSX_WS_CONN_DEFAULT_MESSAGE_TIMEOUT_MS);
    CHECK_EQ(WSX_WS_CONN_DEFAULT_MESSAGE_TIMEOUT_MS, 60000);
    memset(&cfg, 0, sizeof cfg);
    CHECK_EQ(wsx_ws_conn_init(&c, &cfg, out, sizeof out), WSX_OK);
    CHECK_EQ(wsx_ws_conn_open(&c, 0), WSX_OK);
    CHECK_EQ(wsx_ws_conn_recv(&c, &byte, 1, &used, &ev, 500), 0);
    CHECK_EQ(wsx_ws_conn_next_deadline(&c), 60500);
    CHECK_EQ(wsx_ws_conn_tick(&c, 60499), WSX_OK);
    CHECK_EQ(wsx_ws_conn_tick(&c, 60500), WSX_E_CONN_MESSAGE_TIMEOUT);
}

/* ---- zero copy ------------------------------------------------------------- */

static void test_zero_copy(void)
{
    static uint8_t payload[100000], copy[100000];
    end s, k;
    wsx_ws_chunk v[WSX_WS_CONN_MAX_CHUNKS];
    size_t nv, n, step = 1;
    fill(payload, sizeof payload, 7);
    memcpy(copy, payload, sizeof payload);
    end_setup(&s, WSX_WS_SERVER, 256, NULL);
    end_setup(&k, WSX_WS_CLIENT, 256, NULL);
    CHECK_EQ(wsx_ws_conn_send(&s.c, WSX_WS_OP_TEXT, "pre", 3), WSX_OK);
    CHECK_EQ(wsx_ws_conn_send_ref(&s.c, WSX_WS_OP_BINARY, payload, sizeof payload), WSX_OK);
    CHECK(wsx_ws_conn_ref_pending(&s.c));
    CHECK_EQ(wsx_ws_conn_send_ref(&s.c, WSX_WS_OP_BINARY, payload, 1), WSX_E_CONN_QUEUE_FULL);
    CHECK_EQ(wsx_ws_conn_send(&s.c, WSX_WS_OP_TEXT, "post", 4), WSX_OK);
    nv = wsx_ws_conn_output_vec(&s.c, v);
    CHECK_EQ(nv, 3);
    CHECK_EQ(v[0].len, 5 + 10);
    CHECK(v[1].data == payload);
    CHECK_EQ(v[1].len, sizeof payload);
    CHECK_EQ(v[2].len, 6);
    CHECK_MEM(payload, copy, sizeof payload); /* server: untouched */
    /* write it out in odd-sized steps through the plain output call */
    while ((n = wsx_ws_conn_output_size(&s.c)) > 0) {
        size_t len, take;
        const uint8_t *p = wsx_ws_conn_output(&s.c, &len);
        take = len < step ? len : step;
        CHECK(len > 0);
        feed_split(&k, p, take, WHOLE, 0);
        CHECK_EQ(wsx_ws_conn_consume(&s.c, take), WSX_OK);
        step = step * 3 + 1;
    }
    CHECK(!wsx_ws_conn_ref_pending(&s.c));
    CHECK_EQ(k.err, 0);
    CHECK(strcmp(k.log, "SDESDESDE") == 0);
    CHECK_EQ(k.msg_len, 4);

    /* client: the payload is masked in place, the server sees the original */
    CHECK_EQ(wsx_ws_conn_send_ref(&k.c, WSX_WS_OP_BINARY, payload, sizeof payload), WSX_OK);
    CHECK(memcmp(payload, copy, sizeof payload) != 0);
    nv = wsx_ws_conn_output_vec(&k.c, v);
    CHECK_EQ(nv, 2);
    CHECK_EQ(v[0].len, 14);
    pass(&k, &s, WHOLE, 0);
    CHECK_EQ(s.err, 0);
    CHECK_EQ(s.msg_len, sizeof payload);
    CHECK_MEM(s.msg, copy, sizeof payload);
    /* an empty zero-copy message is just a header */
    CHECK_EQ(wsx_ws_conn_send_ref(&s.c, WSX_WS_OP_BINARY, NULL, 0), WSX_OK);
    CHECK(!wsx_ws_conn_ref_pending(&s.c));
    CHECK_EQ(drain(&s, wire, sizeof wire), 2);
    end_free(&s);
    end_free(&k);
}

int main(void)
{
    RUN(test_struct_and_init);
    RUN(test_rfc_vectors);
    RUN(test_messages_both_ways);
    RUN(test_every_split);
    RUN(test_stream_send);
    RUN(test_pong_per_ping);
    RUN(test_pong_backpressure);
    RUN(test_pong_between_fragments);
    RUN(test_ping_payloads);
    RUN(test_close_from_client);
    RUN(test_close_from_server);
    RUN(test_close_without_code);
    RUN(test_close_timeout);
    RUN(test_whole_message_event);
    RUN(test_close_during_stream);
    RUN(test_eof);
    RUN(test_protocol_errors);
    RUN(test_fail_fast_utf8);
    RUN(test_app_fail);
    RUN(test_queue_full);
    RUN(test_send_room_matches);
    RUN(test_partial_consume);
    RUN(test_heartbeat);
    RUN(test_heartbeat_dead_peer);
    RUN(test_heartbeat_variants);
    RUN(test_heartbeat_restarts);
    RUN(test_message_timeout_trickle);
    RUN(test_message_timeout_steady);
    RUN(test_message_timeout_default);
    RUN(test_zero_copy);
    return harness_done();
}
