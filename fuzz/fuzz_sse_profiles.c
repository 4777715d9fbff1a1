/*
 * libFuzzer target: the SSE parser's two profiles (sse_parse_fast.c and
 * sse_parse_small.c) give the same results.  The library's profile runs as
 * wsx_sse_*, the other one as wsx_other_sse_* (fuzz/sse_other_profile.c),
 * both on the same bytes in the same chunks, call by call.
 *
 * Input: byte 0 options, byte 1 chunking parameter, byte 2 a last event ID
 * to set first, the rest the stream.  Options: bit 0 comments on; bits 1-3
 * scratch size (1, 7, 16, 48, 132, 600, 4096 or 65536 bytes); bit 4 resync
 * after an error (else stop); bit 5 end the stream and reconnect (reset)
 * after the first chunk; bits 6-7 chunking: 0 fixed chunks of (param % 32)
 * + 1 bytes, 1 pseudo-random sizes 1..64 seeded by param, 2 byte by byte,
 * 3 sizes read from the stream itself (its byte at each chunk start, % 64
 * + 1).  Byte 2: bit 0 set, the last event ID is set to the first
 * (byte 2 >> 1) bytes of the stream (both profiles must then agree on the
 * result too).
 *
 * Oracle (aborts on the first difference): for every call the result, the
 * bytes consumed, and for each event its kind and its fields (type, data,
 * id; retry; comment text) as bytes; every error and where it leaves
 * *consumed; what resync, wsx_sse_end and set_last_event_id return; the
 * last event ID after each event and at the end.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wsx.h"
#include "fuzz_sse_common.h"

/* fuzz/sse_other_profile.c */
int wsx_other_sse_parser_init(wsx_sse_parser *p, void *scratch, size_t scratch_size,
                              const wsx_sse_parser_config *cfg);
int wsx_other_sse_parse(wsx_sse_parser *p, const void *buf, size_t len, size_t *consumed,
                        wsx_sse_event *ev);
int wsx_other_sse_resync(wsx_sse_parser *p);
int wsx_other_sse_end(wsx_sse_parser *p);
void wsx_other_sse_reset(wsx_sse_parser *p);
const char *wsx_other_sse_last_event_id(const wsx_sse_parser *p, size_t *len);
int wsx_other_sse_set_last_event_id(wsx_sse_parser *p, const char *id, size_t len);

#define SAME(cond)                                                               \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "profiles differ: %s (line %d)\n", #cond, __LINE__); \
            abort();                                                             \
        }                                                                        \
    } while (0)

static int same_bytes(const void *a, size_t an, const void *b, size_t bn)
{
    return an == bn && (an == 0 || memcmp(a, b, an) == 0);
}

typedef struct {
    wsx_sse_parser lib, other;
    uint8_t *scratch_lib, *scratch_other;
    int resync, stopped;
} pair;

static void same_last_id(const pair *s)
{
    size_t a, b;
    const char *x = wsx_sse_last_event_id(&s->lib, &a);
    const char *y = wsx_other_sse_last_event_id(&s->other, &b);
    SAME(same_bytes(x, a, y, b));
}

static void same_event(int r, const wsx_sse_event *a, const wsx_sse_event *b)
{
    switch (r) {
    case WSX_SSE_EV_EVENT:
        SAME(same_bytes(a->type, a->type_len, b->type, b->type_len));
        SAME(same_bytes(a->data, a->data_len, b->data, b->data_len));
        SAME(same_bytes(a->id, a->id_len, b->id, b->id_len));
        break;
    case WSX_SSE_EV_RETRY:
        SAME(a->retry == b->retry);
        break;
    case WSX_SSE_EV_COMMENT:
        SAME(same_bytes(a->data, a->data_len, b->data, b->data_len));
        break;
    default:
        break;
    }
}

/* One chunk through both, call by call. */
static void feed(pair *s, const uint8_t *src, size_t n)
{
    uint8_t *chunk = (uint8_t *)malloc(n ? n : 1);
    size_t off = 0;
    memcpy(chunk, src, n);
    while (!s->stopped) {
        size_t used_a = 11, used_b = 22;
        wsx_sse_event a, b;
        int ra = wsx_sse_parse(&s->lib, chunk + off, n - off, &used_a, &a);
        int rb = wsx_other_sse_parse(&s->other, chunk + off, n - off, &used_b, &b);
        SAME(ra == rb);
        SAME(used_a == used_b);
        off += used_a;
        if (ra == WSX_SSE_NEED_MORE)
            break;
        if (ra > 0) {
            same_event(ra, &a, &b);
            same_last_id(s);
        } else if (s->resync) {
            SAME(wsx_sse_resync(&s->lib) == wsx_other_sse_resync(&s->other));
        } else {
            s->stopped = 1;
        }
    }
    free(chunk); /* a pointer into it kept by either parser: ASan */
}

static void setup(pair *s, uint8_t opts)
{
    static const size_t sizes[8] = {1, 7, 16, 48, 132, 600, 4096, 65536};
    size_t size = sizes[(opts >> 1) & 7];
    wsx_sse_parser_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.flags = (opts & 1) ? WSX_SSE_WANT_COMMENTS : 0;
    s->scratch_lib = (uint8_t *)malloc(size);
    s->scratch_other = (uint8_t *)malloc(size);
    SAME(wsx_sse_parser_init(&s->lib, s->scratch_lib, size, &cfg) == WSX_OK);
    SAME(wsx_other_sse_parser_init(&s->other, s->scratch_other, size, &cfg) == WSX_OK);
    s->resync = (opts >> 4) & 1;
    s->stopped = 0;
}

static void end_stream(pair *s)
{
    SAME(wsx_sse_end(&s->lib) == wsx_other_sse_end(&s->other));
    same_last_id(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pair s;
    fz_sse_chunks plan;
    const uint8_t *in;
    size_t n, off = 0;
    unsigned chunks = 0;
    if (size < 3)
        return 0;
    fz_sse_chunks_init(&plan, data[0], data[1]);
    in = data + 3;
    n = size - 3;
    setup(&s, data[0]);
    if (data[2] & 1) {
        size_t len = (size_t)(data[2] >> 1) < n ? (size_t)(data[2] >> 1) : n;
        SAME(wsx_sse_set_last_event_id(&s.lib, (const char *)in, len) ==
             wsx_other_sse_set_last_event_id(&s.other, (const char *)in, len));
        same_last_id(&s);
    }
    while (off < n) {
        size_t k = fz_sse_next_chunk(&plan, in, off, n, 0);
        feed(&s, in + off, k);
        off += k;
        if (++chunks == 1 && (data[0] & 0x20)) {
            /* the connection drops: end, reconnect with the last event ID */
            end_stream(&s);
            wsx_sse_reset(&s.lib);
            wsx_other_sse_reset(&s.other);
            s.stopped = 0;
        }
    }
    if (!s.stopped)
        end_stream(&s);
    same_last_id(&s);
    free(s.scratch_lib);
    free(s.scratch_other);
    return 0;
}
