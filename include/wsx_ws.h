/*
 * wsx WebSocket frame codec (RFC 6455): Sec-WebSocket-Accept, the pull-based
 * frame decoder and the frame encoder.
 */
#ifndef WSX_WS_H
#define WSX_WS_H

#include "wsx_base.h"
#include "wsx_util.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Sec-WebSocket-Accept (RFC 6455 section 4.2.2) -------------------- */

#define WSX_WS_ACCEPT_LEN 28

/* out = base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")), exactly
 * WSX_WS_ACCEPT_LEN characters, no NUL.  key is the Sec-WebSocket-Key value
 * as received (keylen bytes, no NUL needed; at most 64 accepted: a valid
 * key is 24).  The key's shape is not checked here (the handshake does).
 * Returns WSX_OK, or WSX_E_ARG (keylen > 64, key NULL with keylen > 0, out
 * NULL) with out unchanged. */
WSX_API int wsx_ws_accept(const char *key, size_t keylen,
                          char out[WSX_WS_ACCEPT_LEN]);

/* ---- shared definitions --------------------------------------------- */

/* Opcodes (RFC 6455 section 5.2). */
enum wsx_ws_opcode {
    WSX_WS_OP_CONTINUATION = 0x0,
    WSX_WS_OP_TEXT = 0x1,
    WSX_WS_OP_BINARY = 0x2,
    WSX_WS_OP_CLOSE = 0x8,
    WSX_WS_OP_PING = 0x9,
    WSX_WS_OP_PONG = 0xA
};

/* Which end of the connection this is: a server receives masked frames and
 * sends unmasked ones, a client the reverse (RFC 6455 section 5.1). */
typedef enum wsx_ws_role { WSX_WS_SERVER = 0, WSX_WS_CLIENT = 1 } wsx_ws_role;

/* Largest frame header: 2 + 8 (64-bit length) + 4 (mask key). */
#define WSX_WS_MAX_HEADER 14
/* Largest control-frame payload (RFC 6455 section 5.5). */
#define WSX_WS_MAX_CONTROL 125

/* 1 if code may appear in a close frame on the wire: 1000-1003, 1007-1014,
 * 3000-4999 (RFC 6455 section 7.4, IANA registry); 0 otherwise (0-999, 1004,
 * 1005, 1006, 1015, 1016-2999, 5000+). */
WSX_API int wsx_ws_close_code_valid(unsigned code);

/* ---- frame decoder ---------------------------------------------------- */
/*
 * A pull decoder for the frames one end receives (RFC 6455 section 5).
 * Feed it the bytes read from the connection; each call returns ONE event:
 *
 *   wsx_ws_decoder d;
 *   wsx_ws_decoder_init(&d, WSX_WS_SERVER, NULL);
 *   ...each time bytes arrive in buf[0..len):
 *   for (;;) {
 *       size_t used;
 *       wsx_ws_event ev;
 *       int r = wsx_ws_decode(&d, buf, len, &used, &ev);
 *       buf += used;
 *       len -= used;
 *       if (r == WSX_WS_NEED_MORE)
 *           break;                 (len is 0 now: read more bytes)
 *       if (r < 0)
 *           ...fail the connection: send close wsx_err_close_code(r)...
 *       ...handle ev (ev.kind == r)...
 *   }
 *
 * An event may come with used == 0 (e.g. MESSAGE_END), so keep calling
 * until 0 is returned, even when len is already 0.
 *
 * A message arrives as MESSAGE_START, zero or more DATA, MESSAGE_END.  Ping,
 * pong and close frames may arrive between the events of a message (between
 * its fragments) and do not disturb it.  The sequence of events, with
 * adjacent DATA events concatenated, does not depend on how the input is
 * split into calls (whole, byte by byte, any split).
 *
 * Every rule of RFC 6455 section 5 is checked; a violation returns a named
 * negative wsx_err, and wsx_err_close_code() gives the close code to send
 * (1002 protocol error, 1007 invalid UTF-8, 1009 too big):
 *   WSX_E_WS_AFTER_CLOSE       any byte after a close frame (section 5.5.1)
 *   WSX_E_WS_RSV               an RSV bit not in rsv_allowed (section 5.2)
 *   WSX_E_WS_OPCODE            opcode 3-7 or 11-15 (section 5.2)
 *   WSX_E_WS_CONTROL_FRAGMENTED ping/pong/close without FIN (section 5.5)
 *   WSX_E_WS_NO_MESSAGE        continuation frame with no message open (5.4)
 *   WSX_E_WS_MESSAGE_OPEN      text/binary frame while a message is open
 *   WSX_E_WS_MASK_REQUIRED     server role: unmasked frame (section 5.1)
 *   WSX_E_WS_MASK_FORBIDDEN    client role: masked frame (section 5.1)
 *   WSX_E_WS_CONTROL_TOO_LONG  ping/pong/close payload over 125 bytes (5.5)
 *   WSX_E_WS_CLOSE_LENGTH      close payload of exactly 1 byte (5.5.1)
 *   WSX_E_WS_LENGTH_MSB        64-bit length with its top bit set (5.2)
 *   WSX_E_WS_LENGTH_NOT_MINIMAL 16-bit length < 126, 64-bit length < 65536
 *   WSX_E_WS_FRAME_TOO_BIG     declared frame length > max_frame_size (1009)
 *   WSX_E_WS_MESSAGE_TOO_BIG   sum of the declared lengths of a message's
 *                              frames > max_message_size (1009)
 *   WSX_E_WS_CLOSE_CODE        close code refused by wsx_ws_close_code_valid
 *   WSX_E_WS_CLOSE_REASON_UTF8 close reason not valid UTF-8 (1007)
 *   WSX_E_WS_UTF8              text message not valid UTF-8 (1007), found
 *                              at the first bad byte (fail fast, section
 *                              8.1), or at MESSAGE_END when the message
 *                              stops inside a code point
 * A header is checked in the order of this list (first byte 0, then byte
 * 1, then the length), each rule as soon as the bytes it needs have
 * arrived, so the limits are checked before any payload byte of that frame
 * is delivered; a close frame's code, then reason, once its payload is
 * complete; text as it arrives.  Errors are sticky: every later call
 * returns the same error until wsx_ws_decoder_init().
 *
 * Guarantees: reads only buf[0..len); never trusts a declared length (no
 * work or memory depends on it); constant work per call plus O(bytes
 * consumed); no allocation.  The only bytes of buf it modifies are the
 * payload bytes it returns in DATA events (unmasked in place).
 */

/* Events; wsx_ws_decode returns one of these, or a negative wsx_err. */
typedef enum wsx_ws_event_kind {
    WSX_WS_NEED_MORE = 0,        /* all of buf consumed; call with more */
    WSX_WS_EV_MESSAGE_START = 1, /* opcode, frame_length, rsv */
    WSX_WS_EV_DATA = 2,          /* opcode, data/size (payload bytes), rsv */
    WSX_WS_EV_MESSAGE_END = 3,   /* opcode */
    WSX_WS_EV_PING = 4,          /* data/size: the ping payload (<= 125) */
    WSX_WS_EV_PONG = 5,          /* data/size: the pong payload (<= 125) */
    WSX_WS_EV_CLOSE = 6          /* close_code, data/size: the reason */
} wsx_ws_event_kind;

/* What one wsx_ws_decode call produced.  Fields not listed for an event
 * kind are 0 / NULL. */
typedef struct wsx_ws_event {
    /* The value wsx_ws_decode returned (an event kind, or 0). */
    int kind;
    /* START, DATA, END: WSX_WS_OP_TEXT or WSX_WS_OP_BINARY (the message's
     * first frame's opcode, also for data from continuation frames).
     * PING, PONG, CLOSE: WSX_WS_OP_PING, _PONG, _CLOSE. */
    unsigned opcode;
    /* START, DATA, PING, PONG, CLOSE: the RSV bits of the frame the event
     * comes from, at their header positions (WSX_WS_RSV1 0x40, WSX_WS_RSV2
     * 0x20, WSX_WS_RSV3 0x10); always a subset of the configured
     * rsv_allowed.  0 for END. */
    unsigned rsv;
    /* CLOSE: the status code, already checked with
     * wsx_ws_close_code_valid(); 1005 ("no status") when the payload was
     * empty (RFC 6455 section 7.1.5). */
    unsigned close_code;
    /* START: the payload length the message's first frame declares (the
     * whole message only if that frame has FIN; a hint, already checked
     * against the limits, never a promise the bytes will arrive). */
    uint64_t frame_length;
    /* DATA: payload bytes, pointing INTO the caller's buf, unmasked in
     * place; valid as long as the caller keeps that part of buf.  For a
     * text message every byte is valid UTF-8 so far (a code point may be
     * split between two DATA events).  size is never 0.
     * PING, PONG: the whole payload, CLOSE: the reason (after the 2-byte
     * code), in the decoder's own buffer: valid until the next call on the
     * decoder; size 0..125 (0..123 for a reason). */
    uint8_t *data;
    size_t size;
} wsx_ws_event;

/* Limits and extension bits.  Every limit is a byte count used as given:
 * 0 allows only empty frames / messages; UINT64_MAX means no limit. */
typedef struct wsx_ws_decoder_config {
    /* Largest declared payload length of any one frame (data or control).
     * Default 16 MiB (WSX_WS_DEFAULT_MAX_FRAME). */
    uint64_t max_frame_size;
    /* Largest sum of the declared lengths of the frames of one message.
     * Default 16 MiB (WSX_WS_DEFAULT_MAX_MESSAGE). */
    uint64_t max_message_size;
    /* RSV bits a negotiated extension allows (WSX_WS_RSV1, WSX_WS_RSV2,
     * WSX_WS_RSV3 OR-ed, defined in the encoder section below; other bits
     * ignored); 0, the default, without an extension.  Allowed bits are
     * accepted on any frame and reported in wsx_ws_event.rsv; the
     * extension's own rules (e.g. RFC 7692: RSV1 only on a message's first
     * frame) are the caller's to check. */
    unsigned rsv_allowed;
} wsx_ws_decoder_config;

#define WSX_WS_DEFAULT_MAX_FRAME ((uint64_t)16 << 20)
#define WSX_WS_DEFAULT_MAX_MESSAGE ((uint64_t)16 << 20)

/* Decoder state: lives wherever the caller puts it (176 bytes on LP64;
 * 125 of them hold control payloads).  Every field is private. */
typedef struct wsx_ws_decoder {
    /* The byte fields come first: Thumb-2 reaches byte offsets below 32
     * with 2-byte loads and stores. */
    uint8_t _key[4];        /* masking key of the current frame */
    uint8_t _key_offset;    /* index in _key of the next payload byte */
    uint8_t _state;
    uint8_t _flags;
    uint8_t _rsv_allowed;
    uint8_t _frame;         /* byte 0 (FIN, RSV, opcode) of current frame */
    uint8_t _hdr_len;       /* header bytes gathered in _ctl (split header) */
    uint8_t _ctl_len;       /* control payload bytes gathered in _ctl */
    uint8_t _ctl[WSX_WS_MAX_CONTROL];
    uint32_t _utf8;         /* the wsx_utf8 of the open text message */
    int _error;             /* sticky error, 0 while healthy */
    uint64_t _max_frame;
    uint64_t _max_message;
    uint64_t _remaining;    /* payload bytes of the current frame to come */
    uint64_t _message_size; /* declared bytes of the open message so far */
} wsx_ws_decoder;

/* Fills cfg with the defaults above. */
WSX_API void wsx_ws_decoder_config_default(wsx_ws_decoder_config *cfg);

/* Resets d to decode a new connection's frames.  role: WSX_WS_SERVER
 * receives masked frames from a client, WSX_WS_CLIENT unmasked frames from
 * a server.  cfg is copied (NULL: the defaults). */
WSX_API void wsx_ws_decoder_init(wsx_ws_decoder *d, wsx_ws_role role,
                                 const wsx_ws_decoder_config *cfg);

/* Decodes from buf[0..len) until one event is complete.
 * Returns:
 *   > 0  an event kind; *ev describes it; *consumed = bytes of buf used
 *        (possibly 0, possibly < len): call again with buf + *consumed.
 *   0    WSX_WS_NEED_MORE: every byte was taken into the decoder's state
 *        (*consumed == len); call again when more bytes arrive.
 *   < 0  a wsx_err (see the list above); *consumed = 0; sticky.  The
 *        connection must be failed with close code wsx_err_close_code().
 * d, consumed and ev must not be NULL; buf may be NULL when len is 0
 * (WSX_E_ARG otherwise, not sticky).  buf is written to only to unmask the
 * bytes returned in DATA events.  After a DATA event that ends right
 * before the first invalid UTF-8 byte of a text message, the decoder has
 * already failed: wsx_ws_decoder_error() reports WSX_E_WS_UTF8 and the
 * next call returns it (so the valid prefix is delivered whatever the
 * chunking).  After a CLOSE event, any further byte is WSX_E_WS_AFTER_CLOSE;
 * calls with len == 0 keep returning 0. */
WSX_API int wsx_ws_decode(wsx_ws_decoder *d, uint8_t *buf, size_t len,
                          size_t *consumed, wsx_ws_event *ev);

/* The sticky error (a negative wsx_err), or 0 while the decoder is
 * healthy. */
WSX_API int wsx_ws_decoder_error(const wsx_ws_decoder *d);

/* ---- frame encoder ---------------------------------------------------- */
/*
 * Stateless functions that write frames into caller memory.  They never
 * allocate and never keep a pointer after returning.
 *
 * Masking keys.  A client must mask every frame with a fresh 4-byte key
 * from a strong source of randomness, unpredictable to the application
 * that supplies the payload (RFC 6455 sections 5.3 and 10.3), e.g.
 * getrandom(), arc4random_buf() or the TLS library's RNG: wsx has no random
 * source of its own, so every function takes the key as `mask_key`.  A
 * server passes mask_key = NULL (its frames are never masked).
 *
 * Frame flags (`flags`): WSX_WS_FIN marks the last frame of a message (and
 * is required on control frames).  RSV1-3 are for a negotiated extension
 * only; a peer that negotiated none fails the connection on them.
 *
 * Checks done by every function that writes a header (errors, nothing is
 * written): reserved opcode (3-7, 0xB-0xF, > 0xF) -> WSX_E_WS_OPCODE;
 * control frame (close, ping, pong) with a payload over 125 bytes ->
 * WSX_E_WS_CONTROL_TOO_LONG, without WSX_WS_FIN ->
 * WSX_E_WS_CONTROL_FRAGMENTED; close frame with a 1-byte payload ->
 * WSX_E_WS_CLOSE_LENGTH; length >= 2^63 -> WSX_E_WS_LENGTH_MSB; a flag
 * other than the four below -> WSX_E_ARG.  Text payloads are NOT checked
 * for UTF-8 (a fragment may end inside a code point): use wsx_utf8_* on
 * the message if its source is not trusted.
 *
 * Zero-copy sending with writev(): write the header alone, then send it
 * and the payload as two pieces.  A client masks the payload in place
 * (wsx_mask with key offset 0), so the payload buffer must be writable:
 *
 *     uint8_t hdr[WSX_WS_MAX_HEADER], key[4];
 *     size_t hlen;
 *     get_random_bytes(key, 4);               // client only; server: NULL
 *     if (wsx_ws_write_header(hdr, sizeof hdr, WSX_WS_OP_BINARY, WSX_WS_FIN,
 *                             len, key, &hlen) != WSX_OK)
 *         return -1;
 *     wsx_mask(payload, len, key, 0);         // client only
 *     struct iovec iov[2] = {{hdr, hlen}, {payload, len}};
 *     writev(fd, iov, 2);
 *
 * One buffer without copying: leave WSX_WS_MAX_HEADER bytes of headroom
 * before the payload and call wsx_ws_frame_in_place().
 */

/* Frame flags, at their bit positions in the first header byte. */
#define WSX_WS_FIN 0x80u
#define WSX_WS_RSV1 0x40u
#define WSX_WS_RSV2 0x20u
#define WSX_WS_RSV3 0x10u

/* Longest close reason: 125 - 2 bytes of code (section 5.5). */
#define WSX_WS_MAX_CLOSE_REASON 123

/* Bytes of header for a payload of payload_len bytes: 2 (<= 125), 4
 * (<= 65535) or 10, plus 4 if masked (masked != 0).  Never fails. */
WSX_API size_t wsx_ws_header_size(uint64_t payload_len, int masked);

/* Writes the header of one frame (opcode, flags, payload_len in the
 * minimal length encoding, and mask_key when not NULL) to out[0..outcap),
 * storing its size (2-14) in *header_len.  The payload is not touched: send
 * it after the header, masked with mask_key from offset 0 by a client.
 * Returns WSX_OK, a check error above, WSX_E_BUFFER if outcap is below
 * wsx_ws_header_size() (WSX_WS_MAX_HEADER is always enough), or WSX_E_ARG
 * (out or header_len NULL). */
WSX_API int wsx_ws_write_header(uint8_t *out, size_t outcap, unsigned opcode,
                                unsigned flags, uint64_t payload_len,
                                const uint8_t *mask_key, size_t *header_len);

/* Writes a whole frame -- header, then payload[0..payload_len) copied and,
 * if mask_key is not NULL, masked -- to out[0..outcap) and stores its size
 * in *frame_len.  payload may overlap out (it is moved, not copied).  For a
 * close frame the payload is also checked: a code that
 * wsx_ws_close_code_valid() refuses -> WSX_E_WS_CLOSE_CODE, a reason that
 * is not UTF-8 -> WSX_E_WS_CLOSE_REASON_UTF8.  Returns WSX_OK, a check
 * error, WSX_E_BUFFER when the frame does not fit (out unchanged), or
 * WSX_E_ARG (NULL out/frame_len, NULL payload with payload_len > 0). */
WSX_API int wsx_ws_encode_frame(uint8_t *out, size_t outcap, unsigned opcode,
                                unsigned flags, const uint8_t *payload,
                                size_t payload_len, const uint8_t *mask_key,
                                size_t *frame_len);

/* One buffer, no copy: the payload is already at buf[headroom ..
 * headroom + payload_len).  Writes the header right before it, masks the
 * payload in place if mask_key is not NULL, and stores in *frame_offset
 * where the frame starts: send buf[*frame_offset .. headroom + payload_len).
 * headroom >= WSX_WS_MAX_HEADER is always enough.  Same checks and errors
 * as wsx_ws_encode_frame; WSX_E_BUFFER if headroom is too small. */
WSX_API int wsx_ws_frame_in_place(uint8_t *buf, size_t headroom,
                                  size_t payload_len, unsigned opcode,
                                  unsigned flags, const uint8_t *mask_key,
                                  size_t *frame_offset);

/* Close frame body (section 5.5.1): code as 2 big-endian bytes, then the
 * reason (reason_len bytes, no NUL needed), into out[0..outcap); size in
 * *payload_len.  code 0 means "no status code": the body is empty and
 * reason_len must be 0 (else WSX_E_ARG); nothing is written to out.
 * Returns WSX_OK, WSX_E_WS_CLOSE_CODE (code refused by
 * wsx_ws_close_code_valid: 1005, 1006 and 1015 must never be sent),
 * WSX_E_WS_REASON_TOO_LONG (over WSX_WS_MAX_CLOSE_REASON bytes),
 * WSX_E_WS_CLOSE_REASON_UTF8, WSX_E_BUFFER (outcap < 2 + reason_len), or
 * WSX_E_ARG.  reason may overlap out. */
WSX_API int wsx_ws_close_payload(uint8_t *out, size_t outcap, unsigned code,
                                 const char *reason, size_t reason_len,
                                 size_t *payload_len);

/* A whole close frame (FIN, opcode close, body as wsx_ws_close_payload) in
 * out[0..outcap); at most WSX_WS_MAX_HEADER + 125 bytes.  Same errors as
 * wsx_ws_close_payload and wsx_ws_encode_frame. */
WSX_API int wsx_ws_encode_close(uint8_t *out, size_t outcap, unsigned code,
                                const char *reason, size_t reason_len,
                                const uint8_t *mask_key, size_t *frame_len);

/*
 * Fragmenting a message of known length into frames of at most
 * max_fragment payload bytes (section 5.4): the first frame carries the
 * opcode (text or binary), the others are continuations, only the last has
 * FIN.  A 0-byte message is one empty frame.  Control frames may be sent
 * between the fragments.
 *
 *     wsx_ws_fragmenter f;
 *     uint8_t hdr[WSX_WS_MAX_HEADER];
 *     size_t hlen;
 *     uint64_t n, at = 0;
 *     wsx_ws_fragmenter_init(&f, WSX_WS_OP_BINARY, total, 16384);
 *     while (wsx_ws_fragmenter_next(&f, hdr, sizeof hdr, NULL, &hlen, &n) > 0) {
 *         send(hdr, hlen); send(msg + at, n); at += n;
 *     }
 */
typedef struct wsx_ws_fragmenter {
    uint64_t _remaining, _max_fragment;
    unsigned _opcode;
    int _done;
} wsx_ws_fragmenter;

/* opcode must be WSX_WS_OP_TEXT or WSX_WS_OP_BINARY (a control opcode ->
 * WSX_E_WS_CONTROL_FRAGMENTED, any other -> WSX_E_WS_OPCODE);
 * max_fragment > 0 (else WSX_E_ARG); total_len < 2^63
 * (else WSX_E_WS_LENGTH_MSB).  After a failure next() yields nothing. */
WSX_API int wsx_ws_fragmenter_init(wsx_ws_fragmenter *f, unsigned opcode,
                                   uint64_t total_len, uint64_t max_fragment);

/* Writes the header of the next frame to out (as wsx_ws_write_header, with
 * mask_key: a fresh key per frame for a client) and stores the number of
 * payload bytes that follow it in *fragment_len.  Returns 1 when a header
 * was written, 0 when the message is complete (nothing written), or a
 * negative error (WSX_E_BUFFER, WSX_E_ARG) that leaves f unchanged. */
WSX_API int wsx_ws_fragmenter_next(wsx_ws_fragmenter *f, uint8_t *out,
                                   size_t outcap, const uint8_t *mask_key,
                                   size_t *header_len, uint64_t *fragment_len);

/*
 * Streaming a message whose total length is not known in advance: begin,
 * then one wsx_ws_stream_next() per part as it becomes available, and
 * wsx_ws_stream_finish() for the last part (which may be empty, e.g. when
 * the producer only learns it is done after the last data).  Each call
 * writes the header of one frame; the caller sends it and then the part
 * (masked with that frame's key, from offset 0, by a client).
 *
 *     wsx_ws_stream s;
 *     wsx_ws_stream_begin(&s, WSX_WS_OP_TEXT);
 *     while ((n = produce(part)) > 0) {
 *         wsx_ws_stream_next(&s, hdr, sizeof hdr, n, NULL, &hlen);
 *         send(hdr, hlen); send(part, n);
 *     }
 *     wsx_ws_stream_finish(&s, hdr, sizeof hdr, 0, NULL, &hlen);
 *     send(hdr, hlen);
 */
typedef struct wsx_ws_stream {
    unsigned _opcode;
    int _state;
} wsx_ws_stream;

/* opcode: WSX_WS_OP_TEXT or WSX_WS_OP_BINARY (errors as in
 * wsx_ws_fragmenter_init).  Writes nothing. */
WSX_API int wsx_ws_stream_begin(wsx_ws_stream *s, unsigned opcode);

/* Header of a non-final frame carrying part_len bytes.  WSX_E_STATE if the
 * stream was not begun or is finished; header errors as
 * wsx_ws_write_header (s unchanged then). */
WSX_API int wsx_ws_stream_next(wsx_ws_stream *s, uint8_t *out, size_t outcap,
                               uint64_t part_len, const uint8_t *mask_key,
                               size_t *header_len);

/* Header of the final frame (FIN) carrying last_len bytes (0 allowed);
 * if no wsx_ws_stream_next() came before, this is the message's only
 * frame.  Afterwards the stream is finished: begin it again for the next
 * message.  Errors as wsx_ws_stream_next. */
WSX_API int wsx_ws_stream_finish(wsx_ws_stream *s, uint8_t *out, size_t outcap,
                                 uint64_t last_len, const uint8_t *mask_key,
                                 size_t *header_len);

#ifdef __cplusplus
}
#endif

#endif /* WSX_WS_H */
