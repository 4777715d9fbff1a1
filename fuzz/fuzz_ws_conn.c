/*
 * libFuzzer target for the WebSocket connection layer: a server and a
 * client wired back to back, driven by a script of user actions and
 * transport events read from the input.
 *
 * Input: byte 0 = setup (bits 0-1 queue size 131/200/1000/70000 bytes;
 * bit 2 heartbeat on; bit 3 small receive limits; bit 4 message timeout
 * 500 ms instead of the default 60 s), then operations, each
 * an opcode byte, a side byte and a kind byte followed by its arguments
 * (missing bytes read as 0).  Opcode byte % 14:
 *   0 send whole   side, kind, len, then len bytes of payload
 *   1 stream begin side, kind     2 stream part side, len, bytes
 *   3 stream end   side, len, bytes
 *   4 ping         side, len, bytes       5 close side, code index, len
 *   6 write        side, n: n bytes of side's output go to the other side
 *   7 tick         side, dt (time moves forward by dt * 16 ms)
 *   8 raw          side, len, bytes fed to side as if from the peer
 *   9 send_ref     side, len (payload from a per-side buffer)
 *  10 eof          side                  11 fail side
 *  12 write all    side          13 send_room side: send that many bytes
 * Opcode bit 6 also checks the output pieces after the operation (which
 * moves waiting control frames into the queue, so it is not done always).
 *
 * Invariants (abort on failure):
 *   - no crash, no over-read (ASan), no undefined behaviour (UBSan);
 *   - queued output lies inside the caller's buffer, output_size matches
 *     the pieces, consume of more than is pending is refused;
 *   - the state never goes backwards;
 *   - everything a side writes is valid RFC 6455 for its role, checked
 *     by an independent decoder per direction: no protocol error ever,
 *     in particular nothing at all after a close frame;
 *   - every function returns one of its documented results;
 *   - after tick(now), the next deadline is later than now;
 *   - a binary message of wsx_ws_conn_send_room() bytes is accepted;
 *   - every pong a side writes answers a ping it received, in the order
 *     the pings came (pongs may be left out under backpressure, never
 *     reordered or made up);
 *   - wsx_ws_conn_wants agrees with should_close_transport, the pending
 *     output and next_deadline;
 *   - close_code is a valid code, 1005 or 1006 once CLOSED, 0 or one of
 *     those before.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wsx.h"

#include "fuzz_require.h"
#include "fuzz_script.h"

typedef struct side {
    wsx_ws_conn c;
    uint8_t *out;
    size_t cap;
    wsx_ws_decoder monitor; /* decodes what this side writes */
    int monitor_closed;
    int state;
    uint8_t ref[1024];
    /* the payloads of the pings received (byte 0: length), while fewer
     * than MAX_PINGS; pongs written must match them from pong_from on */
#define MAX_PINGS 256
    uint8_t pings[MAX_PINGS][1 + WSX_WS_MAX_CONTROL];
    unsigned ping_count, pong_from;
} side;

static void check_state(side *s)
{
    int st = (int)wsx_ws_conn_state(&s->c);
    REQUIRE(st >= s->state);
    REQUIRE(st >= WSX_WS_OPEN && st <= WSX_WS_CLOSED);
    s->state = st;
}

static void check_output(side *s)
{
    wsx_ws_chunk v[WSX_WS_CONN_MAX_CHUNKS];
    size_t n = wsx_ws_conn_output_vec(&s->c, v), i, total = 0;
    REQUIRE(n <= WSX_WS_CONN_MAX_CHUNKS);
    for (i = 0; i < n; i++) {
        REQUIRE(v[i].len > 0);
        total += v[i].len;
        if (v[i].data < s->ref || v[i].data >= s->ref + sizeof s->ref)
            REQUIRE(v[i].data >= s->out && v[i].data + v[i].len <= s->out + s->cap);
    }
    REQUIRE(total == wsx_ws_conn_output_size(&s->c));
    REQUIRE(wsx_ws_conn_consume(&s->c, total + 1) == WSX_E_ARG);
    REQUIRE(wsx_ws_conn_output_size(&s->c) == total);
    {
        uint64_t deadline;
        unsigned want = wsx_ws_conn_wants(&s->c, &deadline);
        if (wsx_ws_conn_should_close_transport(&s->c))
            REQUIRE(want == WSX_WANT_CLOSE && deadline == WSX_WS_NO_DEADLINE);
        else
            REQUIRE(want == (WSX_WANT_READ | (total ? WSX_WANT_WRITE : 0u)) &&
                    deadline == wsx_ws_conn_next_deadline(&s->c));
    }
}

static void ping_received(side *s, const wsx_ws_event *ev)
{
    if (s->ping_count < MAX_PINGS) {
        uint8_t *p = s->pings[s->ping_count++];
        p[0] = (uint8_t)ev->size;
        memcpy(p + 1, ev->data, ev->size);
    }
}

/* A pong s wrote: the answer to one of the pings s received after the one
 * its previous pong answered. */
static void pong_written(side *s, const wsx_ws_event *ev)
{
    unsigned i;
    if (s->ping_count == MAX_PINGS)
        return; /* no longer tracked */
    for (i = s->pong_from; i < s->ping_count; i++)
        if (s->pings[i][0] == ev->size && memcmp(s->pings[i] + 1, ev->data, ev->size) == 0)
            break;
    REQUIRE(i < s->ping_count);
    s->pong_from = i + 1;
}

/* What a side wrote must decode cleanly for the peer's role. */
static void monitor(side *s, uint8_t *bytes, size_t len)
{
    while (len || !s->monitor_closed) {
        size_t used = 0;
        wsx_ws_event ev;
        int r = wsx_ws_decode(&s->monitor, bytes, len, &used, &ev);
        REQUIRE(r >= 0); /* never an invalid frame, nothing after close */
        bytes += used;
        len -= used;
        if (r == 0)
            break;
        if (r == WSX_WS_EV_CLOSE)
            s->monitor_closed = 1;
        if (r == WSX_WS_EV_PONG)
            pong_written(s, &ev);
    }
}

static int recv_all(side *s, uint8_t *buf, size_t len, uint64_t now)
{
    for (;;) {
        size_t used = 0;
        wsx_ws_event ev;
        int r = wsx_ws_conn_recv(&s->c, buf, len, &used, &ev, now);
        REQUIRE(used <= len);
        buf += used;
        len -= used;
        if (r <= 0) {
            REQUIRE(r < 0 || len == 0);
            REQUIRE(r <= 0 && (r == 0 || used == 0));
            return r;
        }
        REQUIRE(r <= WSX_WS_EV_MESSAGE);
        if (r == WSX_WS_EV_PING)
            ping_received(s, &ev);
    }
}

/* Moves n bytes (at most what is pending) of a's output to b. */
static void write_out(side *a, side *b, size_t n, uint64_t now)
{
    static uint8_t buf[80000];
    size_t got = 0;
    while (got < n) {
        size_t len;
        const uint8_t *p = wsx_ws_conn_output(&a->c, &len);
        if (!len)
            break;
        if (len > n - got)
            len = n - got;
        if (len > sizeof buf - got)
            len = sizeof buf - got;
        if (!len)
            break;
        memcpy(buf + got, p, len);
        REQUIRE(wsx_ws_conn_consume(&a->c, len) == WSX_OK);
        got += len;
    }
    monitor(a, buf, got);
    recv_all(b, buf, got, now);
}

static int send_result_ok(int r)
{
    return r == WSX_OK || r == WSX_E_CONN_QUEUE_FULL || r == WSX_E_BUFFER ||
           r == WSX_E_CONN_CLOSED || r == WSX_E_STATE || r == WSX_E_WS_UTF8;
}

static const unsigned close_codes[8] = {0, 1000, 1001, 1005, 1011, 3000, 4999, 999};

static void op(side *sides, input *in, uint64_t *now)
{
    uint8_t code = next(in);
    side *s = &sides[next(in) & 1];
    side *peer = s == &sides[0] ? &sides[1] : &sides[0];
    unsigned kind = (next(in) & 1) ? WSX_WS_OP_BINARY : WSX_WS_OP_TEXT;
    size_t len;
    const uint8_t *data;
    int r;
    switch (code % 14) {
    case 0:
        len = (size_t)next(in) * 3;
        data = take(in, &len);
        r = wsx_ws_conn_send(&s->c, kind, data, len);
        REQUIRE(send_result_ok(r));
        break;
    case 1:
        r = wsx_ws_conn_stream_begin(&s->c, kind);
        REQUIRE(send_result_ok(r));
        break;
    case 2:
    case 3:
        len = next(in);
        data = take(in, &len);
        r = code % 14 == 2 ? wsx_ws_conn_stream_part(&s->c, data, len)
                           : wsx_ws_conn_stream_end(&s->c, data, len);
        REQUIRE(send_result_ok(r));
        break;
    case 4:
        len = next(in) % 130;
        data = take(in, &len);
        r = wsx_ws_conn_ping(&s->c, data, len, *now);
        REQUIRE(r == WSX_OK || r == WSX_E_CONN_CLOSED || r == WSX_E_ARG);
        break;
    case 5: {
        unsigned cc = close_codes[kind & 7];
        len = next(in) % 130;
        data = take(in, &len);
        r = wsx_ws_conn_close(&s->c, cc, data, cc ? len : 0, *now);
        REQUIRE(r == WSX_OK || r == WSX_E_CONN_CLOSED || r == WSX_E_WS_CLOSE_CODE ||
                r == WSX_E_WS_REASON_TOO_LONG || r == WSX_E_WS_CLOSE_REASON_UTF8);
        break;
    }
    case 6:
        write_out(s, peer, (size_t)next(in) * 5 + (kind == WSX_WS_OP_TEXT), *now);
        break;
    case 7:
        *now += (uint64_t)next(in) * 16;
        r = wsx_ws_conn_tick(&s->c, *now);
        REQUIRE(r == WSX_OK || r == WSX_E_CONN_TIMEOUT || r == WSX_E_CONN_MESSAGE_TIMEOUT);
        REQUIRE(wsx_ws_conn_next_deadline(&s->c) > *now);
        break;
    case 8: {
        uint8_t *copy;
        len = next(in);
        data = take(in, &len);
        copy = (uint8_t *)malloc(len ? len : 1);
        memcpy(copy, data, len);
        recv_all(s, copy, len, *now);
        free(copy);
        break;
    }
    case 9:
        if (wsx_ws_conn_ref_pending(&s->c))
            break; /* the buffer is still in use */
        len = (size_t)next(in) * 4;
        memset(s->ref, 'r', len);
        r = wsx_ws_conn_send_ref(&s->c, kind, s->ref, len);
        REQUIRE(send_result_ok(r) && r != WSX_E_BUFFER);
        break;
    case 10:
        wsx_ws_conn_eof(&s->c);
        REQUIRE(wsx_ws_conn_should_close_transport(&s->c));
        break;
    case 11:
        r = wsx_ws_conn_fail(&s->c, WSX_E_LIMIT, *now);
        REQUIRE(r == WSX_OK || r == WSX_E_CONN_CLOSED);
        break;
    case 12:
        write_out(s, peer, (size_t)-1, *now);
        break;
    default: {
        static uint8_t zeros[70000];
        len = wsx_ws_conn_send_room(&s->c);
        REQUIRE(len <= sizeof zeros);
        r = wsx_ws_conn_send(&s->c, WSX_WS_OP_BINARY, zeros, len);
        if (r == WSX_E_STATE) { /* a streamed message is open */
            r = wsx_ws_conn_stream_part(&s->c, zeros, len);
            /* a text stream may be inside a code point: NULs break it */
            if (r == WSX_E_WS_UTF8)
                r = WSX_OK;
        }
        REQUIRE(len == 0 || r == WSX_OK);
        break;
    }
    }
    {
        unsigned cc = wsx_ws_conn_close_code(&s->c);
        REQUIRE(cc != 0 || wsx_ws_conn_state(&s->c) != WSX_WS_CLOSED);
        REQUIRE(cc == 0 || cc == 1005 || cc == 1006 || wsx_ws_close_code_valid(cc));
    }
    check_state(s);
    check_state(peer);
    if (code & 0x40) {
        check_output(s);
        check_output(peer);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t caps[4] = {WSX_WS_CONN_MIN_QUEUE, 200, 1000, 70000};
    static side sides[2];
    wsx_ws_conn_config cfg;
    input in;
    uint8_t setup;
    unsigned seed = 1;
    uint64_t now = 1000;
    int i, ops = 0;

    in.p = data;
    in.n = size;
    setup = next(&in);
    for (i = 0; i < 2; i++) {
        side *s = &sides[i];
        wsx_ws_conn_config_default(&cfg);
        cfg.role = i ? WSX_WS_CLIENT : WSX_WS_SERVER;
        cfg.random = fuzz_random;
        cfg.random_ctx = &seed;
        if (setup & 4) {
            cfg.ping_interval_ms = 100;
            cfg.pong_timeout_ms = 300;
            cfg.close_timeout_ms = 1000;
        }
        if (setup & 16)
            cfg.message_timeout_ms = 500;
        if (setup & 8) {
            cfg.decoder.max_frame_size = 300;
            cfg.decoder.max_message_size = 1000;
        }
        memset(s, 0, sizeof *s);
        s->cap = caps[setup & 3];
        s->out = (uint8_t *)malloc(s->cap);
        REQUIRE(wsx_ws_conn_init(&s->c, &cfg, s->out, s->cap) == WSX_OK);
        REQUIRE(wsx_ws_conn_open(&s->c, now) == WSX_OK);
        s->state = WSX_WS_OPEN;
        /* the monitor decodes this side's output as its peer would */
        wsx_ws_decoder_init(&s->monitor, i ? WSX_WS_SERVER : WSX_WS_CLIENT, NULL);
    }
    while (in.n && ops++ < 2000)
        op(sides, &in, &now);
    for (i = 0; i < 2; i++)
        free(sides[i].out);
    return 0;
}
