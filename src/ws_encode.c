/*
 * WebSocket frame encoder (RFC 6455 section 5): headers, whole frames,
 * close payloads and the fragmentation helpers.  Stateless except for the
 * two small fragmentation structs; no allocation, no random source (the
 * caller passes the masking key).  Every writer follows rule 2 of
 * wsx_base.h.
 */
#include <string.h>

#include "wsx_internal.h"
#include "wsx_util.h"
#include "wsx_ws.h"

#define LENGTH_MSB ((uint64_t)1 << 63)

/* Every rule a header alone can break (sections 5.2, 5.4, 5.5). */
static int check_header(unsigned opcode, unsigned flags, uint64_t payload_len)
{
    if (flags & ~(unsigned)(WSX__B0_FIN | WSX__B0_RSV))
        return WSX_E_ARG;
    if (opcode > WSX__B0_OPCODE || !((WSX__KNOWN_OPCODES >> opcode) & 1))
        return WSX_E_WS_OPCODE;
    if (payload_len & LENGTH_MSB)
        return WSX_E_WS_LENGTH_MSB; /* section 5.2: the MSB must be 0 */
    if (opcode & WSX__B0_CONTROL) {
        if (payload_len > WSX_WS_MAX_CONTROL)
            return WSX_E_WS_CONTROL_TOO_LONG;
        if (!(flags & WSX_WS_FIN))
            return WSX_E_WS_CONTROL_FRAGMENTED;
        /* section 5.5.1: a close body is empty or starts with a 2-byte code */
        if (opcode == WSX_WS_OP_CLOSE && payload_len == 1)
            return WSX_E_WS_CLOSE_LENGTH;
    }
    return WSX_OK;
}

/* ---- rule 2: (out, cap, out_len) ---------------------------------------- */

/* The arguments every writer ends with.  Returns WSX_E_ARG for a NULL
 * out_len or a NULL out with room, else WSX_OK with *out_len = 0 (what
 * every error leaves). */
static int check_out(const void *out, size_t cap, size_t *out_len)
{
    if (out_len == NULL)
        return WSX_E_ARG;
    *out_len = 0;
    return out == NULL && cap != 0 ? WSX_E_ARG : WSX_OK;
}

/* need bytes are to be written: WSX_OK when they fit (write them if out is
 * not NULL), WSX_OK for a size query, WSX_E_BUFFER otherwise.  *out_len =
 * need in every case. */
static int room_for(const void *out, size_t cap, size_t need, size_t *out_len)
{
    *out_len = need;
    return out != NULL && cap < need ? WSX_E_BUFFER : WSX_OK;
}

/* ---- headers and frames -------------------------------------------------- */

size_t wsx_ws_header_size(uint64_t payload_len, int masked)
{
    size_t n = payload_len <= 125 ? 2 : payload_len <= 0xFFFF ? 4 : 10;
    return masked ? n + 4 : n;
}

/* Writes a header already checked (b0: its first byte, flags | opcode)
 * into room known to be large enough. */
static void put_header(uint8_t *out, unsigned b0, uint64_t payload_len, const uint8_t *mask_key)
{
    size_t n = wsx_ws_header_size(payload_len, 0), i;
    out[0] = (uint8_t)b0;
    /* section 5.2: always the shortest of the three length encodings */
    out[1] = (uint8_t)(n == 2 ? payload_len : n == 4 ? 126 : 127);
    for (i = n; i > 2; i--) { /* big-endian, last byte first */
        out[i - 1] = (uint8_t)payload_len;
        payload_len >>= 8;
    }
    if (mask_key) {
        out[1] |= WSX__B1_MASK;
        memcpy(out + n, mask_key, 4);
    }
}

int wsx_ws_write_header(unsigned opcode, unsigned flags, uint64_t payload_len,
                        const uint8_t *mask_key, void *out, size_t cap, size_t *out_len)
{
    int err = check_out(out, cap, out_len);
    if (err == WSX_OK)
        err = check_header(opcode, flags, payload_len);
    if (err != WSX_OK)
        return err;
    err = room_for(out, cap, wsx_ws_header_size(payload_len, mask_key != NULL), out_len);
    if (err == WSX_OK && out != NULL)
        put_header((uint8_t *)out, flags | opcode, payload_len, mask_key);
    return err;
}

/* The checks of a whole frame, in the order wsx_ws.h gives: the header,
 * then the rules only the payload of a close frame can break (section
 * 5.5.1): a valid code, then a UTF-8 reason. */
static int check_frame(unsigned opcode, unsigned flags, const uint8_t *payload, size_t len)
{
    int err = check_header(opcode, flags, (uint64_t)len);
    if (err != WSX_OK)
        return err;
    if (opcode != WSX_WS_OP_CLOSE || len < 2)
        return WSX_OK; /* an empty body is fine; 1 byte was refused above */
    return wsx__ws_check_close((unsigned)payload[0] << 8 | payload[1], payload + 2, len - 2);
}

#ifndef WSX_SMALL
static uint64_t load8(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

static void store8(uint8_t *p, uint64_t w) { memcpy(p, &w, 8); }

/* Copies n (1..32) bytes with every load before the first store (src and
 * dst may overlap), in place of a call to memmove. */
static void copy_small(uint8_t *dst, const uint8_t *src, size_t n)
{
    if (n >= 16) {
        uint64_t a = load8(src), b = load8(src + 8), c = load8(src + n - 16),
                 d = load8(src + n - 8);
        store8(dst, a);
        store8(dst + 8, b);
        store8(dst + n - 16, c);
        store8(dst + n - 8, d);
    } else if (n >= 8) {
        uint64_t a = load8(src), b = load8(src + n - 8);
        store8(dst, a);
        store8(dst + n - 8, b);
    } else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, src, 4);
        memcpy(&b, src + n - 4, 4);
        memcpy(dst, &a, 4);
        memcpy(dst + n - 4, &b, 4);
    } else { /* 1..3: the first, middle and last byte cover them all */
        uint8_t a = src[0], b = src[n >> 1], c = src[n - 1];
        dst[0] = a;
        dst[n >> 1] = b;
        dst[n - 1] = c;
    }
}

/* The header of a frame encode_plain takes (hlen 2 or 4 bytes). */
static void put_plain_header(uint8_t *frame, unsigned b0, size_t payload_len, size_t hlen)
{
    frame[0] = (uint8_t)b0;
    frame[1] = (uint8_t)(hlen == 2 ? payload_len : 126);
    if (hlen == 4) {
        frame[2] = (uint8_t)(payload_len >> 8);
        frame[3] = (uint8_t)payload_len;
    }
}

/* encode_plain's frame of more than 32 bytes of payload: memmove, then
 * the header (out of line, so that the short frames' path saves no
 * registers for the call). */
WSX__NOINLINE static int encode_plain_moved(unsigned b0, const void *payload, size_t payload_len,
                                            uint8_t *frame, size_t hlen)
{
    uintptr_t from = (uintptr_t)payload, to = (uintptr_t)frame;
    if (from >= to + hlen + payload_len || from + payload_len <= to) {
        /* apart: the header first, then a tail call */
        put_plain_header(frame, b0, payload_len, hlen);
        memcpy(frame + hlen, payload, payload_len);
        return WSX_OK;
    }
    if (frame + hlen != (const uint8_t *)payload)
        memmove(frame + hlen, payload, payload_len);
    put_plain_header(frame, b0, payload_len, hlen);
    return WSX_OK;
}

/* The common frame, a server's text or binary frame of up to 64 KiB
 * (unmasked, FIN or not, no RSV bit) into room enough (hlen: its header's
 * size), which encode_plain writes with the checks it needs and nothing
 * else. */
static int is_plain(unsigned opcode, unsigned flags, const void *payload, size_t payload_len,
                    const uint8_t *mask_key, const void *out, size_t cap, const size_t *out_len,
                    size_t hlen)
{
    return !mask_key && opcode - 1u <= 1u && !(flags & ~WSX__B0_FIN) && payload_len <= 0xFFFF &&
           out && out_len && cap >= hlen + payload_len && (payload || !payload_len);
}

static int encode_plain(unsigned b0, const void *payload, size_t payload_len, uint8_t *frame,
                        size_t hlen)
{
    if (payload_len > 32)
        return encode_plain_moved(b0, payload, payload_len, frame, hlen);
    if (payload_len && frame + hlen != (const uint8_t *)payload) /* may overlap out */
        copy_small(frame + hlen, (const uint8_t *)payload, payload_len);
    put_plain_header(frame, b0, payload_len, hlen);
    return WSX_OK;
}
#endif

/* Every frame, every check (the small profile's only path). */
WSX__NOINLINE static int encode_frame(unsigned opcode, unsigned flags, const void *payload,
                                      size_t payload_len, const uint8_t *mask_key, void *out,
                                      size_t cap, size_t *out_len)
{
    size_t hlen = wsx_ws_header_size((uint64_t)payload_len, mask_key != NULL);
    uint8_t *frame = (uint8_t *)out;
    int err = check_out(out, cap, out_len);
    if (err == WSX_OK && payload == NULL && payload_len != 0)
        err = WSX_E_ARG;
    if (err == WSX_OK)
        err = check_frame(opcode, flags, (const uint8_t *)payload, payload_len);
    if (err != WSX_OK)
        return err;
    /* (hlen + payload_len cannot wrap: payload is that many bytes of
     * memory, and no object is within 14 bytes of SIZE_MAX) */
    err = room_for(out, cap, hlen + payload_len, out_len);
    if (err != WSX_OK || frame == NULL)
        return err;
    /* payload may overlap out: move it first (unless it is in place
     * already: wsx_ws_frame_in_place), then write the header */
    if (payload_len && frame + hlen != (const uint8_t *)payload)
        memmove(frame + hlen, payload, payload_len);
    put_header(frame, flags | opcode, (uint64_t)payload_len, mask_key);
    if (mask_key)
        wsx__mask(frame + hlen, payload_len, mask_key, 0);
    return WSX_OK;
}

int wsx_ws_encode_frame(unsigned opcode, unsigned flags, const void *payload, size_t payload_len,
                        const uint8_t *mask_key, void *out, size_t cap, size_t *out_len)
{
#ifndef WSX_SMALL
    size_t hlen = payload_len <= 125 ? 2 : 4;
    if (is_plain(opcode, flags, payload, payload_len, mask_key, out, cap, out_len, hlen)) {
        *out_len = hlen + payload_len;
        return encode_plain(flags | opcode, payload, payload_len, (uint8_t *)out, hlen);
    }
#endif
    return encode_frame(opcode, flags, payload, payload_len, mask_key, out, cap, out_len);
}

int wsx_ws_frame_in_place(void *buf, size_t headroom, size_t payload_len, unsigned opcode,
                          unsigned flags, const uint8_t *mask_key, size_t *frame_offset)
{
    size_t hlen = wsx_ws_header_size((uint64_t)payload_len, mask_key != NULL);
    uint8_t *payload, *frame;
    size_t frame_len;
    int err;
    if (buf == NULL || frame_offset == NULL)
        return WSX_E_ARG;
    if (headroom < hlen)
        return WSX_E_BUFFER;
    payload = (uint8_t *)buf + headroom;
    frame = payload - hlen;
    err = wsx_ws_encode_frame(opcode, flags, payload, payload_len, mask_key, frame,
                              hlen + payload_len, &frame_len);
    if (err == WSX_OK)
        *frame_offset = headroom - hlen;
    return err;
}

/* ---- close frames ---------------------------------------------------- */

int wsx_ws_close_payload(unsigned code, const void *reason, size_t reason_len, void *out,
                         size_t cap, size_t *out_len)
{
    uint8_t *body = (uint8_t *)out;
    int err = check_out(out, cap, out_len);
    if (err != WSX_OK || (reason == NULL && reason_len != 0))
        return WSX_E_ARG;
    if (code == 0) /* no status code: the body must be empty (5.5.1) */
        return reason_len != 0 ? WSX_E_ARG : WSX_OK;
    if (reason_len > WSX_WS_MAX_CLOSE_REASON)
        return WSX_E_WS_REASON_TOO_LONG;
    err = wsx__ws_check_close(code, (const uint8_t *)reason, reason_len);
    if (err != WSX_OK)
        return err;
    err = room_for(out, cap, 2 + reason_len, out_len);
    if (err != WSX_OK || body == NULL)
        return err;
    if (reason_len) /* before the code: reason may overlap out */
        memmove(body + 2, reason, reason_len);
    body[0] = (uint8_t)(code >> 8);
    body[1] = (uint8_t)code;
    return WSX_OK;
}

int wsx_ws_encode_close(unsigned code, const void *reason, size_t reason_len,
                        const uint8_t *mask_key, void *out, size_t cap, size_t *out_len)
{
    uint8_t body[WSX_WS_MAX_CONTROL];
    /* *out_len holds the body's size until the frame's replaces it */
    int err = wsx_ws_close_payload(code, reason, reason_len, body, sizeof body, out_len);
    if (err != WSX_OK)
        return err;
    return wsx_ws_encode_frame(WSX_WS_OP_CLOSE, WSX_WS_FIN, body, *out_len, mask_key, out, cap,
                               out_len);
}

/* ---- fragmentation --------------------------------------------------- */

WSX__NOINLINE static int check_data_opcode(unsigned opcode)
{
    if (opcode == WSX_WS_OP_TEXT || opcode == WSX_WS_OP_BINARY)
        return WSX_OK;
    /* section 5.5: control frames are never fragmented */
    return opcode >= WSX_WS_OP_CLOSE && opcode <= WSX_WS_OP_PONG ? WSX_E_WS_CONTROL_FRAGMENTED
                                                                 : WSX_E_WS_OPCODE;
}

int wsx_ws_fragmenter_init(wsx_ws_fragmenter *f, unsigned opcode, uint64_t total_len,
                           uint64_t max_fragment)
{
    int err = check_data_opcode(opcode);
    if (f == NULL)
        return WSX_E_ARG;
    f->_done = 1; /* a failed init leaves a fragmenter that yields nothing */
    if (err == WSX_OK && max_fragment == 0)
        err = WSX_E_ARG;
    if (err != WSX_OK)
        return err;
    if (total_len & LENGTH_MSB)
        return WSX_E_WS_LENGTH_MSB;
    f->_opcode = opcode;
    f->_remaining = total_len;
    f->_max_fragment = max_fragment;
    f->_done = 0;
    return WSX_OK;
}

int wsx_ws_fragmenter_next(wsx_ws_fragmenter *f, const uint8_t *mask_key, uint64_t *fragment_len,
                           void *out, size_t cap, size_t *out_len)
{
    uint64_t n;
    unsigned flags;
    int err;
    if (f == NULL || fragment_len == NULL || out_len == NULL)
        return WSX_E_ARG;
    *out_len = 0;
    *fragment_len = 0;
    if (f->_done)
        return WSX_OK; /* the message is complete: *out_len is 0 */
    n = f->_remaining < f->_max_fragment ? f->_remaining : f->_max_fragment;
    flags = n == f->_remaining ? WSX_WS_FIN : 0;
    err = wsx_ws_write_header(f->_opcode, flags, n, mask_key, out, cap, out_len);
    if (err != WSX_OK)
        return err; /* nothing changed: the call may be repeated */
    *fragment_len = n;
    if (out) { /* written, not a size query: on to the next frame */
        f->_remaining -= n;
        f->_opcode = WSX_WS_OP_CONTINUATION;
        f->_done = flags != 0;
    }
    return WSX_OK;
}

enum { STREAM_UNSET = 0, STREAM_OPEN, STREAM_FINISHED };

int wsx_ws_stream_begin(wsx_ws_stream *s, unsigned opcode)
{
    int err = check_data_opcode(opcode);
    if (s == NULL)
        return WSX_E_ARG;
    s->_state = STREAM_UNSET;
    if (err != WSX_OK)
        return err;
    s->_opcode = opcode;
    s->_state = STREAM_OPEN;
    return WSX_OK;
}

/* The header of the stream's next frame (flags: FIN for the last). */
WSX__NOINLINE static int stream_frame(wsx_ws_stream *s, unsigned flags, uint64_t part_len,
                                      const uint8_t *mask_key, void *out, size_t cap,
                                      size_t *out_len)
{
    int err;
    if (s == NULL || out_len == NULL)
        return WSX_E_ARG;
    *out_len = 0;
    if (s->_state != STREAM_OPEN)
        return WSX_E_STATE;
    err = wsx_ws_write_header(s->_opcode, flags, part_len, mask_key, out, cap, out_len);
    if (err != WSX_OK || out == NULL)
        return err;
    s->_opcode = WSX_WS_OP_CONTINUATION;
    if (flags)
        s->_state = STREAM_FINISHED;
    return WSX_OK;
}

int wsx_ws_stream_next(wsx_ws_stream *s, uint64_t part_len, const uint8_t *mask_key, void *out,
                       size_t cap, size_t *out_len)
{
    return stream_frame(s, 0, part_len, mask_key, out, cap, out_len);
}

int wsx_ws_stream_finish(wsx_ws_stream *s, uint64_t last_len, const uint8_t *mask_key, void *out,
                         size_t cap, size_t *out_len)
{
    return stream_frame(s, WSX_WS_FIN, last_len, mask_key, out, cap, out_len);
}
