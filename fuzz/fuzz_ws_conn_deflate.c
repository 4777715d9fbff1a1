/*
 * libFuzzer target for permessage-deflate in the WebSocket connection: a
 * server and a client, both with compression negotiated, wired back to
 * back and driven by a script read from the input.
 *
 * Input: bytes 0-2 = setup: server and client max window bits (byte 0,
 * 3 bits each, 8..15), the inflater one bit larger when byte 2 bit 7 says
 * so; byte 1: bit 0 server_no_context_takeover, bit 1 the client's, bits
 * 2-3 scratch size 1/7/64/4096, bits 4-5 queue size 300/1000/5000/70000,
 * bit 6 a 2000-byte message limit, bit 7 min_size 1 (else the default);
 * byte 2: bit 0 server without deflater, bit 1 client without, bits 2-5
 * deflate level 1..9 (mod 9).  Then operations (missing bytes read as 0),
 * opcode byte % 9:
 *   0 send whole   side, kind, len, bytes   (kind bit 0 text, bit 1
 *                  WSX_WS_NO_COMPRESS, bit 2 repeat the bytes to len * 8)
 *   1 stream begin side, kind   2 stream part side, len, bytes
 *   3 stream end   side, len, bytes
 *   4 ping         side, len
 *   5 write        side, n, piece: n * 8 bytes of side's output go to the
 *                  peer in pieces of piece + 1 bytes
 *   6 raw          side, b0, len, bytes: a frame made of them is fed to
 *                  side as from its peer (RSV bits, garbage DEFLATE data)
 *   7 send_room    side: a binary message of that many bytes
 *   8 write all    side
 * Invariants (abort on failure):
 *   - no crash, no over-read, no undefined behaviour, no memory growth;
 *   - every message a side receives is the next message the peer sent,
 *     byte for byte (until raw bytes were injected into that direction or
 *     a side failed: then only the other checks);
 *   - a DATA event of a compressed message holds at most scratch_cap
 *     bytes; *consumed never exceeds what was given; a failure is one of
 *     the documented errors;
 *   - with a message limit, a failure for size comes only for a message
 *     that was over the limit, after at most the limit's bytes;
 *   - a message of wsx_ws_conn_send_room() bytes is accepted.
 * The script stops once the two sides have queued WORK_MAX payload bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wsx.h"

#include "fuzz_require.h"
#include "fuzz_script.h"

#define SENT_MAX (1u << 18)
#define MSGS_MAX 256
/* Payload bytes both sides may queue in one run: a few bytes of script can
 * ask for 70,000-byte messages read back through a 1-byte scratch, and the
 * fuzzer learns more from many short runs than from a few long ones. */
#define WORK_MAX (1u << 19)

typedef struct side {
    wsx_ws_conn c;
    uint8_t *out;
    size_t cap;
    wsx_inflater in;
    wsx_deflater de;
    wsx_ws_conn_deflate z;
    size_t scratch_cap;
    /* messages this side sent, in order: lengths (bytes in sent[]) */
    size_t sent_len, msg_len[MSGS_MAX], msg_count, stream_at;
    size_t queued; /* payload bytes queued in all, tracked or not */
    unsigned msg_op[MSGS_MAX];
    int streaming;
    /* receiving: which sent message of the peer comes next */
    size_t next_msg, next_at, got, limit;
    unsigned op, rsv;
    int tainted; /* raw bytes injected, or a failure: no comparison */
    int masked;  /* a server: frames it receives are masked */
    /* Buffers, last: side_init() zeroes everything above them for each
     * run.  (static memory: the same for every run, no allocation) */
    uint8_t out_mem[70000], scratch[4096], in_mem[WSX_INFLATE_MEM_SIZE(15)];
    uint8_t de_mem[WSX_DEFLATE_MEM_MIN(15)];
    uint8_t sent[SENT_MAX];
} side;

static unsigned seed;
static uint8_t payload[1 << 17];

/* Records a message (or part) a side queued. */
static void sent(side *s, unsigned op, const uint8_t *p, size_t n, int ends)
{
    s->queued += n;
    if (s->msg_count >= MSGS_MAX || s->sent_len + n > SENT_MAX) {
        s->tainted = 1; /* no longer tracked */
        return;
    }
    memcpy(s->sent + s->sent_len, p, n);
    s->sent_len += n;
    s->stream_at += n;
    if (ends) {
        s->msg_len[s->msg_count] = s->stream_at;
        s->msg_op[s->msg_count++] = op;
        s->stream_at = 0;
    }
}

/* The byte offset of peer message i in its sent bytes. */
static size_t msg_offset(const side *peer, size_t i)
{
    size_t at = 0, k;
    for (k = 0; k < i && k < peer->msg_count; k++)
        at += peer->msg_len[k];
    return at;
}

static void on_event(side *s, const side *peer, const wsx_ws_event *ev)
{
    if (ev->kind == WSX_WS_EV_MESSAGE) { /* START, DATA, END at once */
        wsx_ws_event part = *ev;
        REQUIRE(ev->rsv == 0);
        part.kind = WSX_WS_EV_MESSAGE_START;
        on_event(s, peer, &part);
        part.kind = WSX_WS_EV_DATA;
        if (ev->size)
            on_event(s, peer, &part);
        part.kind = WSX_WS_EV_MESSAGE_END;
        on_event(s, peer, &part);
        return;
    }
    if (ev->kind == WSX_WS_EV_MESSAGE_START) {
        s->op = ev->opcode;
        s->rsv = ev->rsv;
        s->got = 0;
        s->next_at = msg_offset(peer, s->next_msg);
        return;
    }
    if (ev->kind == WSX_WS_EV_DATA) {
        REQUIRE(ev->size > 0);
        if (s->rsv & WSX_WS_RSV1)
            REQUIRE(ev->size <= s->scratch_cap);
        if (!s->tainted && !peer->tainted) {
            REQUIRE(s->next_at + ev->size <= peer->sent_len);
            REQUIRE(memcmp(peer->sent + s->next_at, ev->data, ev->size) == 0);
        }
        s->next_at += ev->size;
        s->got += ev->size;
        return;
    }
    if (ev->kind == WSX_WS_EV_MESSAGE_END) {
        if (!s->tainted && !peer->tainted) {
            REQUIRE(s->next_msg < peer->msg_count);
            REQUIRE(s->got == peer->msg_len[s->next_msg]);
            REQUIRE(s->op == peer->msg_op[s->next_msg]);
        }
        s->next_msg++;
        s->got = 0;
        s->rsv = 0;
    }
}

static void recv_all(side *s, const side *peer, uint8_t *buf, size_t len)
{
    for (;;) {
        size_t used = 0;
        wsx_ws_event ev;
        int r = wsx_ws_conn_recv(&s->c, buf, len, &used, &ev, 0);
        REQUIRE(used <= len);
        buf += used;
        len -= used;
        if (r == 0)
            return;
        if (r < 0) {
            if (!s->tainted && !peer->tainted) {
                /* only a message over the limit can fail an honest stream,
                 * never after more than the limit's bytes */
                size_t expected =
                    s->next_msg < peer->msg_count ? peer->msg_len[s->next_msg] : (size_t)-1;
                REQUIRE(r == WSX_E_WS_MESSAGE_TOO_BIG);
                REQUIRE(expected > s->limit);
                REQUIRE(s->got <= s->limit);
            }
            s->tainted = 1;
            return;
        }
        on_event(s, peer, &ev);
    }
}

static void write_out(side *a, side *b, size_t n, size_t piece)
{
    static uint8_t buf[80000];
    size_t have = 0, at = 0;
    wsx_ws_chunk v[WSX_WS_CONN_MAX_CHUNKS];
    while (have < n && have < sizeof buf) {
        size_t k = wsx_ws_conn_output_vec(&a->c, v), m;
        if (k == 0)
            break;
        m = v[0].len;
        if (m > n - have)
            m = n - have;
        if (m > sizeof buf - have)
            m = sizeof buf - have;
        memcpy(buf + have, v[0].data, m);
        REQUIRE(wsx_ws_conn_consume(&a->c, m) == WSX_OK);
        have += m;
    }
    while (at < have) {
        size_t k = have - at < piece ? have - at : piece;
        recv_all(b, a, buf + at, k);
        at += k;
    }
}

static int side_init(side *s, wsx_ws_role role, const wsx_ws_deflate_params *p, const uint8_t *cfg)
{
    static const size_t scratch_caps[4] = {1, 7, 64, 4096};
    static const size_t caps[4] = {300, 1000, 5000, 70000};
    wsx_ws_conn_config cc;
    wsx_ws_conn_deflate_config dc;
    wsx_deflater_config dcfg;
    int client = role == WSX_WS_CLIENT;
    unsigned ours = client ? p->client_max_window_bits : p->server_max_window_bits;
    unsigned peers = client ? p->server_max_window_bits : p->client_max_window_bits;
    unsigned in_bits = peers + ((cfg[2] & 0x80) && peers < 15 ? 1u : 0u);
    memset(s, 0, offsetof(side, out_mem));
    s->masked = !client;
    wsx_ws_conn_config_default(&cc);
    cc.role = role;
    cc.random = fuzz_random;
    cc.random_ctx = &seed;
    s->limit = (cfg[1] & 0x40) ? 2000 : (1u << 20);
    cc.decoder.max_message_size = s->limit;
    s->cap = caps[(cfg[1] >> 4) & 3];
    s->out = s->out_mem;
    s->scratch_cap = scratch_caps[(cfg[1] >> 2) & 3];
    REQUIRE(wsx_ws_conn_init(&s->c, &cc, s->out, s->cap) == WSX_OK);
    REQUIRE(wsx_inflater_init(&s->in, in_bits, s->in_mem, WSX_INFLATE_MEM_SIZE(in_bits)) == WSX_OK);
    memset(&dc, 0, sizeof dc);
    dc.agreed = *p;
    dc.inflater = &s->in;
    dc.scratch = s->scratch;
    dc.scratch_cap = s->scratch_cap;
    dc.min_size = (cfg[1] & 0x80) ? 1 : 0;
    if (!(cfg[2] & (client ? 2 : 1))) {
        wsx_deflater_config_default(&dcfg);
        dcfg.window_bits = (int)ours;
        dcfg.level = 1 + ((cfg[2] >> 2) & 15) % 9;
        REQUIRE(wsx_deflater_init(&s->de, &dcfg, s->de_mem, WSX_DEFLATE_MEM_MIN(ours)) == WSX_OK);
        dc.deflater = &s->de;
    }
    if (dc.deflater)
        REQUIRE(wsx_ws_conn_use_deflate(&s->c, &s->z, &dc) == WSX_OK);
    else
        REQUIRE(wsx_ws_conn_use_inflate(&s->c, &s->z, &dc) == WSX_OK);
    REQUIRE(wsx_ws_conn_open(&s->c, 0) == WSX_OK);
    return 0;
}

/* The payload of a send: len bytes of input, or (repeat) those repeated. */
static const uint8_t *make_payload(input *in, size_t *len, int repeat)
{
    size_t n = *len, want = repeat ? n * 8 : n, i;
    const uint8_t *p = take(in, &n);
    if (!repeat || n == 0) {
        *len = n;
        return p;
    }
    for (i = 0; i < want; i++)
        payload[i] = p[i % n];
    *len = want;
    return payload;
}

static void send_whole(side *s, input *in)
{
    unsigned kind = next(in), op = (kind & 1) ? WSX_WS_OP_TEXT : WSX_WS_OP_BINARY;
    size_t len = next(in) * 8u + next(in);
    const uint8_t *p = make_payload(in, &len, kind & 4);
    int r = wsx_ws_conn_send(&s->c, op | ((kind & 2) ? WSX_WS_NO_COMPRESS : 0), p, len);
    REQUIRE(r == WSX_OK || r == WSX_E_CONN_QUEUE_FULL || r == WSX_E_BUFFER || r == WSX_E_WS_UTF8 ||
            r == WSX_E_STATE || r == WSX_E_CONN_CLOSED);
    if (r == WSX_OK)
        sent(s, op, p, len, 1);
}

static void stream_op(side *s, input *in, int what)
{
    int r;
    if (what == 1) {
        unsigned kind = next(in);
        r = wsx_ws_conn_stream_begin(&s->c, ((kind & 1) ? WSX_WS_OP_TEXT : WSX_WS_OP_BINARY) |
                                                ((kind & 2) ? WSX_WS_NO_COMPRESS : 0));
        if (r == WSX_OK) {
            s->streaming = (kind & 1) ? WSX_WS_OP_TEXT : WSX_WS_OP_BINARY;
            s->stream_at = 0;
        }
        return;
    } else {
        size_t len = next(in) * 4u;
        const uint8_t *p = make_payload(in, &len, len & 4);
        r = what == 2 ? wsx_ws_conn_stream_part(&s->c, p, len)
                      : wsx_ws_conn_stream_end(&s->c, p, len);
        REQUIRE(r == WSX_OK || r == WSX_E_CONN_QUEUE_FULL || r == WSX_E_BUFFER ||
                r == WSX_E_WS_UTF8 || r == WSX_E_STATE || r == WSX_E_CONN_CLOSED);
        if (r == WSX_OK) {
            sent(s, (unsigned)s->streaming, p, len, what == 3);
            if (what == 3)
                s->streaming = 0;
        }
    }
}

/* A frame made of fuzz bytes, fed to s as if from its peer. */
static void raw(side *s, side *peer, input *in)
{
    uint8_t frame[300], b0 = next(in);
    size_t len = next(in) % 200, h = 2, i;
    const uint8_t *p = take(in, &len);
    int masked = s->masked;
    frame[0] = b0;
    frame[1] = (uint8_t)((masked ? 0x80 : 0) | (len < 126 ? len : 126));
    if (len >= 126) {
        frame[h++] = 0;
        frame[h++] = (uint8_t)len;
    }
    if (masked)
        for (i = 0; i < 4; i++)
            frame[h++] = (uint8_t)(0x5a + i);
    for (i = 0; i < len; i++)
        frame[h + i] = (uint8_t)(p[i] ^ (masked ? 0x5a + (i & 3) : 0));
    s->tainted = 1;
    recv_all(s, peer, frame, h + len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    input in = {data, size};
    uint8_t cfg[3];
    wsx_ws_deflate_params p;
    static side sides[2];
    int ops = 0;
    seed = 1;
    cfg[0] = next(&in);
    cfg[1] = next(&in);
    cfg[2] = next(&in);
    p.server_max_window_bits = (uint8_t)(8 + (cfg[0] & 7));
    p.client_max_window_bits = (uint8_t)(8 + ((cfg[0] >> 3) & 7));
    p.server_no_context_takeover = cfg[1] & 1;
    p.client_no_context_takeover = (cfg[1] >> 1) & 1;
    side_init(&sides[0], WSX_WS_SERVER, &p, cfg);
    side_init(&sides[1], WSX_WS_CLIENT, &p, cfg);
    while (in.n && ops++ < 200 && sides[0].queued + sides[1].queued < WORK_MAX) {
        unsigned op = next(&in) % 9;
        side *s = &sides[next(&in) & 1], *peer = s == &sides[0] ? &sides[1] : &sides[0];
        switch (op) {
        case 0:
            send_whole(s, &in);
            break;
        case 1:
        case 2:
        case 3:
            stream_op(s, &in, (int)op);
            break;
        case 4: {
            size_t len = next(&in) % 126;
            const uint8_t *ping = take(&in, &len);
            (void)wsx_ws_conn_ping(&s->c, ping, len, 0);
            break;
        }
        case 5: {
            size_t n = next(&in) * 8u, piece = next(&in) + 1u;
            write_out(s, peer, n, piece);
            break;
        }
        case 6:
            raw(peer, s, &in);
            break;
        case 7: {
            size_t room = wsx_ws_conn_send_room(&s->c);
            if (room && !s->streaming && room < sizeof payload) {
                memset(payload, 'x', room);
                REQUIRE(wsx_ws_conn_send(&s->c, WSX_WS_OP_BINARY, payload, room) == WSX_OK);
                sent(s, WSX_WS_OP_BINARY, payload, room, 1);
            }
            break;
        }
        default:
            write_out(s, peer, (size_t)-1 / 2, 1u + next(&in) * 64u);
            break;
        }
    }
    write_out(&sides[0], &sides[1], (size_t)-1 / 2, 4096);
    write_out(&sides[1], &sides[0], (size_t)-1 / 2, 4096);
    return 0;
}
