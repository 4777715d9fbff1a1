/*
 * libFuzzer target for the SSE parser.
 *
 * Input: byte 0 = options, byte 1 = chunking parameter, the rest = the
 * stream.  Options: bit 0 comments on; bits 1-2 scratch size (64 KiB, or
 * small: 48, 132 or 1032 bytes, so the limits and the resync path are
 * hit); bit 3 resync on overflow (else stop); bits 6-7
 * chunking: 0 fixed chunks of (param % 32) + 1 bytes, 1 pseudo-random sizes
 * 1..64 seeded by param, 2 byte by byte, 3 two chunks split at
 * param * len / 256.
 *
 * Oracle (aborts on failure): parsed whole and chunked, each chunk in its
 * own exactly-sized heap block (ASan catches over-reads; the block is freed
 * after its last call, so a pointer kept across calls is caught too), the
 * two logs (events, retries, comments, errors, end-of-stream result) must
 * be identical.  Also: need-more consumes everything, errors are sticky
 * and consume nothing on the next call, event fields respect the limits.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wsx.h"
#include "fuzz_sse_common.h"

#include "fuzz_require.h"

typedef struct {
    uint64_t hash;
    uint64_t count;
} sse_log;

static void log_bytes(sse_log *l, const void *p, size_t n)
{
    const uint8_t *b = (const uint8_t *)p;
    size_t i;
    for (i = 0; i < n; i++)
        l->hash = (l->hash ^ b[i]) * 0x100000001B3u;
    l->hash = (l->hash ^ n) * 0x100000001B3u;
}

static void log_int(sse_log *l, long long v)
{
    log_bytes(l, &v, sizeof v);
    l->count++;
}

typedef struct {
    wsx_sse_parser p;
    uint8_t *scratch;
    size_t scratch_size;
    int resync, stopped;
    sse_log log;
} run_state;

static void setup(run_state *s, uint8_t opts)
{
    static const size_t sizes[4] = {65536, 48, 132, 1032};
    wsx_sse_parser_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.flags = (opts & 1) ? WSX_SSE_WANT_COMMENTS : 0;
    s->scratch_size = sizes[(opts >> 1) & 3];
    s->scratch = (uint8_t *)malloc(s->scratch_size);
    REQUIRE(wsx_sse_parser_init(&s->p, s->scratch, s->scratch_size, &cfg) == WSX_OK);
    s->resync = (opts >> 3) & 1;
    s->stopped = 0;
    memset(&s->log, 0, sizeof s->log);
}

static void feed(run_state *s, const uint8_t *src, size_t n)
{
    uint8_t *chunk = (uint8_t *)malloc(n ? n : 1);
    size_t off = 0;
    memcpy(chunk, src, n);
    while (!s->stopped) {
        size_t used = 12345;
        wsx_sse_event ev;
        int r = wsx_sse_parse(&s->p, chunk + off, n - off, &used, &ev);
        REQUIRE(used <= n - off);
        off += used;
        if (r == 0) {
            REQUIRE(off == n);
            break;
        }
        log_int(&s->log, r);
        if (r == WSX_SSE_EV_EVENT) {
            /* what the scratch holds at once */
            REQUIRE((ev.type_len == 7 && !memcmp(ev.type, "message", 7)) ||
                    ev.type_len + ev.id_len + ev.data_len <= s->scratch_size);
            REQUIRE(ev.id_len + ev.data_len <= s->scratch_size);
            REQUIRE(ev.type_len > 0);
            log_bytes(&s->log, ev.type, ev.type_len);
            log_bytes(&s->log, ev.data, ev.data_len);
            log_bytes(&s->log, ev.id, ev.id_len);
        } else if (r == WSX_SSE_EV_RETRY) {
            log_int(&s->log, ev.retry);
        } else if (r == WSX_SSE_EV_COMMENT) {
            REQUIRE(ev.data_len <= s->scratch_size);
            log_bytes(&s->log, ev.data, ev.data_len);
        } else {
            size_t used2 = 99;
            REQUIRE(r == WSX_E_SSE_LINE_TOO_LONG);
            REQUIRE(wsx_sse_parse(&s->p, chunk + off, n - off, &used2, &ev) == r);
            REQUIRE(used2 == 0);
            if (s->resync) {
                REQUIRE(wsx_sse_resync(&s->p) == WSX_OK);
            } else {
                s->stopped = 1;
            }
        }
    }
    free(chunk);
}

static void finish(run_state *s)
{
    size_t id_len;
    const char *id;
    if (!s->stopped)
        log_int(&s->log, wsx_sse_end(&s->p));
    id = wsx_sse_last_event_id(&s->p, &id_len);
    log_bytes(&s->log, id, id_len);
    free(s->scratch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run_state whole, chunked;
    fz_sse_chunks plan;
    const uint8_t *in;
    size_t n, off = 0;
    if (size < 2)
        return 0;
    fz_sse_chunks_init(&plan, data[0], data[1]);
    in = data + 2;
    n = size - 2;

    setup(&whole, data[0]);
    feed(&whole, in, n);
    finish(&whole);

    setup(&chunked, data[0]);
    while (off < n) {
        size_t k = fz_sse_next_chunk(&plan, in, off, n, 1);
        feed(&chunked, in + off, k);
        off += k;
    }
    finish(&chunked);

    REQUIRE(whole.log.count == chunked.log.count);
    REQUIRE(whole.log.hash == chunked.log.hash);
    return 0;
}
