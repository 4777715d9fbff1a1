/*
 * The callback adapter (wsx_ws_conn_feed): whole messages through an
 * assembly buffer, streamed messages without one, 1009 when a message
 * outgrows the buffer, control callbacks, pausing, sending from a
 * callback.  Input whole, byte by byte and split at every offset.
 */
#include <stdlib.h>

#include "harness.h"
#include "wsx_conn.h"

typedef struct log {
    char ev[2048]; /* o=open M=message S/D/E=stream P=ping O=pong C=close !=error */
    size_t n;
    uint8_t data[100000];
    size_t len;
    unsigned opcode;
    unsigned code;
    int err;
    int errors;
    int pause_on_message;
    const char *pause_on;      /* event letters whose callback pauses */
    int pause_verdict;         /* what it returns then (0: 1) */
    int error_verdict;         /* what on_error returns */
    wsx_ws_conn *echo_to;      /* if set, on_message echoes */
    int messages;              /* on_data calls with kind MESSAGE */
    int in_message;            /* inside one: its letters are one callback's */
    size_t call_at;            /* ev[call_at..n): the last callback's letters */
    const uint8_t *message_at; /* where on_message found its bytes */
} log_t;

/* Logs event c; returns the callback's verdict: nonzero (pause) for the
 * letters in l->pause_on. */
static int mark(log_t *l, char c)
{
    if (!l->in_message)
        l->call_at = l->n;
    if (l->n + 1 < sizeof l->ev) {
        l->ev[l->n++] = c;
        l->ev[l->n] = 0;
    }
    if (!l->pause_on || !strchr(l->pause_on, c))
        return 0;
    return l->pause_verdict ? l->pause_verdict : 1;
}

static int on_open(void *u) { return mark((log_t *)u, 'o'); }

static int on_message(void *u, unsigned opcode, const uint8_t *d, size_t n)
{
    log_t *l = (log_t *)u;
    int pause = mark(l, 'M');
    l->message_at = d;
    CHECK(n <= sizeof l->data);
    memcpy(l->data, d, n);
    l->len = n;
    l->opcode = opcode;
    if (l->echo_to)
        CHECK_EQ(wsx_ws_conn_send(l->echo_to, opcode, d, n), WSX_OK);
    return pause || l->pause_on_message;
}

static int on_data(void *u, int kind, unsigned opcode, const uint8_t *d, size_t n)
{
    log_t *l = (log_t *)u;
    if (kind == WSX_WS_EV_MESSAGE) { /* logged as START, DATA, END */
        int pause;
        l->messages++;
        CHECK(n == 0 || d != NULL);
        pause = on_data(u, WSX_WS_EV_MESSAGE_START, opcode, NULL, 0);
        l->in_message = 1;
        if (n)
            pause |= on_data(u, WSX_WS_EV_DATA, opcode, d, n);
        pause |= on_data(u, WSX_WS_EV_MESSAGE_END, opcode, NULL, 0);
        l->in_message = 0;
        return pause;
    }
    if (kind == WSX_WS_EV_MESSAGE_START) {
        CHECK(d == NULL && n == 0);
        l->len = 0;
        l->opcode = opcode;
        return mark(l, 'S');
    }
    if (kind == WSX_WS_EV_DATA) {
        CHECK(n > 0 && l->len + n <= sizeof l->data);
        memcpy(l->data + l->len, d, n);
        l->len += n;
        if (l->n == 0 || l->ev[l->n - 1] != 'D')
            return mark(l, 'D');
        return l->pause_on && strchr(l->pause_on, 'D') ? 1 : 0;
    }
    CHECK_EQ(kind, WSX_WS_EV_MESSAGE_END);
    CHECK_EQ(opcode, l->opcode);
    return mark(l, 'E');
}

static int on_ping(void *u, const uint8_t *d, size_t n)
{
    (void)d;
    (void)n;
    return mark((log_t *)u, 'P');
}

static int on_pong(void *u, const uint8_t *d, size_t n)
{
    (void)d;
    (void)n;
    return mark((log_t *)u, 'O');
}

static int on_close(void *u, unsigned code, const uint8_t *r, size_t n)
{
    log_t *l = (log_t *)u;
    (void)r;
    (void)n;
    l->code = code;
    return mark(l, 'C');
}

static int on_error(void *u, int err)
{
    log_t *l = (log_t *)u;
    l->err = err;
    l->errors++;
    mark(l, '!');
    return l->error_verdict;
}

static const wsx_ws_callbacks callbacks = {on_open, on_message, on_data, on_ping,
                                           on_pong, on_close,   on_error};

static void rnd(void *ctx, uint8_t *out, size_t n)
{
    (void)ctx;
    while (n--)
        out[n] = (uint8_t)(n * 77 + 5);
}

static uint8_t client_out[300000];
static uint8_t wire[300000];

/* Client-side bytes for: text "héllo", ping, a 3-fragment binary message of
 * `big` bytes, an empty text message, close 1000. */
static size_t conversation(size_t big)
{
    wsx_ws_conn k;
    wsx_ws_conn_config cfg;
    static uint8_t payload[100000];
    size_t n = 0, third = big / 3;
    wsx_ws_chunk v[WSX_WS_CONN_MAX_CHUNKS];
    size_t i, nv;
    for (i = 0; i < big; i++)
        payload[i] = (uint8_t)(i * 7);
    wsx_ws_conn_config_default(&cfg);
    cfg.role = WSX_WS_CLIENT;
    cfg.random = rnd;
    CHECK_EQ(wsx_ws_conn_init(&k, &cfg, client_out, sizeof client_out), WSX_OK);
    CHECK_EQ(wsx_ws_conn_open(&k, 0), WSX_OK);
    CHECK_EQ(wsx_ws_conn_send(&k, WSX_WS_OP_TEXT, "h\xc3\xa9llo", 6), WSX_OK);
    CHECK_EQ(wsx_ws_conn_ping(&k, "p", 1, 0), WSX_OK);
    CHECK_EQ(wsx_ws_conn_stream_begin(&k, WSX_WS_OP_BINARY), WSX_OK);
    CHECK_EQ(wsx_ws_conn_stream_part(&k, payload, third), WSX_OK);
    CHECK_EQ(wsx_ws_conn_stream_part(&k, payload + third, third), WSX_OK);
    CHECK_EQ(wsx_ws_conn_stream_end(&k, payload + 2 * third, big - 2 * third), WSX_OK);
    CHECK_EQ(wsx_ws_conn_send(&k, WSX_WS_OP_TEXT, NULL, 0), WSX_OK);
    CHECK_EQ(wsx_ws_conn_close(&k, 1000, NULL, 0, 0), WSX_OK);
    nv = wsx_ws_conn_output_vec(&k, v);
    for (i = 0; i < nv; i++) {
        memcpy(wire + n, v[i].data, v[i].len);
        n += v[i].len;
    }
    return n;
}

static void server(wsx_ws_conn *s, uint8_t *out, size_t cap, uint64_t max_message)
{
    wsx_ws_conn_config cfg;
    wsx_ws_conn_config_default(&cfg);
    cfg.decoder.max_message_size = max_message;
    CHECK_EQ(wsx_ws_conn_init(s, &cfg, out, cap), WSX_OK);
    CHECK_EQ(wsx_ws_conn_open(s, 0), WSX_OK);
}

/* Feeds bytes[0..len) in pieces of `step` bytes (0: whole) or cut once at
 * `cut` (when step is 0 and cut > 0), from guarded memory. */
static int feed_pieces(wsx_ws_conn *s, wsx_ws_feed *f, const uint8_t *bytes, size_t len,
                       size_t step, size_t cut)
{
    size_t at = 0;
    int r = 0;
    while (at < len) {
        size_t n = step ? step : cut && at == 0 ? cut : len - at;
        size_t used = 0;
        uint8_t *g;
        if (n > len - at)
            n = len - at;
        g = guarded_copy(bytes + at, n);
        r = wsx_ws_conn_feed(s, f, g, n, 0, &used);
        guarded_free(g, n);
        if (r < 0)
            return r;
        CHECK_EQ(r, 0);
        CHECK_EQ(used, n);
        at += n;
    }
    return r;
}

static void test_assembled(void)
{
    static log_t l;
    static uint8_t out[4096], msg[1000];
    size_t len = conversation(900), cut;
    for (cut = 0; cut <= len + 1; cut++) {
        wsx_ws_conn s;
        wsx_ws_feed f;
        memset(&l, 0, sizeof l);
        server(&s, out, sizeof out, WSX_WS_DEFAULT_MAX_MESSAGE);
        wsx_ws_feed_init(&f, &callbacks, &l, msg, sizeof msg);
        if (cut == len + 1)
            CHECK_EQ(feed_pieces(&s, &f, wire, len, 1, 0), 0);
        else
            CHECK_EQ(feed_pieces(&s, &f, wire, len, 0, cut), 0);
        CHECK(strcmp(l.ev, "oMPMMC") == 0);
        CHECK_EQ(l.len, 0);
        CHECK_EQ(l.opcode, WSX_WS_OP_TEXT);
        CHECK_EQ(l.code, 1000);
        CHECK_EQ(l.errors, 0);
        CHECK_EQ(wsx_ws_conn_state(&s), WSX_WS_CLOSING);
    }
    /* the binary message, checked once */
    {
        wsx_ws_conn s;
        wsx_ws_feed f;
        size_t i;
        memset(&l, 0, sizeof l);
        l.pause_on_message = 1;
        server(&s, out, sizeof out, WSX_WS_DEFAULT_MAX_MESSAGE);
        wsx_ws_feed_init(&f, &callbacks, &l, msg, sizeof msg);
        {
            size_t at = 0, used;
            int r, msgs = 0;
            uint8_t *g = guarded_copy(wire, len);
            while ((r = wsx_ws_conn_feed(&s, &f, g + at, len - at, 0, &used)) == 1) {
                at += used;
                msgs++;
                if (msgs == 1) {
                    CHECK_EQ(l.len, 6);
                    CHECK_MEM(l.data, "h\xc3\xa9llo", 6);
                } else if (msgs == 2) {
                    CHECK_EQ(l.len, 900);
                    CHECK_EQ(l.opcode, WSX_WS_OP_BINARY);
                    for (i = 0; i < 900; i++)
                        CHECK_EQ(l.data[i], (uint8_t)(i * 7));
                }
            }
            CHECK_EQ(r, 0);
            CHECK_EQ(msgs, 3);
            guarded_free(g, len);
        }
    }
}

static void test_streamed(void)
{
    static log_t l;
    static uint8_t out[4096];
    size_t len = conversation(90000), i;
    size_t steps[] = {0, 1, 7, 1000, 65536};
    for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        wsx_ws_conn s;
        wsx_ws_feed f;
        memset(&l, 0, sizeof l);
        server(&s, out, sizeof out, WSX_WS_DEFAULT_MAX_MESSAGE);
        wsx_ws_feed_init(&f, &callbacks, &l, NULL, 0);
        CHECK_EQ(feed_pieces(&s, &f, wire, len, steps[i], 0), 0);
        CHECK(strcmp(l.ev, "oSDEPSDESEC") == 0);
        CHECK_EQ(l.code, 1000);
        /* the big message came through intact (the last was empty) */
        CHECK_EQ(l.len, 0);
    }
    {
        /* the streamed payload itself */
        wsx_ws_conn s;
        wsx_ws_feed f;
        static log_t l2;
        wsx_ws_callbacks cb = callbacks;
        memset(&l2, 0, sizeof l2);
        cb.on_close = NULL; /* NULL callbacks are skipped */
        server(&s, out, sizeof out, WSX_WS_DEFAULT_MAX_MESSAGE);
        wsx_ws_feed_init(&f, &cb, &l2, NULL, 0);
        /* feed up to the end of the binary message only */
        CHECK_EQ(feed_pieces(&s, &f, wire, len - 6 - 8, 4096, 0), 0);
        CHECK(strcmp(l2.ev, "oSDEPSDE") == 0);
        CHECK_EQ(l2.len, 90000);
        for (i = 0; i < 90000; i++)
            if (l2.data[i] != (uint8_t)(i * 7))
                break;
        CHECK_EQ(i, 90000);
    }
}

/* 1009: from the declared length at message start, and from fragments
 * that add up past the buffer. */
static void test_too_big(void)
{
    static log_t l;
    static uint8_t out[4096], msg[100];
    size_t len = conversation(300), cut;
    for (cut = 0; cut <= len; cut += (cut < 40 ? 1 : 37)) {
        wsx_ws_conn s;
        wsx_ws_feed f;
        size_t n;
        const uint8_t *p;
        int r;
        memset(&l, 0, sizeof l);
        server(&s, out, sizeof out, WSX_WS_DEFAULT_MAX_MESSAGE);
        wsx_ws_feed_init(&f, &callbacks, &l, msg, sizeof msg);
        r = feed_pieces(&s, &f, wire, len, 0, cut);
        CHECK_EQ(r, WSX_E_WS_MESSAGE_TOO_BIG);
        CHECK_EQ(l.errors, 1);
        CHECK(strcmp(l.ev, "oMP!") == 0);
        /* sticky, on_error not repeated */
        CHECK_EQ(wsx_ws_conn_feed(&s, &f, wire, 1, 0, NULL), WSX_E_WS_MESSAGE_TOO_BIG);
        CHECK_EQ(l.errors, 1);
        CHECK_EQ(wsx_ws_conn_state(&s), WSX_WS_CLOSING);
        p = wsx_ws_conn_output(&s, &n);
        /* the pong (queued when its ping came), then the close 1009 */
        CHECK(n >= 3 + 4);
        CHECK_EQ(p[0], 0x8A);
        CHECK_EQ(p[1], 1);
        CHECK_EQ(p[2], 'p');
        CHECK_EQ(p[3], 0x88);
        CHECK_EQ(p[5], 1009 >> 8);
        CHECK_EQ(p[6], 1009 & 0xFF);
    }
    /* 99 + 1 fragments fit exactly in 100; 101 do not */
    {
        wsx_ws_conn k, s;
        wsx_ws_conn_config cfg;
        wsx_ws_feed f;
        wsx_ws_chunk v[WSX_WS_CONN_MAX_CHUNKS];
        int i;
        wsx_ws_conn_config_default(&cfg);
        cfg.role = WSX_WS_CLIENT;
        cfg.random = rnd;
        CHECK_EQ(wsx_ws_conn_init(&k, &cfg, client_out, sizeof client_out), WSX_OK);
        CHECK_EQ(wsx_ws_conn_open(&k, 0), WSX_OK);
        CHECK_EQ(wsx_ws_conn_stream_begin(&k, WSX_WS_OP_BINARY), WSX_OK);
        for (i = 0; i < 100; i++)
            CHECK_EQ(wsx_ws_conn_stream_part(&k, "x", 1), WSX_OK);
        CHECK_EQ(wsx_ws_conn_stream_end(&k, NULL, 0), WSX_OK);
        CHECK_EQ(wsx_ws_conn_stream_begin(&k, WSX_WS_OP_BINARY), WSX_OK);
        for (i = 0; i < 101; i++)
            CHECK_EQ(wsx_ws_conn_stream_part(&k, "y", 1), WSX_OK);
        CHECK_EQ(wsx_ws_conn_stream_end(&k, NULL, 0), WSX_OK);
        CHECK_EQ(wsx_ws_conn_output_vec(&k, v), 1);
        memset(&l, 0, sizeof l);
        server(&s, out, sizeof out, WSX_WS_DEFAULT_MAX_MESSAGE);
        wsx_ws_feed_init(&f, &callbacks, &l, msg, sizeof msg);
        CHECK_EQ(feed_pieces(&s, &f, v[0].data, v[0].len, 3, 0), WSX_E_WS_MESSAGE_TOO_BIG);
        CHECK(strcmp(l.ev, "oM!") == 0);
        CHECK_EQ(l.len, 100);
    }
    /* one unfragmented frame: 100 bytes fit, 101 fail at the frame's
     * header, before any byte of it is copied */
    {
        static uint8_t payload[101];
        size_t size;
        for (size = 100; size <= 101; size++) {
            wsx_ws_conn k, s;
            wsx_ws_conn_config cfg;
            wsx_ws_feed f;
            wsx_ws_chunk v[WSX_WS_CONN_MAX_CHUNKS];
            wsx_ws_conn_config_default(&cfg);
            cfg.role = WSX_WS_CLIENT;
            cfg.random = rnd;
            CHECK_EQ(wsx_ws_conn_init(&k, &cfg, client_out, sizeof client_out), WSX_OK);
            CHECK_EQ(wsx_ws_conn_open(&k, 0), WSX_OK);
            CHECK_EQ(wsx_ws_conn_send(&k, WSX_WS_OP_BINARY, payload, size), WSX_OK);
            CHECK_EQ(wsx_ws_conn_output_vec(&k, v), 1);
            memset(&l, 0, sizeof l);
            server(&s, out, sizeof out, WSX_WS_DEFAULT_MAX_MESSAGE);
            wsx_ws_feed_init(&f, &callbacks, &l, msg, sizeof msg);
            if (size == 100) {
                CHECK_EQ(feed_pieces(&s, &f, v[0].data, v[0].len, 0, 0), WSX_OK);
                CHECK(strcmp(l.ev, "oM") == 0);
                CHECK_EQ(l.len, 100);
            } else {
                CHECK_EQ(feed_pieces(&s, &f, v[0].data, v[0].len, 0, 0), WSX_E_WS_MESSAGE_TOO_BIG);
                CHECK(strcmp(l.ev, "o!") == 0);
            }
        }
    }
}

/* A message whole in the input (one MESSAGE event): on_message gets it
 * where it lies, uncopied; on_data gets kind MESSAGE once. */
static void test_whole_message(void)
{
    static log_t l;
    static uint8_t out[4096], msg[100];
    static const uint8_t hello[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
                                    0x7f, 0x9f, 0x4d, 0x51, 0x58};
    uint8_t in[sizeof hello];
    int assembled;
    for (assembled = 0; assembled < 2; assembled++) {
        wsx_ws_conn s;
        wsx_ws_feed f;
        memset(&l, 0, sizeof l);
        memcpy(in, hello, sizeof hello);
        server(&s, out, sizeof out, WSX_WS_DEFAULT_MAX_MESSAGE);
        wsx_ws_feed_init(&f, &callbacks, &l, assembled ? msg : NULL, sizeof msg);
        CHECK_EQ(wsx_ws_conn_feed(&s, &f, in, sizeof in, 0, NULL), WSX_OK);
        CHECK(l.len == 5 && memcmp(l.data, "Hello", 5) == 0 && l.opcode == WSX_WS_OP_TEXT);
        if (wsx_build_flags() & WSX_BUILD_SMALL) { /* START, DATA, END */
            CHECK(strcmp(l.ev, assembled ? "oM" : "oSDE") == 0);
            CHECK_EQ(l.messages, 0);
        } else if (assembled) {
            CHECK(strcmp(l.ev, "oM") == 0);
            CHECK(l.message_at == in + 6);
        } else {
            CHECK(strcmp(l.ev, "oSDE") == 0);
            CHECK_EQ(l.messages, 1);
        }
    }
}

/* Echo from inside on_message, pausing when the queue is getting full. */
static void test_echo_and_pause(void)
{
    static log_t l;
    static uint8_t out[4096], msg[1000];
    wsx_ws_conn s;
    wsx_ws_feed f;
    size_t len = conversation(900), at = 0, used, n;
    int r, rounds = 0;
    uint8_t *g = guarded_copy(wire, len);
    memset(&l, 0, sizeof l);
    server(&s, out, sizeof out, WSX_WS_DEFAULT_MAX_MESSAGE);
    l.echo_to = &s;
    l.pause_on_message = 1;
    wsx_ws_feed_init(&f, &callbacks, &l, msg, sizeof msg);
    while ((r = wsx_ws_conn_feed(&s, &f, g + at, len - at, 0, &used)) == 1) {
        at += used;
        rounds++;
        wsx_ws_conn_output(&s, &n);
        CHECK(n > 0);
        CHECK_EQ(wsx_ws_conn_consume(&s, wsx_ws_conn_output_size(&s)), WSX_OK);
    }
    CHECK_EQ(r, 0);
    CHECK_EQ(rounds, 3);
    CHECK(strcmp(l.ev, "oMPMMC") == 0);
    guarded_free(g, len);
}

/* Every callback pauses the feed when it returns nonzero (rule 7), a
 * negative value too: the feed returns WSX_PAUSED right after that event,
 * and fed the rest it goes on; the events are those of an unpaused run. */
static void test_pause_every_callback(void)
{
    static log_t l;
    static uint8_t out[4096], msg[1000];
    /* the conversation plus a pong (masked, zero key) before the close */
    static uint8_t bytes[4096];
    static const uint8_t pong[] = {0x8A, 0x81, 0, 0, 0, 0, 'o'};
    static const char *const modes[] = {"o", "M", "P", "O", "C", "oMPOC", "S", "D", "E", "oSDEPOC"};
    size_t len = conversation(900), close_at = len - 6 - 2, i;
    memcpy(bytes, wire, close_at);
    memcpy(bytes + close_at, pong, sizeof pong);
    memcpy(bytes + close_at + sizeof pong, wire + close_at, len - close_at);
    len += sizeof pong;
    for (i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        wsx_ws_conn s;
        wsx_ws_feed f;
        const char *want = i < 6 ? "oMPMMOC" : "oSDEPSDESEOC";
        size_t at = 0, used = 99;
        int r, pauses = 0;
        uint8_t *g = guarded_copy(bytes, len);
        memset(&l, 0, sizeof l);
        l.pause_on = modes[i];
        l.pause_verdict = i % 2 ? -1 : 7;
        server(&s, out, sizeof out, WSX_WS_DEFAULT_MAX_MESSAGE);
        CHECK_EQ(wsx_ws_feed_init(&f, &callbacks, &l, i < 6 ? msg : NULL, sizeof msg), WSX_OK);
        while ((r = wsx_ws_conn_feed(&s, &f, g + at, len - at, 0, &used)) == WSX_PAUSED) {
            CHECK(used <= len - at);
            at += used;
            pauses++;
            /* paused right after an event whose letter (or one of a
             * MESSAGE's letters, SDE) is in the mode */
            CHECK(l.n > 0 && strpbrk(modes[i], l.ev + l.call_at) != NULL);
            CHECK(pauses < 40);
            if (pauses >= 40)
                break;
        }
        CHECK_EQ(r, WSX_OK);
        CHECK_EQ(at + used, len);
        CHECK(strcmp(l.ev, want) == 0);
        {
            size_t k, expect = 0;
            for (k = 0; want[k]; k++)
                expect += strchr(modes[i], want[k]) != NULL;
            /* one DATA letter stands for each run of DATA events, and a
             * MESSAGE's three letters for one event */
            if (i < 6)
                CHECK_EQ((size_t)pauses, expect);
            else if (strchr(modes[i], 'D'))
                CHECK((size_t)pauses >= expect - (size_t)l.messages);
        }
        guarded_free(g, len);
    }
}

/* on_error: called once per failure; its verdict does not matter (a
 * failed WebSocket connection always stops); a failure in the middle of a
 * DATA event comes after that event's valid prefix.  (Invalid calls are
 * not failures: see test_feed_args.) */
static void test_on_error(void)
{
    static log_t l;
    static uint8_t out[4096];
    /* masked with a zero key: "ab", then 0xFF */
    static const uint8_t frame[] = {0x81, 0x85, 0, 0, 0, 0, 'a', 'b', 0xFF, 'c', 'd'};
    int verdict;
    for (verdict = 0; verdict < 2; verdict++) {
        wsx_ws_conn s;
        wsx_ws_feed f;
        size_t used = 99;
        uint8_t *g = guarded_copy(frame, sizeof frame);
        memset(&l, 0, sizeof l);
        l.error_verdict = verdict;
        server(&s, out, sizeof out, WSX_WS_DEFAULT_MAX_MESSAGE);
        CHECK_EQ(wsx_ws_feed_init(&f, &callbacks, &l, NULL, 0), WSX_OK);
        CHECK_EQ(wsx_ws_conn_feed(&s, &f, g, sizeof frame, 0, &used), WSX_E_WS_UTF8);
        CHECK_EQ(used, 8); /* up to the bad byte */
        CHECK(strcmp(l.ev, "oSD!") == 0);
        CHECK_EQ(l.len, 2);
        CHECK_MEM(l.data, "ab", 2);
        CHECK_EQ(l.err, WSX_E_WS_UTF8);
        CHECK_EQ(wsx_ws_conn_feed(&s, &f, g + used, sizeof frame - used, 0, &used), WSX_E_WS_UTF8);
        CHECK_EQ(used, 0);
        CHECK_EQ(l.errors, 1);
        CHECK_EQ(wsx_ws_conn_state(&s), WSX_WS_CLOSING);
        guarded_free(g, sizeof frame);
    }
}

static void test_feed_args(void)
{
    static log_t l;
    static uint8_t out[4096];
    wsx_ws_conn s;
    wsx_ws_feed f;
    wsx_ws_conn_config cfg;
    wsx_ws_conn_config_default(&cfg);
    memset(&l, 0, sizeof l);
    CHECK_EQ(wsx_ws_conn_init(&s, &cfg, out, sizeof out), WSX_OK);
    CHECK_EQ(wsx_ws_feed_init(&f, &callbacks, &l, NULL, 0), WSX_OK);
    CHECK_EQ(wsx_ws_conn_feed(&s, &f, NULL, 0, 0, NULL), WSX_E_STATE);
    CHECK_EQ(wsx_ws_conn_open(&s, 0), WSX_OK);
    CHECK_EQ(wsx_ws_conn_feed(&s, &f, NULL, 1, 0, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_feed(NULL, &f, NULL, 0, 0, NULL), WSX_E_ARG);
    /* an empty feed reports the open once; the invalid calls above did
     * not reach on_error */
    CHECK_EQ(wsx_ws_conn_feed(&s, &f, NULL, 0, 0, NULL), WSX_OK);
    CHECK_EQ(wsx_ws_conn_feed(&s, &f, NULL, 0, 0, NULL), WSX_OK);
    CHECK(strcmp(l.ev, "o") == 0);
    CHECK_EQ(l.errors, 0);
}

int main(void)
{
    RUN(test_assembled);
    RUN(test_streamed);
    RUN(test_too_big);
    RUN(test_whole_message);
    RUN(test_echo_and_pause);
    RUN(test_pause_every_callback);
    RUN(test_on_error);
    RUN(test_feed_args);
    return harness_done();
}
