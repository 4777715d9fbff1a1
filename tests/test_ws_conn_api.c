/*
 * WebSocket connection: the contract around the state machine.
 *   - wsx_ws_conn_wants() in every state, for both roles: the bits and
 *     the deadline a poll loop acts on;
 *   - every function of wsx_conn.h given NULL (wsx_base.h rule 5):
 *     WSX_E_ARG with nothing changed, or a neutral answer from queries;
 *   - the natural recv loop when a text message turns invalid in the
 *     middle of a DATA event: the valid prefix, then the error.
 */
#include "harness.h"
#include "wsx_conn.h"

static uint8_t out_a[4096], out_b[4096];

static void fixed_random(void *ctx, uint8_t *out, size_t n)
{
    (void)ctx;
    memset(out, 0, n); /* a zero key: masked bytes read as they are */
}

static void open_conn(wsx_ws_conn *c, wsx_ws_role role, uint8_t *out,
                      const wsx_ws_conn_config *base, uint64_t now)
{
    wsx_ws_conn_config cfg;
    if (base)
        cfg = *base;
    else
        wsx_ws_conn_config_default(&cfg);
    cfg.role = role;
    cfg.random = fixed_random;
    CHECK_EQ(wsx_ws_conn_init(c, &cfg, out, 4096), WSX_OK);
    CHECK_EQ(wsx_ws_conn_open(c, now), WSX_OK);
}

/* Moves all of a's output into b's recv; returns the bytes moved. */
static size_t deliver(wsx_ws_conn *a, wsx_ws_conn *b, uint64_t now)
{
    static uint8_t wire[8192];
    size_t n = 0, len, at = 0, used;
    const uint8_t *p;
    wsx_ws_event ev;
    while ((p = wsx_ws_conn_output(a, &len)) != NULL) {
        CHECK(n + len <= sizeof wire);
        memcpy(wire + n, p, len);
        n += len;
        CHECK_EQ(wsx_ws_conn_consume(a, len), WSX_OK);
    }
    while (wsx_ws_conn_recv(b, wire + at, n - at, &used, &ev, now) > 0)
        at += used;
    return n;
}

/* Takes a's output without delivering it (the peer got it). */
static size_t write_out(wsx_ws_conn *a)
{
    size_t n = wsx_ws_conn_output_size(a);
    CHECK_EQ(wsx_ws_conn_consume(a, n), WSX_OK);
    return n;
}

static void check_wants(wsx_ws_conn *c, unsigned want, uint64_t deadline)
{
    uint64_t d = 12345;
    unsigned got = wsx_ws_conn_wants(c, &d);
    CHECK_EQ(got, want);
    CHECK_EQ(d, deadline);
    CHECK_EQ(wsx_ws_conn_wants(c, NULL), want);
    CHECK_EQ((got & WSX_WANT_CLOSE) != 0, wsx_ws_conn_should_close_transport(c));
    CHECK_EQ(d, wsx_ws_conn_next_deadline(c));
}

#define RW (WSX_WANT_READ | WSX_WANT_WRITE)
#define NONE WSX_WS_NO_DEADLINE

static void test_wants_open(void)
{
    wsx_ws_conn s;
    wsx_ws_conn_config cfg;
    wsx_ws_conn_config_default(&cfg);
    CHECK_EQ(wsx_ws_conn_init(&s, &cfg, out_a, sizeof out_a), WSX_OK);
    check_wants(&s, 0, NONE); /* CONNECTING: the handshake is the caller's */

    open_conn(&s, WSX_WS_SERVER, out_a, NULL, 0);
    check_wants(&s, WSX_WANT_READ, NONE);
    CHECK_EQ(wsx_ws_conn_send(&s, WSX_WS_OP_TEXT, "hi", 2), WSX_OK);
    check_wants(&s, RW, NONE);
    write_out(&s);
    check_wants(&s, WSX_WANT_READ, NONE);
    /* a user ping enters the queue for wants: write it; pong deadline */
    CHECK_EQ(wsx_ws_conn_ping(&s, "x", 1, 100), WSX_OK);
    check_wants(&s, RW, 100 + WSX_WS_CONN_DEFAULT_PONG_TIMEOUT_MS);
    CHECK_EQ(write_out(&s), 3);

    /* heartbeat: the ping is due after the silence */
    cfg.ping_interval_ms = 1000;
    cfg.pong_timeout_ms = 200;
    open_conn(&s, WSX_WS_SERVER, out_a, &cfg, 50);
    check_wants(&s, WSX_WANT_READ, 1050);
    CHECK_EQ(wsx_ws_conn_tick(&s, 1050), WSX_OK);
    check_wants(&s, RW, 1250);
    /* the transport broke */
    wsx_ws_conn_eof(&s);
    check_wants(&s, WSX_WANT_CLOSE, NONE);
}

/* We close first.  Server: after the peer's close, close the transport.
 * Client: after the server's close, read until EOF or the deadline. */
static void test_wants_closing_ours(void)
{
    int role;
    for (role = 0; role < 2; role++) {
        wsx_ws_conn a, b;
        open_conn(&a, (wsx_ws_role)role, out_a, NULL, 0);
        open_conn(&b, (wsx_ws_role)!role, out_b, NULL, 0);
        CHECK_EQ(wsx_ws_conn_close(&a, 1000, NULL, 0, 10), WSX_OK);
        check_wants(&a, RW, 5010);
        deliver(&a, &b, 20);
        check_wants(&a, WSX_WANT_READ, 5010); /* waiting for the echo */
        check_wants(&b, RW, 5020);            /* the echo to write */
        deliver(&b, &a, 30);
        CHECK_EQ(wsx_ws_conn_state(&a), WSX_WS_CLOSED);
        CHECK_EQ(wsx_ws_conn_state(&b), WSX_WS_CLOSED);
        if (role == WSX_WS_SERVER) {
            check_wants(&a, WSX_WANT_CLOSE, NONE);
            check_wants(&b, WSX_WANT_READ, 5020); /* client: until EOF */
            wsx_ws_conn_eof(&b);
            check_wants(&b, WSX_WANT_CLOSE, NONE);
        } else {
            check_wants(&b, WSX_WANT_CLOSE, NONE);
            check_wants(&a, WSX_WANT_READ, 5010);
            CHECK_EQ(wsx_ws_conn_tick(&a, 5009), WSX_OK);
            check_wants(&a, WSX_WANT_READ, 5010);
            CHECK_EQ(wsx_ws_conn_tick(&a, 5010), WSX_OK); /* no EOF came */
            check_wants(&a, WSX_WANT_CLOSE, NONE);
        }
    }
}

/* The peer never answers our close: the close timeout ends it. */
static void test_wants_close_timeout(void)
{
    wsx_ws_conn s;
    open_conn(&s, WSX_WS_SERVER, out_a, NULL, 0);
    CHECK_EQ(wsx_ws_conn_close(&s, 1000, NULL, 0, 0), WSX_OK);
    write_out(&s);
    check_wants(&s, WSX_WANT_READ, 5000);
    CHECK_EQ(wsx_ws_conn_tick(&s, 5000), WSX_E_CONN_TIMEOUT);
    check_wants(&s, WSX_WANT_CLOSE, NONE);
}

/* A failed connection: write the close frame, then close the transport;
 * reading stays on meanwhile (recv returns the error). */
static void test_wants_failed(void)
{
    static const uint8_t unmasked[] = {0x81, 0x01, 'x'};
    uint8_t in[sizeof unmasked];
    wsx_ws_conn s;
    wsx_ws_event ev;
    size_t used;
    memcpy(in, unmasked, sizeof in);
    open_conn(&s, WSX_WS_SERVER, out_a, NULL, 0);
    CHECK_EQ(wsx_ws_conn_recv(&s, in, sizeof in, &used, &ev, 7), WSX_E_WS_MASK_REQUIRED);
    check_wants(&s, RW, 5007);
    write_out(&s);
    check_wants(&s, WSX_WANT_CLOSE, NONE);

    /* the same for a client (it does not wait for EOF after a failure) */
    open_conn(&s, WSX_WS_CLIENT, out_a, NULL, 0);
    CHECK_EQ(wsx_ws_conn_fail(&s, WSX_E_LIMIT, 0), WSX_OK);
    check_wants(&s, RW, 5000);
    write_out(&s);
    check_wants(&s, WSX_WANT_CLOSE, NONE);
}

/* rule 5: NULL gives WSX_E_ARG and changes nothing, or a neutral answer */
static void test_null_arguments(void)
{
    static const wsx_ws_callbacks cb;
    wsx_ws_conn c;
    wsx_ws_feed f;
    wsx_ws_event ev;
    wsx_ws_chunk v[WSX_WS_CONN_MAX_CHUNKS];
    uint8_t buf[8] = {0x89, 0x80, 0, 0, 0, 0};
    size_t used = 77, len = 77;
    uint64_t d = 5;

    wsx_ws_conn_config_default(NULL); /* nothing to fill */
    CHECK_EQ(wsx_ws_conn_init(NULL, NULL, out_a, sizeof out_a), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_init(&c, NULL, NULL, sizeof out_a), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_open(NULL, 0), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_state(NULL), 0);
    CHECK_EQ(wsx_ws_conn_wants(NULL, &d), 0);
    CHECK_EQ(d, WSX_WS_NO_DEADLINE);
    CHECK_EQ(wsx_ws_conn_wants(NULL, NULL), 0);
    CHECK_EQ(wsx_ws_conn_should_close_transport(NULL), 0);
    wsx_ws_conn_eof(NULL);
    CHECK_EQ(wsx_ws_conn_close_code(NULL), 0);
    CHECK_EQ(wsx_ws_conn_error(NULL), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_send(NULL, WSX_WS_OP_TEXT, "x", 1), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_stream_begin(NULL, WSX_WS_OP_TEXT), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_stream_part(NULL, "x", 1), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_stream_end(NULL, "x", 1), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_send_ref(NULL, WSX_WS_OP_BINARY, buf, 1), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_ref_pending(NULL), 0);
    CHECK_EQ(wsx_ws_conn_ping(NULL, "x", 1, 0), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_close(NULL, 1000, NULL, 0, 0), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_fail(NULL, WSX_E_LIMIT, 0), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_send_room(NULL), 0);
    CHECK(wsx_ws_conn_output(NULL, &len) == NULL);
    CHECK_EQ(len, 0);
    CHECK(wsx_ws_conn_output(NULL, NULL) == NULL);
    CHECK_EQ(wsx_ws_conn_output_vec(NULL, v), 0);
    CHECK_EQ(wsx_ws_conn_output_size(NULL), 0);
    CHECK_EQ(wsx_ws_conn_consume(NULL, 0), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_tick(NULL, 0), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_next_deadline(NULL), WSX_WS_NO_DEADLINE);
    CHECK_EQ(wsx_ws_conn_recv(NULL, buf, 6, &used, &ev, 0), WSX_E_ARG);
    CHECK_EQ(wsx_ws_feed_init(NULL, &cb, NULL, NULL, 0), WSX_E_ARG);
    CHECK_EQ(wsx_ws_feed_init(&f, NULL, NULL, NULL, 0), WSX_E_ARG);
    CHECK_EQ(wsx_ws_feed_init(&f, &cb, NULL, NULL, 0), WSX_OK);
    CHECK_EQ(wsx_ws_conn_feed(NULL, &f, buf, 6, 0, &used), WSX_E_ARG);

    /* NULL in the other places: an open connection with a pending pong
     * and a stream open; nothing may change */
    open_conn(&c, WSX_WS_SERVER, out_a, NULL, 0);
    CHECK_EQ(wsx_ws_conn_stream_begin(&c, WSX_WS_OP_BINARY), WSX_OK);
    CHECK_EQ(wsx_ws_conn_recv(&c, buf, 6, &used, &ev, 0), WSX_WS_EV_PING);
    used = 77;
    CHECK_EQ(wsx_ws_conn_recv(&c, buf, 6, NULL, &ev, 0), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_recv(&c, buf, 6, &used, NULL, 0), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_recv(&c, NULL, 6, &used, &ev, 0), WSX_E_ARG);
    CHECK_EQ(used, 77);
    CHECK_EQ(wsx_ws_conn_send(&c, WSX_WS_OP_TEXT, NULL, 1), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_stream_part(&c, NULL, 1), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_stream_end(&c, NULL, 1), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_send_ref(&c, WSX_WS_OP_BINARY, NULL, 1), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_ping(&c, NULL, 1, 0), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_close(&c, 1000, NULL, 1, 0), WSX_E_ARG);
    CHECK(wsx_ws_conn_output(&c, NULL) == NULL);
    CHECK_EQ(wsx_ws_conn_output_vec(&c, NULL), 0);
    CHECK_EQ(wsx_ws_conn_feed(&c, NULL, buf, 6, 0, &used), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_feed(&c, &f, NULL, 6, 0, &used), WSX_E_ARG);
    CHECK_EQ(used, 77);
    CHECK_EQ(wsx_ws_conn_state(&c), WSX_WS_OPEN);
    CHECK_EQ(wsx_ws_conn_output_size(&c), 2);             /* the one pong */
    CHECK_EQ(wsx_ws_conn_stream_end(&c, "z", 1), WSX_OK); /* still open */
}

/* The loop of wsx_conn.h when a text message turns invalid in the middle
 * of a read: DATA with the valid prefix (the connection has failed
 * already), then the error; close 1007 queued. */
typedef struct loop_result {
    char kinds[16];
    char data[16];
    int err_during_data;
    int r;
} loop_result;

static void natural_loop(wsx_ws_conn *c, uint8_t *p, size_t n, loop_result *res)
{
    size_t used;
    wsx_ws_event ev;
    int r;
    while ((r = wsx_ws_conn_recv(c, p, n, &used, &ev, 0)) > 0) {
        p += used;
        n -= used;
        res->kinds[strlen(res->kinds)] = (char)('0' + r);
        if (r == WSX_WS_EV_DATA) {
            strncat(res->data, (const char *)ev.data, ev.size);
            res->err_during_data = wsx_ws_conn_error(c);
        }
    }
    res->r = r;
}

static void check_close_1007(wsx_ws_conn *c)
{
    size_t n;
    const uint8_t *p = wsx_ws_conn_output(c, &n);
    CHECK(p != NULL && n >= 4);
    if (!p || n < 4)
        return;
    CHECK_EQ(p[0], 0x88);
    CHECK_EQ(p[2], 1007 >> 8);
    CHECK_EQ(p[3], 1007 & 0xFF);
}

static void test_loop_fails_mid_data(void)
{
    /* masked with a zero key: "ab", then 0xFF */
    static const uint8_t frame[] = {0x81, 0x85, 0, 0, 0, 0, 'a', 'b', 0xFF, 'c', 'd'};
    wsx_ws_conn c;
    loop_result res;
    size_t cut;
    for (cut = 0; cut <= sizeof frame; cut++) {
        uint8_t *g = guarded_copy(frame, sizeof frame);
        memset(&res, 0, sizeof res);
        open_conn(&c, WSX_WS_SERVER, out_a, NULL, 0);
        /* two reads, cut anywhere (cut == sizeof frame: one read) */
        natural_loop(&c, g, cut, &res);
        if (res.r == 0)
            natural_loop(&c, g + cut, sizeof frame - cut, &res);
        CHECK_EQ(res.r, WSX_E_WS_UTF8);
        CHECK(strcmp(res.data, "ab") == 0);
        CHECK(res.kinds[0] == '0' + WSX_WS_EV_MESSAGE_START);
        CHECK(strchr(res.kinds, '0' + WSX_WS_EV_MESSAGE_END) == NULL);
        if (cut > 8) /* the bad byte came with "ab": failed before DATA */
            CHECK_EQ(res.err_during_data, WSX_E_WS_UTF8);
        CHECK_EQ(wsx_ws_conn_state(&c), WSX_WS_CLOSING);
        CHECK_EQ(wsx_ws_conn_error(&c), WSX_E_WS_UTF8);
        check_close_1007(&c);
        /* sticky */
        memset(&res, 0, sizeof res);
        natural_loop(&c, g, sizeof frame, &res);
        CHECK_EQ(res.r, WSX_E_WS_UTF8);
        CHECK_EQ(res.kinds[0], 0);
        guarded_free(g, sizeof frame);
    }
}

int main(void)
{
    RUN(test_wants_open);
    RUN(test_wants_closing_ours);
    RUN(test_wants_close_timeout);
    RUN(test_wants_failed);
    RUN(test_null_arguments);
    RUN(test_loop_fails_mid_data);
    return harness_done();
}
