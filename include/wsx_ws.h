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
WSX_API int wsx_ws_accept(const char *key, size_t keylen, char out[WSX_WS_ACCEPT_LEN]);

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
 *   ...each time bytes arrive in buf[0..len) (uint8_t *buf, or char *):
 *   for (;;) {
 *       size_t used;
 *       wsx_ws_event ev;
 *       int r = wsx_ws_decode(&d, buf, len, &used, &ev);
 *       buf += used;
 *       len -= used;
 *       if (r == WSX_WS_NEED_MORE)
 *           break;                 (len is 0 now: read more bytes)
 *       if (r < 0)
 *           ...fail the connection: send close wsx_err_close_code(r), stop...
 *       ...handle ev (ev.kind == r)...
 *   }
 *
 * An event may come with used == 0 (e.g. MESSAGE_END), so keep calling
 * until 0 is returned, even when len is already 0.
 *
 * A message arrives as MESSAGE_START, zero or more DATA, MESSAGE_END, or
 * as one MESSAGE event: its whole payload at once, unmasked and, for text,
 * valid UTF-8.  MESSAGE comes for a frame that opens a message, has FIN
 * and no RSV bit, and whose whole payload is in the buf of the call that
 * completes its header (the common case: a small message read at once);
 * otherwise, and for a text frame that is not valid UTF-8 (see below),
 * START, DATA, END.  The small profile (WSX_SMALL, wsx_base.h) never gives
 * MESSAGE: it keeps its code small.  Handle MESSAGE as START, DATA, END in
 * one.  Ping,
 * pong and close frames may arrive between the events of a message
 * (between its fragments) and do not disturb it.  The sequence of events,
 * with each MESSAGE read as START, DATA (when its size is not 0), END and
 * adjacent DATA events concatenated, does not depend on how the input is
 * split into calls (whole, byte by byte, any split).
 *
 * A text message that is not UTF-8 after a valid start: the caller sees
 * DATA events holding the valid prefix (up to the byte before the first
 * bad one), then the next call returns WSX_E_WS_UTF8 -- whatever len it
 * is given, 0 included -- and no MESSAGE_END ever comes: drop what was
 * gathered of the message and fail the connection (close code 1007).  The
 * loop above does exactly that, since it leaves only on 0 or an error, and
 * after such a DATA event the next call never returns 0.
 * (wsx_ws_decoder_error() reports the error already right after that DATA
 * event, for a caller that wants to know before calling again.)
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
 * and, only in a connection with permessage-deflate (wsx_conn.h), right
 * after WSX_E_WS_OPCODE:
 *   WSX_E_WS_RSV1_CONTROL      RSV1 on a control frame (RFC 7692 section 6)
 *   WSX_E_WS_RSV1_CONTINUATION RSV1 on a continuation frame
 * A header is checked in the order of this list (first byte 0, then byte
 * 1, then the length), each rule as soon as the bytes it needs have
 * arrived, so the limits are checked before any payload byte of that frame
 * is delivered; a close frame's code, then reason, once its payload is
 * complete; text as it arrives.  Errors are sticky: every later call
 * returns the same error until wsx_ws_decoder_init().
 *
 * Guarantees: reads only buf[0..len); never trusts a declared length (no
 * work or memory depends on it); constant work per call plus O(bytes
 * consumed), and once per text frame that is not valid UTF-8 a pass over
 * the part of its payload in buf; no allocation.  The only bytes of buf it modifies are the
 * payload bytes it returns in DATA and MESSAGE events (unmasked in place).
 */

/* Events; wsx_ws_decode returns one of these, or a negative wsx_err. */
typedef enum wsx_ws_event_kind {
    WSX_WS_NEED_MORE = 0,        /* all of buf consumed; call with more */
    WSX_WS_EV_MESSAGE_START = 1, /* opcode, frame_length, rsv */
    WSX_WS_EV_DATA = 2,          /* opcode, data/size (payload bytes), rsv */
    WSX_WS_EV_MESSAGE_END = 3,   /* opcode */
    WSX_WS_EV_PING = 4,          /* data/size: the ping payload (<= 125) */
    WSX_WS_EV_PONG = 5,          /* data/size: the pong payload (<= 125) */
    WSX_WS_EV_CLOSE = 6,         /* close_code, data/size: the reason */
    WSX_WS_EV_MESSAGE = 7        /* a whole message: opcode, frame_length,
                                    data/size (the payload) */
} wsx_ws_event_kind;

/* What one wsx_ws_decode call produced.  Fields not listed for an event
 * kind are 0 / NULL; after an error every field is 0 / NULL. */
typedef struct wsx_ws_event {
    /* The event: what wsx_ws_decode returned, or WSX_WS_NEED_MORE (0)
     * when it returned an error (the error is only in the result). */
    wsx_ws_event_kind kind;
    /* START, DATA, END, MESSAGE: WSX_WS_OP_TEXT or WSX_WS_OP_BINARY (the message's
     * first frame's opcode, also for data from continuation frames).
     * PING, PONG, CLOSE: WSX_WS_OP_PING, _PONG, _CLOSE. */
    unsigned opcode;
    /* START, DATA, PING, PONG, CLOSE: the RSV bits of the frame the event
     * comes from, at their header positions (WSX_WS_RSV1 0x40, WSX_WS_RSV2
     * 0x20, WSX_WS_RSV3 0x10); always a subset of the configured
     * rsv_allowed.  0 for END and MESSAGE. */
    unsigned rsv;
    /* CLOSE: the status code, already checked with
     * wsx_ws_close_code_valid(); 1005 ("no status") when the payload was
     * empty (RFC 6455 section 7.1.5). */
    unsigned close_code;
    /* START: the payload length the message's first frame declares (the
     * whole message only if that frame has FIN; a hint, already checked
     * against the limits, never a promise the bytes will arrive).
     * MESSAGE: the payload length, the same as size. */
    uint64_t frame_length;
    /* DATA: payload bytes, pointing INTO the caller's buf, unmasked in
     * place; valid as long as the caller keeps that part of buf.  For a
     * text message every byte is valid UTF-8 so far (a code point may be
     * split between two DATA events).  size is never 0.
     * MESSAGE: the whole payload, the same way (into buf, unmasked, valid
     * UTF-8 for text); size may be 0 (data then points into buf, at the
     * end of the frame's header).
     * PING, PONG: the whole payload, CLOSE: the reason (after the 2-byte
     * code), in the decoder's own buffer: valid until the next call on the
     * decoder; size 0..125 (0..123 for a reason). */
    uint8_t *data;
    size_t size;
} wsx_ws_event;

/* Limits and extension bits.  All zeros, like a NULL config, means the
 * defaults (rule 4 of wsx_base.h). */
typedef struct wsx_ws_decoder_config {
    /* Largest declared payload length of any one frame (data or control),
     * in bytes.  0: the default, WSX_WS_DEFAULT_MAX_FRAME (16 MiB);
     * WSX_WS_UNLIMITED: no limit. */
    uint64_t max_frame_size;
    /* Largest sum of the declared lengths of the frames of one message.
     * 0: the default, WSX_WS_DEFAULT_MAX_MESSAGE (16 MiB);
     * WSX_WS_UNLIMITED: no limit. */
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
/* For max_frame_size, max_message_size: no limit. */
#define WSX_WS_UNLIMITED UINT64_MAX

/* Decoder state: lives wherever the caller puts it (176 bytes on LP64;
 * 125 of them hold control payloads).  Every field is private. */
typedef struct wsx_ws_decoder {
    /* The byte fields come first: Thumb-2 reaches byte offsets below 32
     * with 2-byte loads and stores. */
    uint8_t _key[4];     /* masking key of the current frame */
    uint8_t _key_offset; /* index in _key of the next payload byte */
    uint8_t _state;
    uint8_t _flags;
    uint8_t _rsv_allowed;
    uint8_t _frame;   /* byte 0 (FIN, RSV, opcode) of current frame */
    uint8_t _hdr_len; /* header bytes gathered in _ctl (split header) */
    uint8_t _ctl_len; /* control payload bytes gathered in _ctl */
    uint8_t _ctl[WSX_WS_MAX_CONTROL];
    uint32_t _utf8; /* the wsx_utf8 of the open text message */
    int _error;     /* sticky error, 0 while healthy */
    uint64_t _max_frame;
    uint64_t _max_message;
    uint64_t _remaining;    /* payload bytes of the current frame to come */
    uint64_t _message_size; /* declared bytes of the open message so far */
} wsx_ws_decoder;

/* Writes the defaults above to *cfg (the values an all-zero config
 * stands for).  Does nothing when cfg is NULL. */
WSX_API void wsx_ws_decoder_config_default(wsx_ws_decoder_config *cfg);

/* Resets d to decode a new connection's frames.  role: WSX_WS_SERVER
 * receives masked frames from a client, WSX_WS_CLIENT unmasked frames from
 * a server.  cfg is copied (NULL: the defaults).  Returns WSX_OK, or
 * WSX_E_ARG (d NULL, role neither of the two) with d unchanged. */
WSX_API int wsx_ws_decoder_init(wsx_ws_decoder *d, wsx_ws_role role,
                                const wsx_ws_decoder_config *cfg);

/* Decodes from buf[0..len) until one event is complete.
 * Returns:
 *   > 0  an event kind; *ev describes it; *consumed = bytes of buf used
 *        (possibly 0, possibly < len): call again with buf + *consumed.
 *   0    WSX_WS_NEED_MORE: every byte was taken into the decoder's state
 *        (*consumed == len); call again when more bytes arrive.
 *   < 0  a wsx_err (see the list above); *consumed = 0, *ev all zeros;
 *        sticky.  The connection must be failed with close code
 *        wsx_err_close_code().
 *   WSX_E_ARG (not sticky, d unchanged): d, consumed or ev NULL (nothing
 *        is written then), or buf NULL with len > 0.
 * buf is written to only to unmask the bytes returned in DATA and MESSAGE
 * events.
 * After a DATA event that ends right before the first invalid UTF-8 byte
 * of a text message, the decoder has already failed: see "A text message
 * that is not UTF-8" above.  After a CLOSE event, any further byte is
 * WSX_E_WS_AFTER_CLOSE; calls with len == 0 keep returning 0. */
WSX_API int wsx_ws_decode(wsx_ws_decoder *d, void *buf, size_t len, size_t *consumed,
                          wsx_ws_event *ev);

/* The sticky error (a negative wsx_err), 0 while the decoder is healthy,
 * or WSX_E_ARG when d is NULL. */
WSX_API int wsx_ws_decoder_error(const wsx_ws_decoder *d);

/* ---- frame encoder ---------------------------------------------------- */
/*
 * Stateless functions that write frames into caller memory.  They never
 * allocate and never keep a pointer after returning.
 *
 * Writers (rule 2 of wsx_base.h): every function below that writes bytes
 * ends with (void *out, size_t cap, size_t *out_len) and answers
 *   WSX_OK        out[0 .. *out_len) holds the bytes;
 *   WSX_E_BUFFER  they do not fit in cap: *out_len is the size they need,
 *                 out holds nothing usable;
 *   out NULL and cap 0: a size query: WSX_OK, *out_len is the size needed
 *                 (every check below is made, nothing is written, and a
 *                 fragmenter or stream does not move on);
 *   other errors  *out_len is 0.
 * out_len NULL, and out NULL with cap > 0, are WSX_E_ARG.  A NULL required
 * pointer (out_len, the fragmenter or stream, a payload or reason given
 * with a length > 0) is found before anything else is checked.
 * wsx_ws_frame_in_place is the in-place framer of rule 2: it frames a
 * payload already in the caller's buffer and says where the frame starts.
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
 * written): a flag other than the four below -> WSX_E_ARG; reserved opcode
 * (3-7, 0xB-0xF, > 0xF) -> WSX_E_WS_OPCODE; length >= 2^63 ->
 * WSX_E_WS_LENGTH_MSB; control frame (close, ping, pong) with a payload
 * over 125 bytes -> WSX_E_WS_CONTROL_TOO_LONG, without WSX_WS_FIN ->
 * WSX_E_WS_CONTROL_FRAGMENTED; close frame with a 1-byte payload ->
 * WSX_E_WS_CLOSE_LENGTH.  Text payloads are NOT checked for UTF-8 (a
 * fragment may end inside a code point): use wsx_utf8_* on the message if
 * its source is not trusted.
 *
 * Zero-copy sending with writev(): write the header alone, then send it
 * and the payload as two pieces.  A client masks the payload in place
 * (wsx_mask with key offset 0), so the payload buffer must be writable:
 *
 *     uint8_t hdr[WSX_WS_MAX_HEADER], key[4];
 *     size_t hlen;
 *     get_random_bytes(key, 4);               // client only; server: NULL
 *     if (wsx_ws_write_header(WSX_WS_OP_BINARY, WSX_WS_FIN, len, key,
 *                             hdr, sizeof hdr, &hlen) != WSX_OK)
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

/* permessage-deflate (RFC 7692) as agreed in the opening handshake, the
 * same on both ends (wsx_handshake.h fills it; wsx_conn.h uses it).
 * Window bits are 8..15: the server compresses with at most
 * 2^server_max_window_bits bytes of history and the client inflates with
 * that window; the same for client_max_window_bits the other way.
 * A *_no_context_takeover of 1: that side resets its compressor after
 * every message (and the other side its decompressor before every one). */
typedef struct wsx_ws_deflate_params {
    uint8_t server_max_window_bits;
    uint8_t client_max_window_bits;
    uint8_t server_no_context_takeover;
    uint8_t client_no_context_takeover;
} wsx_ws_deflate_params;

/* Longest close reason: 125 - 2 bytes of code (section 5.5). */
#define WSX_WS_MAX_CLOSE_REASON 123

/* Bytes of header for a payload of payload_len bytes: 2 (<= 125), 4
 * (<= 65535) or 10, plus 4 if masked (masked != 0).  Never fails. */
WSX_API size_t wsx_ws_header_size(uint64_t payload_len, int masked);

/* The header of one frame (opcode, flags, payload_len in the minimal
 * length encoding, and mask_key when not NULL): 2-14 bytes
 * (wsx_ws_header_size(); WSX_WS_MAX_HEADER is always enough).  The
 * payload is not touched: send it after the header, masked with mask_key
 * from offset 0 by a client.  Returns as a writer, or a check error. */
WSX_API int wsx_ws_write_header(unsigned opcode, unsigned flags, uint64_t payload_len,
                                const uint8_t *mask_key, void *out, size_t cap, size_t *out_len);

/* A whole frame: the header, then payload[0..payload_len) copied and, if
 * mask_key is not NULL, masked.  payload may overlap out (it is moved, not
 * copied); it may be NULL when payload_len is 0.  For a close frame the
 * payload is also checked: a code that wsx_ws_close_code_valid() refuses
 * -> WSX_E_WS_CLOSE_CODE, a reason that is not UTF-8 ->
 * WSX_E_WS_CLOSE_REASON_UTF8.  Returns as a writer, or a check error. */
WSX_API int wsx_ws_encode_frame(unsigned opcode, unsigned flags, const void *payload,
                                size_t payload_len, const uint8_t *mask_key, void *out, size_t cap,
                                size_t *out_len);

/* In place, no copy: the payload is already at buf[headroom ..
 * headroom + payload_len).  Writes the header right before it, masks the
 * payload in place if mask_key is not NULL, and stores in *frame_offset
 * where the frame starts: send buf[*frame_offset .. headroom + payload_len).
 * headroom >= WSX_WS_MAX_HEADER is always enough.  Returns WSX_OK, the
 * checks and errors of wsx_ws_encode_frame, WSX_E_BUFFER if headroom is
 * too small (nothing written), or WSX_E_ARG (buf or frame_offset NULL). */
WSX_API int wsx_ws_frame_in_place(void *buf, size_t headroom, size_t payload_len, unsigned opcode,
                                  unsigned flags, const uint8_t *mask_key, size_t *frame_offset);

/* A close frame's body (section 5.5.1): code as 2 big-endian bytes, then
 * reason[0..reason_len), UTF-8 text (no NUL needed; char or uint8_t, no
 * cast: it is a buffer the caller passes, rule 3).  code 0 means "no
 * status code": the body is empty and reason_len must be 0 (else
 * WSX_E_ARG).  Returns as a writer, or WSX_E_WS_CLOSE_CODE (code refused
 * by wsx_ws_close_code_valid: 1005, 1006 and 1015 must never be sent),
 * WSX_E_WS_REASON_TOO_LONG (over WSX_WS_MAX_CLOSE_REASON bytes),
 * WSX_E_WS_CLOSE_REASON_UTF8, WSX_E_ARG (reason NULL with reason_len > 0).
 * reason may overlap out. */
WSX_API int wsx_ws_close_payload(unsigned code, const void *reason, size_t reason_len, void *out,
                                 size_t cap, size_t *out_len);

/* A whole close frame (FIN, opcode close, body as wsx_ws_close_payload),
 * at most WSX_WS_MAX_HEADER + 125 bytes.  Returns as a writer, or the
 * errors of wsx_ws_close_payload. */
WSX_API int wsx_ws_encode_close(unsigned code, const void *reason, size_t reason_len,
                                const uint8_t *mask_key, void *out, size_t cap, size_t *out_len);

/*
 * Fragmenting a message of known length into frames of at most
 * max_fragment payload bytes (section 5.4): the first frame carries the
 * opcode (text or binary), the others are continuations, only the last has
 * FIN.  A 0-byte message is one empty frame.  Control frames may be sent
 * between the fragments.  next() writes one header per call; once the
 * message is complete it answers WSX_OK with *out_len == 0 (a header is
 * never empty), so with a WSX_WS_MAX_HEADER buffer the loop is:
 *
 *     wsx_ws_fragmenter f;
 *     uint8_t hdr[WSX_WS_MAX_HEADER];
 *     size_t hlen;
 *     uint64_t n, at = 0;
 *     wsx_ws_fragmenter_init(&f, WSX_WS_OP_BINARY, total, 16384);
 *     while (wsx_ws_fragmenter_next(&f, NULL, &n, hdr, sizeof hdr,
 *                                   &hlen) == WSX_OK && hlen > 0) {
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
 * (else WSX_E_WS_LENGTH_MSB); f NULL -> WSX_E_ARG.  After a failure next()
 * yields nothing (WSX_OK, *out_len 0). */
WSX_API int wsx_ws_fragmenter_init(wsx_ws_fragmenter *f, unsigned opcode, uint64_t total_len,
                                   uint64_t max_fragment);

/* The header of the next frame (as wsx_ws_write_header, with mask_key: a
 * fresh key per frame for a client); *fragment_len is the number of
 * payload bytes that follow it.  Returns as a writer: WSX_OK with
 * *out_len > 0 for a header (written, or the size query's answer), WSX_OK
 * with *out_len == 0 and *fragment_len == 0 once the message is complete
 * (nothing written).  Only a header actually written moves f on; every
 * error (WSX_E_BUFFER, WSX_E_ARG: f, fragment_len or out_len NULL) leaves
 * f unchanged and *fragment_len 0. */
WSX_API int wsx_ws_fragmenter_next(wsx_ws_fragmenter *f, const uint8_t *mask_key,
                                   uint64_t *fragment_len, void *out, size_t cap, size_t *out_len);

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
 *         wsx_ws_stream_next(&s, n, NULL, hdr, sizeof hdr, &hlen);
 *         send(hdr, hlen); send(part, n);
 *     }
 *     wsx_ws_stream_finish(&s, 0, NULL, hdr, sizeof hdr, &hlen);
 *     send(hdr, hlen);
 */
typedef struct wsx_ws_stream {
    unsigned _opcode;
    int _state;
} wsx_ws_stream;

/* opcode: WSX_WS_OP_TEXT or WSX_WS_OP_BINARY (errors as in
 * wsx_ws_fragmenter_init; s NULL -> WSX_E_ARG).  Writes nothing. */
WSX_API int wsx_ws_stream_begin(wsx_ws_stream *s, unsigned opcode);

/* The header of a non-final frame carrying part_len bytes.  Returns as a
 * writer, or WSX_E_STATE if the stream was not begun or is finished, or a
 * header check error; s moves on only when a header is written. */
WSX_API int wsx_ws_stream_next(wsx_ws_stream *s, uint64_t part_len, const uint8_t *mask_key,
                               void *out, size_t cap, size_t *out_len);

/* The header of the final frame (FIN) carrying last_len bytes (0
 * allowed); if no wsx_ws_stream_next() came before, this is the message's
 * only frame.  Once written the stream is finished: begin it again for the
 * next message.  Results as wsx_ws_stream_next. */
WSX_API int wsx_ws_stream_finish(wsx_ws_stream *s, uint64_t last_len, const uint8_t *mask_key,
                                 void *out, size_t cap, size_t *out_len);

#ifdef __cplusplus
}
#endif

#endif /* WSX_WS_H */
