/*
 * wsx permessage-deflate (RFC 7692) on a WebSocket connection: the
 * connection layer of wsx_conn.h (which includes this header) compressing
 * and inflating messages with the engine of wsx_deflate.h, in memory the
 * caller owns.
 */
#ifndef WSX_CONN_DEFLATE_H
#define WSX_CONN_DEFLATE_H

#include "wsx_base.h"
#include "wsx_conn.h"
#include "wsx_deflate.h"
#include "wsx_ws.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- permessage-deflate (RFC 7692) ---------------------------------------- */
/*
 * Compression is set up once per connection, after wsx_ws_conn_init and
 * before wsx_ws_conn_open, with what the opening handshake agreed
 * (wsx_ws_deflate_params, wsx_ws.h; wsx_handshake.h fills it) and memory
 * the caller owns:
 *
 *   static uint8_t in_mem[WSX_INFLATE_MEM_SIZE(15)], scratch[2048];
 *   static uint8_t out_mem[WSX_DEFLATE_MEM_SIZE(15)];
 *   wsx_inflater in;
 *   wsx_deflater out;
 *   wsx_ws_conn_deflate pmd;
 *   wsx_ws_conn_deflate_config dc = {0};
 *   wsx_inflater_init(&in, 15, in_mem, sizeof in_mem);
 *   wsx_deflater_init(&out, NULL, out_mem, sizeof out_mem);   (15 bits)
 *   dc.agreed = agreed;                 (from the handshake)
 *   dc.inflater = &in;
 *   dc.scratch = scratch;
 *   dc.scratch_cap = sizeof scratch;
 *   dc.deflater = &out;                 (NULL: never compress)
 *   wsx_ws_conn_use_deflate(&c, &pmd, &dc);
 *   wsx_ws_conn_open(&c, now_ms());
 *
 * A program that never calls wsx_ws_conn_use_deflate links neither the
 * compression code of the connection nor the DEFLATE engine; one that
 * only receives compressed messages calls wsx_ws_conn_use_inflate instead
 * and links no compressor.
 *
 * Receiving.  A message whose first frame has RSV1 set is compressed; one
 * without is taken as it is (RFC 7692 section 6: a sender may leave any
 * message uncompressed).  A compressed message's payload goes through the
 * inflater (with the 00 00 ff ff tail of section 7.2.2 at its end, the
 * inflater reset first when the peer's no_context_takeover applies) and
 * wsx_ws_conn_recv returns the inflated bytes: MESSAGE_START (ev.rsv has
 * WSX_WS_RSV1; ev.frame_length is 0: the size is only known once
 * inflated), DATA events whose data points into the scratch buffer (at
 * most scratch_cap bytes each; valid until the next call on c), then
 * MESSAGE_END.  *consumed still counts the input bytes used, so the recv
 * loop above is unchanged; an event may come with *consumed 0 (more
 * output from input already taken).  Work is proportional to the input
 * and the output produced; memory does not grow.  Then:
 *   - text is checked as UTF-8 after inflating (WSX_E_WS_UTF8, 1007, with
 *     the valid prefix delivered first, as for a plain message);
 *   - max_message_size (cfg.decoder) counts inflated bytes: the DATA events
 *     stop at the limit and the connection fails with
 *     WSX_E_WS_MESSAGE_TOO_BIG (1009) as soon as one more byte comes out,
 *     so a small "bomb" costs at most the limit's worth of work.  The
 *     compressed payload may declare up to what a compressor can need for
 *     that many bytes (limit + limit / 8 + limit / 32 + 64; more fails
 *     from the frame headers, 1009); an uncompressed message keeps the
 *     limit itself, from its headers.  max_frame_size applies to the
 *     frames as sent (compressed), the message timeout as always;
 *   - invalid compressed data fails the connection with the inflater's
 *     error (WSX_E_INFLATE_*, wsx_deflate.h: close 1007), and a message
 *     that does not end at a DEFLATE block boundary with
 *     WSX_E_WS_COMPRESSED_END (1007); the DATA events before such an error
 *     may depend on how the input was cut;
 *   - RSV1 on a continuation frame: WSX_E_WS_RSV1_CONTINUATION, on a
 *     control frame: WSX_E_WS_RSV1_CONTROL (both close 1002); RSV1 on a
 *     connection without compression stays WSX_E_WS_RSV (1002).
 *
 * Sending (when a deflater is given).  A data message is compressed, RSV1
 * on its first frame, unless
 *   - its opcode has WSX_WS_NO_COMPRESS OR-ed in (wsx_ws_conn_send,
 *     wsx_ws_conn_stream_begin): that message goes as it is;
 *   - it is sent as one frame (wsx_ws_conn_send, or a stream ended
 *     without parts) with fewer than min_size bytes;
 *   - it is sent whole and its compressed frame could exceed the whole
 *     queue (the bound below): it goes uncompressed rather than fail;
 *   - it is sent with wsx_ws_conn_send_ref: the zero-copy payload stays
 *     the caller's and goes out uncompressed.
 * A whole message ends with the 00 00 ff ff tail stripped (section
 * 7.2.1); a stream's parts each end with a sync flush, so the receiver
 * can inflate each part on arrival, and the end strips the tail.  The
 * deflater is reset after each message when our no_context_takeover
 * applies.  A client masks the compressed bytes.
 * Every send still queues whole frames or nothing: the deflater only
 * runs once the queue has room for the most it can write,
 * wsx_deflate_bound(d, len) bytes plus the frame header; so
 * WSX_E_CONN_QUEUE_FULL and WSX_E_BUFFER (a stream part whose bound
 * exceeds the whole queue) are decided before any byte is compressed,
 * and wsx_ws_conn_send_room() counts that bound: a payload of at most
 * send_room bytes is still never refused.
 *
 * Memory per connection, each direction (bytes, any target; the structs
 * on top: wsx_inflater 56 on a Cortex-M4 and 64 on LP64, wsx_deflater 128
 * and 160, wsx_ws_conn_deflate below, plus the scratch buffer):
 *
 *   window bits                          15        12       9
 *   receive: WSX_INFLATE_MEM_SIZE    40,020    11,348   7,764
 *            (WSX_SMALL library:     33,796     5,124   1,540)
 *   send:    WSX_DEFLATE_MEM_SIZE   200,804    41,322  23,402
 *            (WSX_DEFLATE_MEM_MIN:  169,060    25,962   8,042)
 *
 * So on a Cortex-M4, beyond the wsx_ws_conn (672) and its queue, with a
 * 2 KiB scratch: 15 bits both ways 243,104 bytes; 12 bits 54,950; 9 bits
 * 33,446.  An end that receives compressed messages but never compresses
 * (wsx_ws_conn_use_inflate: "inflate only", e.g. firmware) needs the
 * receive row only: with 9 bits and a WSX_SMALL library, 1,540 + 56 + 48 and a
 * scratch of its choice (256 bytes: 1,900 bytes in all).
 * Window bits: a receiver's inflater needs at least the peer's max window
 * bits; a sender's deflater at most its own.
 */

/* OR it into the opcode of wsx_ws_conn_send or wsx_ws_conn_stream_begin to
 * send that message uncompressed.  Accepted (and meaningless) on a
 * connection without compression and by wsx_ws_conn_send_ref. */
#define WSX_WS_NO_COMPRESS 0x100u

/* Default min_size: messages sent in one frame with fewer bytes go
 * uncompressed. */
#define WSX_WS_DEFLATE_DEFAULT_MIN_SIZE 32u

typedef struct wsx_ws_conn_deflate_config {
    /* The agreement of the handshake (copied).  Window bits 8..15,
     * no_context_takeover 0 or 1. */
    wsx_ws_deflate_params agreed;
    /* Required: an inflater set up with wsx_inflater_init, with at least
     * the peer's max window bits (a server: client_max_window_bits). */
    wsx_inflater *inflater;
    /* Required: where inflated bytes go; DATA events of compressed
     * messages point here.  Any size from 1 byte; each DATA event holds
     * at most scratch_cap bytes (a few KiB is plenty).  Connections used
     * from one thread may share one scratch if each DATA event is used
     * before the next recv on any of them. */
    void *scratch;
    size_t scratch_cap;
    /* A deflater set up with wsx_deflater_init, with at most our own max
     * window bits (a server: server_max_window_bits), or NULL: nothing is
     * ever compressed (allowed by RFC 7692; compressed messages are still
     * received). */
    wsx_deflater *deflater;
    /* Messages sent in one frame with fewer bytes go uncompressed.  0: the
     * default, WSX_WS_DEFLATE_DEFAULT_MIN_SIZE; 1: every nonempty one. */
    size_t min_size;
} wsx_ws_conn_deflate_config;

/* The connection's compression state (private fields; 48 bytes on a
 * Cortex-M4, 72 on LP64).  Belongs to the connection once given to
 * wsx_ws_conn_use_deflate, like the inflater, deflater and scratch. */
typedef struct wsx_ws_conn_deflate {
    const struct wsx__ws_deflate_ops *_ops;
    wsx_inflater *_in;
    wsx_deflater *_out;
    uint8_t *_scratch;
    size_t _scratch_cap;
    size_t _min_size;
    uint64_t _max;      /* max_message_size (inflated bytes) */
    uint64_t _inflated; /* bytes of the compressed message inflated so far */
    wsx_utf8 _utf8;     /* its UTF-8 state, when text */
    uint8_t _rx;        /* receiving: no compressed message, inside one, its end */
    uint8_t _tail;      /* bytes of the 00 00 ff ff tail given to the inflater */
    uint8_t _opcode;    /* opcode of the compressed message received */
    uint8_t _flags;
} wsx_ws_conn_deflate;

/* Turns on permessage-deflate for c, in state CONNECTING (after
 * wsx_ws_conn_init, before wsx_ws_conn_open).  z, cfg->inflater,
 * cfg->deflater and cfg->scratch belong to the connection from now on
 * (rule 9); cfg is copied.  The inflater and the deflater are reset (new
 * streams, empty windows).  RSV1 becomes allowed on received frames (the
 * decoder's rsv_allowed gets WSX_WS_RSV1).
 * Returns WSX_OK; WSX_E_ARG when c, z, cfg, cfg->inflater or cfg->scratch
 * is NULL, scratch_cap is 0, a window bits value of cfg->agreed is not
 * 8..15 or a no_context_takeover not 0 or 1, the inflater is not set up or
 * its window is smaller than the peer's max window bits, or the deflater is
 * not set up or its window is larger than ours (nothing changes then);
 * WSX_E_STATE when c is not CONNECTING. */
WSX_API int wsx_ws_conn_use_deflate(wsx_ws_conn *c, wsx_ws_conn_deflate *z,
                                    const wsx_ws_conn_deflate_config *cfg);

/* The same for an end that receives compressed messages and never
 * compresses ("inflate only", e.g. firmware): cfg->deflater must be NULL
 * (WSX_E_ARG otherwise).  A program that calls only this one links the
 * decompressor but no compressor. */
WSX_API int wsx_ws_conn_use_inflate(wsx_ws_conn *c, wsx_ws_conn_deflate *z,
                                    const wsx_ws_conn_deflate_config *cfg);

#ifdef __cplusplus
}
#endif

#endif /* WSX_CONN_DEFLATE_H */
