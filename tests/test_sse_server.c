/*
 * SSE server helpers: response head, keep-alive timing, replay window
 * (numeric and exact ids, wrap-around of the byte ring, eviction by count
 * and by bytes, gone / up to date / unknown).
 */
#include "harness.h"
#include "wsx_sse.h"

static void test_head(void)
{
    static const char plain[] = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                                "Cache-Control: no-cache\r\nX-Accel-Buffering: no\r\n"
                                "Connection: keep-alive\r\n\r\n";
    static const char full[] =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
        "Cache-Control: no-cache\r\nX-Accel-Buffering: no\r\n"
        "Connection: keep-alive\r\nTransfer-Encoding: chunked\r\n"
        "Access-Control-Allow-Origin: https://app.example\r\nVary: Origin\r\n"
        "Access-Control-Allow-Credentials: true\r\nX-Trace: 1\r\n\r\n";
    uint8_t out[512];
    wsx_header extra = {"X-Trace", 7, "1", 1};
    wsx_sse_head_config cfg;
    size_t n = 99;
    CHECK_EQ(wsx_sse_response_head(NULL, NULL, 0, &n), WSX_OK);
    CHECK_EQ(n, sizeof plain - 1);
    CHECK_EQ(wsx_sse_response_head(NULL, out, sizeof out, &n), WSX_OK);
    CHECK_EQ(n, sizeof plain - 1);
    CHECK_MEM(out, plain, sizeof plain - 1);
    CHECK_EQ(wsx_sse_response_head(NULL, out, sizeof plain - 2, &n), WSX_E_BUFFER);
    CHECK_EQ(n, sizeof plain - 1);
    memset(&cfg, 0, sizeof cfg);
    cfg.connection_close = 1; /* a stream ended by closing (HTTP/1.0) */
    CHECK_EQ(wsx_sse_response_head(&cfg, out, sizeof out, &n), WSX_OK);
    CHECK_EQ(n, sizeof plain - 1 - 5);
    CHECK_MEM(out,
              "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
              "Cache-Control: no-cache\r\nX-Accel-Buffering: no\r\n"
              "Connection: close\r\n\r\n",
              sizeof plain - 1 - 5);
    cfg.connection_close = 0;
    cfg.chunked = 1;
    cfg.charset = 1;
    cfg.allow_origin = "https://app.example";
    cfg.allow_credentials = 1;
    cfg.headers = &extra;
    cfg.num_headers = 1;
    CHECK_EQ(wsx_sse_response_head(&cfg, out, sizeof out, &n), WSX_OK);
    CHECK_EQ(n, sizeof full - 1);
    CHECK_MEM(out, full, sizeof full - 1);
    cfg.allow_origin = "*";
    CHECK_EQ(wsx_sse_response_head(&cfg, out, sizeof out, &n), WSX_E_ARG);
    CHECK_EQ(n, 0);
    cfg.allow_credentials = 0;
    {
        static const char wild[] = "Access-Control-Allow-Origin: *\r\nX-Trace: 1\r\n\r\n";
        CHECK_EQ(wsx_sse_response_head(&cfg, out, sizeof out, &n), WSX_OK);
        CHECK(n > sizeof wild);
        CHECK_MEM(out + n - (sizeof wild - 1), wild, sizeof wild - 1); /* no Vary for "*" */
    }
    cfg.allow_origin = "a\r\nSet-Cookie: x";
    CHECK_EQ(wsx_sse_response_head(&cfg, out, sizeof out, &n), WSX_E_HTTP_HEADER_VALUE);
    /* API rule 8: a control character the handshake refuses, refused here */
    cfg.allow_origin = "https://a\x01.example";
    CHECK_EQ(wsx_sse_response_head(&cfg, out, sizeof out, &n), WSX_E_HTTP_HEADER_VALUE);
    cfg.allow_origin = NULL;
    extra.name = "Bad Name";
    extra.name_len = 8;
    CHECK_EQ(wsx_sse_response_head(&cfg, out, sizeof out, &n), WSX_E_HTTP_HEADER_NAME);
    extra.name = "X";
    extra.name_len = 1;
    extra.value = "a\nb";
    extra.value_len = 3;
    CHECK_EQ(wsx_sse_response_head(&cfg, out, sizeof out, &n), WSX_E_HTTP_HEADER_VALUE);
    extra.value = "a\x01"
                  "b";
    CHECK_EQ(wsx_sse_response_head(&cfg, out, sizeof out, &n), WSX_E_HTTP_HEADER_VALUE);
    extra.value = " ab";
    CHECK_EQ(wsx_sse_response_head(&cfg, out, sizeof out, &n), WSX_E_HTTP_HEADER_VALUE);
    CHECK_EQ(n, 0);
    /* API rules 2 and 5 */
    CHECK_EQ(wsx_sse_response_head(NULL, out, sizeof out, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_sse_response_head(NULL, NULL, 8, &n), WSX_E_ARG);
    extra.value = "ab";
    cfg.headers = NULL;
    CHECK_EQ(wsx_sse_response_head(&cfg, out, sizeof out, &n), WSX_E_ARG);
}

static void test_keepalive(void)
{
    uint64_t next = 0;
    CHECK_EQ(wsx_sse_keepalive_due(1000, 1000, 0, &next), 0);
    CHECK_EQ(next, 16000);
    CHECK_EQ(wsx_sse_keepalive_due(15999, 1000, 0, &next), 0);
    CHECK_EQ(wsx_sse_keepalive_due(16000, 1000, 0, &next), 1);
    CHECK_EQ(next, 16000);
    CHECK_EQ(wsx_sse_keepalive_due(99999, 1000, 5000, &next), 1);
    CHECK_EQ(next, 99999);
    CHECK_EQ(wsx_sse_keepalive_due(500, 1000, 100, &next), 0); /* clock went back */
    CHECK_EQ(next, 1100);
    CHECK_EQ(wsx_sse_keepalive_due(UINT64_MAX, UINT64_MAX - 5, 10, NULL), 1);
    /* due saturates at UINT64_MAX instead of wrapping to "long overdue" */
    CHECK_EQ(wsx_sse_keepalive_due(UINT64_MAX - 1, UINT64_MAX - 5, 10, &next), 0);
    CHECK_EQ(next, UINT64_MAX);
    CHECK_EQ(wsx_sse_keepalive_due(3, UINT64_MAX - 5, 0xFFFFFFFFu, &next),
             0); /* clock wrapped back */
    CHECK_EQ(next, UINT64_MAX);
}

static int append(wsx_sse_replay *r, const char *id, const char *data)
{
    wsx_sse_msg m;
    wsx_sse_msg_init(&m);
    m.id = id;
    m.id_len = strlen(id);
    m.data = data;
    m.data_len = strlen(data);
    return wsx_sse_replay_append(r, &m);
}

/* Concatenates what the iterator yields and checks the ids. */
static int replay_ids(const wsx_sse_replay *r, const char *since, const char *want_ids)
{
    wsx_sse_replay_iter it;
    char got[512];
    size_t n = 0, len, id_len;
    const uint8_t *bytes;
    const char *id;
    int e = since ? wsx_sse_replay_since(r, since, strlen(since), &it)
                  : (wsx_sse_replay_all(r, &it), WSX_OK);
    if (e != WSX_OK)
        return e;
    while (wsx_sse_replay_next(&it, &bytes, &len, &id, &id_len) == 1) {
        /* each stored event is well-formed and carries its id line */
        if (len < 4 || bytes[len - 1] != '\n' || bytes[len - 2] != '\n')
            return -1000;
        if (n + id_len + 1 >= sizeof got)
            return -1001;
        memcpy(got + n, id, id_len);
        n += id_len;
        got[n++] = ',';
    }
    got[n] = 0;
    if (strcmp(got, want_ids) != 0) {
        fprintf(stderr, "  since %s: got [%s] want [%s]\n", since ? since : "(all)", got, want_ids);
        return -1002;
    }
    return 0;
}

static void test_replay_numeric(void)
{
    static uint8_t mem[8 * sizeof(wsx_sse_replay_slot_) + 200 + 8];
    wsx_sse_replay r;
    char id[16], data[64];
    int i;
    CHECK_EQ(wsx_sse_replay_init(&r, mem + 1, sizeof mem - 1, 4, WSX_SSE_REPLAY_NUMERIC), WSX_OK);
    CHECK_EQ(replay_ids(&r, "1", ""), WSX_E_SSE_REPLAY_GONE); /* empty window */
    CHECK_EQ(append(&r, "10", "a"), WSX_OK);
    CHECK_EQ(append(&r, "11", "b"), WSX_OK);
    CHECK_EQ(append(&r, "13", "c"), WSX_OK); /* gaps allowed */
    CHECK_EQ(append(&r, "13", "dup"), WSX_E_ARG);
    CHECK_EQ(append(&r, "12", "back"), WSX_E_ARG);
    CHECK_EQ(append(&r, "x1", "nan"), WSX_E_ARG);
    CHECK_EQ(replay_ids(&r, "9", "10,11,13,"), 0); /* floor = first - 1 */
    CHECK_EQ(replay_ids(&r, "8", ""), WSX_E_SSE_REPLAY_GONE);
    CHECK_EQ(replay_ids(&r, "10", "11,13,"), 0);
    CHECK_EQ(replay_ids(&r, "12", "13,"), 0);                  /* between stored ids */
    CHECK_EQ(replay_ids(&r, "0013", ""), 0);                   /* numeric: up to date */
    CHECK_EQ(replay_ids(&r, "14", ""), WSX_E_SSE_REPLAY_GONE); /* from the future */
    CHECK_EQ(replay_ids(&r, "abc", ""), WSX_E_SSE_REPLAY_GONE);
    CHECK_EQ(replay_ids(&r, NULL, "10,11,13,"), 0);
    {
        wsx_sse_replay_iter it;
        CHECK_EQ(wsx_sse_replay_since(&r, "", 0, &it), WSX_E_ARG);
    }
    /* count eviction: max 4 events */
    CHECK_EQ(append(&r, "14", "d"), WSX_OK);
    CHECK_EQ(append(&r, "15", "e"), WSX_OK);
    CHECK_EQ(wsx_sse_replay_count(&r), 4);
    CHECK_EQ(replay_ids(&r, "9", ""), WSX_E_SSE_REPLAY_GONE);
    CHECK_EQ(replay_ids(&r, "10", "11,13,14,15,"), 0); /* 10 evicted: floor 10 */
    /* byte eviction and ring wrap-around: events of varying size */
    for (i = 16; i < 200; i++) {
        size_t k, dl = (size_t)(i * 7) % 40;
        for (k = 0; k < dl; k++)
            data[k] = (char)('a' + k % 26);
        data[dl] = 0;
        snprintf(id, sizeof id, "%d", i);
        CHECK_EQ(append(&r, id, data), WSX_OK);
        CHECK(wsx_sse_replay_count(&r) >= 1 && wsx_sse_replay_count(&r) <= 4);
        /* the newest is always there, and everything after the floor */
        {
            char prev[16];
            snprintf(prev, sizeof prev, "%d", i - 1);
            {
                wsx_sse_replay_iter it;
                const uint8_t *b;
                const char *gid;
                size_t bl, gl;
                CHECK_EQ(wsx_sse_replay_since(&r, prev, strlen(prev), &it), WSX_OK);
                CHECK_EQ(wsx_sse_replay_next(&it, &b, &bl, &gid, &gl), 1);
                CHECK(gl == strlen(id) && memcmp(gid, id, gl) == 0);
                /* the bytes are exactly what the writer gives */
                {
                    uint8_t want[128];
                    wsx_sse_msg m;
                    size_t wn = 0;
                    wsx_sse_msg_init(&m);
                    m.id = id;
                    m.id_len = strlen(id);
                    m.data = data;
                    m.data_len = strlen(data);
                    CHECK_EQ(wsx_sse_write(&m, want, sizeof want, &wn), WSX_OK);
                    CHECK(wn == bl && memcmp(want, b, bl) == 0);
                }
                CHECK_EQ(wsx_sse_replay_next(&it, &b, &bl, &gid, &gl), 0);
            }
        }
    }
    /* an event larger than the ring */
    {
        static char huge[400];
        memset(huge, 'h', sizeof huge - 1);
        CHECK_EQ(append(&r, "500", huge), WSX_E_LIMIT);
    }
    CHECK_EQ(
        wsx_sse_replay_init(&r, mem, 4 * sizeof(wsx_sse_replay_slot_), 4, WSX_SSE_REPLAY_NUMERIC),
        WSX_E_ARG);
    CHECK_EQ(wsx_sse_replay_init(&r, mem, sizeof mem, 0, WSX_SSE_REPLAY_NUMERIC), WSX_E_ARG);
    CHECK_EQ(wsx_sse_replay_init(&r, mem, sizeof mem, 4, (wsx_sse_replay_mode)7), WSX_E_ARG);
}

/* API rule 5 for the replay window. */
static void test_replay_null_args(void)
{
    static uint8_t mem[4 * sizeof(wsx_sse_replay_slot_) + 256];
    wsx_sse_replay r;
    wsx_sse_replay_iter it;
    wsx_sse_msg m;
    const uint8_t *b;
    size_t len;
    CHECK_EQ(wsx_sse_replay_init(NULL, mem, sizeof mem, 4, WSX_SSE_REPLAY_EXACT), WSX_E_ARG);
    CHECK_EQ(wsx_sse_replay_init(&r, NULL, sizeof mem, 4, WSX_SSE_REPLAY_EXACT), WSX_E_ARG);
    CHECK_EQ(wsx_sse_replay_init(&r, mem, sizeof mem, 4, WSX_SSE_REPLAY_EXACT), WSX_OK);
    wsx_sse_msg_init(&m);
    m.id = "a";
    m.id_len = 1;
    CHECK_EQ(wsx_sse_replay_append(NULL, &m), WSX_E_ARG);
    CHECK_EQ(wsx_sse_replay_append(&r, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_sse_replay_append(&r, &m), WSX_OK);
    CHECK_EQ(wsx_sse_replay_since(NULL, "a", 1, &it), WSX_E_ARG);
    CHECK_EQ(wsx_sse_replay_since(&r, "a", 1, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_sse_replay_since(&r, NULL, 1, &it), WSX_E_ARG);
    wsx_sse_replay_all(NULL, &it);
    wsx_sse_replay_all(&r, NULL);
    wsx_sse_replay_all(&r, &it);
    CHECK_EQ(wsx_sse_replay_next(NULL, &b, &len, NULL, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_sse_replay_next(&it, NULL, &len, NULL, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_sse_replay_next(&it, &b, NULL, NULL, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_sse_replay_next(&it, &b, &len, NULL, NULL), 1);
    CHECK_EQ(wsx_sse_replay_count(NULL), 0);
    CHECK_EQ(wsx_sse_replay_count(&r), 1);
}

static void test_replay_exact(void)
{
    static uint8_t mem[16 * sizeof(wsx_sse_replay_slot_) + 4096];
    wsx_sse_replay r;
    CHECK_EQ(wsx_sse_replay_init(&r, mem, sizeof mem, 3, WSX_SSE_REPLAY_EXACT), WSX_OK);
    CHECK_EQ(append(&r, "b7f", "1"), WSX_OK);
    CHECK_EQ(append(&r, "a01", "2"), WSX_OK);
    CHECK_EQ(append(&r, "\xE2\x80\xA6", "3"), WSX_OK);
    CHECK_EQ(replay_ids(&r, "b7f", "a01,\xE2\x80\xA6,"), 0);
    CHECK_EQ(replay_ids(&r, "a01", "\xE2\x80\xA6,"), 0);
    CHECK_EQ(replay_ids(&r, "\xE2\x80\xA6", ""), 0);
    CHECK_EQ(replay_ids(&r, "zzz", ""), WSX_E_SSE_REPLAY_GONE);
    CHECK_EQ(replay_ids(&r, "b7", ""), WSX_E_SSE_REPLAY_GONE);
    CHECK_EQ(append(&r, "b7f", "4"), WSX_OK); /* evicts the first b7f; repeated ids allowed */
    CHECK_EQ(replay_ids(&r, "b7f", ""), 0);   /* newest match wins */
    CHECK_EQ(replay_ids(&r, "a01", "\xE2\x80\xA6,b7f,"), 0);
    {
        wsx_sse_msg m;
        wsx_sse_msg_init(&m);
        m.data = "x";
        m.data_len = 1;
        CHECK_EQ(wsx_sse_replay_append(&r, &m), WSX_E_ARG); /* no id */
        m.id = "a\nb";
        m.id_len = 3;
        CHECK_EQ(wsx_sse_replay_append(&r, &m), WSX_E_SSE_FIELD);
    }
}

int main(void)
{
    RUN(test_head);
    RUN(test_keepalive);
    RUN(test_replay_numeric);
    RUN(test_replay_exact);
    RUN(test_replay_null_args);
    return harness_done();
}
