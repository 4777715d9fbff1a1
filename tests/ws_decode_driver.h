/*
 * The WebSocket decoder test driver, shared by tests/test_ws_decode.c and
 * tests/test_ws_roundtrip.c (include after harness.h and wsx.h).
 *
 * run_stream() decodes a stream three ways: whole, byte by byte, and split
 * in two at every offset (large streams: the offsets near either end and a
 * stride in between), each chunk copied into guarded memory (the byte
 * after it is a PROT_NONE page).  Each way must give exactly the expected
 * normalized event log:
 *   start:text:5|data:Hello|end:text|ping:x|pong:|close:1000:bye|need
 * adjacent DATA events merged, "+rNN" after an event with RSV bits, and
 * the last item "need" (the stream ended waiting for more) or
 * "error:WSX_E_...".  Data bytes other than printable ASCII, '|' and '\'
 * are written \xHH.  On every call it also checks the API contract:
 * kind == return value, consumed within the input, need-more consumes all,
 * DATA inside the bytes consumed and never empty, MESSAGE (logged as the
 * START, DATA, END it stands for) ending the bytes consumed, control payloads inside
 * the decoder, errors sticky with nothing consumed, and no byte of the
 * input changed except delivered DATA.
 */
#ifndef WSX_TEST_WS_DECODE_DRIVER_H
#define WSX_TEST_WS_DECODE_DRIVER_H

#include <stdlib.h>

/* ---- building streams ----------------------------------------------------- */

typedef struct bytes {
    uint8_t *p;
    size_t n, cap;
} bytes;

static inline void put(bytes *o, const void *src, size_t n)
{
    if (o->n + n > o->cap) {
        o->cap = (o->n + n) * 2 + 64;
        o->p = (uint8_t *)realloc(o->p, o->cap);
    }
    if (n)
        memcpy(o->p + o->n, src, n);
    o->n += n;
}

static inline void put_byte(bytes *o, unsigned b)
{
    uint8_t c = (uint8_t)b;
    put(o, &c, 1);
}

static const uint8_t KEY[4] = {0x37, 0xfa, 0x21, 0x3d}; /* RFC 6455 5.7 */

/* A frame with the minimal length encoding; masked with KEY if masked. */
static inline void put_frame(bytes *o, int masked, unsigned b0, const void *payload, size_t n)
{
    size_t i, start;
    unsigned m = masked ? 0x80 : 0;
    put_byte(o, b0);
    if (n < 126) {
        put_byte(o, m | (unsigned)n);
    } else if (n <= 0xFFFF) {
        put_byte(o, m | 126);
        put_byte(o, (unsigned)(n >> 8));
        put_byte(o, (unsigned)n & 0xFF);
    } else {
        put_byte(o, m | 127);
        for (i = 0; i < 8; i++)
            put_byte(o, (unsigned)((uint64_t)n >> (56 - 8 * i)) & 0xFF);
    }
    if (masked)
        put(o, KEY, 4);
    start = o->n;
    put(o, payload, n);
    if (masked)
        for (i = 0; i < n; i++)
            o->p[start + i] ^= KEY[i & 3];
}

static inline void put_text(bytes *o, int masked, unsigned b0, const char *s)
{
    put_frame(o, masked, b0, s, strlen(s));
}

/* ---- the normalized event log --------------------------------------------- */

/* Events as text, joined with '|': start:text:5 data:Hello end:text
 * ping:x pong:x close:1000:reason, a "+rNN" suffix for RSV bits, then
 * "need" (stream ended in need-more) or "error:WSX_E_...".  Adjacent DATA
 * events are merged.  Data bytes other than printable ASCII, '|' and '\'
 * are written \xHH. */
typedef struct log_t {
    char *s;
    size_t n, cap;
    int last_was_data;
} log_t;

static inline void log_put(log_t *l, const char *s, size_t n)
{
    if (l->n + n + 1 > l->cap) {
        l->cap = (l->n + n + 1) * 2 + 64;
        l->s = (char *)realloc(l->s, l->cap);
    }
    memcpy(l->s + l->n, s, n);
    l->n += n;
    l->s[l->n] = 0;
}

static inline void log_str(log_t *l, const char *s) { log_put(l, s, strlen(s)); }

/* The name of err from the table itself, so the expected logs hold in a
 * library built with WSX_NO_ERROR_STRINGS too. */
static inline const char *driver_err_name(int err)
{
#define NAME_(name, value, cc, hs, reason) \
    if (err == (value))                    \
        return "WSX_E_" #name;
    WSX_ERROR_TABLE(NAME_)
#undef NAME_
    return "WSX_E_UNKNOWN";
}

static inline void log_escaped(log_t *l, const uint8_t *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    char tmp[256];
    size_t i, t = 0;
    for (i = 0; i < n; i++) {
        if (t > sizeof tmp - 4) {
            log_put(l, tmp, t);
            t = 0;
        }
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '|' && p[i] != '\\') {
            tmp[t++] = (char)p[i];
        } else {
            tmp[t++] = '\\';
            tmp[t++] = 'x';
            tmp[t++] = hex[p[i] >> 4];
            tmp[t++] = hex[p[i] & 15];
        }
    }
    log_put(l, tmp, t);
}

static inline const char *op_name(unsigned op)
{
    return op == WSX_WS_OP_TEXT ? "text" : op == WSX_WS_OP_BINARY ? "bin" : "?";
}

static inline void log_event(log_t *l, int r, const wsx_ws_event *ev);

/* MESSAGE is logged as the START, DATA (unless empty) and END it stands
 * for, so every split of a stream gives the same log. */
static inline void log_message(log_t *l, const wsx_ws_event *ev)
{
    wsx_ws_event part = *ev;
    part.kind = WSX_WS_EV_MESSAGE_START;
    log_event(l, WSX_WS_EV_MESSAGE_START, &part);
    if (ev->size) {
        part.kind = WSX_WS_EV_DATA;
        log_event(l, WSX_WS_EV_DATA, &part);
    }
    part.kind = WSX_WS_EV_MESSAGE_END;
    log_event(l, WSX_WS_EV_MESSAGE_END, &part);
}

static inline void log_event(log_t *l, int r, const wsx_ws_event *ev)
{
    char tmp[64];
    if (r == WSX_WS_EV_MESSAGE) {
        log_message(l, ev);
        return;
    }
    if (r == WSX_WS_EV_DATA && l->last_was_data) {
        log_escaped(l, ev->data, ev->size);
        return;
    }
    if (l->n)
        log_str(l, "|");
    l->last_was_data = r == WSX_WS_EV_DATA;
    switch (r) {
    case WSX_WS_EV_MESSAGE_START:
        snprintf(tmp, sizeof tmp, "start:%s:%llu", op_name(ev->opcode),
                 (unsigned long long)ev->frame_length);
        log_str(l, tmp);
        break;
    case WSX_WS_EV_DATA:
        log_str(l, "data:");
        log_escaped(l, ev->data, ev->size);
        break;
    case WSX_WS_EV_MESSAGE_END:
        log_str(l, "end:");
        log_str(l, op_name(ev->opcode));
        break;
    case WSX_WS_EV_PING:
    case WSX_WS_EV_PONG:
        log_str(l, r == WSX_WS_EV_PING ? "ping:" : "pong:");
        log_escaped(l, ev->data, ev->size);
        break;
    case WSX_WS_EV_CLOSE:
        snprintf(tmp, sizeof tmp, "close:%u:", ev->close_code);
        log_str(l, tmp);
        log_escaped(l, ev->data, ev->size);
        break;
    default:
        snprintf(tmp, sizeof tmp, "bad-event-%d", r);
        log_str(l, tmp);
    }
    if (ev->rsv && r != WSX_WS_EV_DATA) {
        snprintf(tmp, sizeof tmp, "+r%02x", ev->rsv);
        log_str(l, tmp);
    }
}

/* ---- the driver ------------------------------------------------------------ */

typedef struct run_t {
    wsx_ws_decoder d;
    log_t log;
    int error;
    size_t messages; /* MESSAGE events seen */
} run_t;

/* Decodes one chunk (copied into guarded memory) until need-more or an
 * error, checking the API contract on every call. */
/* n bytes ending right before a PROT_NONE page, holding a copy of chunk.
 * One mapping is reused (and grown) so byte-by-byte runs stay fast. */
static inline uint8_t *guarded_chunk(const uint8_t *chunk, size_t n)
{
    static uint8_t *region;
    static size_t cap;
    uint8_t *g;
    if (n > cap) {
        if (region)
            guarded_free(region, cap);
        cap = n < 65536 ? 65536 : n;
        region = (uint8_t *)guarded_alloc(cap);
    }
    g = region + cap - n;
    if (n)
        memcpy(g, chunk, n);
    return g;
}

static inline void feed(run_t *run, const uint8_t *chunk, size_t n)
{
    uint8_t *g = guarded_chunk(chunk, n);
    uint8_t *delivered = (uint8_t *)calloc(n + 1, 1);
    size_t pos = 0, i, calls = 0;
    if (run->error)
        goto done;
    for (;;) {
        wsx_ws_event ev;
        size_t used = 12345;
        int r = wsx_ws_decode(&run->d, g + pos, n - pos, &used, &ev);
        CHECK_EQ(ev.kind, r < 0 ? WSX_WS_NEED_MORE : r); /* an error is no event */
        if (++calls > 4 * n + 16) {
            CHECK(!"too many calls without progress");
            break;
        }
        if (r < 0) {
            size_t used2 = 1;
            wsx_ws_event ev2;
            CHECK_EQ(used, 0);
            CHECK(ev.data == NULL && ev.size == 0 && ev.opcode == 0 && ev.close_code == 0);
            CHECK_EQ(wsx_ws_decoder_error(&run->d), r);
            /* sticky */
            CHECK_EQ(wsx_ws_decode(&run->d, g + pos, n - pos, &used2, &ev2), r);
            CHECK_EQ(used2, 0);
            run->error = r;
            if (run->log.n)
                log_str(&run->log, "|");
            log_str(&run->log, "error:");
            log_str(&run->log, driver_err_name(r));
            break;
        }
        CHECK(used <= n - pos);
        if (r == WSX_WS_NEED_MORE) {
            CHECK_EQ(used, n - pos);
            CHECK_EQ(wsx_ws_decoder_error(&run->d), 0);
            break;
        }
        if (r == WSX_WS_EV_DATA) {
            /* Into this call's bytes, within what it consumed. */
            CHECK(ev.size > 0);
            CHECK(ev.data >= g + pos && ev.data + ev.size <= g + pos + used);
            if (ev.data >= g + pos && ev.data + ev.size <= g + pos + used)
                memset(delivered + (ev.data - g), 1, ev.size);
        } else if (r == WSX_WS_EV_MESSAGE) {
            /* The whole payload, right before the end of what it consumed. */
            CHECK(ev.rsv == 0 && ev.frame_length == ev.size && used > ev.size);
            CHECK(ev.data + ev.size == g + pos + used);
            if (ev.data + ev.size == g + pos + used && ev.size)
                memset(delivered + (ev.data - g), 1, ev.size);
            run->messages++;
        } else if (r == WSX_WS_EV_PING || r == WSX_WS_EV_PONG || r == WSX_WS_EV_CLOSE) {
            CHECK(ev.size <= WSX_WS_MAX_CONTROL);
            CHECK(ev.data >= (uint8_t *)&run->d && ev.data + ev.size <= (uint8_t *)(&run->d + 1));
        }
        log_event(&run->log, r, &ev);
        pos += used;
    }
    /* buf is only written where DATA was delivered. */
    for (i = 0; i < n; i++)
        if (!delivered[i] && g[i] != chunk[i]) {
            CHECK(!"byte outside DATA modified");
            break;
        }
done:
    free(delivered);
}

static inline void run_begin(run_t *run, wsx_ws_role role, const wsx_ws_decoder_config *cfg)
{
    memset(run, 0, sizeof *run);
    wsx_ws_decoder_init(&run->d, role, cfg);
    log_str(&run->log, "");
}

static inline void run_end(run_t *run, const char *how, const char *expected)
{
    if (!run->error)
        log_str(&run->log, run->log.n ? "|need" : "need");
    if (strcmp(run->log.s, expected) != 0) {
        CHECK(!"event sequence differs");
        fprintf(stderr, "    %s:\n      expected %.300s\n      got      %.300s\n", how, expected,
                run->log.s);
    }
    free(run->log.s);
}

/* Large streams are split at the offsets near either end and at about 60
 * offsets in between (every offset would be quadratic). */
static inline int split_offset_wanted(size_t k, size_t n)
{
    return n <= 2048 || k < 64 || n - k < 64 || k % ((n / 61) | 1) == 0;
}

/* THE driver: decodes in[0..n) whole, byte by byte and in two chunks split
 * at every offset; each must give exactly `expected`. */
static inline void run_stream_cfg(wsx_ws_role role, const wsx_ws_decoder_config *cfg,
                                  const uint8_t *in, size_t n, const char *expected)
{
    run_t run;
    size_t k;
    char how[64];
    int before = harness_checks_failed;

    run_begin(&run, role, cfg);
    feed(&run, in, n);
    run_end(&run, "whole", expected);

    run_begin(&run, role, cfg);
    for (k = 0; k < n; k++)
        feed(&run, in + k, 1);
    feed(&run, in ? in + n : in, 0);
    run_end(&run, "byte by byte", expected);

    for (k = 0; k <= n && harness_checks_failed == before; k++) {
        if (!split_offset_wanted(k, n))
            continue;
        run_begin(&run, role, cfg);
        feed(&run, in, k);
        feed(&run, in + k, n - k);
        snprintf(how, sizeof how, "split at %zu", k);
        run_end(&run, how, expected);
    }
}

static inline void run_stream(wsx_ws_role role, const uint8_t *in, size_t n, const char *expected)
{
    run_stream_cfg(role, NULL, in, n, expected);
}

#define RUN_BYTES(role, expected, ...)               \
    do {                                             \
        static const uint8_t in_[] = {__VA_ARGS__};  \
        run_stream(role, in_, sizeof in_, expected); \
    } while (0)

/* run_stream_cfg over the bytes b holds, then empties b for the next
 * stream. */
static inline void run_bytes_cfg(wsx_ws_role role, const wsx_ws_decoder_config *cfg, bytes *b,
                                 const char *expected)
{
    run_stream_cfg(role, cfg, b->p, b->n, expected);
    free(b->p);
    memset(b, 0, sizeof *b);
}

static inline void run_bytes(wsx_ws_role role, bytes *b, const char *expected)
{
    run_bytes_cfg(role, NULL, b, expected);
}

#endif
