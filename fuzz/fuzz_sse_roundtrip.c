/*
 * libFuzzer target: SSE writer -> parser round trip.
 *
 * The input is cut into events: each starts with a control byte (bit 0 has
 * id, bit 1 has type, bit 2 has data, bit 3 has retry, bit 4 comment, bits
 * 5-7 chunk size for the parse) and a length byte per present field, then
 * the field bytes.  Types and ids that contain CR, LF or NUL must be refused
 * by the writer (WSX_E_SSE_FIELD); they are then sanitised and written
 * again.  The stream of all events is parsed in chunks; every event must
 * come back: type (or "message"), data with CR and CRLF turned into LF, the
 * last event ID as the writer's ids say, each retry value.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wsx.h"

#include "fuzz_require.h"

enum { MAX_EVENTS = 64 };

typedef struct {
    char type[256], id[256], comment[256];
    uint8_t data[256], norm[256];
    size_t type_len, id_len, data_len, norm_len, comment_len;
    int has_id, has_data, has_comment;
    int64_t retry;
} ev_spec;

static size_t take(const uint8_t **p, const uint8_t *end, void *dst, size_t want)
{
    size_t n = (size_t)(end - *p) < want ? (size_t)(end - *p) : want;
    memcpy(dst, *p, n);
    *p += n;
    return n;
}

static int clean(char *s, size_t n)
{
    size_t i;
    int dirty = 0;
    for (i = 0; i < n; i++) {
        if (s[i] == '\r' || s[i] == '\n' || s[i] == 0) {
            s[i] = '_';
            dirty = 1;
        }
    }
    return dirty;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ev_spec evs[MAX_EVENTS];
    static uint8_t stream[MAX_EVENTS * 1600];
    static uint8_t scratch[4 * 256 + 4096];
    const uint8_t *p = data, *end = data + size;
    size_t nev = 0, n = 0, i, off = 0, expect = 0, retry_i = 0, chunk;
    char cur_id[256];
    size_t cur_id_len = 0;
    wsx_sse_parser parser;
    wsx_sse_parser_config cfg = {0};

    chunk = size ? (size_t)(data[0] >> 5) * 9 + 1 : 1;
    while (p < end && nev < MAX_EVENTS) {
        ev_spec *e = &evs[nev];
        uint8_t ctl = *p++, len;
        wsx_sse_msg m;
        size_t w = 0, need = 0;
        int r;
        memset(e, 0, sizeof *e);
        e->retry = -1;
        wsx_sse_msg_init(&m);
        if (ctl & 1) {
            len = p < end ? *p++ : 0;
            e->id_len = take(&p, end, e->id, len);
            e->has_id = 1;
        }
        if (ctl & 2) {
            len = p < end ? *p++ : 0;
            e->type_len = take(&p, end, e->type, len);
        }
        if (ctl & 4) {
            len = p < end ? *p++ : 0;
            e->data_len = take(&p, end, e->data, len);
            e->has_data = 1;
        }
        if (ctl & 8) {
            uint8_t r[4] = {0, 0, 0, 0};
            take(&p, end, r, 4);
            e->retry = (int64_t)((uint32_t)r[0] | (uint32_t)r[1] << 8 | (uint32_t)r[2] << 16 |
                                 (uint32_t)r[3] << 24);
        }
        if (ctl & 16) {
            len = p < end ? *p++ : 0;
            e->comment_len = take(&p, end, e->comment, len);
            e->has_comment = 1;
        }
        m.type = e->type;
        m.type_len = e->type_len;
        m.id = e->has_id ? e->id : NULL;
        m.id_len = e->id_len;
        m.data = e->has_data ? e->data : NULL;
        m.data_len = e->data_len;
        m.comment = e->has_comment ? e->comment : NULL;
        m.comment_len = e->comment_len;
        m.retry_ms = e->retry;
        r = wsx_sse_write(&m, stream + n, sizeof stream - n, &w);
        if (clean(e->type, e->type_len) | clean(e->id, e->id_len)) {
            REQUIRE(r == WSX_E_SSE_FIELD && w == 0);
            r = wsx_sse_write(&m, stream + n, sizeof stream - n, &w);
        }
        REQUIRE(r == WSX_OK && w > 0);
        REQUIRE(wsx_sse_write(&m, NULL, 0, &need) == WSX_OK && need == w);
        n += w;
        /* what the client sees: CR and CRLF become LF */
        for (i = 0; i < e->data_len; i++) {
            if (e->data[i] == '\r') {
                e->norm[e->norm_len++] = '\n';
                if (i + 1 < e->data_len && e->data[i + 1] == '\n')
                    i++;
            } else {
                e->norm[e->norm_len++] = e->data[i];
            }
        }
        nev++;
    }

    REQUIRE(wsx_sse_parser_init(&parser, scratch, sizeof scratch, &cfg) == WSX_OK);
    while (off < n) {
        size_t k = n - off < chunk ? n - off : chunk, pos = 0, used;
        uint8_t *buf = (uint8_t *)malloc(k);
        wsx_sse_event ev;
        int r;
        memcpy(buf, stream + off, k);
        while ((r = wsx_sse_parse(&parser, buf + pos, k - pos, &used, &ev)) > 0) {
            pos += used;
            if (r == WSX_SSE_EV_RETRY) {
                while (retry_i < nev && evs[retry_i].retry < 0)
                    retry_i++;
                REQUIRE(retry_i < nev);
                REQUIRE(ev.retry == (uint32_t)evs[retry_i].retry);
                retry_i++;
                continue;
            }
            REQUIRE(r == WSX_SSE_EV_EVENT);
            while (expect < nev && !evs[expect].has_data) {
                if (evs[expect].has_id) {
                    memcpy(cur_id, evs[expect].id, evs[expect].id_len);
                    cur_id_len = evs[expect].id_len;
                }
                expect++;
            }
            REQUIRE(expect < nev);
            {
                const ev_spec *e = &evs[expect++];
                if (e->has_id) {
                    memcpy(cur_id, e->id, e->id_len);
                    cur_id_len = e->id_len;
                }
                if (e->type_len)
                    REQUIRE(ev.type_len == e->type_len && !memcmp(ev.type, e->type, e->type_len));
                else
                    REQUIRE(ev.type_len == 7 && !memcmp(ev.type, "message", 7));
                REQUIRE(ev.data_len == e->norm_len && !memcmp(ev.data, e->norm, e->norm_len));
                REQUIRE(ev.id_len == cur_id_len && !memcmp(ev.id, cur_id, cur_id_len));
            }
        }
        REQUIRE(r == 0);
        free(buf);
        off += k;
    }
    while (expect < nev && !evs[expect].has_data)
        expect++;
    REQUIRE(expect == nev);
    REQUIRE(wsx_sse_end(&parser) == 0);
    return 0;
}
