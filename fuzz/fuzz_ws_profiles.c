/*
 * libFuzzer target: the two profiles of the WebSocket frame decoder (the
 * default one, src/ws_decode_fast.c, and WSX_SMALL's, src/ws_decode_small.c)
 * must give the same events and errors for the same input.
 *
 * Both are linked into this one binary under their own names:
 * fuzz/ws_profile_fast.c and fuzz/ws_profile_small.c compile each profile
 * once more as wsx_fuzz_ws_decode_fast / wsx_fuzz_ws_decode_small (the
 * Makefile adds them to this target), over the shared rules of the library.
 *
 * Input (the format of fuzz_ws_decode, whose corpus seeded this one): byte
 * 0 = options, byte 1 = chunking parameter, the rest = the stream.
 * Options: bit 0 role (0 server, 1 client); bit 2 RSV1 allowed; bits 3-4
 * the limits (frame / message): 0 those of bit 1 (300 / 1000) or, without
 * it, the defaults of an all-zero config, 1 1000 / 10 (the message limit
 * decides single frames), 2 1 / 3, 3 none (WSX_WS_UNLIMITED); bits 6-7
 * chunking: 0 fixed chunks of (param % 32) + 1 bytes, 1 pseudo-random
 * chunk sizes 1..64 seeded by param, 2 byte by byte, 3 two chunks split at
 * param * len / 256.
 *
 * Oracle (aborts on failure): each profile decodes its own copy of the
 * stream, cut at the same points; the two logs -- every event with its
 * kind, opcode, RSV bits, close code, declared length, control payload,
 * and the DATA bytes concatenated, a MESSAGE (which only the default
 * profile gives) written as the START, DATA, END it stands for -- and the
 * final result (need-more or the error) must be identical, and so must
 * the two buffers afterwards (the same bytes unmasked in place).  The
 * small profile must never give MESSAGE.
 */
#include "fuzz_ws_common.h"

int wsx_fuzz_ws_decode_fast(wsx_ws_decoder *d, void *buf, size_t len, size_t *consumed,
                            wsx_ws_event *ev);
int wsx_fuzz_ws_decode_small(wsx_ws_decoder *d, void *buf, size_t len, size_t *consumed,
                             wsx_ws_event *ev);

typedef int (*decode_fn)(wsx_ws_decoder *d, void *buf, size_t len, size_t *consumed,
                         wsx_ws_event *ev);

typedef struct profile_run {
    decode_fn decode;
    wsx_ws_decoder d;
    uint8_t *buf; /* this profile's copy of the stream */
    fz_bytes log;
    int in_data;       /* the last event was DATA (bytes merge) */
    unsigned data_rsv; /* ... with these RSV bits */
    int result;        /* 0 while going, the error once failed */
} profile_run;

/* One event; adjacent DATA events merge (a new RSV value starts a new
 * entry: the profiles must agree on it too); MESSAGE as START, DATA (unless
 * empty), END. */
static void log_event(profile_run *p, int r, const wsx_ws_event *ev)
{
    if (r == WSX_WS_EV_MESSAGE) {
        wsx_ws_event part = *ev;
        part.kind = WSX_WS_EV_MESSAGE_START;
        part.data = NULL;
        part.size = 0;
        log_event(p, WSX_WS_EV_MESSAGE_START, &part);
        if (ev->size) {
            part = *ev;
            part.kind = WSX_WS_EV_DATA;
            part.frame_length = 0;
            log_event(p, WSX_WS_EV_DATA, &part);
        }
        memset(&part, 0, sizeof part);
        part.kind = WSX_WS_EV_MESSAGE_END;
        part.opcode = ev->opcode;
        log_event(p, WSX_WS_EV_MESSAGE_END, &part);
        return;
    }
    if (r == WSX_WS_EV_DATA) {
        if (!p->in_data || ev->rsv != p->data_rsv) {
            fz_bytes_u64(&p->log, (uint64_t)r);
            fz_bytes_u64(&p->log, ev->opcode);
            fz_bytes_u64(&p->log, ev->rsv);
        }
        p->in_data = 1;
        p->data_rsv = ev->rsv;
        fz_bytes_put(&p->log, ev->data, ev->size);
        return;
    }
    p->in_data = 0;
    fz_ws_log_event(&p->log, r, ev);
}

/* Decodes p->buf[at..at+n) until need-more or an error. */
static void feed(profile_run *p, size_t at, size_t n)
{
    size_t pos = 0, calls = 0;
    while (!p->result) {
        wsx_ws_event ev;
        size_t used = 0;
        int r = p->decode(&p->d, p->buf + at + pos, n - pos, &used, &ev);
        REQUIRE(++calls <= 3 * n + 8); /* bounded work */
        if (r < 0) {
            REQUIRE(used == 0);
            p->result = r;
            fz_bytes_u64(&p->log, (uint64_t)(int64_t)r);
            return;
        }
        REQUIRE(used <= n - pos);
        pos += used;
        if (r == WSX_WS_NEED_MORE) {
            REQUIRE(pos == n);
            return;
        }
        REQUIRE((int)ev.kind == r);
        REQUIRE(r != WSX_WS_EV_MESSAGE || p->decode == wsx_fuzz_ws_decode_fast);
        log_event(p, r, &ev);
    }
}

static void config_from(unsigned opts, wsx_ws_decoder_config *cfg)
{
    static const uint64_t limits[4][2] = {
        {0, 0}, {1000, 10}, {1, 3}, {WSX_WS_UNLIMITED, WSX_WS_UNLIMITED}};
    unsigned pick = (opts >> 3) & 3;
    memset(cfg, 0, sizeof *cfg); /* rule 4: the defaults */
    cfg->max_frame_size = limits[pick][0];
    cfg->max_message_size = limits[pick][1];
    if (pick == 0 && (opts & 2)) {
        cfg->max_frame_size = 300;
        cfg->max_message_size = 1000;
    }
    if (opts & 4)
        cfg->rsv_allowed = WSX_WS_RSV1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    profile_run runs[2];
    wsx_ws_decoder_config cfg;
    wsx_ws_role role;
    unsigned opts, param, mode;
    uint32_t rng;
    size_t pos, len, i;

    if (size < 2)
        return 0;
    opts = data[0];
    param = data[1];
    len = size - 2;
    role = (opts & 1) ? WSX_WS_CLIENT : WSX_WS_SERVER;
    mode = opts >> 6;
    rng = 0x9E3779B9u ^ param;
    config_from(opts, &cfg);

    memset(runs, 0, sizeof runs);
    runs[0].decode = wsx_fuzz_ws_decode_fast;
    runs[1].decode = wsx_fuzz_ws_decode_small;
    for (i = 0; i < 2; i++) {
        /* exactly len bytes each, so ASan sees any read past the end */
        runs[i].buf = (uint8_t *)malloc(len ? len : 1);
        REQUIRE(runs[i].buf != NULL);
        if (len)
            memcpy(runs[i].buf, data + 2, len);
        REQUIRE(wsx_ws_decoder_init(&runs[i].d, role, &cfg) == WSX_OK);
    }

    for (pos = 0; pos < len;) {
        size_t n = fz_ws_next_chunk(mode, param, &rng, pos, len);
        for (i = 0; i < 2; i++)
            feed(&runs[i], pos, n);
        pos += n;
    }
    for (i = 0; i < 2; i++)
        feed(&runs[i], len, 0);

    REQUIRE(runs[0].result == runs[1].result);
    REQUIRE(wsx_ws_decoder_error(&runs[0].d) == wsx_ws_decoder_error(&runs[1].d));
    REQUIRE(fz_bytes_equal(&runs[0].log, &runs[1].log));
    REQUIRE(len == 0 || memcmp(runs[0].buf, runs[1].buf, len) == 0);
    for (i = 0; i < 2; i++) {
        free(runs[i].log.p);
        free(runs[i].buf);
    }
    return 0;
}
