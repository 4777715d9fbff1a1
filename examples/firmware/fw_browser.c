/*
 * fw_browser — the simulated browser of fw_demo.c: it reads what the
 * device sent on each connection with the wsx decoders in the client role
 * (the 101 and the frames; the event-stream head, the chunked body and its
 * events) and compares a transcript of it with what the demo must send.
 */
#include <wsx.h>
#include <wsx_http.h>
#include <wsx_sse.h>
#include <wsx_ws.h>

#include <string.h>

#ifdef FW_DEMO_HOST
#include <stdio.h> /* the host build prints what the browser saw */
#endif

#include "fw_demo.h"

/* The accept value of the sample key of RFC 6455 section 1.3, which the
 * demo's request sends. */
#define WS_ACCEPT_EXPECTED "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

static char seen[256]; /* a transcript of what the browser saw */
static size_t seen_len;

static void seen_add(const void *p, size_t n)
{
    if (n > sizeof seen - 1 - seen_len)
        n = sizeof seen - 1 - seen_len;
    memcpy(seen + seen_len, p, n);
    seen_len += n;
    seen[seen_len] = '\0';
}

static void seen_str(const char *s) { seen_add(s, strlen(s)); }

static const wsx_header *find_header(const wsx_http_response *res, const char *name)
{
    return wsx_http_header_next(res->headers, res->num_headers, name, NULL);
}

/* Returns the length of a good response head with the given status, or 0. */
static size_t check_head(const uint8_t *log, size_t len, int status, wsx_http_response *res,
                         wsx_header *headers, size_t max_headers)
{
    wsx_http_parser p;
    int r;
    wsx_http_parser_init(&p, NULL);
    r = wsx_http_parse_response(&p, log, len, headers, max_headers, res);
    return r > 0 && res->status == status ? (size_t)r : 0;
}

/* The WebSocket side: the 101, then the frames, as transcript lines. */
static int browser_ws(const tcp_conn *ws)
{
    static wsx_ws_decoder dec;
    static uint8_t frames[1024];
    wsx_header headers[8];
    wsx_http_response res;
    const wsx_header *h;
    size_t head = check_head(ws->tx, ws->tx_len, 101, &res, headers, 8);
    uint8_t *buf;
    size_t len;
    if (head == 0)
        return 1;
    h = find_header(&res, "Sec-WebSocket-Accept");
    if (!h || h->value_len != 28 || memcmp(h->value, WS_ACCEPT_EXPECTED, 28) != 0)
        return 2;
    len = ws->tx_len - head;
    if (len > sizeof frames)
        return 3;
    memcpy(frames, ws->tx + head, len); /* the decoder unmasks in place */
    buf = frames;
    wsx_ws_decoder_init(&dec, WSX_WS_CLIENT, NULL);
    for (;;) {
        wsx_ws_event ev;
        size_t used;
        int r = wsx_ws_decode(&dec, buf, len, &used, &ev);
        char code[10];
        buf += used;
        len -= used;
        if (r == WSX_WS_NEED_MORE)
            break;
        if (r < 0)
            return 3;
        switch (r) {
        case WSX_WS_EV_MESSAGE_START:
            seen_str(ev.opcode == WSX_WS_OP_TEXT ? "text:" : "binary:");
            break;
        case WSX_WS_EV_DATA:
            if (ev.opcode == WSX_WS_OP_TEXT)
                seen_add(ev.data, ev.size);
            else
                seen_add(code, put_u32(code, (uint32_t)ev.size));
            break;
        case WSX_WS_EV_MESSAGE_END:
            seen_str("|");
            break;
        case WSX_WS_EV_MESSAGE: /* START, DATA, END at once */
            seen_str(ev.opcode == WSX_WS_OP_TEXT ? "text:" : "binary:");
            if (ev.opcode == WSX_WS_OP_TEXT)
                seen_add(ev.data, ev.size);
            else if (ev.size)
                seen_add(code, put_u32(code, (uint32_t)ev.size));
            seen_str("|");
            break;
        case WSX_WS_EV_PONG:
            seen_str("pong:");
            seen_add(ev.data, ev.size);
            seen_str("|");
            break;
        case WSX_WS_EV_CLOSE:
            seen_str("close:");
            seen_add(code, put_u32(code, ev.close_code));
            seen_str("|");
            break;
        default:
            return 4;
        }
    }
    return 0;
}

/* The SSE side: the head, then the chunked body through the SSE parser. */
static int browser_sse(const tcp_conn *sse)
{
    static uint8_t scratch[256];
    static wsx_sse_parser parser;
    static wsx_chunked chunked;
    wsx_sse_parser_config pcfg;
    wsx_header headers[10];
    wsx_http_response res;
    const wsx_header *h;
    size_t head = check_head(sse->tx, sse->tx_len, 200, &res, headers, 10);
    const uint8_t *body = sse->tx + head;
    size_t left = sse->tx_len - head;
    int ended = 0;
    if (head == 0)
        return 11;
    h = find_header(&res, "Content-Type");
    if (!h || h->value_len < 17 || memcmp(h->value, "text/event-stream", 17) != 0)
        return 12;
    memset(&pcfg, 0, sizeof pcfg);
    pcfg.flags = WSX_SSE_WANT_COMMENTS;
    if (wsx_sse_parser_init(&parser, scratch, sizeof scratch, &pcfg) != WSX_OK)
        return 13;
    wsx_chunked_init(&chunked, NULL);
    while (!ended) {
        const uint8_t *data = NULL;
        size_t data_len = 0, used = 0;
        int r = wsx_chunked_decode(&chunked, body, left, &used, &data, &data_len);
        body += used;
        left -= used;
        if (r < 0 || (r == WSX_CHUNKED_NEED_MORE && left == 0 && !ended))
            return 14; /* the body must end with the last chunk */
        ended = r == WSX_CHUNKED_EV_END;
        while (r == WSX_CHUNKED_EV_DATA && data_len > 0) {
            wsx_sse_event ev;
            int k = wsx_sse_parse(&parser, data, data_len, &used, &ev);
            data += used;
            data_len -= used;
            if (k < 0)
                return 15;
            if (k == WSX_SSE_EV_EVENT) {
                seen_add(ev.type, ev.type_len);
                seen_str("#");
                seen_add(ev.id, ev.id_len);
                seen_str(":");
                seen_add(ev.data, ev.data_len);
                seen_str("|");
            } else if (k == WSX_SSE_EV_COMMENT) {
                seen_str(":");
                seen_add(ev.data, ev.data_len);
                seen_str("|");
            } else if (k == WSX_SSE_EV_RETRY) {
                seen_str("retry|");
            } else if (k == WSX_SSE_NEED_MORE) {
                break;
            }
        }
    }
    return wsx_sse_end(&parser) == 0 ? 0 : 16;
}

static const char expected_ws[] =
    "text:Hello|pong:ping-1|text:sensor: temp=21.5|binary:3|close:1000|";
static const char expected_sse[] =
    "retry|ws#1:Hello|ws#2:sensor: temp=21.5|bin#3:010203|:keep-alive|message#3:[DONE]|";

int browser_check(const tcp_conn *ws, const tcp_conn *sse)
{
    int r = browser_ws(ws);
    if (r == 0 && strcmp(seen, expected_ws) != 0)
        r = 22;
#ifdef FW_DEMO_HOST
    printf("websocket: %s\n", seen);
#endif
    seen_len = 0;
    seen[0] = '\0';
    if (r == 0)
        r = browser_sse(sse);
    if (r == 0 && strcmp(seen, expected_sse) != 0)
        r = 23;
#ifdef FW_DEMO_HOST
    printf("sse:       %s\n", seen);
#endif
    return r;
}
