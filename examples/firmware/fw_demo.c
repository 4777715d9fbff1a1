/*
 * fw_demo — wsx the way firmware uses it: static buffers only, no heap, no
 * operating system, no stdio.  Built for a Cortex-M4 by `make size`
 * (arm-none-eabi-gcc, newlib-nano, --gc-sections); the same file also
 * builds and runs on a host (tests/interop/test_firmware.sh does both).
 *
 * What the device does:
 *   - a WebSocket server on /ws: the opening handshake (the HTTP head
 *     parser, then wsx_hs_server_answer_request), then frames through the
 *     connection layer and its callback adapter: every message is echoed,
 *     pings get pongs, the close handshake is answered;
 *   - an SSE stream on /events: every WebSocket message the device
 *     receives is published there as an event (event "ws" for text, "bin"
 *     with the bytes in hex for binary), ids 1, 2, 3..., chunked framing,
 *     a keep-alive comment when the stream is quiet, and "data: [DONE]"
 *     plus the last chunk when the WebSocket client has gone.
 *
 * The "TCP stack" is fake: what the peers send comes from the static
 * arrays below, handed over a few bytes at a time (as a slow link delivers
 * segments), and what the device sends is recorded in static logs with a
 * small window per send call (so partial writes happen).  A real port
 * replaces tcp_recv/tcp_send with lwIP's tcp_recv callback and tcp_write,
 * or a modem's socket API; nothing else changes.  At the end, a simulated
 * browser (fw_browser.c) checks both logs with the wsx decoders (client
 * role) and main returns 0 when everything came out as expected, or the
 * number of the first check that failed.
 *
 * Memory: every byte this program uses is in the static variables below
 * (see `make size` for their sizes and the per-connection state); wsx
 * itself never allocates.
 */
#include <wsx.h>
#include <wsx_conn.h>
#include <wsx_handshake.h>
#include <wsx_http.h>
#include <wsx_sse.h>
#include <wsx_ws.h>

#include <string.h>

#ifdef FW_DEMO_HOST
#include <stdio.h> /* the host build prints what the simulated browser saw */
#endif

#include "fw_demo.h"

/* ---- what the peers send ---------------------------------------------------- */

/* The sample key of RFC 6455 section 1.3; its accept value is known. */
static const char ws_request[] = "GET /ws HTTP/1.1\r\n"
                                 "Host: device.local\r\n"
                                 "Upgrade: websocket\r\n"
                                 "Connection: Upgrade\r\n"
                                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                 "Sec-WebSocket-Version: 13\r\n"
                                 "Origin: http://device.local\r\n"
                                 "\r\n";

/* Client frames, masked as a browser masks them. */
static const uint8_t ws_frames[] = {
    /* text "Hello" (the masked example of RFC 6455 section 5.7) */
    0x81,
    0x85,
    0x37,
    0xfa,
    0x21,
    0x3d,
    0x7f,
    0x9f,
    0x4d,
    0x51,
    0x58,
    /* ping "ping-1" */
    0x89,
    0x86,
    0x12,
    0x34,
    0x56,
    0x78,
    0x62,
    0x5d,
    0x38,
    0x1f,
    0x3f,
    0x05,
    /* text "sensor: " without FIN */
    0x01,
    0x88,
    0xa1,
    0xb2,
    0xc3,
    0xd4,
    0xd2,
    0xd7,
    0xad,
    0xa7,
    0xce,
    0xc0,
    0xf9,
    0xf4,
    /* continuation "temp=21.5" with FIN */
    0x80,
    0x89,
    0x0f,
    0x1e,
    0x2d,
    0x3c,
    0x7b,
    0x7b,
    0x40,
    0x4c,
    0x32,
    0x2c,
    0x1c,
    0x12,
    0x3a,
    /* binary 01 02 03 */
    0x82,
    0x83,
    0x99,
    0x88,
    0x77,
    0x66,
    0x98,
    0x8a,
    0x74,
    /* close 1000 "bye" */
    0x88,
    0x85,
    0x5a,
    0xa5,
    0x3c,
    0xc3,
    0x59,
    0x4d,
    0x5e,
    0xba,
    0x3f,
};

static const char sse_request[] = "GET /events HTTP/1.1\r\n"
                                  "Host: device.local\r\n"
                                  "Accept: text/event-stream\r\n"
                                  "\r\n";

/* ---- the fake TCP stack ------------------------------------------------------ */

#define SEGMENT 7      /* bytes per received segment */
#define SEND_WINDOW 48 /* bytes the stack takes per send call */

static uint8_t ws_tx_log[1024];
static uint8_t sse_tx_log[1024];
static tcp_conn ws_tcp, sse_tcp;

static void tcp_setup(tcp_conn *t, const void *a, size_t a_len, const void *b, size_t b_len,
                      uint8_t *log, size_t log_cap)
{
    t->rx[0] = (const uint8_t *)a;
    t->rx_len[0] = a_len;
    t->rx[1] = (const uint8_t *)b;
    t->rx_len[1] = b_len;
    t->rx_pos = 0;
    t->tx = log;
    t->tx_cap = log_cap;
    t->tx_len = 0;
    t->closed = 0;
}

/* Up to SEGMENT received bytes into buf[0..cap); 0 when the peer has
 * nothing more to say (the demo's stand-in for "no data yet"). */
static size_t tcp_recv(tcp_conn *t, uint8_t *buf, size_t cap)
{
    size_t n = 0;
    while (n < cap && n < SEGMENT) {
        size_t pos = t->rx_pos, piece = pos < t->rx_len[0] ? 0 : 1;
        if (piece == 1)
            pos -= t->rx_len[0];
        if (pos >= t->rx_len[piece])
            break;
        buf[n++] = t->rx[piece][pos];
        t->rx_pos++;
    }
    return n;
}

/* Takes up to SEND_WINDOW bytes of p[0..n); returns how many. */
static size_t tcp_send(tcp_conn *t, const void *p, size_t n)
{
    size_t room = t->tx_cap - t->tx_len;
    if (t->closed)
        return 0;
    if (n > SEND_WINDOW)
        n = SEND_WINDOW;
    if (n > room)
        n = room;
    memcpy(t->tx + t->tx_len, p, n);
    t->tx_len += n;
    return n;
}

/* Sends all of p[0..n) (a real stack would wait for its send window). */
static int tcp_send_all(tcp_conn *t, const void *p, size_t n)
{
    const uint8_t *b = (const uint8_t *)p;
    while (n > 0) {
        size_t k = tcp_send(t, b, n);
        if (k == 0)
            return -1;
        b += k;
        n -= k;
    }
    return 0;
}

/* A millisecond tick, as SysTick would keep it: +10 per main loop pass. */
static uint32_t ticks_ms;

/* ---- the SSE stream ---------------------------------------------------------- */

static struct {
    uint32_t next_id;
    uint64_t last_write_ms;
    int open;
} sse;

static uint8_t sse_out[256]; /* one event, framed as a chunk */

/* Sends bytes[0..n) that a writer returning r made. */
static int sse_send(const uint8_t *bytes, int r, size_t n)
{
    if (r != WSX_OK || tcp_send_all(&sse_tcp, bytes, n) != 0)
        return -1;
    sse.last_write_ms = ticks_ms;
    return 0;
}

size_t put_u32(char *out, uint32_t v)
{
    char tmp[10];
    size_t n = 0, i;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

/* Answers the SSE request with the event-stream head (chunked). */
static int sse_accept(void)
{
    static uint8_t in[128];
    static wsx_header headers[8];
    wsx_http_parser http;
    wsx_http_request req;
    wsx_sse_head_config head;
    size_t len = 0, n;
    int r = 0;
    wsx_http_parser_init(&http, NULL);
    while (r == 0) {
        size_t n = tcp_recv(&sse_tcp, in + len, sizeof in - len);
        if (n == 0)
            return -1;
        len += n;
        r = wsx_http_parse_request(&http, in, len, headers, 8, &req);
    }
    if (r < 0 || req.target_len != 7 || memcmp(req.target, "/events", 7) != 0)
        return -1;
    memset(&head, 0, sizeof head);
    head.chunked = 1;
    r = wsx_sse_response_head(&head, sse_out, sizeof sse_out, &n);
    if (sse_send(sse_out, r, n) != 0)
        return -1;
    sse.open = 1;
    sse.next_id = 1;
    return 0;
}

/* Publishes one WebSocket message as an SSE event. */
static int sse_publish(unsigned opcode, const uint8_t *data, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    static char text[96];
    char id[10];
    wsx_sse_msg m;
    size_t n;
    int r;
    wsx_sse_msg_init(&m);
    m.id = id;
    m.id_len = put_u32(id, sse.next_id++);
    if (opcode == WSX_WS_OP_TEXT) {
        m.type = "ws";
        m.data = data;
        m.data_len = len;
    } else {
        size_t i;
        if (len > sizeof text / 2)
            len = sizeof text / 2;
        for (i = 0; i < len; i++) {
            text[2 * i] = hex[data[i] >> 4];
            text[2 * i + 1] = hex[data[i] & 15];
        }
        m.type = "bin";
        m.data = text;
        m.data_len = 2 * len;
    }
    m.type_len = strlen(m.type);
    if (m.id_len == 1 && id[0] == '1')
        m.retry_ms = 2000; /* the first event tells browsers how soon to come back */
    r = wsx_sse_write_chunked(&m, sse_out, sizeof sse_out, &n);
    return sse_send(sse_out, r, n);
}

#define KEEPALIVE_MS 500 /* short, so that the demo shows one */

static void sse_tick(void)
{
    uint8_t ka[WSX_CHUNKED_HEADER_MAX + 16];
    size_t n;
    int r;
    if (!sse.open || !wsx_sse_keepalive_due(ticks_ms, sse.last_write_ms, KEEPALIVE_MS, NULL))
        return;
    r = wsx_sse_write_chunk(WSX_SSE_KEEPALIVE, sizeof WSX_SSE_KEEPALIVE - 1, ka, sizeof ka, &n);
    sse_send(ka, r, n);
}

static void sse_finish(void)
{
    uint8_t done[32];
    static const uint8_t last[] = WSX_CHUNKED_LAST;
    size_t n;
    int r;
    if (!sse.open)
        return;
    r = wsx_sse_write_chunk(WSX_SSE_DONE, sizeof WSX_SSE_DONE - 1, done, sizeof done, &n);
    sse_send(done, r, n);
    sse_send(last, WSX_OK, WSX_CHUNKED_LAST_LEN);
    sse.open = 0;
    sse_tcp.closed = 1;
}

/* ---- the WebSocket connection ------------------------------------------------ */

#define WS_RX_CAP 256    /* the request head, then each segment */
#define WS_QUEUE_CAP 384 /* wsx output queue (>= WSX_WS_CONN_MIN_QUEUE) */
#define WS_MSG_CAP 128   /* longest message assembled */

static uint8_t ws_rx[WS_RX_CAP];
static size_t ws_rx_len;
static uint8_t ws_queue[WS_QUEUE_CAP];
static uint8_t ws_msg[WS_MSG_CAP];
static char ws_resp[256]; /* the 101, or a refusal */
static wsx_http_parser ws_http;
static wsx_header ws_headers[12];
static wsx_ws_conn ws;
static wsx_ws_feed ws_feed;
static int ws_phase; /* 0 handshake, 1 open, 2 done */

static int on_message(void *user, unsigned opcode, const uint8_t *data, size_t len)
{
    (void)user;
    /* Echo, then publish.  A full queue would be WSX_E_CONN_QUEUE_FULL:
     * returning nonzero pauses the feed until the output drained. */
    if (wsx_ws_conn_send(&ws, opcode, data, len) != WSX_OK)
        return 1;
    sse_publish(opcode, data, len);
    return 0;
}

static const wsx_ws_callbacks ws_callbacks = {NULL, on_message, NULL, NULL, NULL, NULL, NULL};

/* Writes out what the connection queued; closes when it says so. */
static void ws_flush(void)
{
    const uint8_t *p;
    size_t len, k;
    while ((p = wsx_ws_conn_output(&ws, &len)) != NULL && len > 0) {
        k = tcp_send(&ws_tcp, p, len);
        if (k == 0)
            break;
        wsx_ws_conn_consume(&ws, k);
    }
    if (wsx_ws_conn_should_close_transport(&ws)) {
        ws_tcp.closed = 1;
        ws_phase = 2;
    }
}

/* Feeds buf[0..len) to the connection, draining the output whenever a
 * callback paused the feed. */
static void ws_input(uint8_t *buf, size_t len)
{
    while (len > 0) {
        size_t used = 0;
        int r = wsx_ws_conn_feed(&ws, &ws_feed, buf, len, ticks_ms, &used);
        buf += used;
        len -= used;
        ws_flush();
        if (r < 0)
            return; /* failed: the close frame is queued and flushed */
    }
}

static void ws_handshake(void)
{
    static const wsx_hs_server_config hs = {0}; /* any Origin, no subprotocol */
    static wsx_ws_conn_config cfg;
    wsx_http_request req;
    size_t n = tcp_recv(&ws_tcp, ws_rx + ws_rx_len, WS_RX_CAP - ws_rx_len);
    size_t resp_len = 0;
    int r, answer;
    ws_rx_len += n;
    r = wsx_http_parse_request(&ws_http, ws_rx, ws_rx_len, ws_headers, 12, &req);
    if (r == 0 && ws_rx_len == WS_RX_CAP)
        r = WSX_E_HTTP_HEAD_TOO_LARGE;
    if (r == 0)
        return;
    /* The 101, or the refusal of a bad head or request (answer is then its
     * error): both are in ws_resp unless it was too small. */
    answer =
        r < 0 ? wsx_hs_server_refusal(r, ws_resp, sizeof ws_resp, &resp_len)
              : wsx_hs_server_answer_request(&hs, &req, NULL, ws_resp, sizeof ws_resp, &resp_len);
    if (answer == WSX_E_BUFFER)
        resp_len = 0; /* (resp_len is the size it needed): close unanswered */
    if (r > 0 && answer == WSX_OK) {
        tcp_send_all(&ws_tcp, ws_resp, resp_len);
        wsx_ws_conn_config_default(&cfg);
        cfg.decoder.max_frame_size = WS_MSG_CAP; /* refused from the header */
        cfg.decoder.max_message_size = WS_MSG_CAP;
        wsx_ws_conn_init(&ws, &cfg, ws_queue, sizeof ws_queue);
        wsx_ws_conn_open(&ws, ticks_ms);
        wsx_ws_feed_init(&ws_feed, &ws_callbacks, NULL, ws_msg, sizeof ws_msg);
        ws_phase = 1;
        /* Frames may follow the head in the same segment. */
        ws_input(ws_rx + r, ws_rx_len - (size_t)r);
        return;
    }
    tcp_send_all(&ws_tcp, ws_resp, resp_len);
    ws_tcp.closed = 1;
    ws_phase = 2;
}

static void ws_poll(void)
{
    uint8_t seg[SEGMENT];
    size_t n;
    if (ws_phase == 0) {
        ws_handshake();
        return;
    }
    n = tcp_recv(&ws_tcp, seg, sizeof seg);
    if (n > 0)
        ws_input(seg, n);
    if (wsx_ws_conn_tick(&ws, ticks_ms) != WSX_OK || n == 0) {
        if (n == 0 && wsx_ws_conn_state(&ws) != WSX_WS_CLOSED)
            wsx_ws_conn_eof(&ws); /* the peer went quiet: treat as gone */
        ws_flush();
        ws_tcp.closed = 1;
        ws_phase = 2;
    }
}

/* ---- main loop ----------------------------------------------------------------- */

/* The result, also where a debugger can read it: 0 = every check passed. */
volatile int fw_demo_result = -1;

int main(void)
{
    int r, passes;
    tcp_setup(&ws_tcp, ws_request, sizeof ws_request - 1, ws_frames, sizeof ws_frames, ws_tx_log,
              sizeof ws_tx_log);
    tcp_setup(&sse_tcp, sse_request, sizeof sse_request - 1, NULL, 0, sse_tx_log,
              sizeof sse_tx_log);
    wsx_http_parser_init(&ws_http, NULL);
    r = sse_accept() == 0 ? 0 : 20;
    for (passes = 0; r == 0 && ws_phase != 2 && passes < 1000; passes++) {
        ticks_ms += 10;
        ws_poll();
        sse_tick();
    }
    /* The stream is quiet for a while before it ends: a keep-alive. */
    for (passes = 0; r == 0 && passes < 60; passes++) {
        ticks_ms += 10;
        sse_tick();
    }
    sse_finish();
    if (r == 0 && ws_phase != 2)
        r = 21;
    if (r == 0)
        r = browser_check(&ws_tcp, &sse_tcp);
#ifdef FW_DEMO_HOST
    printf("result:    %d\n", r);
#endif
    fw_demo_result = r;
    return r;
}
