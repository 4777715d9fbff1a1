/*
 * SSE writer: exact bytes for the basic shapes, refusals, size query and
 * WSX_E_BUFFER, chunk framing, and writer -> parser round trips of random
 * events (any data bytes, chunked at random) with a fixed-seed PRNG.
 */
#include "harness.h"
#include "wsx_sse.h"

#include <stdlib.h>

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint32_t rnd(void)
{
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 2685821657736338717u) >> 32);
}

/* *out_len of the last writer call a test made */
static size_t wlen;

static int write_eq(const wsx_sse_msg *m, const char *want)
{
    uint8_t out[512];
    size_t n = strlen(want), need = 99, got = 99, short_need = 99;
    int rq = wsx_sse_write(m, NULL, 0, &need), rw = wsx_sse_write(m, out, sizeof out, &got);
    if (rq || rw || need != n || got != n || memcmp(out, want, n) != 0) {
        fprintf(stderr, "  got [%.*s] (%d %lu, need %d %lu) want [%s]\n", (int)got, out, rw,
                (unsigned long)got, rq, (unsigned long)need, want);
        return 0;
    }
    /* one byte short: WSX_E_BUFFER and the size needed */
    return wsx_sse_write(m, out, n - 1, &short_need) == WSX_E_BUFFER && short_need == n;
}

static void test_shapes(void)
{
    wsx_sse_msg m;
    wsx_sse_msg_init(&m);
    m.data = "hello";
    m.data_len = 5;
    CHECK(write_eq(&m, "data: hello\n\n"));
    m.data = " lead";
    m.data_len = 5;
    CHECK(write_eq(&m, "data:  lead\n\n"));
    m.data = "a\nb\r\nc\rd";
    m.data_len = 8;
    CHECK(write_eq(&m, "data: a\ndata: b\ndata: c\ndata: d\n\n"));
    m.data = "a\n";
    m.data_len = 2;
    CHECK(write_eq(&m, "data: a\ndata: \n\n"));
    m.data = "";
    m.data_len = 0;
    CHECK(write_eq(&m, "data: \n\n"));
    m.data = "\r\n\r";
    m.data_len = 3;
    CHECK(write_eq(&m, "data: \ndata: \ndata: \n\n"));
    m.type = "update";
    m.type_len = 6;
    m.id = "42";
    m.id_len = 2;
    m.retry_ms = 2500;
    m.comment = "hi\nthere";
    m.comment_len = 8;
    m.data = "x";
    m.data_len = 1;
    CHECK(write_eq(&m, ": hi\n: there\nevent: update\nid: 42\nretry: 2500\ndata: x\n\n"));
    /* id only: sets the client's last event ID, dispatches nothing */
    wsx_sse_msg_init(&m);
    m.id = "7";
    m.id_len = 1;
    CHECK(write_eq(&m, "id: 7\n\n"));
    m.id_len = 0; /* "id: " clears it */
    CHECK(write_eq(&m, "id: \n\n"));
    wsx_sse_msg_init(&m);
    m.retry_ms = 0;
    CHECK(write_eq(&m, "retry: 0\n\n"));
    m.retry_ms = 4294967296LL;
    CHECK(write_eq(&m, "retry: 4294967296\n\n"));
}

static void test_refusals(void)
{
    wsx_sse_msg m;
    uint8_t out[64];
    static const char *bad[] = {"a\nb", "a\rb", "ab\n", "\r"};
    size_t i;
    for (i = 0; i < 4; i++) {
        wsx_sse_msg_init(&m);
        m.data = "x";
        m.data_len = 1;
        m.id = bad[i];
        m.id_len = strlen(bad[i]);
        wlen = 99;
        CHECK_EQ(wsx_sse_write(&m, out, sizeof out, &wlen), WSX_E_SSE_FIELD);
        CHECK_EQ(wlen, 0);
        CHECK_EQ(wsx_sse_write(&m, NULL, 0, &wlen), WSX_E_SSE_FIELD);
        m.id = NULL;
        m.id_len = 0;
        m.type = bad[i];
        m.type_len = strlen(bad[i]);
        CHECK_EQ(wsx_sse_write(&m, out, sizeof out, &wlen), WSX_E_SSE_FIELD);
    }
    wsx_sse_msg_init(&m);
    m.id = "a\0b";
    m.id_len = 3;
    CHECK_EQ(wsx_sse_write(&m, out, sizeof out, &wlen), WSX_E_SSE_FIELD);
    wsx_sse_msg_init(&m);
    m.data_len = 3; /* NULL data with a length */
    CHECK_EQ(wsx_sse_write(&m, out, sizeof out, &wlen), WSX_E_ARG);
    m.data_len = 0;
    m.comment_len = 1; /* NULL comment with a length */
    CHECK_EQ(wsx_sse_write(&m, out, sizeof out, &wlen), WSX_E_ARG);
}

/* API rules 2 and 5 for every writer: out_len NULL, out NULL with cap > 0,
 * NULL where a length says there are bytes. */
static void test_null_args(void)
{
    uint8_t out[64];
    wsx_sse_msg m;
    wsx_sse_msg_init(&m);
    m.data = "x";
    m.data_len = 1;
    wlen = 99;
    CHECK_EQ(wsx_sse_write(NULL, out, sizeof out, &wlen), WSX_E_ARG);
    CHECK_EQ(wlen, 0);
    CHECK_EQ(wsx_sse_write(&m, out, sizeof out, NULL), WSX_E_ARG);
    wlen = 99;
    CHECK_EQ(wsx_sse_write(&m, NULL, 8, &wlen), WSX_E_ARG);
    CHECK_EQ(wlen, 0);
    CHECK_EQ(wsx_sse_write_done(out, sizeof out, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_sse_write_done(NULL, 8, &wlen), WSX_E_ARG);
    CHECK_EQ(wsx_sse_write_keepalive(out, sizeof out, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_sse_write_keepalive(NULL, 8, &wlen), WSX_E_ARG);
    CHECK_EQ(wsx_sse_write_comment("a", 1, out, sizeof out, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_sse_write_comment(NULL, 1, out, sizeof out, &wlen), WSX_E_ARG);
    CHECK_EQ(wsx_sse_write_comment(NULL, 0, out, sizeof out, &wlen), WSX_OK);
    CHECK(wlen == 4 && memcmp(out, ": \n\n", 4) == 0);
    CHECK_EQ(wsx_sse_write_chunk("a", 1, out, sizeof out, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_sse_write_chunk(NULL, 1, out, sizeof out, &wlen), WSX_E_ARG);
    CHECK_EQ(wlen, 0);
    /* size queries near SIZE_MAX: the count is exact below it, and a count
     * that would pass it is WSX_E_LIMIT with *out_len 0 (no byte read) */
    CHECK_EQ(wsx_sse_write_chunk("a", (size_t)-1 - 40, NULL, 0, &wlen), WSX_OK);
    CHECK(wlen == 2 * sizeof(size_t) + 4 + ((size_t)-1 - 40));
    CHECK_EQ(wsx_sse_write_chunk("a", (size_t)-1 - 10, NULL, 0, &wlen), WSX_E_LIMIT);
    CHECK_EQ(wlen, 0);
    CHECK_EQ(wsx_sse_write_chunked(NULL, out, sizeof out, &wlen), WSX_E_ARG);
    CHECK_EQ(wsx_sse_write_chunked(&m, out, sizeof out, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_sse_write_chunked(&m, NULL, 8, &wlen), WSX_E_ARG);
    wsx_sse_msg_init(NULL); /* nothing */
}

static void test_helpers(void)
{
    uint8_t out[64];
    wsx_sse_msg m;
    CHECK_EQ(wsx_sse_write_done(NULL, 0, &wlen), WSX_OK);
    CHECK_EQ(wlen, 14);
    CHECK_EQ(wsx_sse_write_done(out, 14, &wlen), WSX_OK);
    CHECK_EQ(wlen, 14);
    CHECK_MEM(out, "data: [DONE]\n\n", 14);
    CHECK_EQ(wsx_sse_write_done(out, 13, &wlen), WSX_E_BUFFER);
    CHECK_EQ(wlen, 14);
    CHECK_EQ(wsx_sse_write_keepalive(out, sizeof out, &wlen), WSX_OK);
    CHECK_EQ(wlen, 14);
    CHECK_MEM(out, ": keep-alive\n\n", 14);
    CHECK_EQ(wsx_sse_write_comment("a\r\nb", 4, out, sizeof out, &wlen), WSX_OK);
    CHECK_EQ(wlen, 9);
    CHECK_MEM(out, ": a\n: b\n\n", 9);
    CHECK_EQ(wsx_sse_write_chunk("hello", 5, out, sizeof out, &wlen), WSX_OK);
    CHECK_EQ(wlen, 10);
    CHECK_MEM(out, "5\r\nhello\r\n", 10);
    CHECK_EQ(wsx_sse_write_chunk(NULL, 0, out, sizeof out, &wlen), WSX_OK);
    CHECK_EQ(wlen, 5);
    CHECK_MEM(out, "0\r\n\r\n", 5);
    CHECK_EQ(wsx_sse_write_chunk("hello", 5, out, 9, &wlen), WSX_E_BUFFER);
    CHECK_EQ(wlen, 10);
    wsx_sse_msg_init(&m);
    m.data = "0123456789abcdef"; /* "data: " + 16 + "\n\n" = 24 = 0x18 */
    m.data_len = 16;
    CHECK_EQ(wsx_sse_write_chunked(&m, NULL, 0, &wlen), WSX_OK);
    CHECK_EQ(wlen, 30);
    CHECK_EQ(wsx_sse_write_chunked(&m, out, sizeof out, &wlen), WSX_OK);
    CHECK_EQ(wlen, 30);
    CHECK_MEM(out, "18\r\ndata: 0123456789abcdef\n\n\r\n", 30);
    CHECK_EQ(wsx_sse_write_chunked(&m, out, 29, &wlen), WSX_E_BUFFER);
    CHECK_EQ(wlen, 30);
}

/* ---- round trips ---------------------------------------------------- */

typedef struct {
    char type[24];
    size_t type_len;
    char id[24];
    size_t id_len;
    int has_id;
    uint8_t data[200];
    size_t data_len;
    int has_data;
    int64_t retry;
} rt_event;

static void random_field(char *s, size_t *n, size_t max)
{
    size_t i;
    *n = rnd() % max;
    for (i = 0; i < *n; i++) {
        char c;
        do
            c = (char)(rnd() % 4 == 0 ? 0x80 + rnd() % 128 : 0x20 + rnd() % 95);
        while (c == '\r' || c == '\n' || c == 0);
        s[i] = c;
    }
}

static void random_event(rt_event *e)
{
    static const uint8_t alphabet[] = {'\r', '\n', 0, ' ', ':', 'a', 0xE2, 0x80, 0xA6, 0xFF};
    size_t i;
    random_field(e->type, &e->type_len, 6);
    e->has_id = rnd() % 3 == 0;
    random_field(e->id, &e->id_len, 8);
    e->has_data = rnd() % 8 != 0;
    e->data_len = rnd() % 4 == 0 ? 0 : rnd() % 200;
    for (i = 0; i < e->data_len; i++)
        e->data[i] = rnd() % 2 ? alphabet[rnd() % sizeof alphabet] : (uint8_t)rnd();
    e->retry = rnd() % 6 == 0 ? (int64_t)rnd() : -1;
}

/* What a client must see: CR and CRLF in data come back as LF. */
static size_t normalize(const uint8_t *in, size_t n, uint8_t *out)
{
    size_t i, k = 0;
    for (i = 0; i < n; i++) {
        if (in[i] == '\r') {
            out[k++] = '\n';
            if (i + 1 < n && in[i + 1] == '\n')
                i++;
        } else {
            out[k++] = in[i];
        }
    }
    return k;
}

static void test_round_trip(void)
{
    enum { EVENTS = 64, ROUNDS = 300 };
    static rt_event evs[EVENTS];
    static uint8_t stream[EVENTS * 600];
    static uint8_t scratch[1 << 14];
    int round;
    for (round = 0; round < ROUNDS; round++) {
        size_t n = 0, off = 0, i, expect_i = 0, expect_retry_i = 0;
        char cur_id[24];
        size_t cur_id_len = 0;
        wsx_sse_parser p;
        int failed = 0;
        for (i = 0; i < EVENTS; i++) {
            wsx_sse_msg m;
            size_t w = 0, need = 1;
            random_event(&evs[i]);
            wsx_sse_msg_init(&m);
            m.type = evs[i].type;
            m.type_len = evs[i].type_len;
            if (evs[i].has_id) {
                m.id = evs[i].id;
                m.id_len = evs[i].id_len;
            }
            if (evs[i].has_data) {
                m.data = evs[i].data;
                m.data_len = evs[i].data_len;
            }
            m.retry_ms = evs[i].retry;
            CHECK_EQ(wsx_sse_write(&m, stream + n, sizeof stream - n, &w), WSX_OK);
            CHECK_EQ(wsx_sse_write(&m, NULL, 0, &need), WSX_OK);
            CHECK(w > 0 && w == need);
            n += w;
        }
        CHECK_EQ(wsx_sse_parser_init(&p, scratch, sizeof scratch, NULL), 0);
        /* feed in random chunks (1..64 bytes, sometimes everything) */
        while (off < n && !failed) {
            size_t len = rnd() % 16 == 0 ? n - off : 1 + rnd() % 64, used, pos = 0;
            uint8_t *g;
            wsx_sse_event ev;
            int r;
            if (len > n - off)
                len = n - off;
            g = guarded_copy(stream + off, len);
            while ((r = wsx_sse_parse(&p, g + pos, len - pos, &used, &ev)) > 0) {
                pos += used;
                if (r == WSX_SSE_EV_RETRY) {
                    while (expect_retry_i < EVENTS && evs[expect_retry_i].retry < 0)
                        expect_retry_i++;
                    CHECK(expect_retry_i < EVENTS);
                    if (expect_retry_i < EVENTS) {
                        uint32_t want = evs[expect_retry_i].retry > 0xFFFFFFFFLL
                                            ? 0xFFFFFFFFu
                                            : (uint32_t)evs[expect_retry_i].retry;
                        CHECK_EQ(ev.retry, want);
                        expect_retry_i++;
                    }
                    continue;
                }
                CHECK_EQ(r, WSX_SSE_EV_EVENT);
                /* skip the events without data: they dispatch nothing */
                while (expect_i < EVENTS && !evs[expect_i].has_data) {
                    if (evs[expect_i].has_id) {
                        memcpy(cur_id, evs[expect_i].id, evs[expect_i].id_len);
                        cur_id_len = evs[expect_i].id_len;
                    }
                    expect_i++;
                }
                if (expect_i >= EVENTS) {
                    failed = 1;
                    break;
                }
                {
                    const rt_event *e = &evs[expect_i++];
                    uint8_t norm[200];
                    size_t nn = normalize(e->data, e->data_len, norm);
                    if (e->has_id) {
                        memcpy(cur_id, e->id, e->id_len);
                        cur_id_len = e->id_len;
                    }
                    if (e->type_len)
                        CHECK(ev.type_len == e->type_len &&
                              memcmp(ev.type, e->type, e->type_len) == 0);
                    else
                        CHECK(ev.type_len == 7 && memcmp(ev.type, "message", 7) == 0);
                    CHECK(ev.data_len == nn && memcmp(ev.data, norm, nn) == 0);
                    CHECK(ev.id_len == cur_id_len && memcmp(ev.id, cur_id, cur_id_len) == 0);
                    if (ev.data_len != nn)
                        failed = 1;
                }
            }
            CHECK_EQ(r, 0);
            if (r != 0)
                failed = 1;
            guarded_free(g, len);
            off += len;
        }
        while (expect_i < EVENTS && !evs[expect_i].has_data)
            expect_i++;
        CHECK_EQ(expect_i, EVENTS);
        CHECK_EQ(wsx_sse_end(&p), 0);
        if (failed) {
            CHECK(!"round trip failed");
            break;
        }
    }
}

int main(void)
{
    RUN(test_shapes);
    RUN(test_refusals);
    RUN(test_helpers);
    RUN(test_null_args);
    RUN(test_round_trip);
    return harness_done();
}
