/*
 * SSE server helpers: the response head, keep-alive timing, and the replay
 * window that lets a client coming back with Last-Event-ID miss nothing.
 */
#include "wsx_internal.h"
#include "wsx_sse.h"

#include <string.h>

#include "sse_internal.h"
#include "http_chars.h"

/* ---- headers -------------------------------------------------------- */

const char wsx__sse_type_no_cache[] = "text/event-stream\r\nCache-Control: no-cache\r\n";

/* The gzip line, then the Vary line that goes with it (alone for the
 * identity answer of a server that compresses too). */
static const char gzip_vary[] = "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n";
#define GZIP_LINE_LEN 24

/* The CORS lines of the head: the origin, "Vary: Origin" when it is not
 * "*" (the response differs per origin), and credentials. */
static int put_cors(wsx__wbuf *w, const char *origin, int credentials)
{
    size_t len = strlen(origin);
    int wildcard = len == 1 && origin[0] == '*';
    if (wildcard && credentials)
        return WSX_E_ARG; /* Fetch standard: credentials need an exact origin */
    if (len == 0 || !wsx__http_is_field_value(origin, len))
        return WSX_E_HTTP_HEADER_VALUE;
    wsx__wbuf_field(w, "Access-Control-Allow-Origin", 27, origin, len);
    if (!wildcard)
        wsx__wbuf_str(w, "Vary: Origin\r\n");
    if (credentials)
        wsx__wbuf_str(w, "Access-Control-Allow-Credentials: true\r\n");
    return 0;
}

int wsx_sse_response_head(const wsx_sse_head_config *cfg, void *out, size_t cap, size_t *out_len)
{
    wsx_sse_head_config none;
    wsx__wbuf w;
    int r = 0;
    if (wsx__wbuf_start(&w, out, cap, out_len))
        return WSX_E_ARG;
    if (!cfg) {
        memset(&none, 0, sizeof none);
        cfg = &none;
    }
    wsx__wbuf_str(&w, "HTTP/1.1 200 OK\r\nContent-Type: ");
    wsx__wbuf_put(&w, wsx__sse_type_no_cache, WSX__SSE_TYPE_LEN);
    if (cfg->charset)
        wsx__wbuf_str(&w, "; charset=utf-8");
    /* no-cache: every byte must go to the client now; X-Accel-Buffering:
     * nginx's proxy_buffering would otherwise hold events back. */
    wsx__wbuf_str(&w, wsx__sse_type_no_cache + WSX__SSE_TYPE_LEN);
    wsx__wbuf_str(&w, "X-Accel-Buffering: no\r\nConnection: ");
    wsx__wbuf_str(&w, cfg->connection_close ? "close\r\n" : "keep-alive\r\n");
    if (cfg->chunked)
        wsx__wbuf_str(&w, "Transfer-Encoding: chunked\r\n");
    /* RFC 9110 section 12.5.5: the answer depends on Accept-Encoding, the
     * identity one of a server that compresses too (a second Vary line
     * with Origin is the same list, section 5.3) */
    if (cfg->gzip || cfg->vary_accept_encoding)
        wsx__wbuf_str(&w, gzip_vary + (cfg->gzip ? 0 : GZIP_LINE_LEN));
    if (cfg->allow_origin)
        r = put_cors(&w, cfg->allow_origin, cfg->allow_credentials);
    if (!r)
        r = wsx__wbuf_headers(&w, cfg->headers, cfg->num_headers);
    if (r)
        return r;
    wsx__wbuf_put(&w, "\r\n", 2);
    return wsx__wbuf_done(&w, out_len);
}

int wsx_sse_keepalive_due(uint64_t now_ms, uint64_t last_write_ms, uint32_t interval_ms,
                          uint64_t *next_ms)
{
    uint64_t due = last_write_ms + (interval_ms ? interval_ms : WSX_SSE_KEEPALIVE_MS);
    int is_due;
    if (due < last_write_ms)
        due = UINT64_MAX; /* saturate */
    /* due >= last_write_ms: a clock that went backwards is never due */
    is_due = now_ms >= due;
    if (next_ms)
        *next_ms = is_due ? now_ms : due;
    return is_due;
}

/* ---- replay window -------------------------------------------------- */

/* 1..19 ASCII digits -> *v (fits in 64 bits: 19 digits < 10^19). */
static int parse_num(const char *s, size_t n, uint64_t *v)
{
    size_t i;
    uint64_t x = 0;
    if (n == 0 || n > 19)
        return 0;
    for (i = 0; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9)
            return 0;
        x = x * 10 + d;
    }
    *v = x;
    return 1;
}

/* The i-th stored event, 0 = oldest. */
WSX__NOINLINE static wsx_sse_replay_slot_ *slot_at(const wsx_sse_replay *r, size_t i)
{
    return &r->_slots[(r->_first + i) % r->_max];
}

int wsx_sse_replay_init(wsx_sse_replay *r, void *mem, size_t size, size_t max_events,
                        wsx_sse_replay_mode mode)
{
    uintptr_t base = (uintptr_t)mem;
    size_t pad = (size_t)(0u - base) & 7u; /* slots hold a uint64_t */
    size_t slots_bytes = max_events * sizeof(wsx_sse_replay_slot_);
    if (!r || !mem || max_events == 0 || (unsigned)mode > WSX_SSE_REPLAY_EXACT ||
        max_events > ((size_t)-1) / sizeof(wsx_sse_replay_slot_) || size <= pad ||
        size - pad <= slots_bytes)
        return WSX_E_ARG;
    memset(r, 0, sizeof *r);
    r->_slots = (wsx_sse_replay_slot_ *)(void *)((uint8_t *)mem + pad);
    r->_ring = (uint8_t *)mem + pad + slots_bytes;
    r->_ring_cap = size - pad - slots_bytes;
    if (wsx__sse_over_u32(r->_ring_cap)) /* offsets are 32-bit */
        r->_ring_cap = 0xFFFFFFFFu;
    r->_max = max_events;
    r->_mode = mode;
    return WSX_OK;
}

/* Offset of need free contiguous bytes in the ring, evicting the oldest
 * events (the floor becomes the id of the last one evicted) until they
 * fit.  Events sit in the ring in append order; the used bytes are
 * [head, tail) or, once they wrapped, [head, end) and [0, tail). */
static size_t make_room(wsx_sse_replay *r, size_t need)
{
    while (r->_count) {
        const wsx_sse_replay_slot_ *newest = slot_at(r, r->_count - 1);
        size_t head = r->_slots[r->_first]._off;
        size_t tail = (size_t)newest->_off + newest->_id_len + newest->_len;
        if (r->_count < r->_max) {
            if (newest->_off >= head) {
                if (r->_ring_cap - tail >= need)
                    return tail;
                if (head >= need)
                    return 0;
            } else if (head - tail >= need) {
                return tail;
            }
        }
        r->_floor = r->_slots[r->_first]._num;
        r->_first = (r->_first + 1) % r->_max;
        r->_count--;
    }
    return 0;
}

int wsx_sse_replay_append(wsx_sse_replay *r, const wsx_sse_msg *m)
{
    uint64_t num = 0;
    size_t n, need, off;
    int err;
    wsx_sse_replay_slot_ *s;
    if (!r || !m || !m->id || m->id_len == 0)
        return WSX_E_ARG;
    if (r->_mode == WSX_SSE_REPLAY_NUMERIC &&
        (!parse_num(m->id, m->id_len, &num) ||
         (r->_count && num <= slot_at(r, r->_count - 1)->_num)))
        return WSX_E_ARG; /* not a number, or not above the newest */
    err = wsx_sse_write(m, NULL, 0, &n);
    if (err)
        return err;
    /* n counts the id line, so id_len + n cannot overflow */
    need = m->id_len + n;
    if (need > r->_ring_cap)
        return WSX_E_LIMIT;
    off = make_room(r, need);
    if (!r->_floor_set) {
        r->_floor = num ? num - 1 : 0;
        r->_floor_set = 1;
    }
    s = slot_at(r, r->_count++);
    s->_num = num;
    s->_off = (uint32_t)off;
    s->_id_len = (uint32_t)m->id_len;
    s->_len = (uint32_t)n;
    memcpy(r->_ring + off, m->id, m->id_len);
    return wsx_sse_write(m, r->_ring + off + m->id_len, n, &n);
}

int wsx_sse_replay_since(const wsx_sse_replay *r, const char *last_id, size_t len,
                         wsx_sse_replay_iter *it)
{
    const wsx_sse_replay_slot_ *s = NULL;
    uint64_t n = 0;
    size_t i;
    int numeric;
    if (!r || !it)
        return WSX_E_ARG;
    numeric = r->_mode == WSX_SSE_REPLAY_NUMERIC;
    it->_r = r;
    it->_pos = it->_left = 0;
    if (!last_id || len == 0)
        return WSX_E_ARG;
    if (r->_count == 0 || (numeric && !parse_num(last_id, len, &n)))
        return WSX_E_SSE_REPLAY_GONE;
    /* newest first: the last event at or before last_id (NUMERIC: ids
     * increase), or the newest with exactly that id (EXACT) */
    for (i = r->_count; i > 0; i--) {
        s = slot_at(r, i - 1);
        if (numeric ? s->_num <= n
                    : s->_id_len == len && memcmp(r->_ring + s->_off, last_id, len) == 0)
            break;
    }
    /* gone: an unknown id (EXACT); below the floor, or above the newest (a
     * restarted server) when s is the newest and not last_id (NUMERIC) */
    if (numeric ? n < r->_floor || (i == r->_count && s->_num != n) : i == 0)
        return WSX_E_SSE_REPLAY_GONE;
    it->_pos = i;
    it->_left = r->_count - i;
    return WSX_OK;
}

void wsx_sse_replay_all(const wsx_sse_replay *r, wsx_sse_replay_iter *it)
{
    if (!r || !it)
        return;
    it->_r = r;
    it->_pos = 0;
    it->_left = r->_count;
}

int wsx_sse_replay_next(wsx_sse_replay_iter *it, const uint8_t **bytes, size_t *len,
                        const char **id, size_t *id_len)
{
    const wsx_sse_replay_slot_ *s;
    const uint8_t *at;
    if (!it || !bytes || !len)
        return WSX_E_ARG;
    if (it->_left == 0)
        return 0;
    s = slot_at(it->_r, it->_pos++);
    it->_left--;
    at = it->_r->_ring + s->_off;
    *bytes = at + s->_id_len;
    *len = s->_len;
    if (id)
        *id = (const char *)at;
    if (id_len)
        *id_len = s->_id_len;
    return 1;
}

size_t wsx_sse_replay_count(const wsx_sse_replay *r) { return r ? r->_count : 0; }
