/*
 * SSE server helpers: the response head, keep-alive timing, and the replay
 * window that lets a client coming back with Last-Event-ID miss nothing.
 */
#include "wsx_sse.h"

#include <string.h>

#include "sse_internal.h"
#include "http_chars.h"

/* ---- headers -------------------------------------------------------- */

/* RFC 9110 section 5.6.2: token = 1*tchar. */
static int is_token(const char *s, size_t n)
{
    size_t i;
    if (n == 0)
        return 0;
    for (i = 0; i < n; i++)
        if (!wsx_http_is_tchar(s[i]))
            return 0;
    return 1;
}

int wsx__sse_put_header(wsx__wbuf *w, const wsx_sse_header *h)
{
    if (!h->name || !is_token(h->name, h->name_len))
        return WSX_E_HTTP_HEADER_NAME;
    if ((h->value_len && !h->value) || (h->value && !wsx__sse_field_ok(h->value, h->value_len)))
        return WSX_E_HTTP_HEADER_VALUE;
    wsx__wbuf_field(w, h->name, h->name_len, h->value, h->value_len);
    return 0;
}

ptrdiff_t wsx_sse_response_head(const wsx_sse_head_config *cfg, uint8_t *out, size_t cap)
{
    wsx__wbuf w;
    size_t i;
    wsx__wbuf_init(&w, out, cap);
    wsx__wbuf_str(&w, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream");
    if (cfg && cfg->charset)
        wsx__wbuf_str(&w, "; charset=utf-8");
    /* no-cache: every byte must go to the client now; X-Accel-Buffering:
     * nginx's proxy_buffering would otherwise hold events back. */
    wsx__wbuf_str(&w, "\r\nCache-Control: no-cache\r\nX-Accel-Buffering: no\r\n");
    wsx__wbuf_str(&w, cfg && cfg->connection_close ? "Connection: close\r\n"
                                                   : "Connection: keep-alive\r\n");
    if (cfg && cfg->chunked)
        wsx__wbuf_str(&w, "Transfer-Encoding: chunked\r\n");
    if (cfg && cfg->allow_origin) {
        wsx_sse_header h;
        int wildcard = strcmp(cfg->allow_origin, "*") == 0;
        if (wildcard && cfg->allow_credentials)
            return WSX_E_ARG; /* Fetch standard: credentials need an exact origin */
        h.name = "Access-Control-Allow-Origin";
        h.name_len = 27;
        h.value = cfg->allow_origin;
        h.value_len = strlen(cfg->allow_origin);
        if (h.value_len == 0 || wsx__sse_put_header(&w, &h))
            return WSX_E_HTTP_HEADER_VALUE;
        if (!wildcard)
            wsx__wbuf_str(&w, "Vary: Origin\r\n");
        if (cfg->allow_credentials)
            wsx__wbuf_str(&w, "Access-Control-Allow-Credentials: true\r\n");
    }
    if (cfg && cfg->num_headers && !cfg->headers)
        return WSX_E_ARG;
    for (i = 0; cfg && i < cfg->num_headers; i++) {
        int r = wsx__sse_put_header(&w, &cfg->headers[i]);
        if (r)
            return r;
    }
    wsx__wbuf_put(&w, "\r\n", 2);
    return wsx__wbuf_result(&w);
}

int wsx_sse_keepalive_due(uint64_t now_ms, uint64_t last_write_ms, uint32_t interval_ms,
                          uint64_t *next_ms)
{
    uint64_t due;
    if (interval_ms == 0)
        interval_ms = WSX_SSE_KEEPALIVE_MS;
    due = last_write_ms > UINT64_MAX - interval_ms ? UINT64_MAX : last_write_ms + interval_ms;
    if (now_ms >= last_write_ms && now_ms >= due) {
        if (next_ms)
            *next_ms = now_ms;
        return 1;
    }
    if (next_ms)
        *next_ms = due;
    return 0;
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

static wsx_sse_replay_slot_ *slot_at(const wsx_sse_replay *r, size_t i)
{
    return &r->_slots[(r->_first + i) % r->_max];
}

wsx_err wsx_sse_replay_init(wsx_sse_replay *r, void *mem, size_t size, size_t max_events, int mode)
{
    uintptr_t base = (uintptr_t)mem, aligned;
    size_t pad, slots_bytes;
    if (!r || !mem || max_events == 0 || (mode != WSX_SSE_REPLAY_NUMERIC && mode != WSX_SSE_REPLAY_EXACT))
        return WSX_E_ARG;
    aligned = (base + 7u) & ~(uintptr_t)7u;
    pad = (size_t)(aligned - base);
    if (max_events > ((size_t)-1) / sizeof(wsx_sse_replay_slot_))
        return WSX_E_ARG;
    slots_bytes = max_events * sizeof(wsx_sse_replay_slot_);
    if (size <= pad || size - pad <= slots_bytes)
        return WSX_E_ARG;
    memset(r, 0, sizeof *r);
    r->_slots = (wsx_sse_replay_slot_ *)(void *)aligned;
    r->_ring = (uint8_t *)aligned + slots_bytes;
    r->_ring_cap = size - pad - slots_bytes;
    if (wsx__sse_over_u32(r->_ring_cap)) /* offsets are 32-bit */
        r->_ring_cap = 0xFFFFFFFFu;
    r->_max = max_events;
    r->_mode = mode;
    return WSX_OK;
}

static void evict(wsx_sse_replay *r)
{
    r->_floor = r->_slots[r->_first]._num;
    r->_first = (r->_first + 1) % r->_max;
    r->_count--;
}

/* Offset of need free contiguous bytes, evicting the oldest events. */
static size_t make_room(wsx_sse_replay *r, size_t need)
{
    for (;;) {
        const wsx_sse_replay_slot_ *newest;
        size_t head, tail;
        if (r->_count == r->_max) {
            evict(r);
            continue;
        }
        if (r->_count == 0)
            return 0;
        head = r->_slots[r->_first]._off;
        newest = slot_at(r, r->_count - 1);
        tail = (size_t)newest->_off + newest->_id_len + newest->_len;
        if (newest->_off >= head) { /* used: [head, tail); free: [tail, cap) and [0, head) */
            if (r->_ring_cap - tail >= need)
                return tail;
            if (head >= need)
                return 0;
        } else if (head - tail >= need) { /* used wraps: free is [tail, head) */
            return tail;
        }
        evict(r);
    }
}

wsx_err wsx_sse_replay_append(wsx_sse_replay *r, const wsx_sse_msg *m)
{
    uint64_t num = 0;
    ptrdiff_t n;
    size_t need, off;
    wsx_sse_replay_slot_ *s;
    wsx__wbuf w;
    if (!r || !m || !m->id || m->id_len == 0)
        return WSX_E_ARG;
    if (r->_mode == WSX_SSE_REPLAY_NUMERIC) {
        if (!parse_num(m->id, m->id_len, &num))
            return WSX_E_ARG;
        if (r->_count && num <= slot_at(r, r->_count - 1)->_num)
            return WSX_E_ARG; /* ids must increase */
    }
    n = wsx_sse_write(m, NULL, 0);
    if (n < 0)
        return (wsx_err)n;
    if ((size_t)n > r->_ring_cap || m->id_len > r->_ring_cap - (size_t)n)
        return WSX_E_LIMIT;
    need = m->id_len + (size_t)n;
    off = make_room(r, need);
    if (!r->_floor_set) {
        r->_floor = num ? num - 1 : 0;
        r->_floor_set = 1;
    }
    s = slot_at(r, r->_count);
    s->_num = num;
    s->_off = (uint32_t)off;
    s->_id_len = (uint32_t)m->id_len;
    s->_len = (uint32_t)n;
    s->_pad = 0;
    memcpy(r->_ring + off, m->id, m->id_len);
    wsx__wbuf_init(&w, r->_ring + off + m->id_len, (size_t)n);
    wsx__sse_write_msg(&w, m);
    r->_count++;
    return WSX_OK;
}

wsx_err wsx_sse_replay_since(const wsx_sse_replay *r, const char *last_id, size_t len,
                             wsx_sse_replay_iter *it)
{
    size_t i;
    it->_r = r;
    it->_pos = it->_left = 0;
    if (!last_id || len == 0)
        return WSX_E_ARG;
    if (r->_count == 0)
        return WSX_E_SSE_REPLAY_GONE;
    if (r->_mode == WSX_SSE_REPLAY_NUMERIC) {
        uint64_t n;
        if (!parse_num(last_id, len, &n) || n < r->_floor || n > slot_at(r, r->_count - 1)->_num)
            return WSX_E_SSE_REPLAY_GONE;
        for (i = 0; i < r->_count && slot_at(r, i)->_num <= n; i++)
            ;
        it->_pos = i;
        it->_left = r->_count - i;
        return WSX_OK;
    }
    for (i = r->_count; i-- > 0;) {
        const wsx_sse_replay_slot_ *s = slot_at(r, i);
        if (s->_id_len == len && memcmp(r->_ring + s->_off, last_id, len) == 0) {
            it->_pos = i + 1;
            it->_left = r->_count - i - 1;
            return WSX_OK;
        }
    }
    return WSX_E_SSE_REPLAY_GONE;
}

void wsx_sse_replay_all(const wsx_sse_replay *r, wsx_sse_replay_iter *it)
{
    it->_r = r;
    it->_pos = 0;
    it->_left = r->_count;
}

int wsx_sse_replay_next(wsx_sse_replay_iter *it, const uint8_t **bytes, size_t *len,
                        const char **id, size_t *id_len)
{
    const wsx_sse_replay_slot_ *s;
    if (it->_left == 0)
        return 0;
    s = slot_at(it->_r, it->_pos);
    *bytes = it->_r->_ring + s->_off + s->_id_len;
    *len = s->_len;
    if (id)
        *id = (const char *)it->_r->_ring + s->_off;
    if (id_len)
        *id_len = s->_id_len;
    it->_pos++;
    it->_left--;
    return 1;
}

size_t wsx_sse_replay_count(const wsx_sse_replay *r)
{
    return r->_count;
}
