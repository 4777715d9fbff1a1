/*
 * permessage-deflate (RFC 7692) in the WebSocket connection: a server and a
 * client with compression wired back to back.  Whole, streamed and
 * fragmented messages both ways for every window size 8..15 and both
 * context takeover modes, input split at every offset; zlib as the oracle
 * both ways (what wsx sends inflates with zlib; what zlib compresses is
 * received); bad frames (RSV1 misplaced, garbage, bad UTF-8 after
 * inflating, a message that does not end at a block boundary, a bomb);
 * uncompressed messages on a compressed connection; backpressure and the
 * send_room promise; the callback adapter; setup arguments.
 * TEST_LIBS: -lz
 */
#include <stdlib.h>
#include <zlib.h>

#include "harness.h"
#include "wsx_conn.h"

#define MSG_MAX (1u << 20)

static unsigned rnd_state = 1;
static unsigned rnd(void)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return rnd_state >> 8;
}

static void test_random(void *ctx, uint8_t *out, size_t n)
{
    (void)ctx;
    while (n--)
        *out++ = (uint8_t)rnd();
}

/* kind 0: words (compressible text), 1: random bytes, 2: runs */
static void gen(uint8_t *p, size_t n, int kind)
{
    static const char *words[] = {"the ", "quick ", "brown ", "fox ", "{\"token\":", "\"data\"}, "};
    size_t i = 0;
    while (i < n) {
        if (kind == 1) {
            p[i++] = (uint8_t)rnd();
        } else if (kind == 2) {
            uint8_t b = (uint8_t)('a' + rnd() % 26);
            size_t l = 1 + rnd() % 300;
            while (l-- && i < n)
                p[i++] = b;
        } else {
            const char *w = words[rnd() % 6];
            while (*w && i < n)
                p[i++] = (uint8_t)*w++;
        }
    }
}

/* ---- one end of a connection --------------------------------------------- */

typedef struct pend {
    wsx_ws_conn c;
    uint8_t *out;
    size_t cap;
    wsx_inflater in;
    uint8_t *in_mem;
    wsx_deflater de;
    uint8_t *de_mem;
    wsx_ws_conn_deflate z;
    uint8_t *scratch;
    /* received */
    uint8_t *msg;
    size_t msg_len;
    unsigned op, start_rsv;
    int ends, pings, data_events;
    int err;
} pend;

typedef struct setup {
    wsx_ws_deflate_params p;
    int in_bits; /* 0: the peer's window bits */
    int de_bits; /* 0: our window bits; -1: no deflater */
    size_t cap;  /* queue, 0: 1 MiB + 64 */
    size_t scratch;
    uint64_t max_message;
    size_t min_size;
    int level;
} setup;

static void pend_free(pend *e)
{
    free(e->out);
    free(e->in_mem);
    free(e->de_mem);
    free(e->scratch);
    free(e->msg);
    memset(e, 0, sizeof *e);
}

static void pend_init(pend *e, wsx_ws_role role, const setup *s)
{
    wsx_ws_conn_config cfg;
    wsx_ws_conn_deflate_config dc;
    wsx_deflater_config dcfg;
    int client = role == WSX_WS_CLIENT;
    int ours = client ? s->p.client_max_window_bits : s->p.server_max_window_bits;
    int peers = client ? s->p.server_max_window_bits : s->p.client_max_window_bits;
    int in_bits = s->in_bits ? s->in_bits : peers, de_bits = s->de_bits ? s->de_bits : ours;
    memset(e, 0, sizeof *e);
    wsx_ws_conn_config_default(&cfg);
    cfg.role = role;
    cfg.random = test_random;
    cfg.decoder.max_message_size = s->max_message;
    e->cap = s->cap ? s->cap : MSG_MAX + 64;
    e->out = (uint8_t *)malloc(e->cap);
    e->msg = (uint8_t *)malloc(MSG_MAX);
    e->scratch = (uint8_t *)malloc(s->scratch ? s->scratch : 1000);
    e->in_mem = (uint8_t *)malloc(WSX_INFLATE_MEM_SIZE(in_bits));
    CHECK_EQ(wsx_ws_conn_init(&e->c, &cfg, e->out, e->cap), WSX_OK);
    CHECK_EQ(wsx_inflater_init(&e->in, (unsigned)in_bits, e->in_mem, WSX_INFLATE_MEM_SIZE(in_bits)),
             WSX_OK);
    memset(&dc, 0, sizeof dc);
    dc.agreed = s->p;
    dc.inflater = &e->in;
    dc.scratch = e->scratch;
    dc.scratch_cap = s->scratch ? s->scratch : 1000;
    dc.min_size = s->min_size;
    if (de_bits > 0) {
        wsx_deflater_config_default(&dcfg);
        dcfg.window_bits = de_bits;
        dcfg.level = s->level;
        e->de_mem = (uint8_t *)malloc(WSX_DEFLATE_MEM_SIZE(de_bits));
        CHECK_EQ(wsx_deflater_init(&e->de, &dcfg, e->de_mem, WSX_DEFLATE_MEM_SIZE(de_bits)),
                 WSX_OK);
        dc.deflater = &e->de;
    }
    if (dc.deflater)
        CHECK_EQ(wsx_ws_conn_use_deflate(&e->c, &e->z, &dc), WSX_OK);
    else /* the inflate-only entry */
        CHECK_EQ(wsx_ws_conn_use_inflate(&e->c, &e->z, &dc), WSX_OK);
    CHECK_EQ(wsx_ws_conn_open(&e->c, 0), WSX_OK);
}

static void params(setup *s, int sbits, int cbits, int snct, int cnct)
{
    memset(s, 0, sizeof *s);
    s->p.server_max_window_bits = (uint8_t)sbits;
    s->p.client_max_window_bits = (uint8_t)cbits;
    s->p.server_no_context_takeover = (uint8_t)snct;
    s->p.client_no_context_takeover = (uint8_t)cnct;
}

/* The wire bytes of the last take_output. */
static uint8_t *wire;
static size_t wire_len, wire_cap;

/* Everything e has to send, into wire[0..wire_len), consumed. */
static void take_output(pend *e)
{
    wsx_ws_chunk v[WSX_WS_CONN_MAX_CHUNKS];
    size_t n, i, total = 0;
    wire_len = 0;
    while ((n = wsx_ws_conn_output_vec(&e->c, v)) > 0) {
        for (i = 0; i < n; i++) {
            if (wire_len + v[i].len > wire_cap) {
                wire_cap = (wire_len + v[i].len) * 2;
                wire = (uint8_t *)realloc(wire, wire_cap);
            }
            memcpy(wire + wire_len, v[i].data, v[i].len);
            wire_len += v[i].len;
            total += v[i].len;
        }
        CHECK_EQ(wsx_ws_conn_consume(&e->c, total), WSX_OK);
        total = 0;
    }
}

static void on_event(pend *e, const wsx_ws_event *ev)
{
    wsx_ws_event part = *ev;
    switch (ev->kind) {
    case WSX_WS_EV_MESSAGE: /* START, DATA, END at once (never compressed) */
        CHECK_EQ(ev->rsv, 0);
        part.kind = WSX_WS_EV_MESSAGE_START;
        on_event(e, &part);
        part.kind = WSX_WS_EV_DATA;
        if (ev->size)
            on_event(e, &part);
        part.kind = WSX_WS_EV_MESSAGE_END;
        on_event(e, &part);
        break;
    case WSX_WS_EV_MESSAGE_START:
        e->msg_len = 0;
        e->op = ev->opcode;
        e->start_rsv = ev->rsv;
        break;
    case WSX_WS_EV_DATA:
        CHECK(ev->size > 0);
        CHECK_EQ(ev->opcode, e->op);
        if (e->msg_len + ev->size <= MSG_MAX)
            memcpy(e->msg + e->msg_len, ev->data, ev->size);
        e->msg_len += ev->size;
        e->data_events++;
        break;
    case WSX_WS_EV_MESSAGE_END:
        CHECK_EQ(ev->opcode, e->op);
        e->ends++;
        break;
    case WSX_WS_EV_PING:
        e->pings++;
        break;
    default:
        break;
    }
}

/* Feeds bytes[0..n) to e with the recv loop of wsx_conn.h, in pieces of
 * `piece` bytes (0: whole).  Returns the last result. */
static int feed(pend *e, uint8_t *bytes, size_t n, size_t piece)
{
    size_t at = 0;
    int r = 0;
    do {
        size_t len = piece && n - at > piece ? piece : n - at, used;
        uint8_t *p = bytes + at;
        wsx_ws_event ev;
        at += len;
        while ((r = wsx_ws_conn_recv(&e->c, p, len, &used, &ev, 0)) > 0) {
            CHECK(used <= len);
            p += used;
            len -= used;
            on_event(e, &ev);
        }
        if (r < 0) {
            e->err = r;
            return r;
        }
        CHECK_EQ(used, len); /* 0: all of it taken */
    } while (at < n);
    return r;
}

/* from's output into to. */
static int pump(pend *from, pend *to, size_t piece)
{
    take_output(from);
    return feed(to, wire, wire_len, piece);
}

static int received(const pend *e, unsigned op, const uint8_t *msg, size_t len)
{
    return e->op == op && e->msg_len == len && (len == 0 || memcmp(e->msg, msg, len) == 0);
}

/* ---- zlib as the oracle ----------------------------------------------------- */

/* Payload and first byte of each frame in wire (masked payloads unmasked,
 * in place). */
typedef struct frame {
    uint8_t b0;
    uint8_t *payload;
    size_t len;
} frame;

static size_t parse_frames(uint8_t *w, size_t n, frame *out, size_t max)
{
    size_t at = 0, k = 0;
    while (at < n && k < max) {
        uint8_t b0 = w[at], b1 = w[at + 1];
        size_t len = b1 & 0x7f, h = 2, i;
        uint8_t *key = NULL;
        if (len == 126) {
            len = (size_t)w[at + 2] << 8 | w[at + 3];
            h = 4;
        } else if (len == 127) {
            len = 0;
            for (i = 0; i < 8; i++)
                len = len << 8 | w[at + 2 + i];
            h = 10;
        }
        if (b1 & 0x80) {
            key = w + at + h;
            h += 4;
        }
        for (i = 0; key && i < len; i++)
            w[at + h + i] ^= key[i & 3];
        out[k].b0 = b0;
        out[k].payload = w + at + h;
        out[k].len = len;
        k++;
        at += h + len;
    }
    return k;
}

/* zlib raw inflate of the concatenated payloads (+ tail) with stream z. */
static size_t zinflate(z_stream *zs, const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    zs->next_in = (Bytef *)in;
    zs->avail_in = (uInt)n;
    zs->next_out = out;
    zs->avail_out = (uInt)cap;
    CHECK(inflate(zs, Z_SYNC_FLUSH) != Z_STREAM_ERROR);
    CHECK_EQ(zs->avail_in, 0);
    return cap - zs->avail_out;
}

/* zlib raw deflate with a sync flush, tail stripped (RFC 7692 7.2.1). */
static size_t zdeflate_msg(z_stream *zs, const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    size_t len;
    zs->next_in = (Bytef *)in;
    zs->avail_in = (uInt)n;
    zs->next_out = out;
    zs->avail_out = (uInt)cap;
    CHECK_EQ(deflate(zs, Z_SYNC_FLUSH), Z_OK);
    len = cap - zs->avail_out;
    CHECK(len >= 4 && memcmp(out + len - 4, "\x00\x00\xff\xff", 4) == 0);
    return len - 4;
}

/* A frame with payload p[0..n) (masked when to a server) into buf. */
static size_t make_frame(uint8_t *buf, unsigned b0, const uint8_t *p, size_t n, int masked)
{
    size_t h = 0, i;
    static const uint8_t key[4] = {0x11, 0x22, 0x33, 0x44};
    buf[h++] = (uint8_t)b0;
    if (n < 126) {
        buf[h++] = (uint8_t)((masked ? 0x80 : 0) | n);
    } else if (n < 65536) {
        buf[h++] = (uint8_t)((masked ? 0x80 : 0) | 126);
        buf[h++] = (uint8_t)(n >> 8);
        buf[h++] = (uint8_t)n;
    } else {
        buf[h++] = (uint8_t)((masked ? 0x80 : 0) | 127);
        for (i = 0; i < 8; i++)
            buf[h++] = (uint8_t)((uint64_t)n >> (56 - 8 * i));
    }
    if (masked) {
        memcpy(buf + h, key, 4);
        h += 4;
    }
    for (i = 0; i < n; i++)
        buf[h + i] = (uint8_t)(p[i] ^ (masked ? key[i & 3] : 0));
    return h + n;
}

/* The close code e queued (its output's last frame), 0 if none. */
static unsigned queued_close_code(pend *e)
{
    frame f[64];
    size_t k;
    take_output(e);
    k = parse_frames(wire, wire_len, f, 64);
    if (k == 0 || (f[k - 1].b0 & 0x0f) != WSX_WS_OP_CLOSE || f[k - 1].len < 2)
        return 0;
    return (unsigned)f[k - 1].payload[0] << 8 | f[k - 1].payload[1];
}

/* ---- round trips -------------------------------------------------------------- */

static uint8_t *msgbuf;

/* Sends msg[0..n) from a to b whole (piece 0) or in pieces, checks it
 * arrives; returns the wire size. */
static size_t roundtrip(pend *a, pend *b, unsigned op, const uint8_t *msg, size_t n, size_t piece)
{
    int ends = b->ends;
    CHECK_EQ(wsx_ws_conn_send(&a->c, op, msg, n), WSX_OK);
    CHECK_EQ(pump(a, b, piece), 0);
    CHECK_EQ(b->ends, ends + 1);
    CHECK(received(b, op, msg, n));
    return wire_len;
}

/* Every window size, both takeover modes, both directions: whole messages
 * of several kinds; compressible ones really are compressed (RSV1, fewer
 * bytes), short ones are not. */
static void test_roundtrip_windows(void)
{
    int bits, nct, kind, i;
    for (bits = 8; bits <= 15; bits++) {
        for (nct = 0; nct < 4; nct++) {
            setup s;
            pend sv, cl;
            params(&s, bits, bits == 8 ? 15 : 23 - bits, nct & 1, nct >> 1);
            pend_init(&sv, WSX_WS_SERVER, &s);
            pend_init(&cl, WSX_WS_CLIENT, &s);
            for (i = 0; i < 6; i++) {
                size_t n = i == 0 ? 0 : i == 1 ? 10 : (size_t)(rnd() % 5000) + 100;
                kind = i % 3;
                gen(msgbuf, n, kind);
                roundtrip(&sv, &cl, WSX_WS_OP_BINARY, msgbuf, n, 0);
                if (n >= 32)
                    CHECK(wire[0] & WSX_WS_RSV1);
                else
                    CHECK(!(wire[0] & WSX_WS_RSV1));
                if (kind != 1 && n >= 100)
                    CHECK(wire_len < n / 2);
                roundtrip(&cl, &sv, kind == 1 ? WSX_WS_OP_BINARY : WSX_WS_OP_TEXT, msgbuf, n, 0);
                CHECK_EQ(!!(wire[0] & WSX_WS_RSV1), n >= 32);
            }
            /* context takeover: the same message again costs little */
            gen(msgbuf, 2000, 1);
            i = (int)roundtrip(&sv, &cl, WSX_WS_OP_BINARY, msgbuf, 2000, 0);
            if (bits >= 11 && !(nct & 1))
                CHECK(roundtrip(&sv, &cl, WSX_WS_OP_BINARY, msgbuf, 2000, 0) < 100);
            else
                CHECK(roundtrip(&sv, &cl, WSX_WS_OP_BINARY, msgbuf, 2000, 0) > 1000);
            (void)i;
            pend_free(&sv);
            pend_free(&cl);
        }
    }
}

/* A copy of wire parsed into frames (wire itself stays as sent). */
static uint8_t copy[1 << 21];
static size_t frames_of_wire(frame *f, size_t max)
{
    memcpy(copy, wire, wire_len);
    return parse_frames(copy, wire_len, f, max);
}

/* Streamed messages: each part a frame ending with a sync flush, so the
 * receiver has all of it on arrival; the end without the tail; pings
 * between parts; every window size, both takeover modes. */
static void test_streamed(void)
{
    int bits, nct, dir;
    for (bits = 8; bits <= 15; bits++) {
        for (nct = 0; nct < 2; nct++) {
            for (dir = 0; dir < 2; dir++) {
                setup s;
                pend sv, cl, *a, *b;
                size_t at = 0, part = 200 + (size_t)bits * 50, n = 3000, k, m;
                frame f[8];
                params(&s, bits, 23 - bits > 15 ? 15 : 23 - bits, nct, nct);
                pend_init(&sv, WSX_WS_SERVER, &s);
                pend_init(&cl, WSX_WS_CLIENT, &s);
                a = dir ? &sv : &cl;
                b = dir ? &cl : &sv;
                for (m = 0; m < 3; m++) {
                    gen(msgbuf, n, (int)m % 2 * 2); /* text: words or runs */
                    at = 0;
                    CHECK_EQ(wsx_ws_conn_stream_begin(&a->c, WSX_WS_OP_TEXT), WSX_OK);
                    while (at + part < n) {
                        CHECK_EQ(wsx_ws_conn_stream_part(&a->c, msgbuf + at, part), WSX_OK);
                        CHECK_EQ(wsx_ws_conn_stream_part(&a->c, NULL, 0), WSX_OK);
                        CHECK_EQ(wsx_ws_conn_ping(&a->c, "p", 1, 0), WSX_OK);
                        take_output(a);
                        k = frames_of_wire(f, 8);
                        CHECK_EQ(k, 2);
                        CHECK_EQ(!!(f[0].b0 & WSX_WS_RSV1), at == 0);
                        CHECK(!(f[0].b0 & WSX_WS_FIN));
                        CHECK(f[0].len >= 4 &&
                              memcmp(f[0].payload + f[0].len - 4, "\x00\x00\xff\xff", 4) == 0);
                        CHECK_EQ(feed(b, wire, wire_len, 0), 0);
                        at += part;
                        CHECK_EQ(b->msg_len, at); /* the part is all there */
                        CHECK_MEM(b->msg, msgbuf, at);
                    }
                    CHECK_EQ(wsx_ws_conn_stream_end(&a->c, msgbuf + at, n - at), WSX_OK);
                    take_output(a);
                    k = frames_of_wire(f, 8);
                    CHECK_EQ(k, 1);
                    CHECK(f[0].b0 & WSX_WS_FIN);
                    CHECK(f[0].len < 4 ||
                          memcmp(f[0].payload + f[0].len - 4, "\x00\x00\xff\xff", 4) != 0);
                    CHECK_EQ(feed(b, wire, wire_len, 0), 0);
                    CHECK(received(b, WSX_WS_OP_TEXT, msgbuf, n));
                    /* an end without bytes after parts */
                    CHECK_EQ(wsx_ws_conn_stream_begin(&a->c, WSX_WS_OP_BINARY), WSX_OK);
                    CHECK_EQ(wsx_ws_conn_stream_part(&a->c, msgbuf, 100), WSX_OK);
                    CHECK_EQ(wsx_ws_conn_stream_end(&a->c, NULL, 0), WSX_OK);
                    CHECK_EQ(pump(a, b, 0), 0);
                    CHECK(received(b, WSX_WS_OP_BINARY, msgbuf, 100));
                }
                CHECK_EQ(b->pings, 3 * (int)((n - 1) / part));
                pend_free(&sv);
                pend_free(&cl);
            }
        }
    }
}

/* The same messages (whole, streamed, fragmented around pings) fed in two
 * pieces split at every offset, and byte by byte, arrive the same. */
static void test_split_everywhere(void)
{
    setup s;
    pend sv, cl, rx;
    uint8_t *sent;
    size_t n, cut, total;
    int dir;
    for (dir = 0; dir < 2; dir++) {
        params(&s, 10, 12, 0, 0);
        s.scratch = 7; /* many DATA events, bytes given back to the decoder */
        pend_init(&sv, WSX_WS_SERVER, &s);
        pend_init(&cl, WSX_WS_CLIENT, &s);
        {
            pend *a = dir ? &sv : &cl;
            gen(msgbuf, 300, 0);
            CHECK_EQ(wsx_ws_conn_send(&a->c, WSX_WS_OP_TEXT, msgbuf, 300), WSX_OK);
            CHECK_EQ(wsx_ws_conn_stream_begin(&a->c, WSX_WS_OP_BINARY), WSX_OK);
            CHECK_EQ(wsx_ws_conn_stream_part(&a->c, msgbuf + 5, 120), WSX_OK);
            CHECK_EQ(wsx_ws_conn_ping(&a->c, "x", 1, 0), WSX_OK);
            CHECK_EQ(wsx_ws_conn_stream_part(&a->c, msgbuf + 40, 200), WSX_OK);
            CHECK_EQ(wsx_ws_conn_stream_end(&a->c, msgbuf, 50), WSX_OK);
            take_output(a);
        }
        n = wire_len;
        sent = (uint8_t *)malloc(n);
        memcpy(sent, wire, n);
        for (cut = 0; cut <= n; cut++) {
            uint8_t *w = (uint8_t *)malloc(n);
            memcpy(w, sent, n);
            pend_init(&rx, dir ? WSX_WS_CLIENT : WSX_WS_SERVER, &s);
            if (cut == n)
                CHECK_EQ(feed(&rx, w, n, 1), 0);
            else {
                CHECK_EQ(feed(&rx, w, cut, 0), 0);
                CHECK_EQ(feed(&rx, w + cut, n - cut, 0), 0);
            }
            CHECK_EQ(rx.ends, 2);
            CHECK_EQ(rx.pings, 1);
            total = 120 + 200 + 50;
            CHECK_EQ(rx.msg_len, total);
            CHECK_MEM(rx.msg, msgbuf + 5, 120);
            CHECK_MEM(rx.msg + 120, msgbuf + 40, 200);
            CHECK_MEM(rx.msg + 320, msgbuf, 50);
            pend_free(&rx);
            free(w);
        }
        free(sent);
        pend_free(&sv);
        pend_free(&cl);
    }
}

/* What wsx sends inflates with zlib (raw, the agreed window) to the
 * messages, with and without context takeover; a client's frames are
 * masked after compressing. */
static void test_zlib_inflates_what_wsx_sends(void)
{
    int bits, nct, dir;
    static uint8_t out[1 << 16];
    for (bits = 8; bits <= 15; bits++) {
        for (nct = 0; nct < 2; nct++) {
            for (dir = 0; dir < 2; dir++) {
                setup s;
                pend a;
                z_stream zs;
                int m;
                params(&s, bits, bits, nct, nct);
                pend_init(&a, dir ? WSX_WS_CLIENT : WSX_WS_SERVER, &s);
                memset(&zs, 0, sizeof zs);
                CHECK_EQ(inflateInit2(&zs, -15), Z_OK);
                for (m = 0; m < 5; m++) {
                    size_t n = 100 + (size_t)(rnd() % 20000), k, i, got = 0;
                    frame f[8];
                    gen(msgbuf, n, m % 3);
                    if (m == 4) { /* a stream of three parts */
                        CHECK_EQ(wsx_ws_conn_stream_begin(&a.c, WSX_WS_OP_BINARY), WSX_OK);
                        CHECK_EQ(wsx_ws_conn_stream_part(&a.c, msgbuf, n / 3), WSX_OK);
                        CHECK_EQ(wsx_ws_conn_stream_part(&a.c, msgbuf + n / 3, n / 3), WSX_OK);
                        CHECK_EQ(
                            wsx_ws_conn_stream_end(&a.c, msgbuf + 2 * (n / 3), n - 2 * (n / 3)),
                            WSX_OK);
                    } else {
                        CHECK_EQ(wsx_ws_conn_send(&a.c, WSX_WS_OP_BINARY, msgbuf, n), WSX_OK);
                    }
                    take_output(&a);
                    CHECK_EQ(!!(wire[1] & 0x80), dir); /* masked by a client only */
                    k = frames_of_wire(f, 8);
                    CHECK_EQ(k, m == 4 ? 3 : 1);
                    CHECK(f[0].b0 & WSX_WS_RSV1);
                    for (i = 0; i < k; i++) {
                        CHECK(i == 0 || !(f[i].b0 & WSX_WS_RSV1));
                        got += zinflate(&zs, f[i].payload, f[i].len, out + got, sizeof out - got);
                    }
                    got += zinflate(&zs, (const uint8_t *)WSX_DEFLATE_SYNC_TAIL, 4, out + got,
                                    sizeof out - got);
                    CHECK_EQ(got, n);
                    CHECK_MEM(out, msgbuf, n);
                    if (nct)
                        CHECK_EQ(inflateReset(&zs), Z_OK);
                }
                inflateEnd(&zs);
                pend_free(&a);
            }
        }
    }
}

/* Messages zlib compressed (raw, sync flush, tail stripped; windows 9..15,
 * levels 1-9, with and without context takeover) are received, in one
 * frame or fragmented, whole or in pieces. */
static void test_receives_what_zlib_sends(void)
{
    int bits, nct, dir, level;
    static uint8_t comp[1 << 16], fr[1 << 17];
    for (bits = 9; bits <= 15; bits++) {
        for (nct = 0; nct < 2; nct++) {
            for (dir = 0; dir < 2; dir++) {
                setup s;
                pend rx;
                z_stream zs;
                int m;
                level = 1 + (bits + nct) % 9;
                params(&s, bits, bits, nct, nct);
                pend_init(&rx, dir ? WSX_WS_CLIENT : WSX_WS_SERVER, &s);
                memset(&zs, 0, sizeof zs);
                CHECK_EQ(deflateInit2(&zs, level, Z_DEFLATED, -bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
                for (m = 0; m < 5; m++) {
                    size_t n = 50 + (size_t)(rnd() % 20000), c, len;
                    gen(msgbuf, n, m % 3);
                    c = zdeflate_msg(&zs, msgbuf, n, comp, sizeof comp);
                    if (m == 3 && c > 10) { /* fragmented: RSV1 on the first frame only */
                        len = make_frame(fr, 0x40 | WSX_WS_OP_TEXT, comp, c / 2, !dir);
                        len += make_frame(fr + len, 0x89, (const uint8_t *)"hi", 2, !dir);
                        len += make_frame(fr + len, 0x80, comp + c / 2, c - c / 2, !dir);
                        CHECK_EQ(feed(&rx, fr, len, 13), 0);
                        CHECK(received(&rx, WSX_WS_OP_TEXT, msgbuf, n));
                        CHECK_EQ(rx.pings, 1);
                    } else {
                        len = make_frame(fr, 0xc0 | WSX_WS_OP_BINARY, comp, c, !dir);
                        CHECK_EQ(feed(&rx, fr, len, m == 1 ? 1 : 0), 0);
                        CHECK(received(&rx, WSX_WS_OP_BINARY, msgbuf, n));
                        CHECK(rx.start_rsv & WSX_WS_RSV1);
                    }
                    if (nct)
                        CHECK_EQ(deflateReset(&zs), Z_OK);
                }
                CHECK_EQ(rx.ends, 5);
                deflateEnd(&zs);
                pend_free(&rx);
            }
        }
    }
}

/* ---- bad frames ----------------------------------------------------------------- */

/* A server with compression gets frames[0..n); returns recv's error and
 * checks the close code queued. */
static int server_gets(const uint8_t *frames, size_t n, const setup *s, unsigned close_code)
{
    pend sv;
    uint8_t *w = (uint8_t *)malloc(n ? n : 1);
    int r;
    memcpy(w, frames, n);
    pend_init(&sv, WSX_WS_SERVER, s);
    r = feed(&sv, w, n, 0);
    CHECK(r < 0);
    CHECK_EQ(wsx_ws_conn_error(&sv.c), r);
    CHECK_EQ(queued_close_code(&sv), close_code);
    CHECK_EQ(wsx_ws_conn_state(&sv.c), WSX_WS_CLOSED);
    free(w);
    pend_free(&sv);
    return r;
}

static void test_bad_frames(void)
{
    setup s;
    static uint8_t fr[1 << 16], comp[1 << 16];
    size_t len, c;
    z_stream zs;
    pend plain;
    wsx_ws_conn_config cfg;
    params(&s, 15, 15, 0, 0);
    memset(&zs, 0, sizeof zs);
    CHECK_EQ(deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    c = zdeflate_msg(&zs, (const uint8_t *)"hello hello hello", 17, comp, sizeof comp);

    /* RSV1 on a continuation frame */
    len = make_frame(fr, 0x40 | WSX_WS_OP_TEXT, comp, 3, 1);
    len += make_frame(fr + len, 0x40 | 0x80, comp + 3, c - 3, 1);
    CHECK_EQ(server_gets(fr, len, &s, 1002), WSX_E_WS_RSV1_CONTINUATION);
    /* ... also an empty one (no DATA event would show it) */
    len = make_frame(fr, 0x40 | WSX_WS_OP_TEXT, comp, c, 1);
    len += make_frame(fr + len, 0x40, comp, 0, 1);
    CHECK_EQ(server_gets(fr, len, &s, 1002), WSX_E_WS_RSV1_CONTINUATION);
    /* RSV1 on a ping, inside a message and outside */
    len = make_frame(fr, 0x40 | 0x89, (const uint8_t *)"p", 1, 1);
    CHECK_EQ(server_gets(fr, len, &s, 1002), WSX_E_WS_RSV1_CONTROL);
    len = make_frame(fr, 0x40 | WSX_WS_OP_BINARY, comp, 3, 1);
    len += make_frame(fr + len, 0x40 | 0x88, (const uint8_t *)"\x03\xe8", 2, 1);
    CHECK_EQ(server_gets(fr, len, &s, 1002), WSX_E_WS_RSV1_CONTROL);
    /* RSV2 stays a reserved bit */
    len = make_frame(fr, 0x20 | 0x80 | WSX_WS_OP_BINARY, comp, c, 1);
    CHECK_EQ(server_gets(fr, len, &s, 1002), WSX_E_WS_RSV);
    /* RSV1 without the extension */
    wsx_ws_conn_config_default(&cfg);
    plain.out = (uint8_t *)malloc(1000);
    CHECK_EQ(wsx_ws_conn_init(&plain.c, &cfg, plain.out, 1000), WSX_OK);
    CHECK_EQ(wsx_ws_conn_open(&plain.c, 0), WSX_OK);
    len = make_frame(fr, 0xc0 | WSX_WS_OP_BINARY, comp, c, 1);
    plain.msg = NULL;
    CHECK_EQ(feed(&plain, fr, len, 0), WSX_E_WS_RSV);
    free(plain.out);
    /* garbage compressed data: block type 3 */
    len = make_frame(fr, 0xc0 | WSX_WS_OP_BINARY, (const uint8_t *)"\xff\xff\xff", 3, 1);
    CHECK_EQ(server_gets(fr, len, &s, 1007), WSX_E_INFLATE_BLOCK_TYPE);
    /* a stored block cut short: not at a block boundary after the tail */
    len = make_frame(fr, 0xc0 | WSX_WS_OP_BINARY,
                     (const uint8_t *)"\x00\x0a\x00\xf5\xff"
                                      "ab",
                     7, 1);
    CHECK_EQ(server_gets(fr, len, &s, 1007), WSX_E_WS_COMPRESSED_END);
    /* invalid UTF-8 once inflated: the valid prefix, then 1007 */
    {
        pend sv;
        const uint8_t bad[] = "valid text \xc3\x28 more";
        CHECK_EQ(deflateReset(&zs), Z_OK);
        c = zdeflate_msg(&zs, bad, sizeof bad - 1, comp, sizeof comp);
        len = make_frame(fr, 0xc0 | WSX_WS_OP_TEXT, comp, c, 1);
        pend_init(&sv, WSX_WS_SERVER, &s);
        CHECK_EQ(feed(&sv, fr, len, 0), WSX_E_WS_UTF8);
        CHECK_EQ(sv.msg_len, 12); /* up to the byte that cannot follow */
        CHECK_MEM(sv.msg, "valid text \xc3", 12);
        CHECK_EQ(queued_close_code(&sv), 1007);
        pend_free(&sv);
        /* a text message that stops inside a code point */
        CHECK_EQ(deflateReset(&zs), Z_OK);
        c = zdeflate_msg(&zs, (const uint8_t *)"abc\xe2\x82", 5, comp, sizeof comp);
        len = make_frame(fr, 0xc0 | WSX_WS_OP_TEXT, comp, c, 1);
        CHECK_EQ(server_gets(fr, len, &s, 1007), WSX_E_WS_UTF8);
        /* the same bytes as binary are fine */
        len = make_frame(fr, 0xc0 | WSX_WS_OP_BINARY, comp, c, 1);
        memset(fr + len, 0, 0);
        pend_init(&sv, WSX_WS_SERVER, &s);
        CHECK_EQ(feed(&sv, fr, len, 0), 0);
        CHECK(received(&sv, WSX_WS_OP_BINARY, (const uint8_t *)"abc\xe2\x82", 5));
        pend_free(&sv);
    }
    deflateEnd(&zs);
}

/* A bomb: a few KB that inflate to 4 MiB (and ~100 KB to 100 MB), against
 * a 1 MiB limit: the DATA events stop at exactly the limit, then 1009, and
 * the input read is only what those bytes took. */
static void test_bomb(void)
{
    static const size_t sizes[] = {(size_t)4 << 20, (size_t)100 << 20};
    size_t i;
    for (i = 0; i < 2; i++) {
        size_t n = sizes[i], c, len, cap = n / 500 + 1024;
        uint8_t *zeros = (uint8_t *)calloc(n, 1), *comp = (uint8_t *)malloc(cap),
                *fr = (uint8_t *)malloc(cap + 16);
        z_stream zs;
        setup s;
        pend sv;
        size_t at = 0, used;
        wsx_ws_event ev;
        int r;
        memset(&zs, 0, sizeof zs);
        CHECK_EQ(deflateInit2(&zs, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY), Z_OK);
        c = zdeflate_msg(&zs, zeros, n, comp, cap);
        deflateEnd(&zs);
        CHECK(c < n / 900);
        len = make_frame(fr, 0xc0 | WSX_WS_OP_BINARY, comp, c, 1);
        params(&s, 15, 15, 0, 0);
        s.max_message = 1 << 20;
        s.scratch = 4096;
        pend_init(&sv, WSX_WS_SERVER, &s);
        while ((r = wsx_ws_conn_recv(&sv.c, fr + at, len - at, &used, &ev, 0)) > 0) {
            at += used;
            on_event(&sv, &ev);
        }
        CHECK_EQ(r, WSX_E_WS_MESSAGE_TOO_BIG);
        CHECK_EQ(sv.msg_len, 1 << 20);
        /* stopped near the limit: the input those bytes took, not more */
        CHECK(at < len / (n >> 20) + len / 20 + 64);
        CHECK_EQ(queued_close_code(&sv), 1009);
        pend_free(&sv);
        free(zeros);
        free(comp);
        free(fr);
    }
}

/* ---- uncompressed messages, the threshold, the opt-out ---------------------- */

static void test_uncompressed_messages(void)
{
    setup s;
    pend sv, cl, ro;
    frame f[4];
    params(&s, 12, 12, 0, 0);
    s.min_size = 100;
    pend_init(&sv, WSX_WS_SERVER, &s);
    pend_init(&cl, WSX_WS_CLIENT, &s);
    gen(msgbuf, 500, 0);
    /* below the threshold */
    roundtrip(&cl, &sv, WSX_WS_OP_TEXT, msgbuf, 99, 0);
    CHECK(!(wire[0] & WSX_WS_RSV1));
    CHECK_EQ(wire_len, 4 + 2 + 99);
    CHECK(!(sv.start_rsv & WSX_WS_RSV1));
    roundtrip(&cl, &sv, WSX_WS_OP_TEXT, msgbuf, 100, 0);
    CHECK(wire[0] & WSX_WS_RSV1);
    /* the opt-out, whole and streamed */
    CHECK_EQ(wsx_ws_conn_send(&sv.c, WSX_WS_OP_TEXT | WSX_WS_NO_COMPRESS, msgbuf, 500), WSX_OK);
    CHECK_EQ(pump(&sv, &cl, 0), 0);
    CHECK(!(wire[0] & WSX_WS_RSV1));
    CHECK_EQ(wire_len, 4 + 500);
    CHECK(received(&cl, WSX_WS_OP_TEXT, msgbuf, 500));
    CHECK_EQ(wsx_ws_conn_stream_begin(&sv.c, WSX_WS_OP_BINARY | WSX_WS_NO_COMPRESS), WSX_OK);
    CHECK_EQ(wsx_ws_conn_stream_part(&sv.c, msgbuf, 200), WSX_OK);
    CHECK_EQ(wsx_ws_conn_stream_end(&sv.c, msgbuf + 200, 300), WSX_OK);
    CHECK_EQ(pump(&sv, &cl, 0), 0);
    CHECK_EQ(frames_of_wire(f, 4), 2);
    CHECK(!(f[0].b0 & WSX_WS_RSV1) && f[0].len == 200 && f[1].len == 300);
    CHECK(received(&cl, WSX_WS_OP_BINARY, msgbuf, 500));
    /* and the compressed ones after them still use the shared window */
    roundtrip(&sv, &cl, WSX_WS_OP_TEXT, msgbuf, 500, 0);
    CHECK(wire[0] & WSX_WS_RSV1);
    /* a bad opcode with the flag */
    CHECK_EQ(wsx_ws_conn_send(&sv.c, WSX_WS_OP_PING | WSX_WS_NO_COMPRESS, msgbuf, 1), WSX_E_ARG);
    /* send_ref: zero copy, uncompressed */
    memcpy(copy, msgbuf, 500);
    CHECK_EQ(wsx_ws_conn_send_ref(&sv.c, WSX_WS_OP_BINARY, copy, 500), WSX_OK);
    CHECK_EQ(pump(&sv, &cl, 0), 0);
    CHECK(!(wire[0] & WSX_WS_RSV1));
    CHECK(received(&cl, WSX_WS_OP_BINARY, msgbuf, 500));
    /* an end that receives compressed messages and never compresses */
    pend_free(&cl);
    pend_init(&cl, WSX_WS_CLIENT, &s);
    s.de_bits = -1;
    pend_init(&ro, WSX_WS_SERVER, &s);
    CHECK_EQ(wsx_ws_conn_send(&ro.c, WSX_WS_OP_TEXT, msgbuf, 500), WSX_OK);
    CHECK_EQ(pump(&ro, &cl, 0), 0);
    CHECK(!(wire[0] & WSX_WS_RSV1));
    CHECK(received(&cl, WSX_WS_OP_TEXT, msgbuf, 500));
    roundtrip(&cl, &ro, WSX_WS_OP_TEXT, msgbuf, 500, 0);
    CHECK(wire[0] & WSX_WS_RSV1);
    CHECK_EQ(wsx_ws_conn_send_room(&ro.c), ro.cap - 10); /* no bound without a deflater */
    pend_free(&ro);
    pend_free(&sv);
    pend_free(&cl);
}

/* A compressed frame's header uses the minimal length encoding of the
 * compressed length, not of the room reserved for the bound. */
static void test_minimal_length_encoding(void)
{
    setup s;
    pend sv, cl;
    params(&s, 15, 15, 0, 0);
    pend_init(&sv, WSX_WS_SERVER, &s);
    pend_init(&cl, WSX_WS_CLIENT, &s);
    memset(msgbuf, 'a', 70000);
    roundtrip(&sv, &cl, WSX_WS_OP_BINARY, msgbuf, 70000, 0); /* bound needs 64 bits */
    CHECK((wire[1] & 0x7f) < 126);
    CHECK_EQ(wire_len, 2 + (wire[1] & 0x7f));
    roundtrip(&cl, &sv, WSX_WS_OP_BINARY, msgbuf, 120, 0); /* bound 167 > 125 */
    CHECK((wire[1] & 0x7f) < 126);
    CHECK_EQ(wire_len, 6 + (wire[1] & 0x7f));
    pend_free(&sv);
    pend_free(&cl);
}

/* ---- backpressure -------------------------------------------------------------- */

/* A small queue: random (incompressible) data streamed in send_room
 * slices is never refused; a refused frame does not move the deflater (the
 * stream still inflates right after the retry); a whole message of
 * send_room bytes fits; one too big for the queue's bound goes plain. */
static void test_backpressure(void)
{
    setup s;
    pend sv, cl;
    size_t left, at = 0, n, room;
    int r;
    params(&s, 9, 9, 0, 0);
    s.cap = 600;
    pend_init(&sv, WSX_WS_SERVER, &s);
    pend_init(&cl, WSX_WS_CLIENT, &s);
    gen(msgbuf, 20000, 1);
    left = 20000;
    CHECK_EQ(wsx_ws_conn_stream_begin(&sv.c, WSX_WS_OP_BINARY), WSX_OK);
    while (left) {
        n = wsx_ws_conn_send_room(&sv.c);
        CHECK(n < 600);
        if (n > left)
            n = left;
        if (n + 1 <= left && n > 0) { /* one byte more than the room may be refused */
            r = wsx_ws_conn_stream_part(&sv.c, msgbuf + at, n + 40);
            CHECK(r == WSX_OK || r == WSX_E_CONN_QUEUE_FULL || r == WSX_E_BUFFER);
            if (r == WSX_OK) {
                at += n + 40;
                left -= n + 40;
                CHECK_EQ(pump(&sv, &cl, 0), 0);
                continue;
            }
        }
        CHECK_EQ(wsx_ws_conn_stream_part(&sv.c, msgbuf + at, n), WSX_OK);
        at += n;
        left -= n;
        if (rnd() % 3 == 0) /* a ping waits in its slot and counts */
            CHECK_EQ(wsx_ws_conn_ping(&sv.c, "ping", 4, 0), WSX_OK);
        if (wsx_ws_conn_send_room(&sv.c) < 100)
            CHECK_EQ(pump(&sv, &cl, 0), 0);
    }
    while (wsx_ws_conn_stream_end(&sv.c, NULL, 0) == WSX_E_CONN_QUEUE_FULL)
        CHECK_EQ(pump(&sv, &cl, 0), 0);
    CHECK_EQ(pump(&sv, &cl, 0), 0);
    CHECK(received(&cl, WSX_WS_OP_BINARY, msgbuf, 20000));
    /* whole messages of send_room bytes */
    room = wsx_ws_conn_send_room(&sv.c);
    CHECK(room > 400 && room < 600 - 32);
    gen(msgbuf, room, 1);
    CHECK_EQ(wsx_ws_conn_send(&sv.c, WSX_WS_OP_BINARY, msgbuf, room), WSX_OK);
    CHECK(wire[0] & WSX_WS_RSV1 || 1);
    CHECK_EQ(pump(&sv, &cl, 0), 0);
    CHECK(received(&cl, WSX_WS_OP_BINARY, msgbuf, room));
    CHECK(wire[0] & WSX_WS_RSV1);
    /* too big for the bound within the queue: sent as it is */
    CHECK_EQ(wsx_ws_conn_send(&sv.c, WSX_WS_OP_BINARY, msgbuf, 590), WSX_OK);
    CHECK_EQ(pump(&sv, &cl, 0), 0);
    CHECK(!(wire[0] & WSX_WS_RSV1));
    CHECK(received(&cl, WSX_WS_OP_BINARY, msgbuf, 590));
    /* a stream part whose bound exceeds the queue */
    CHECK_EQ(wsx_ws_conn_stream_begin(&sv.c, WSX_WS_OP_BINARY), WSX_OK);
    CHECK_EQ(wsx_ws_conn_stream_part(&sv.c, msgbuf, 10), WSX_OK);
    CHECK_EQ(wsx_ws_conn_stream_part(&sv.c, msgbuf, 590), WSX_E_BUFFER);
    CHECK_EQ(wsx_ws_conn_stream_end(&sv.c, msgbuf, 10), WSX_OK);
    CHECK_EQ(pump(&sv, &cl, 0), 0);
    CHECK_EQ(cl.msg_len, 20);
    /* queue full: nothing queued, the deflater untouched */
    gen(msgbuf, 400, 0);
    CHECK_EQ(wsx_ws_conn_send(&sv.c, WSX_WS_OP_TEXT | WSX_WS_NO_COMPRESS, msgbuf, 400), WSX_OK);
    CHECK_EQ(wsx_ws_conn_send(&sv.c, WSX_WS_OP_TEXT, msgbuf, 300), WSX_E_CONN_QUEUE_FULL);
    CHECK_EQ(pump(&sv, &cl, 0), 0);
    roundtrip(&sv, &cl, WSX_WS_OP_TEXT, msgbuf, 300, 0);
    pend_free(&sv);
    pend_free(&cl);
}

/* ---- the callback adapter ------------------------------------------------------ */

typedef struct feed_log {
    uint8_t msg[8192];
    size_t len;
    int messages, data;
} feed_log;

static int on_message(void *user, unsigned opcode, const uint8_t *data, size_t len)
{
    feed_log *l = (feed_log *)user;
    (void)opcode;
    memcpy(l->msg, data, len);
    l->len = len;
    l->messages++;
    return 0;
}

static int on_data(void *user, int kind, unsigned opcode, const uint8_t *data, size_t len)
{
    feed_log *l = (feed_log *)user;
    (void)opcode;
    if (kind == WSX_WS_EV_DATA) {
        memcpy(l->msg + l->len, data, len);
        l->len += len;
        l->data++;
    } else if (kind == WSX_WS_EV_MESSAGE_START) {
        l->len = 0;
    } else {
        l->messages++;
    }
    return 0;
}

static void test_feed_adapter(void)
{
    setup s;
    pend sv, cl;
    wsx_ws_callbacks cb;
    wsx_ws_feed f;
    static feed_log log;
    static uint8_t assembly[6000];
    size_t used;
    int mode;
    for (mode = 0; mode < 2; mode++) {
        params(&s, 15, 15, 0, 0);
        s.scratch = 64;
        pend_init(&sv, WSX_WS_SERVER, &s);
        pend_init(&cl, WSX_WS_CLIENT, &s);
        memset(&cb, 0, sizeof cb);
        memset(&log, 0, sizeof log);
        cb.on_message = on_message;
        cb.on_data = on_data;
        CHECK_EQ(wsx_ws_feed_init(&f, &cb, &log, mode ? NULL : assembly, sizeof assembly), WSX_OK);
        gen(msgbuf, 5000, 0);
        CHECK_EQ(wsx_ws_conn_send(&cl.c, WSX_WS_OP_TEXT, msgbuf, 5000), WSX_OK);
        take_output(&cl);
        CHECK(wire_len < 2500);
        CHECK_EQ(wsx_ws_conn_feed(&sv.c, &f, wire, wire_len, 0, &used), WSX_OK);
        CHECK_EQ(used, wire_len);
        CHECK_EQ(log.messages, 1);
        CHECK_EQ(log.len, 5000);
        CHECK_MEM(log.msg, msgbuf, 5000);
        if (mode)
            CHECK(log.data >= 5000 / 64);
        /* over the assembly buffer: 1009 */
        if (!mode) {
            gen(msgbuf, 7000, 0);
            CHECK_EQ(wsx_ws_conn_send(&cl.c, WSX_WS_OP_TEXT, msgbuf, 7000), WSX_OK);
            take_output(&cl);
            CHECK_EQ(wsx_ws_conn_feed(&sv.c, &f, wire, wire_len, 0, &used),
                     WSX_E_WS_MESSAGE_TOO_BIG);
            CHECK_EQ(queued_close_code(&sv), 1009);
        }
        pend_free(&sv);
        pend_free(&cl);
    }
}

/* ---- setup ------------------------------------------------------------------------ */

static void test_setup_arguments(void)
{
    wsx_ws_conn c;
    wsx_ws_conn_config cfg;
    wsx_ws_conn_deflate z;
    wsx_ws_conn_deflate_config dc;
    wsx_inflater in, in8;
    wsx_deflater de;
    static uint8_t out[1000], scratch[16], in_mem[WSX_INFLATE_MEM_SIZE(12)],
        in8_mem[WSX_INFLATE_MEM_SIZE(8)], de_mem[WSX_DEFLATE_MEM_SIZE(12)];
    wsx_deflater_config dcfg;
    wsx_ws_conn_config_default(&cfg);
    CHECK_EQ(wsx_ws_conn_init(&c, &cfg, out, sizeof out), WSX_OK);
    CHECK_EQ(wsx_inflater_init(&in, 12, in_mem, sizeof in_mem), WSX_OK);
    CHECK_EQ(wsx_inflater_init(&in8, 8, in8_mem, sizeof in8_mem), WSX_OK);
    wsx_deflater_config_default(&dcfg);
    dcfg.window_bits = 12;
    CHECK_EQ(wsx_deflater_init(&de, &dcfg, de_mem, sizeof de_mem), WSX_OK);
    memset(&dc, 0, sizeof dc);
    dc.agreed.server_max_window_bits = 12;
    dc.agreed.client_max_window_bits = 12;
    dc.inflater = &in;
    dc.scratch = scratch;
    dc.scratch_cap = sizeof scratch;
    dc.deflater = &de;
    CHECK_EQ(wsx_ws_conn_use_deflate(NULL, &z, &dc), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_use_deflate(&c, NULL, &dc), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_use_deflate(&c, &z, NULL), WSX_E_ARG);
    dc.scratch_cap = 0;
    CHECK_EQ(wsx_ws_conn_use_deflate(&c, &z, &dc), WSX_E_ARG);
    dc.scratch_cap = sizeof scratch;
    dc.inflater = NULL;
    CHECK_EQ(wsx_ws_conn_use_deflate(&c, &z, &dc), WSX_E_ARG);
    dc.inflater = &in8; /* smaller than the client's window */
    CHECK_EQ(wsx_ws_conn_use_deflate(&c, &z, &dc), WSX_E_ARG);
    dc.inflater = &in;
    dc.agreed.server_max_window_bits = 11; /* our deflater's 12 is too big */
    CHECK_EQ(wsx_ws_conn_use_deflate(&c, &z, &dc), WSX_E_ARG);
    dc.agreed.server_max_window_bits = 16;
    CHECK_EQ(wsx_ws_conn_use_deflate(&c, &z, &dc), WSX_E_ARG);
    dc.agreed.server_max_window_bits = 12;
    dc.agreed.client_max_window_bits = 7;
    CHECK_EQ(wsx_ws_conn_use_deflate(&c, &z, &dc), WSX_E_ARG);
    dc.agreed.client_max_window_bits = 12;
    dc.agreed.client_no_context_takeover = 2;
    CHECK_EQ(wsx_ws_conn_use_deflate(&c, &z, &dc), WSX_E_ARG);
    dc.agreed.client_no_context_takeover = 1;
    CHECK_EQ(wsx_ws_conn_use_inflate(&c, &z, &dc), WSX_E_ARG); /* has a deflater */
    CHECK_EQ(wsx_ws_conn_use_inflate(&c, &z, NULL), WSX_E_ARG);
    CHECK(c._deflate == NULL); /* nothing changed so far */
    CHECK_EQ(wsx_ws_conn_use_deflate(&c, &z, &dc), WSX_OK);
    dc.deflater = NULL; /* inflate only; the inflater may be bigger */
    dc.agreed.client_max_window_bits = 9;
    CHECK_EQ(wsx_ws_conn_use_deflate(&c, &z, &dc), WSX_OK);
    CHECK_EQ(wsx_ws_conn_open(&c, 0), WSX_OK);
    CHECK_EQ(wsx_ws_conn_use_deflate(&c, &z, &dc), WSX_E_STATE);
    /* the other role's windows */
    cfg.role = WSX_WS_CLIENT;
    cfg.random = test_random;
    CHECK_EQ(wsx_ws_conn_init(&c, &cfg, out, sizeof out), WSX_OK);
    dc.deflater = &de;
    dc.agreed.server_max_window_bits = 12;
    dc.agreed.client_max_window_bits = 11; /* our deflater's 12 is too big */
    CHECK_EQ(wsx_ws_conn_use_deflate(&c, &z, &dc), WSX_E_ARG);
    dc.agreed.client_max_window_bits = 12;
    CHECK_EQ(wsx_ws_conn_use_deflate(&c, &z, &dc), WSX_OK);
    /* WSX_WS_NO_COMPRESS on a connection without compression: accepted */
    cfg.role = WSX_WS_SERVER;
    CHECK_EQ(wsx_ws_conn_init(&c, &cfg, out, sizeof out), WSX_OK);
    CHECK_EQ(wsx_ws_conn_open(&c, 0), WSX_OK);
    CHECK_EQ(wsx_ws_conn_send(&c, WSX_WS_OP_TEXT | WSX_WS_NO_COMPRESS, "hi", 2), WSX_OK);
    CHECK_EQ(wsx_ws_conn_stream_begin(&c, WSX_WS_OP_BINARY | WSX_WS_NO_COMPRESS), WSX_OK);
    CHECK_EQ(wsx_ws_conn_stream_part(&c, "ab", 2), WSX_OK);
    CHECK_EQ(wsx_ws_conn_stream_end(&c, "c", 1), WSX_OK);
    {
        size_t n;
        const uint8_t *o = wsx_ws_conn_output(&c, &n);
        CHECK_EQ(n, 4 + 4 + 3);
        CHECK_MEM(o,
                  "\x81\x02"
                  "hi"
                  "\x02\x02"
                  "ab"
                  "\x80\x01"
                  "c",
                  11);
    }
    /* error names and codes */
    CHECK_EQ(wsx_err_close_code(WSX_E_WS_RSV1_CONTINUATION), 1002);
    CHECK_EQ(wsx_err_close_code(WSX_E_WS_RSV1_CONTROL), 1002);
    CHECK_EQ(wsx_err_close_code(WSX_E_WS_COMPRESSED_END), 1007);
}

/* max_message_size counts content: an uncompressed message over it fails
 * from its header, before any byte; a compressed one whose wire size is a
 * little over it (incompressible bytes) but whose content is not gets in.
 * And send_room is 0 once the room left cannot hold the bound of an empty
 * message. */
static void test_limits(void)
{
    setup s;
    pend sv, cl;
    int events;
    params(&s, 15, 15, 0, 0);
    s.max_message = 2000;
    s.cap = 3000;
    pend_init(&sv, WSX_WS_SERVER, &s);
    pend_init(&cl, WSX_WS_CLIENT, &s);
    gen(msgbuf, 2000, 1);
    CHECK_EQ(wsx_ws_conn_send(&cl.c, WSX_WS_OP_BINARY, msgbuf, 2000), WSX_OK);
    CHECK_EQ(pump(&cl, &sv, 0), 0);
    CHECK(wire[0] & WSX_WS_RSV1);
    CHECK(wire_len > 2000 + 8); /* more than the limit on the wire */
    CHECK(received(&sv, WSX_WS_OP_BINARY, msgbuf, 2000));
    events = sv.data_events;
    CHECK_EQ(wsx_ws_conn_send(&cl.c, WSX_WS_OP_BINARY | WSX_WS_NO_COMPRESS, msgbuf, 2001), WSX_OK);
    CHECK_EQ(pump(&cl, &sv, 0), WSX_E_WS_MESSAGE_TOO_BIG);
    CHECK_EQ(sv.data_events, events); /* no byte of it */
    CHECK_EQ(queued_close_code(&sv), 1009);
    /* send_room with little room left */
    CHECK_EQ(wsx_ws_conn_send(&cl.c, WSX_WS_OP_BINARY | WSX_WS_NO_COMPRESS, msgbuf, 2980), WSX_OK);
    CHECK(wsx_ws_conn_send_room(&cl.c) == 0);
    CHECK_EQ(wsx_ws_conn_send(&cl.c, WSX_WS_OP_BINARY, msgbuf, 0), WSX_OK); /* plain, 6 bytes */
    pend_free(&sv);
    pend_free(&cl);
}

/* A control frame inside a compressed message, cut by the slices the
 * decoder is given (max(scratch, 64) bytes at a time), in any split. */
static void test_control_across_slices(void)
{
    setup s;
    pend sv, cl, rx;
    uint8_t ping[125];
    size_t cut, n;
    uint8_t *sent;
    params(&s, 15, 15, 0, 0);
    s.scratch = 7;
    pend_init(&sv, WSX_WS_SERVER, &s);
    pend_init(&cl, WSX_WS_CLIENT, &s);
    gen(msgbuf, 3000, 0);
    memset(ping, 'p', sizeof ping);
    CHECK_EQ(wsx_ws_conn_stream_begin(&cl.c, WSX_WS_OP_TEXT), WSX_OK);
    CHECK_EQ(wsx_ws_conn_stream_part(&cl.c, msgbuf, 1000), WSX_OK);
    CHECK_EQ(wsx_ws_conn_ping(&cl.c, ping, sizeof ping, 0), WSX_OK);
    CHECK_EQ(wsx_ws_conn_stream_part(&cl.c, msgbuf + 1000, 1000), WSX_OK);
    CHECK_EQ(wsx_ws_conn_ping(&cl.c, ping, 100, 0), WSX_OK);
    CHECK_EQ(wsx_ws_conn_stream_end(&cl.c, msgbuf + 2000, 1000), WSX_OK);
    take_output(&cl);
    n = wire_len;
    sent = (uint8_t *)malloc(n);
    memcpy(sent, wire, n);
    for (cut = 0; cut < n; cut += 17) {
        memcpy(wire, sent, n);
        pend_init(&rx, WSX_WS_SERVER, &s);
        CHECK_EQ(feed(&rx, wire, cut, 0), 0);
        CHECK_EQ(feed(&rx, wire + cut, n - cut, 0), 0);
        CHECK_EQ(rx.pings, 2);
        CHECK(received(&rx, WSX_WS_OP_TEXT, msgbuf, 3000));
        pend_free(&rx);
    }
    free(sent);
    pend_free(&sv);
    pend_free(&cl);
}

int main(void)
{
    msgbuf = (uint8_t *)malloc(MSG_MAX);
    RUN(test_setup_arguments);
    RUN(test_roundtrip_windows);
    RUN(test_streamed);
    RUN(test_split_everywhere);
    RUN(test_zlib_inflates_what_wsx_sends);
    RUN(test_receives_what_zlib_sends);
    RUN(test_bad_frames);
    RUN(test_bomb);
    RUN(test_uncompressed_messages);
    RUN(test_minimal_length_encoding);
    RUN(test_backpressure);
    RUN(test_feed_adapter);
    RUN(test_control_across_slices);
    RUN(test_limits);
    free(msgbuf);
    free(wire);
    return harness_done();
}
