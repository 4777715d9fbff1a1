/*
 * WebSocket frame encoder (RFC 6455 section 5): headers, whole frames,
 * close payloads and the fragmentation helpers.  Stateless except for the
 * two small fragmentation structs; no allocation, no random source (the
 * caller passes the masking key).
 */
#include <string.h>

#include "wsx_internal.h"
#include "wsx_util.h"
#include "wsx_ws.h"

/* Helpers -Os would copy into each caller (measured on a Cortex-M4). */

#define FLAG_BITS (WSX_WS_FIN | WSX_WS_RSV1 | WSX_WS_RSV2 | WSX_WS_RSV3)
#define LENGTH_MSB ((uint64_t)1 << 63)

static int is_control(unsigned opcode)
{
    return opcode >= 0x8;
}

/* Opcodes section 5.2 defines: bit n set for opcode n (0, 1, 2, 8, 9,
 * 10); the others are reserved. */
#define KNOWN_OPCODES 0x0707u

static int is_known_opcode(unsigned opcode)
{
    return opcode <= 0xF && ((KNOWN_OPCODES >> opcode) & 1);
}

/* Every rule a header alone can break (sections 5.2, 5.4, 5.5). */
static int check_header(unsigned opcode, unsigned flags, uint64_t payload_len)
{
    if (flags & ~(unsigned)FLAG_BITS)
        return WSX_E_ARG;
    if (!is_known_opcode(opcode))
        return WSX_E_WS_OPCODE;
    if (payload_len & LENGTH_MSB)
        return WSX_E_WS_LENGTH_MSB; /* section 5.2: the MSB must be 0 */
    if (is_control(opcode)) {
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

size_t wsx_ws_header_size(uint64_t payload_len, int masked)
{
    size_t n = payload_len <= 125 ? 2 : payload_len <= 0xFFFF ? 4 : 10;
    return masked ? n + 4 : n;
}

/* Writes a header already checked, into room known to be large enough. */
static size_t put_header(uint8_t *out, unsigned opcode, unsigned flags,
                         uint64_t payload_len, const uint8_t *mask_key)
{
    size_t n = wsx_ws_header_size(payload_len, 0), i;
    out[0] = (uint8_t)(flags | opcode);
    /* section 5.2: always the shortest of the three length encodings */
    out[1] = (uint8_t)(n == 2 ? payload_len : n == 4 ? 126 : 127);
    for (i = n; i > 2; i--) { /* big-endian, last byte first */
        out[i - 1] = (uint8_t)payload_len;
        payload_len >>= 8;
    }
    if (mask_key) {
        out[1] |= 0x80;
        memcpy(out + n, mask_key, 4);
        n += 4;
    }
    return n;
}

int wsx_ws_write_header(uint8_t *out, size_t outcap, unsigned opcode,
                        unsigned flags, uint64_t payload_len,
                        const uint8_t *mask_key, size_t *header_len)
{
    int err = check_header(opcode, flags, payload_len);
    size_t need;
    if (err == WSX_OK && (out == NULL || header_len == NULL))
        err = WSX_E_ARG;
    if (err != WSX_OK)
        return err;
    need = wsx_ws_header_size(payload_len, mask_key != NULL);
    if (outcap < need)
        return WSX_E_BUFFER;
    *header_len = put_header(out, opcode, flags, payload_len, mask_key);
    return WSX_OK;
}

/* The checks of a whole frame, in the order wsx_ws.h gives: the header,
 * the arguments (args_ok), then the rules only the payload of a close
 * frame can break (section 5.5.1): a valid code, then a UTF-8 reason. */
static int check_frame(unsigned opcode, unsigned flags, const uint8_t *payload,
                       size_t len, int args_ok)
{
    int err = check_header(opcode, flags, (uint64_t)len);
    if (err != WSX_OK)
        return err;
    if (!args_ok)
        return WSX_E_ARG;
    if (opcode != WSX_WS_OP_CLOSE || len < 2)
        return WSX_OK; /* an empty body is fine; 1 byte was refused above */
    if (!wsx_ws_close_code_valid((unsigned)payload[0] << 8 | payload[1]))
        return WSX_E_WS_CLOSE_CODE;
    if (!wsx_utf8_valid(payload + 2, len - 2))
        return WSX_E_WS_CLOSE_REASON_UTF8;
    return WSX_OK;
}

int wsx_ws_encode_frame(uint8_t *out, size_t outcap, unsigned opcode,
                        unsigned flags, const uint8_t *payload,
                        size_t payload_len, const uint8_t *mask_key,
                        size_t *frame_len)
{
    size_t hlen = wsx_ws_header_size((uint64_t)payload_len, mask_key != NULL);
    int err = check_frame(opcode, flags, payload, payload_len,
                          out && frame_len && (payload || !payload_len));
    if (err != WSX_OK)
        return err;
    if (outcap < hlen || outcap - hlen < payload_len)
        return WSX_E_BUFFER;
    /* payload may overlap out: move it first, then write the header */
    if (payload_len)
        memmove(out + hlen, payload, payload_len);
    put_header(out, opcode, flags, (uint64_t)payload_len, mask_key);
    if (mask_key)
        wsx_mask(out + hlen, payload_len, mask_key, 0);
    *frame_len = hlen + payload_len;
    return WSX_OK;
}

int wsx_ws_frame_in_place(uint8_t *buf, size_t headroom, size_t payload_len,
                          unsigned opcode, unsigned flags,
                          const uint8_t *mask_key, size_t *frame_offset)
{
    size_t hlen = wsx_ws_header_size((uint64_t)payload_len, mask_key != NULL);
    int ok = buf && frame_offset;
    int err = check_frame(opcode, flags, ok ? buf + headroom : NULL,
                          payload_len, ok);
    if (err != WSX_OK)
        return err;
    if (headroom < hlen)
        return WSX_E_BUFFER;
    put_header(buf + headroom - hlen, opcode, flags, (uint64_t)payload_len,
               mask_key);
    if (mask_key)
        wsx_mask(buf + headroom, payload_len, mask_key, 0);
    *frame_offset = headroom - hlen;
    return WSX_OK;
}

/* ---- close frames ---------------------------------------------------- */

int wsx_ws_close_payload(uint8_t *out, size_t outcap, unsigned code,
                         const char *reason, size_t reason_len,
                         size_t *payload_len)
{
    if (payload_len == NULL || (reason == NULL && reason_len != 0))
        return WSX_E_ARG;
    if (code == 0) {
        /* no status code: the body must be empty (section 5.5.1) */
        if (reason_len != 0)
            return WSX_E_ARG;
        *payload_len = 0;
        return WSX_OK;
    }
    if (!wsx_ws_close_code_valid(code))
        return WSX_E_WS_CLOSE_CODE;
    if (reason_len > WSX_WS_MAX_CLOSE_REASON)
        return WSX_E_WS_REASON_TOO_LONG;
    if (!wsx_utf8_valid((const uint8_t *)reason, reason_len))
        return WSX_E_WS_CLOSE_REASON_UTF8;
    if (out == NULL || outcap < 2 + reason_len)
        return WSX_E_BUFFER;
    out[0] = (uint8_t)(code >> 8);
    out[1] = (uint8_t)code;
    if (reason_len)
        memmove(out + 2, reason, reason_len);
    *payload_len = 2 + reason_len;
    return WSX_OK;
}

int wsx_ws_encode_close(uint8_t *out, size_t outcap, unsigned code,
                        const char *reason, size_t reason_len,
                        const uint8_t *mask_key, size_t *frame_len)
{
    uint8_t body[WSX_WS_MAX_CONTROL];
    size_t body_len;
    int err = wsx_ws_close_payload(body, sizeof body, code, reason,
                                   reason_len, &body_len);
    if (err != WSX_OK)
        return err;
    return wsx_ws_encode_frame(out, outcap, WSX_WS_OP_CLOSE, WSX_WS_FIN, body,
                               body_len, mask_key, frame_len);
}

/* ---- fragmentation --------------------------------------------------- */

WSX__NOINLINE static int check_data_opcode(unsigned opcode)
{
    if (opcode == WSX_WS_OP_TEXT || opcode == WSX_WS_OP_BINARY)
        return WSX_OK;
    /* section 5.5: control frames are never fragmented */
    return opcode >= WSX_WS_OP_CLOSE && opcode <= WSX_WS_OP_PONG
               ? WSX_E_WS_CONTROL_FRAGMENTED
               : WSX_E_WS_OPCODE;
}

int wsx_ws_fragmenter_init(wsx_ws_fragmenter *f, unsigned opcode,
                           uint64_t total_len, uint64_t max_fragment)
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

int wsx_ws_fragmenter_next(wsx_ws_fragmenter *f, uint8_t *out, size_t outcap,
                           const uint8_t *mask_key, size_t *header_len,
                           uint64_t *fragment_len)
{
    uint64_t n;
    unsigned flags;
    int err;
    if (f == NULL || fragment_len == NULL)
        return WSX_E_ARG;
    if (f->_done)
        return 0;
    n = f->_remaining < f->_max_fragment ? f->_remaining : f->_max_fragment;
    flags = n == f->_remaining ? WSX_WS_FIN : 0;
    err = wsx_ws_write_header(out, outcap, f->_opcode, flags, n, mask_key,
                              header_len);
    if (err != WSX_OK)
        return err; /* nothing changed: the call may be repeated */
    *fragment_len = n;
    f->_remaining -= n;
    f->_opcode = WSX_WS_OP_CONTINUATION;
    f->_done = flags != 0;
    return 1;
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

int wsx_ws_stream_next(wsx_ws_stream *s, uint8_t *out, size_t outcap,
                       uint64_t part_len, const uint8_t *mask_key,
                       size_t *header_len)
{
    int err;
    if (s == NULL)
        return WSX_E_ARG;
    if (s->_state != STREAM_OPEN)
        return WSX_E_STATE;
    err = wsx_ws_write_header(out, outcap, s->_opcode, 0, part_len, mask_key,
                              header_len);
    if (err != WSX_OK)
        return err;
    s->_opcode = WSX_WS_OP_CONTINUATION;
    return WSX_OK;
}

int wsx_ws_stream_finish(wsx_ws_stream *s, uint8_t *out, size_t outcap,
                         uint64_t last_len, const uint8_t *mask_key,
                         size_t *header_len)
{
    int err = wsx_ws_stream_next(s, out, outcap, last_len, mask_key,
                                 header_len);
    if (err != WSX_OK)
        return err;
    /* The same header with FIN: nothing else in it depends on the flag,
     * and a data frame may carry it or not (section 5.4). */
    out[0] |= WSX_WS_FIN;
    s->_state = STREAM_FINISHED;
    return WSX_OK;
}
