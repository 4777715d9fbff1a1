/*
 * wsx gzip'd event streams (Content-Encoding: gzip): the SSE writer and
 * parser of wsx_sse.h (which includes this header) with the gzip writer
 * and reader of wsx_deflate.h, in memory the caller owns.  Server: each
 * event compressed and sync-flushed.  Client: a gzip reader in front of
 * the parser.
 */
#ifndef WSX_SSE_GZIP_H
#define WSX_SSE_GZIP_H

#include "wsx_base.h"
#include "wsx_deflate.h"
#include "wsx_sse.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- server: gzip'd events ------------------------------------------- */
/*
 * One gzip stream (RFC 1952) per response, through a wsx_gzip_writer
 * (wsx_deflate.h) the server keeps for the connection; each event or
 * comment is compressed and sync-flushed at once, so the client can decode
 * it the moment its bytes arrive (a token stream still arrives token by
 * token).  The bytes these calls write are the response body: frame them
 * as chunks (wsx_chunked_write_header) like plain events.
 *
 *   static uint8_t mem[WSX_DEFLATE_MEM_MIN(10) + 3 * 1024];
 *   wsx_deflater_config dc = {10, 0};        (a 1 KiB window, level 6)
 *   wsx_gzip_writer_init(&gz, &dc, mem, sizeof mem);
 *   head: wsx_sse_head_config.gzip = wsx_http_accepts_gzip(hdrs, n);
 *   each event: wsx_sse_gzip_event(&gz, &msg, out, cap, &len);  send it
 *   keep-alive: wsx_sse_gzip_bytes(&gz, WSX_SSE_KEEPALIVE, 14, out, cap, &len);
 *   a stream that ends: wsx_sse_gzip_finish(&gz, out, cap, &len);
 *
 * Memory per connection: the compressor's block (WSX_DEFLATE_MEM_MIN(bits)
 * plus 4 bytes per symbol of a block: 10 window bits and 1024 symbols take
 * 13,674 bytes) and sizeof(wsx_gzip_writer).  Events are short and each
 * one ends its block, so a small window and few symbols lose little.
 *
 * Each call writes a complete piece of the body or nothing (API rule 2):
 * out must hold what the compressor may write, a bound (the exact size is
 * known only after compressing): WSX_E_BUFFER tells it in *out_len with
 * nothing taken, and a size query (out NULL, cap 0) answers it.  The
 * first call also writes the 10-byte gzip header.  The writer must be
 * used only through these calls (or be between sync flushes when they
 * start).  WSX_E_STATE after wsx_sse_gzip_finish; WSX_E_ARG for a NULL g
 * or out_len, out NULL with cap > 0; wsx_sse_write's errors for m.
 *
 * A stream cut without wsx_sse_gzip_finish (an endless feed, a dropped
 * client) is what a cut plain stream is to the client: every event up to
 * the last complete one was delivered.
 */

/* The event m (wsx_sse_write's bytes, never copied whole: they stream
 * into the compressor) then a sync flush. */
WSX_API int wsx_sse_gzip_event(wsx_gzip_writer *g, const wsx_sse_msg *m, void *out, size_t cap,
                               size_t *out_len);

/* bytes[0..len), bytes of the event stream that are ready (an event from
 * the replay window, WSX_SSE_KEEPALIVE, WSX_SSE_DONE, a retry line), then
 * a sync flush.  bytes may be NULL when len is 0 (a bare flush). */
WSX_API int wsx_sse_gzip_bytes(wsx_gzip_writer *g, const void *bytes, size_t len, void *out,
                               size_t cap, size_t *out_len);

/* The end of the gzip stream: the last block and the trailer (CRC-32,
 * length), before the end of the body (the last chunk) of a finite stream.
 * At most 40 bytes (50 with the header, when no event was written). */
WSX_API int wsx_sse_gzip_finish(wsx_gzip_writer *g, void *out, size_t cap, size_t *out_len);

/* ---- client: a gzip reader in front of the parser ---------------------- */
/*
 * A gzip reader in front of the parser: body bytes in (after the chunked
 * decoding, cut anywhere), events out through wsx_sse_feed's callbacks.
 *
 *   static uint8_t mem[WSX_INFLATE_MEM_SIZE(15)], plain[4096];
 *   wsx_sse_gunzip z;
 *   wsx_sse_gunzip_init(&z, 15, mem, sizeof mem, plain, sizeof plain);
 *   per response with wsx_sse_response_gzip(): wsx_sse_gunzip_reset(&z);
 *   body bytes: wsx_sse_gunzip_feed(&z, &parser, buf, len, &cb, user, &used);
 *   end of body: wsx_sse_gunzip_end(&z, &parser);  then reconnect as usual
 *
 * Memory: the gzip reader's block (WSX_INFLATE_MEM_SIZE(window_bits):
 * 40,020 bytes for 15, which any gzip stream may need) and the plain
 * buffer (any size from 1 byte: it holds decoded bytes the parser has not
 * taken yet).
 *
 * The end of the stream.  The gzip trailer's CRC-32 and length are checked
 * when it arrives (WSX_E_GZIP_CRC, WSX_E_GZIP_SIZE from the feed).  An
 * endless stream has no trailer: cut by the network, the server or a
 * proxy, it ends like a plain stream cut mid-way, and for an EventSource
 * both mean "reconnect with Last-Event-ID".  Every event decoded before
 * the cut was delivered (the server sync-flushes each one, so a cut loses
 * at most the event it falls in, which the parser drops unterminated, as
 * it does in a plain stream); those events were not covered by a CRC
 * check, as those of a plain stream never are (TCP's checksums and TLS
 * protect them in transit).  wsx_sse_gunzip_end says which way the
 * stream ended.
 */
typedef struct wsx_sse_gunzip {
    wsx_gzip_reader _gz;
    void *_mem;
    size_t _mem_size;
    uint8_t *_plain; /* decoded bytes: [_off, _len) wait for the parser */
    size_t _cap, _off, _len;
    uint8_t _wbits;
    uint8_t _complete; /* the input so far ends right after a trailer */
    uint8_t _failed;   /* on_error was called for the reader's error */
} wsx_sse_gunzip;

/* Sets z up: window_bits 8..15 (0: 15; less only when the server is known
 * to stay within it), mem as for wsx_gzip_reader_init, plain[0..plain_cap)
 * the decoded-bytes buffer (plain_cap > 0); both belong to z until the
 * caller stops using it.  Returns WSX_OK, WSX_E_ARG (NULL, plain_cap 0,
 * window bits out of range) or WSX_E_BUFFER (mem_size too small). */
WSX_API int wsx_sse_gunzip_init(wsx_sse_gunzip *z, unsigned window_bits, void *mem, size_t mem_size,
                                void *plain, size_t plain_cap);

/* A new gzip stream, for the next response (a reconnect): what the last
 * one left is dropped, a sticky error cleared.  WSX_OK, WSX_E_ARG,
 * WSX_E_STATE before init. */
WSX_API int wsx_sse_gunzip_reset(wsx_sse_gunzip *z);

/* Decodes buf[0..len) (bytes of the gzip'd body, any chunking) and feeds
 * the result to p with wsx_sse_feed (cb, user: its callbacks, rule 7).
 * Returns what wsx_sse_feed returns: WSX_OK (every byte consumed and
 * parsed), WSX_PAUSED (a callback paused: call again with buf +
 * *consumed, possibly 0 bytes, since decoded bytes may wait inside z), or
 * an error: the parser's, or the gzip reader's (WSX_E_GZIP_*,
 * WSX_E_INFLATE_*: the stream is corrupt; sticky until
 * wsx_sse_gunzip_reset; on_error is called once with it and cannot make
 * the feed go on).  consumed may be NULL.  Several gzip members one after
 * the other are decoded in turn (RFC 1952 section 2.2).  WSX_E_ARG for
 * z, p or cb NULL, buf NULL with len > 0; WSX_E_STATE before init. */
WSX_API int wsx_sse_gunzip_feed(wsx_sse_gunzip *z, wsx_sse_parser *p, const void *buf, size_t len,
                                const wsx_sse_callbacks *cb, void *user, size_t *consumed);

/* The end of the body (or of the connection): wsx_sse_end(p), and the
 * verdict on the gzip stream.  Returns 0 when the stream ended cleanly
 * (the input ended right after a gzip trailer, every decoded byte parsed,
 * no unterminated event), 1 when it was cut (no trailer: see "The end of
 * the stream" above; or decoded bytes a paused feed left; or an
 * unterminated event, dropped), WSX_E_ARG for NULL.  Either way the next
 * connection starts with wsx_sse_gunzip_reset and wsx_sse_reset. */
WSX_API int wsx_sse_gunzip_end(wsx_sse_gunzip *z, wsx_sse_parser *p);

#ifdef __cplusplus
}
#endif

#endif /* WSX_SSE_GZIP_H */
