/*
 * libFuzzer target for the WebSocket frame decoder.
 *
 * Input: byte 0 = options, byte 1 = chunking parameter, the rest = the
 * stream.  Options: bit 0 role (0 server, 1 client); bit 1 small limits
 * (max frame 300, max message 1000) instead of the defaults; bit 2 RSV1
 * allowed; bits 6-7 chunking mode: 0 fixed chunks of (param % 32) + 1
 * bytes, 1 pseudo-random chunk sizes 1..64 seeded by param, 2 byte by
 * byte, 3 two chunks split at param * len / 256.
 *
 * Oracle (aborts on failure): the stream is decoded whole and chunked, each
 * chunk in its own exactly-sized heap block (ASan catches any over-read);
 * the two normalized event logs (MESSAGE as START, DATA, END, adjacent
 * DATA merged) and the final
 * result (need-more or the error) must be identical.  The decoder delivers
 * the valid prefix before a bad UTF-8 byte as DATA and fails on the next
 * call, so no chunking-dependent difference is legitimate.  Also checked:
 * DATA points inside the bytes consumed by that call, need-more consumes
 * everything, errors are sticky and consume nothing, a complete text
 * message is valid UTF-8, limits hold for what is delivered, control
 * payloads fit in 125 bytes, close codes are valid, and bytes not
 * delivered as DATA are left unchanged.
 */
#include "fuzz_ws_common.h"

typedef struct log_t {
    fz_bytes events;
    int last_was_data;
    /* Per-message checks: the open message's DATA so far. */
    fz_bytes msg;
    int msg_text;
} log_t;

static void log_event(log_t *l, int r, const wsx_ws_event *ev);

/* MESSAGE as the START, DATA (unless empty) and END it stands for. */
static void log_message(log_t *l, const wsx_ws_event *ev)
{
    wsx_ws_event part = *ev;
    part.kind = WSX_WS_EV_MESSAGE_START;
    part.size = 0; /* START's fields */
    part.data = NULL;
    log_event(l, WSX_WS_EV_MESSAGE_START, &part);
    if (ev->size) {
        part = *ev;
        part.kind = WSX_WS_EV_DATA;
        part.frame_length = 0;
        log_event(l, WSX_WS_EV_DATA, &part);
    }
    memset(&part, 0, sizeof part);
    part.kind = WSX_WS_EV_MESSAGE_END;
    part.opcode = ev->opcode;
    log_event(l, WSX_WS_EV_MESSAGE_END, &part);
}

/* Appends an event: kind, then its fields; DATA bytes merge with a DATA
 * just before it. */
static void log_event(log_t *l, int r, const wsx_ws_event *ev)
{
    if (r == WSX_WS_EV_MESSAGE) {
        log_message(l, ev);
        return;
    }
    if (r == WSX_WS_EV_DATA) {
        fz_bytes_put(&l->msg, ev->data, ev->size);
        if (!l->last_was_data) {
            fz_bytes_u64(&l->events, (uint64_t)r);
            fz_bytes_u64(&l->events, ev->opcode);
        }
        fz_bytes_put(&l->events, ev->data, ev->size);
        l->last_was_data = 1;
        return;
    }
    l->last_was_data = 0;
    fz_ws_log_event(&l->events, r, ev);
    if (r == WSX_WS_EV_MESSAGE_START) {
        l->msg.n = 0;
        l->msg_text = ev->opcode == WSX_WS_OP_TEXT;
    }
    if (r == WSX_WS_EV_MESSAGE_END && l->msg_text)
        REQUIRE(wsx_utf8_valid(l->msg.p, l->msg.n));
}

typedef struct run_t {
    wsx_ws_decoder d;
    log_t log;
    int result;         /* 0 while going, the error once failed */
    uint64_t delivered; /* DATA bytes of the open message */
} run_t;

static void check_event(run_t *run, int r, const wsx_ws_event *ev, const wsx_ws_decoder_config *cfg)
{
    switch (r) {
    case WSX_WS_EV_MESSAGE_START:
        REQUIRE(ev->frame_length <= cfg->max_frame_size);
        REQUIRE(ev->frame_length <= cfg->max_message_size);
        REQUIRE(ev->opcode == WSX_WS_OP_TEXT || ev->opcode == WSX_WS_OP_BINARY);
        REQUIRE((ev->rsv & ~cfg->rsv_allowed) == 0);
        run->delivered = 0;
        break;
    case WSX_WS_EV_DATA:
        run->delivered += ev->size;
        REQUIRE(run->delivered <= cfg->max_message_size);
        break;
    case WSX_WS_EV_PING:
    case WSX_WS_EV_PONG:
    case WSX_WS_EV_CLOSE:
        REQUIRE(ev->size <= 125);
        REQUIRE((ev->rsv & ~cfg->rsv_allowed) == 0);
        if (r == WSX_WS_EV_CLOSE)
            REQUIRE(ev->close_code == 1005 || wsx_ws_close_code_valid(ev->close_code));
        break;
    case WSX_WS_EV_MESSAGE_END:
        break;
    case WSX_WS_EV_MESSAGE:
        REQUIRE(ev->frame_length == ev->size && ev->rsv == 0);
        REQUIRE(ev->size <= cfg->max_frame_size && ev->size <= cfg->max_message_size);
        REQUIRE(ev->opcode == WSX_WS_OP_TEXT || ev->opcode == WSX_WS_OP_BINARY);
        if (ev->opcode == WSX_WS_OP_TEXT)
            REQUIRE(wsx_utf8_valid(ev->data, ev->size));
        break;
    default:
        REQUIRE(!"unknown event");
    }
}

/* Decodes one chunk until need-more or an error. */
static void feed(run_t *run, const uint8_t *chunk, size_t n, const wsx_ws_decoder_config *cfg)
{
    uint8_t *g = (uint8_t *)malloc(n ? n : 1);
    uint8_t *delivered = (uint8_t *)calloc(n ? n : 1, 1);
    size_t pos = 0, i, calls = 0;
    REQUIRE(g && delivered);
    if (n)
        memcpy(g, chunk, n);
    while (!run->result) {
        wsx_ws_event ev;
        size_t used = (size_t)-1;
        int r = wsx_ws_decode(&run->d, g + pos, n - pos, &used, &ev);
        REQUIRE(++calls <= 3 * n + 8); /* bounded work */
        REQUIRE((int)ev.kind == (r < 0 ? WSX_WS_NEED_MORE : r));
        if (r < 0) {
            size_t used2 = 7;
            REQUIRE(used == 0);
            REQUIRE(wsx_ws_decoder_error(&run->d) == r);
            REQUIRE(wsx_ws_decode(&run->d, g + pos, n - pos, &used2, &ev) == r);
            REQUIRE(used2 == 0);
            run->result = r;
            fz_bytes_u64(&run->log.events, (uint64_t)(int64_t)r);
            break;
        }
        REQUIRE(used <= n - pos);
        if (r == WSX_WS_NEED_MORE) {
            REQUIRE(used == n - pos);
            break;
        }
        if (r == WSX_WS_EV_DATA) {
            REQUIRE(ev.size > 0);
            REQUIRE(ev.data >= g + pos && ev.data + ev.size <= g + pos + used);
            memset(delivered + (ev.data - g), 1, ev.size);
        } else if (r == WSX_WS_EV_MESSAGE) {
            /* The payload ends what the call consumed, after the header. */
            REQUIRE(used > ev.size && ev.data + ev.size == g + pos + used);
            memset(delivered + (ev.data - g), 1, ev.size);
        }
        check_event(run, r, &ev, cfg);
        log_event(&run->log, r, &ev);
        pos += used;
    }
    for (i = 0; i < n; i++)
        REQUIRE(delivered[i] || g[i] == chunk[i]);
    free(delivered);
    free(g);
}

static void run_init(run_t *run, wsx_ws_role role, const wsx_ws_decoder_config *cfg)
{
    memset(run, 0, sizeof *run);
    wsx_ws_decoder_init(&run->d, role, cfg);
}

static void run_free(run_t *run)
{
    free(run->log.events.p);
    free(run->log.msg.p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wsx_ws_decoder_config cfg;
    wsx_ws_role role;
    run_t whole, chunked;
    unsigned opts, param, mode;
    uint32_t rng;
    size_t pos, len;
    const uint8_t *stream;

    if (size < 2)
        return 0;
    opts = data[0];
    param = data[1];
    stream = data + 2;
    len = size - 2;
    role = (opts & 1) ? WSX_WS_CLIENT : WSX_WS_SERVER;
    mode = opts >> 6;
    rng = 0x9E3779B9u ^ param;
    wsx_ws_decoder_config_default(&cfg);
    if (opts & 2) {
        cfg.max_frame_size = 300;
        cfg.max_message_size = 1000;
    }
    if (opts & 4)
        cfg.rsv_allowed = 0x40;

    run_init(&whole, role, &cfg);
    feed(&whole, stream, len, &cfg);

    run_init(&chunked, role, &cfg);
    for (pos = 0; pos < len;) {
        size_t n = fz_ws_next_chunk(mode, param, &rng, pos, len);
        feed(&chunked, stream + pos, n, &cfg);
        pos += n;
    }
    feed(&chunked, stream + len, 0, &cfg);

    REQUIRE(whole.result == chunked.result);
    REQUIRE(fz_bytes_equal(&whole.log.events, &chunked.log.events));
    run_free(&whole);
    run_free(&chunked);
    return 0;
}
