/*
 * WebSocket connection: the queue arithmetic and the moment the close
 * handshake ends, at their edges.
 *   - wsx_ws_conn_send_room() is the longest payload whose frame fits,
 *     at every free size around the 7-bit/16-bit/64-bit length forms
 *     (RFC 6455 section 5.2), for both roles; a message of that size is
 *     accepted and one byte more is not;
 *   - our close frame is "written" only when its last byte is consumed,
 *     also when it waits behind a zero-copy payload and queued data, with
 *     the queue compacted on the way;
 *   - every deadline fires at its exact millisecond, not one earlier.
 */
#include <stdlib.h>

#include "harness.h"
#include "wsx_conn.h"

static void no_random(void *ctx, uint8_t *out, size_t n)
{
    (void)ctx;
    memset(out, 0x5a, n);
}

static void setup(wsx_ws_conn *c, wsx_ws_role role, uint8_t *out, size_t cap)
{
    wsx_ws_conn_config cfg;
    wsx_ws_conn_config_default(&cfg);
    cfg.role = role;
    cfg.random = no_random;
    CHECK_EQ(wsx_ws_conn_init(c, &cfg, out, cap), WSX_OK);
    CHECK_EQ(wsx_ws_conn_open(c, 0), WSX_OK);
}

/* The longest n with n + header(n) <= room, by brute force. */
static size_t expected_room(size_t room, int masked)
{
    size_t n = room;
    while (n && n + wsx_ws_header_size(n, masked) > room)
        n--;
    return n + wsx_ws_header_size(n, masked) <= room ? n : 0;
}

static void check_room(wsx_ws_role role, size_t cap)
{
    static uint8_t out[70000], payload[70000];
    wsx_ws_conn c;
    size_t room, want = expected_room(cap, role == WSX_WS_CLIENT);
    setup(&c, role, out, cap);
    room = wsx_ws_conn_send_room(&c);
    CHECK_EQ(room, want);
    if (room != want)
        fprintf(stderr, "  role %d cap %zu: room %zu, want %zu\n", (int)role, cap, room, want);
    CHECK_EQ(wsx_ws_conn_send(&c, WSX_WS_OP_BINARY, payload, room + 1), WSX_E_BUFFER);
    CHECK_EQ(wsx_ws_conn_send(&c, WSX_WS_OP_BINARY, payload, room), WSX_OK);
    CHECK_EQ(wsx_ws_conn_output_size(&c), room + wsx_ws_header_size(room, role == WSX_WS_CLIENT));
}

static void test_send_room_edges(void)
{
    static const size_t around[] = {131,   132,   133,   134,   135,   136,   137,   138,
                                    139,   140,   141,   65535, 65536, 65537, 65538, 65539,
                                    65540, 65541, 65542, 65543, 65544, 65545, 65546, 65547,
                                    65548, 65549, 65550, 65551, 70000};
    size_t i;
    for (i = 0; i < sizeof around / sizeof around[0]; i++) {
        check_room(WSX_WS_SERVER, around[i]);
        check_room(WSX_WS_CLIENT, around[i]);
    }
}

/* With a ping waiting in its slot, the room left for data shrinks by the
 * ping's frame. */
static void test_send_room_after_control(void)
{
    static uint8_t out[300];
    wsx_ws_conn c;
    setup(&c, WSX_WS_SERVER, out, 200);
    CHECK_EQ(wsx_ws_conn_send(&c, WSX_WS_OP_BINARY, out, 50), WSX_OK);
    CHECK_EQ(wsx_ws_conn_ping(&c, "abc", 3, 1), WSX_OK);
    /* 200 - 52 queued - 5 for the ping = 143 bytes: 139 + 4 */
    CHECK_EQ(wsx_ws_conn_send_room(&c), 139);
    CHECK_EQ(wsx_ws_conn_send(&c, WSX_WS_OP_BINARY, out, 140), WSX_E_CONN_QUEUE_FULL);
    CHECK_EQ(wsx_ws_conn_send(&c, WSX_WS_OP_BINARY, out, 139), WSX_OK);
    CHECK_EQ(wsx_ws_conn_send_room(&c), 0);
}

/* Our close behind queued data and a zero-copy payload: CLOSED exactly
 * when its last byte is consumed (server, after the peer's close). */
static void test_close_written_behind_ref(void)
{
    static uint8_t out[256], payload[1000];
    static const uint8_t peer_close[] = {0x88, 0x82, 1, 2, 3, 4, 0x03 ^ 1, 0xe8 ^ 2}; /* 1000 */
    uint8_t in[sizeof peer_close];
    wsx_ws_conn c;
    wsx_ws_event ev;
    size_t used, total, step;
    setup(&c, WSX_WS_SERVER, out, sizeof out);
    CHECK_EQ(wsx_ws_conn_send(&c, WSX_WS_OP_TEXT, "hello", 5), WSX_OK);
    CHECK_EQ(wsx_ws_conn_send_ref(&c, WSX_WS_OP_BINARY, payload, sizeof payload), WSX_OK);
    CHECK_EQ(wsx_ws_conn_close(&c, 1001, "bye", 3, 5), WSX_OK);
    CHECK_EQ(wsx_ws_conn_state(&c), WSX_WS_CLOSING);
    memcpy(in, peer_close, sizeof in);
    CHECK_EQ(wsx_ws_conn_recv(&c, in, sizeof in, &used, &ev, 6), WSX_WS_EV_CLOSE);
    CHECK_EQ(ev.close_code, 1000);
    total = wsx_ws_conn_output_size(&c);
    /* 7 (hello) + 4 (header) + 1000 + 7 (close 1001 "bye") */
    CHECK_EQ(total, 7 + 4 + sizeof payload + 7);
    for (step = 1; total > 1; total -= step, step = step * 2 + 1) {
        if (step > total - 1)
            step = total - 1;
        CHECK_EQ(wsx_ws_conn_consume(&c, step), WSX_OK);
        CHECK_EQ(wsx_ws_conn_state(&c), WSX_WS_CLOSING);
        CHECK(!wsx_ws_conn_should_close_transport(&c));
    }
    CHECK_EQ(wsx_ws_conn_output_size(&c), 1);
    CHECK_EQ(wsx_ws_conn_consume(&c, 1), WSX_OK);
    CHECK_EQ(wsx_ws_conn_state(&c), WSX_WS_CLOSED);
    CHECK(wsx_ws_conn_should_close_transport(&c));
    CHECK_EQ(wsx_ws_conn_close_code(&c), 1000);
    CHECK_EQ(wsx_ws_conn_output_size(&c), 0);
}

/* We close first and our close is written out before the peer answers:
 * CLOSED when the peer's close arrives, not before. */
static void test_close_written_then_received(void)
{
    static uint8_t out[256];
    static const uint8_t peer_close[] = {0x88, 0x80, 1, 2, 3, 4};
    uint8_t in[sizeof peer_close];
    wsx_ws_conn c;
    wsx_ws_event ev;
    size_t used;
    setup(&c, WSX_WS_SERVER, out, sizeof out);
    CHECK_EQ(wsx_ws_conn_close(&c, 1000, NULL, 0, 0), WSX_OK);
    CHECK_EQ(wsx_ws_conn_consume(&c, wsx_ws_conn_output_size(&c)), WSX_OK);
    CHECK_EQ(wsx_ws_conn_state(&c), WSX_WS_CLOSING);
    memcpy(in, peer_close, sizeof in);
    CHECK_EQ(wsx_ws_conn_recv(&c, in, sizeof in, &used, &ev, 1), WSX_WS_EV_CLOSE);
    CHECK_EQ(wsx_ws_conn_state(&c), WSX_WS_CLOSED);
    CHECK_EQ(wsx_ws_conn_close_code(&c), 1005);
    CHECK_EQ(wsx_ws_conn_output_size(&c), 0); /* no second close */
}

/* Heartbeat, pong and close deadlines fire at their exact millisecond. */
static void test_deadlines_exact(void)
{
    static uint8_t out[256];
    wsx_ws_conn_config cfg;
    wsx_ws_conn c;
    wsx_ws_conn_config_default(&cfg);
    cfg.ping_interval_ms = 1000;
    cfg.pong_timeout_ms = 300;
    cfg.close_timeout_ms = 50;
    CHECK_EQ(wsx_ws_conn_init(&c, &cfg, out, sizeof out), WSX_OK);
    CHECK_EQ(wsx_ws_conn_open(&c, 10), WSX_OK);
    CHECK_EQ(wsx_ws_conn_next_deadline(&c), 1010);
    CHECK_EQ(wsx_ws_conn_tick(&c, 1009), WSX_OK);
    CHECK_EQ(wsx_ws_conn_output_size(&c), 0);
    CHECK_EQ(wsx_ws_conn_tick(&c, 1010), WSX_OK);
    CHECK_EQ(wsx_ws_conn_output_size(&c), 2);      /* the heartbeat ping */
    CHECK_EQ(wsx_ws_conn_next_deadline(&c), 1310); /* its pong timeout */
    CHECK_EQ(wsx_ws_conn_tick(&c, 1309), WSX_OK);
    CHECK_EQ(wsx_ws_conn_state(&c), WSX_WS_OPEN);
    CHECK_EQ(wsx_ws_conn_tick(&c, 1310), WSX_E_CONN_TIMEOUT);
    /* close 1001 queued behind the unwritten ping; at most close_timeout_ms
     * to write it out */
    CHECK_EQ(wsx_ws_conn_state(&c), WSX_WS_CLOSING);
    CHECK(!wsx_ws_conn_should_close_transport(&c));
    CHECK_EQ(wsx_ws_conn_next_deadline(&c), 1360);
    CHECK_EQ(wsx_ws_conn_tick(&c, 1359), WSX_OK);
    CHECK_EQ(wsx_ws_conn_state(&c), WSX_WS_CLOSING);
    CHECK_EQ(wsx_ws_conn_tick(&c, 1360), WSX_OK); /* already reported */
    CHECK_EQ(wsx_ws_conn_state(&c), WSX_WS_CLOSED);
    CHECK(wsx_ws_conn_should_close_transport(&c));
    CHECK_EQ(wsx_ws_conn_error(&c), WSX_E_CONN_TIMEOUT);
    CHECK_EQ(wsx_ws_conn_next_deadline(&c), WSX_WS_NO_DEADLINE);

    /* the close timeout counts from the first close, not a later fail;
     * the failure's error is kept */
    CHECK_EQ(wsx_ws_conn_init(&c, &cfg, out, sizeof out), WSX_OK);
    CHECK_EQ(wsx_ws_conn_open(&c, 0), WSX_OK);
    CHECK_EQ(wsx_ws_conn_ping(&c, NULL, 0, 5), WSX_OK);
    CHECK_EQ(wsx_ws_conn_close(&c, 1000, NULL, 0, 20), WSX_OK);
    CHECK_EQ(wsx_ws_conn_next_deadline(&c), 70);
    CHECK_EQ(wsx_ws_conn_fail(&c, WSX_E_LIMIT, 40), WSX_OK);
    CHECK_EQ(wsx_ws_conn_next_deadline(&c), 70);
    CHECK_EQ(wsx_ws_conn_tick(&c, 69), WSX_OK);
    CHECK_EQ(wsx_ws_conn_tick(&c, 70), WSX_OK);
    CHECK(wsx_ws_conn_should_close_transport(&c));
    CHECK_EQ(wsx_ws_conn_error(&c), WSX_E_LIMIT);

    /* a close handshake that does not finish fails with the timeout */
    CHECK_EQ(wsx_ws_conn_init(&c, &cfg, out, sizeof out), WSX_OK);
    CHECK_EQ(wsx_ws_conn_open(&c, 0), WSX_OK);
    CHECK_EQ(wsx_ws_conn_close(&c, 1000, NULL, 0, 20), WSX_OK);
    CHECK_EQ(wsx_ws_conn_tick(&c, 69), WSX_OK);
    CHECK_EQ(wsx_ws_conn_tick(&c, 70), WSX_E_CONN_TIMEOUT);
    CHECK_EQ(wsx_ws_conn_error(&c), WSX_E_CONN_TIMEOUT);
    CHECK(wsx_ws_conn_should_close_transport(&c));
    CHECK_EQ(wsx_ws_conn_tick(&c, 80), WSX_OK); /* reported once */
}

/* All pending output, flattened into dst (at most cap bytes); its size. */
static size_t flat_output(wsx_ws_conn *c, uint8_t *dst, size_t cap)
{
    wsx_ws_chunk ch[WSX_WS_CONN_MAX_CHUNKS];
    size_t n = wsx_ws_conn_output_vec(c, ch), i, len = 0;
    for (i = 0; i < n; i++) {
        CHECK(len + ch[i].len <= cap);
        if (len + ch[i].len > cap)
            return len;
        memcpy(dst + len, ch[i].data, ch[i].len);
        len += ch[i].len;
    }
    return len;
}

/* wsx_ws_conn_set_queue: the queued bytes (behind a partial write, around
 * a zero-copy payload) move to the new buffer, which takes every later
 * frame; one too small for them changes nothing. */
static void test_set_queue(void)
{
    static uint8_t first[512], second[300], tiny[WSX_WS_CONN_MIN_QUEUE], payload[200];
    uint8_t before[1024], after[1024];
    wsx_ws_conn c;
    size_t n, m;
    setup(&c, WSX_WS_SERVER, first, sizeof first);
    memset(payload, 'p', sizeof payload);
    CHECK_EQ(wsx_ws_conn_send(&c, WSX_WS_OP_TEXT, "hello", 5), WSX_OK);
    CHECK_EQ(wsx_ws_conn_send_ref(&c, WSX_WS_OP_BINARY, payload, sizeof payload), WSX_OK);
    CHECK_EQ(wsx_ws_conn_send(&c, WSX_WS_OP_TEXT, "after", 5), WSX_OK);
    CHECK_EQ(wsx_ws_conn_consume(&c, 3), WSX_OK);
    n = flat_output(&c, before, sizeof before);
    CHECK_EQ(n, 4 + 4 + sizeof payload + 7); /* "llo" + its rest, ref frame, "after" */
    CHECK_EQ(wsx_ws_conn_set_queue(&c, tiny, 8), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_set_queue(NULL, second, sizeof second), WSX_E_ARG);
    CHECK_EQ(wsx_ws_conn_set_queue(&c, NULL, sizeof second), WSX_E_ARG);
    memset(first + 300, 'x', 200); /* not queued: must not matter */
    CHECK_EQ(wsx_ws_conn_set_queue(&c, second, sizeof second), WSX_OK);
    memset(first, 0, sizeof first); /* the old buffer is not used any more */
    m = flat_output(&c, after, sizeof after);
    CHECK_EQ(m, n);
    CHECK(memcmp(before, after, n) == 0);
    /* Later frames go to the new buffer, whose size bounds them. */
    CHECK_EQ(wsx_ws_conn_send(&c, WSX_WS_OP_BINARY, "z", 1), WSX_OK);
    CHECK_EQ(flat_output(&c, after, sizeof after), n + 3);
    CHECK(memcmp(after + n, "\x82\x01z", 3) == 0);
    CHECK_EQ(wsx_ws_conn_consume(&c, n + 3), WSX_OK);
    CHECK_EQ(wsx_ws_conn_send_room(&c), sizeof second - 4);
    /* Queued bytes that do not fit: nothing changes. */
    CHECK_EQ(wsx_ws_conn_send(&c, WSX_WS_OP_BINARY, payload, sizeof payload), WSX_OK);
    CHECK_EQ(wsx_ws_conn_set_queue(&c, tiny, sizeof tiny), WSX_E_BUFFER);
    CHECK_EQ(flat_output(&c, after, sizeof after), sizeof payload + 4);
    CHECK(memcmp(after + 4, payload, sizeof payload) == 0);
    /* An empty queue moves anywhere; the same buffer is fine too. */
    CHECK_EQ(wsx_ws_conn_consume(&c, sizeof payload + 4), WSX_OK);
    CHECK_EQ(wsx_ws_conn_set_queue(&c, tiny, sizeof tiny), WSX_OK);
    CHECK_EQ(wsx_ws_conn_send_room(&c), expected_room(sizeof tiny, 0));
    CHECK_EQ(wsx_ws_conn_send(&c, WSX_WS_OP_TEXT, "abc", 3), WSX_OK);
    CHECK_EQ(wsx_ws_conn_set_queue(&c, tiny, sizeof tiny), WSX_OK);
    CHECK_EQ(flat_output(&c, after, sizeof after), 5);
    CHECK(memcmp(after,
                 "\x81\x03"
                 "abc",
                 5) == 0);
}

int main(void)
{
    RUN(test_send_room_edges);
    RUN(test_send_room_after_control);
    RUN(test_close_written_behind_ref);
    RUN(test_close_written_then_received);
    RUN(test_deadlines_exact);
    RUN(test_set_queue);
    return harness_done();
}
