/*
 * wsx_deflate.h -- DEFLATE (RFC 1951) and gzip (RFC 1952), streaming and
 * sans-I/O: the engine under permessage-deflate (RFC 7692) and under
 * `Content-Encoding: gzip` for event streams.  Written for wsx (no zlib);
 * all memory is the caller's, sized by the window bits it picks.
 *
 * Sections: the decompressor (wsx_inflater), the gzip reader (wsx_gzip_reader),
 * primitives (CRC-32), the compressor (wsx_deflater), the gzip writer
 * (wsx_gzip_writer).
 *
 * MIT licensed; see LICENSE.
 */
#ifndef WSX_DEFLATE_H
#define WSX_DEFLATE_H

#include "wsx_base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- shared by both directions ----------------------------------------- */

/* Window bits: the LZ77 window is 2^bits bytes.  RFC 7692 lets each end
 * of a WebSocket pick 8..15 per direction; gzip and zlib streams use 15. */
#define WSX_DEFLATE_MIN_WINDOW_BITS 8
#define WSX_DEFLATE_MAX_WINDOW_BITS 15

/* The 4 bytes a sync flush ends with (an empty stored block's LEN and
 * NLEN): RFC 7692 section 7.2.1 strips them from each compressed message,
 * and the receiver feeds them to the decompressor after the message
 * (section 7.2.2). */
#define WSX_DEFLATE_SYNC_TAIL "\x00\x00\xff\xff"
#define WSX_DEFLATE_SYNC_TAIL_LEN 4

/* ---- decompressor (RFC 1951) ------------------------------------------- */
/*
 * A raw DEFLATE stream in, bytes out, in pieces of any size: the input may
 * be cut anywhere (one byte at a time works), the output goes into caller
 * buffers of any size (one byte works), and a call can stop at any point and
 * resume.  The decompressor never allocates, never reads past in_len and
 * never writes past out_cap.
 *
 * Memory: the wsx_inflater struct (fields private) plus one block given to
 * wsx_inflater_init that holds the window (2^window_bits bytes) and the
 * Huffman decode tables; it belongs to the decompressor until the caller
 * stops using it (rule 9).  Bytes of that block (the same on every target;
 * sizeof(wsx_inflater) comes on top: 64 on LP64, 56 on a Cortex-M4):
 *
 *   window bits            15      12      9      8
 *   WSX_INFLATE_MEM_SIZE   40020   11348   7764   7508
 *   WSX_INFLATE_MEM_SMALL  33796    5124   1540   1284   (WSX_SMALL library)
 *
 * The tables take 7252 bytes in the default (fast) build and 1028 in a
 * library built with WSX_SMALL (wsx_build_flags() & WSX_BUILD_SMALL),
 * which decodes bit by bit with canonical code counts instead of lookup
 * tables.  WSX_INFLATE_MEM_SIZE fits both builds.
 *
 * Several streams: when the last block of a stream (BFINAL = 1) ends, the
 * call returns WSX_INFLATE_END right after the stream's last byte; a later
 * call with more input decodes the bytes that follow as a new stream that
 * may refer back into the same window (RFC 7692 section 7.2.3.4 sends a
 * block with BFINAL set and goes on with a new stream in the same message).
 * wsx_inflater_reset starts a new stream at once, keeping the window or
 * not (context takeover, or no_context_takeover, per message).
 *
 * permessage-deflate (RFC 7692 section 7.2.2), per message:
 *   with no context takeover: wsx_inflater_reset(z, 0) first;
 *   feed the payload, then the 4 bytes WSX_DEFLATE_SYNC_TAIL, taking the
 *   output as it comes (the caller's message size limit applies to it);
 *   the message is well formed if the tail was consumed and
 *   wsx_inflater_between_blocks(z) is 1.  (A payload that ends with a
 *   BFINAL block and nothing after it leaves the decompressor at a stream
 *   start after WSX_INFLATE_END: the tail is then not DEFLATE data and must
 *   not be fed.)
 *
 * Errors (each rule checked as soon as the bits it needs are in; close code
 * 1007 "invalid data" when it fails a WebSocket connection):
 *   WSX_E_INFLATE_BLOCK_TYPE      block type 3 (reserved)
 *   WSX_E_INFLATE_STORED_LENGTH   stored block whose NLEN is not ~LEN
 *   WSX_E_INFLATE_CODE_COUNT      more than 286 literal/length codes or 30
 *                                 distance codes declared
 *   WSX_E_INFLATE_CODELEN_CODE    code length code incomplete (all zero
 *                                 included) or over-subscribed
 *   WSX_E_INFLATE_REPEAT_FIRST    code length 16 (repeat) with nothing before
 *   WSX_E_INFLATE_REPEAT_OVERRUN  a repeat runs past the declared codes
 *   WSX_E_INFLATE_LITLEN_CODE     literal/length code over-subscribed, or
 *                                 incomplete (one code of 1 bit excepted)
 *   WSX_E_INFLATE_DIST_CODE       distance code over-subscribed, or
 *                                 incomplete (one code of 1 bit excepted;
 *                                 no distance code at all is allowed)
 *   WSX_E_INFLATE_NO_END_CODE     no code for end-of-block (symbol 256)
 *   WSX_E_INFLATE_LITLEN_SYMBOL   literal/length symbol 286 or 287, or the
 *                                 unused code of a 1-code table
 *   WSX_E_INFLATE_DIST_SYMBOL     distance symbol 30 or 31, or a distance
 *                                 in a block whose code has none
 *   WSX_E_INFLATE_DIST_TOO_FAR    distance beyond the window, or beyond
 *                                 the bytes of history there are (a fresh
 *                                 or reset-without-window stream)
 * Errors are sticky: later calls return the same error until
 * wsx_inflater_reset or wsx_inflater_init.
 *
 * Work: bounded by the output produced and the input consumed (a dynamic
 * block header costs a table build, at most ~2000 entries).  A
 * decompression bomb is stopped by the caller: each call writes at most
 * out_cap bytes, so count them against your limit as they come.
 */

#define WSX_INFLATE_TABLES_SIZE 7252u
#define WSX_INFLATE_TABLES_SMALL 1028u

/* Bytes of memory wsx_inflater_init needs for a 2^bits window (any build). */
#define WSX_INFLATE_MEM_SIZE(bits) (((size_t)1 << (bits)) + WSX_INFLATE_TABLES_SIZE)
/* Enough only for a library built with WSX_SMALL. */
#define WSX_INFLATE_MEM_SMALL(bits) (((size_t)1 << (bits)) + WSX_INFLATE_TABLES_SMALL)

/* What wsx_inflate (and wsx_gzip_read) return when they do not fail. */
typedef enum wsx_inflate_event {
    WSX_INFLATE_NEED_INPUT = 0,  /* every input byte is used: call with more */
    WSX_INFLATE_OUTPUT_FULL = 1, /* out is full and more output is due:
                                    call again with room (and the input
                                    not used yet) */
    WSX_INFLATE_END = 2          /* the stream's last block ended */
} wsx_inflate_event;

/* Decompressor state (64 bytes on LP64, 56 on a Cortex-M4).  Private. */
typedef struct wsx_inflater {
    uint8_t *_window;  /* 2^_wbits bytes of history, circular */
    void *_tables;     /* decode tables (in the caller's block) */
    uint64_t _bitbuf;  /* input bits not used yet, first bit lowest */
    uint32_t _whave;   /* bytes of history in _window */
    uint32_t _wnext;   /* where the next history byte goes */
    uint32_t _len;     /* match or stored bytes still to write */
    uint32_t _dist;    /* distance of the match being written */
    int _error;        /* sticky error, 0 while healthy */
    uint16_t _nlen;    /* dynamic header: literal/length codes */
    uint16_t _ndist;   /* distance codes */
    uint16_t _have;    /* code lengths read so far */
    uint8_t _nclen;    /* code length codes */
    uint8_t _bitcount; /* bits in _bitbuf */
    uint8_t _wbits;    /* window bits, 0 before init */
    uint8_t _state;
    uint8_t _flags;
    uint8_t _extra; /* extra bits the current symbol still needs */
    uint8_t _lbits; /* root bits of the literal/length table */
    uint8_t _dbits; /* of the distance (or code length) table */
} wsx_inflater;

/* Sets z up for a new stream with a 2^window_bits byte window
 * (WSX_DEFLATE_MIN_WINDOW_BITS..WSX_DEFLATE_MAX_WINDOW_BITS) in mem, which
 * must hold mem_size >= WSX_INFLATE_MEM_SIZE(window_bits) bytes (or
 * WSX_INFLATE_MEM_SMALL(window_bits) with a WSX_SMALL library); any
 * alignment.  Returns WSX_OK, WSX_E_ARG (NULL, or window bits out of
 * range) or WSX_E_BUFFER (mem_size too small); z is unusable after an
 * error. */
WSX_API int wsx_inflater_init(wsx_inflater *z, unsigned window_bits, void *mem, size_t mem_size);

/* Decompresses in[0..in_len) into out[0..out_cap) until the input is all
 * used, out is full, or the stream ends:
 *   WSX_INFLATE_NEED_INPUT   *in_used == in_len; out[0..*out_len) is output
 *                            (possibly 0 bytes, possibly out_cap bytes).
 *   WSX_INFLATE_OUTPUT_FULL  *out_len == out_cap; call again with room and
 *                            in + *in_used (possibly 0 bytes used).
 *   WSX_INFLATE_END          the stream's last block ended: *in_used stops
 *                            right after its last byte, out[0..*out_len)
 *                            ends the output.  Bytes after it start a new
 *                            stream on the same window (see above).
 *   < 0                      a wsx_err (the list above); *in_used and
 *                            *out_len are 0 (the output of the failing
 *                            call is lost); sticky.
 * OUTPUT_FULL comes only when a byte is due and out has no room for it, so
 * out_cap may be 0 (block headers and empty blocks need none), and a
 * stream whose last byte fills out still ends with END.  z, in_used and
 * out_len must not be NULL; in may be NULL when in_len is 0, out when
 * out_cap is 0 (WSX_E_ARG otherwise, not sticky).  WSX_E_STATE before
 * wsx_inflater_init.  Input bytes counted in *in_used may be held in z:
 * never pass them again. */
WSX_API int wsx_inflate(wsx_inflater *z, const void *in, size_t in_len, size_t *in_used, void *out,
                        size_t out_cap, size_t *out_len);

/* Abandons the stream being decoded (if any) and clears a sticky error: the
 * next byte starts a new stream.  keep_window nonzero keeps the history, so
 * the new stream may refer to the old one's bytes (RFC 7692 context
 * takeover); 0 forgets it.  Returns WSX_OK, WSX_E_ARG (NULL) or
 * WSX_E_STATE (before wsx_inflater_init). */
WSX_API int wsx_inflater_reset(wsx_inflater *z, int keep_window);

/* 1 when z stands between two blocks or two streams with nothing pending,
 * 0 inside a block, with output still to write, or failed (and for NULL). */
WSX_API int wsx_inflater_between_blocks(const wsx_inflater *z);

/* ---- gzip reader (RFC 1952) -------------------------------------------- */
/*
 * A gzip stream (e.g. an HTTP body with `Content-Encoding: gzip`) in, the
 * data out, in pieces of any size as with wsx_inflate.  The header is
 * checked (ID1 ID2 = 1f 8b, CM = 8, no reserved FLG bit) and its optional
 * fields skipped: FEXTRA, FNAME, FCOMMENT, and FHCRC, which is checked
 * (low 16 bits of the header's CRC-32).  The trailer's CRC-32 and ISIZE are
 * checked against the data.  Members may follow each other (RFC 1952
 * section 2.2): wsx_gzip_read returns WSX_INFLATE_END after each member's
 * trailer, and a later call with more input reads the next member.
 *
 * Errors (plus the WSX_E_INFLATE_* ones of the DEFLATE data), sticky:
 *   WSX_E_GZIP_MAGIC       not 1f 8b
 *   WSX_E_GZIP_METHOD      CM is not 8 (deflate)
 *   WSX_E_GZIP_FLAGS       a reserved FLG bit (5-7) is set
 *   WSX_E_GZIP_HEADER_CRC  FHCRC does not match the header
 *   WSX_E_GZIP_CRC         the trailer's CRC-32 does not match the data
 *   WSX_E_GZIP_SIZE        the trailer's ISIZE does not match the length
 *                          (mod 2^32)
 */

/* gzip reader state: a decompressor plus the header and trailer checks.
 * Private. */
typedef struct wsx_gzip_reader {
    wsx_inflater _z;
    uint32_t _crc;  /* CRC-32 of the member's data so far */
    uint32_t _size; /* its length mod 2^32 */
    uint32_t _hcrc; /* CRC-32 of the header so far */
    uint16_t _skip; /* FEXTRA bytes still to skip */
    uint8_t _state;
    uint8_t _flags;   /* the member's FLG */
    uint8_t _n;       /* bytes gathered in _buf */
    uint8_t _buf[10]; /* fixed header, XLEN, HCRC or trailer bytes */
} wsx_gzip_reader;

/* Sets g up to read a gzip stream whose DEFLATE data needs a window of at
 * most 2^window_bits bytes: 15 for any gzip stream (use less only when the
 * writer is known to stay within it).  mem and mem_size as for
 * wsx_inflater_init.  Returns WSX_OK, WSX_E_ARG or WSX_E_BUFFER. */
WSX_API int wsx_gzip_reader_init(wsx_gzip_reader *g, unsigned window_bits, void *mem,
                                 size_t mem_size);

/* Like wsx_inflate, over a gzip stream: NEED_INPUT, OUTPUT_FULL, END (a
 * member's trailer was checked; *in_used stops right after it), or a
 * negative wsx_err (sticky; *in_used and *out_len are 0).  WSX_E_STATE
 * before wsx_gzip_reader_init. */
WSX_API int wsx_gzip_read(wsx_gzip_reader *g, const void *in, size_t in_len, size_t *in_used,
                          void *out, size_t out_cap, size_t *out_len);

/* ---- primitives -------------------------------------------------------- */

/* CRC-32 of ISO-HDLC (the one of gzip, zlib, PNG and Ethernet: reflected
 * polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF).  Start
 * with crc = 0 and pass each result on to continue over more bytes:
 *   wsx_crc32(wsx_crc32(0, a, n), b, m) == CRC-32 of a then b.
 * buf may be NULL when len is 0.  "123456789" gives 0xCBF43926. */
WSX_API uint32_t wsx_crc32(uint32_t crc, const void *buf, size_t len);

/* ---- compressor (RFC 1951) -------------------------------------------- */
/*
 * A raw DEFLATE compressor: LZ77 over hash chains (4-byte hashes), greedy
 * (levels 1-3) or lazy (4-9) matching, and per block the cheapest of
 * stored, fixed-Huffman and dynamic-Huffman coding, counted in bits.  Input
 * comes in any chunks and is copied into the window (wsx keeps no pointer
 * to it); output goes into caller buffers of any size, down to one byte,
 * and a call that fills its buffer goes on where it stopped.  The output
 * does not depend on how input and output were cut, and is the same on
 * every host and in both size profiles.
 *
 *   static uint8_t mem[WSX_DEFLATE_MEM_SIZE(15)];
 *   wsx_deflater d;
 *   wsx_deflater_init(&d, NULL, mem, sizeof mem);     (15 bits, level 6)
 *   ...each message (permessage-deflate, RFC 7692):
 *   size_t off = 0, used, n;
 *   int r;
 *   do {
 *       r = wsx_deflate(&d, msg + off, len - off, &used, WSX_DEFLATE_MESSAGE,
 *                       out, cap, &n);
 *       off += used;
 *       ...send out[0..n)...
 *   } while (r == WSX_DEFLATE_OUTPUT_FULL);
 *   if (r < 0) ...
 *   if (no_context_takeover) wsx_deflater_reset(&d);
 *
 * Memory: one block (any alignment) for the window (2^(bits+1) bytes and a
 * lookahead), the hash chains, the code tables and the current block's
 * symbols, 4 bytes each; the more symbols fit, the longer the blocks and
 * the better their codes (above all with small windows).  Bytes per
 * compressor (the same on a 64-bit host and a Cortex-M4), plus
 * sizeof(wsx_deflater), 160 on LP64 and 128 on a Cortex-M4:
 *
 *   window bits          15        12       9       8
 *   WSX_DEFLATE_MEM_SIZE 200,804   41,322   23,402  22,378   (4096-8192 symbols)
 *   WSX_DEFLATE_MEM_MIN  169,060   25,962    8,042   7,018   (256 symbols)
 *
 * (zlib's deflate takes about 262 KiB at its defaults, 15 bits and
 * memLevel 8.)
 * A compressor given window bits 8..14 never emits a distance beyond
 * 2^bits (RFC 7692 section 8.1: 8 means 256, which zlib cannot do); with 15
 * none beyond 32,506 bytes.
 *
 * Levels: 1 (fast: greedy, 4 candidates a search), 6 (default: lazy,
 * at most 128 candidates, a search stops at a 32-byte match), 9 (best).
 */

#define WSX_DEFLATE_LEVEL_FAST 1
#define WSX_DEFLATE_LEVEL_DEFAULT 6
#define WSX_DEFLATE_LEVEL_BEST 9

typedef struct wsx_deflater_config {
    int window_bits; /* 8..15; 0: 15 */
    int level;       /* 1..9; 0: WSX_DEFLATE_LEVEL_DEFAULT */
} wsx_deflater_config;

/* The parts of the memory sizes (private): the window (2W and a 262-byte
 * lookahead, at most 64 KiB), the hash heads, the chains (2W bytes), the
 * code tables, slack; then 4 bytes per symbol. */
#define WSX__DEFLATE_WINDOW(wb) ((wb) >= 15 ? 65536u : (2u << (wb)) + 262u)
#define WSX__DEFLATE_HASH_BITS(wb) ((wb) > 9 ? (wb)-1 : 8)
#define WSX__DEFLATE_TABLES (340u * 4 + 340u * 2 + 576u * 2 + 320u * 2 + 340u)
#define WSX__DEFLATE_FIXED(wb)                                                      \
    ((size_t)WSX__DEFLATE_TABLES + 2u * ((size_t)1 << WSX__DEFLATE_HASH_BITS(wb)) + \
     2u * ((size_t)1 << (wb)) + WSX__DEFLATE_WINDOW(wb) + 24u)
#define WSX__DEFLATE_MIN_SYMBOLS 256u
#define WSX__DEFLATE_MAX_SYMBOLS 16384u

/* Memory for wsx_deflater_init with window_bits 8..15 (the macro's
 * argument: 0 is not "15" here).  Any size from MEM_MIN up works; blocks
 * take up to 16,384 symbols of what is given beyond MEM_MIN's fixed part. */
#define WSX_DEFLATE_MEM_SIZE(window_bits) \
    (WSX__DEFLATE_FIXED(window_bits) + 4u * ((window_bits) >= 15 ? 8192u : 4096u))
#define WSX_DEFLATE_MEM_MIN(window_bits) \
    (WSX__DEFLATE_FIXED(window_bits) + 4u * WSX__DEFLATE_MIN_SYMBOLS)

/* What wsx_deflate does once the input given so far is in. */
typedef enum wsx_deflate_flush {
    /* Nothing: data may wait inside for better blocks. */
    WSX_DEFLATE_NO_FLUSH = 0,
    /* Sync flush: everything so far can be decoded; the output ends on a
     * byte boundary with an empty stored block, 00 00 ff ff (gzip'd event
     * streams: one per event). */
    WSX_DEFLATE_SYNC = 1,
    /* The end of a permessage-deflate message (RFC 7692 section 7.2.1): a
     * sync flush without its last 4 bytes, WSX_DEFLATE_SYNC_TAIL.  An empty
     * message is the single byte 00 (section 7.2.3.6). */
    WSX_DEFLATE_MESSAGE = 2,
    /* The end of the stream: the last block has BFINAL set and the output
     * ends on a byte boundary.  Only wsx_deflater_reset goes on from there. */
    WSX_DEFLATE_FINISH = 3
} wsx_deflate_flush;

/* wsx_deflate's answer when out is full and more output is ready (the same
 * value as WSX_INFLATE_OUTPUT_FULL). */
#define WSX_DEFLATE_OUTPUT_FULL 1

/* Compressor state.  Private fields; the memory given to
 * wsx_deflater_init belongs to it until the caller stops using it. */
typedef struct wsx_deflater {
    uint8_t *_win;
    uint16_t *_head, *_prev, *_freq, *_rle, *_work;
    uint32_t *_syms, *_codes;
    uint64_t _bits;
    unsigned _nbits, _pos, _end, _hashed;
    unsigned _block_start, _block_len, _nsyms, _sym_cap;
    unsigned _pend_len, _pend_dist, _win_size, _max_dist;
    unsigned _idx, _left, _chunk, _nrle, _lit_run;
    uint16_t _hlit, _hdist, _hclen;
    uint8_t _param[5];
    uint8_t _wbits, _hbits, _phase, _btype, _final, _flush, _done, _fixed_codes;
} wsx_deflater;

/* Window bits 15, level WSX_DEFLATE_LEVEL_DEFAULT.  NULL: nothing. */
WSX_API void wsx_deflater_config_default(wsx_deflater_config *cfg);

/* Sets d up for a new stream.  cfg NULL: the defaults; cfg is copied.
 * mem must hold at least WSX_DEFLATE_MEM_MIN(window bits) bytes (any
 * alignment).  Returns WSX_OK, WSX_E_ARG (d or mem NULL, window bits not
 * 0 or 8..15, level not 0..9) or WSX_E_BUFFER (mem_size too small). */
WSX_API int wsx_deflater_init(wsx_deflater *d, const wsx_deflater_config *cfg, void *mem,
                              size_t mem_size);

/*
 * Compresses in[0..in_len) as the continuation of the stream and writes
 * what is ready into out[0..out_cap).  Always sets *in_used (bytes of in
 * taken, 0..in_len: they are copied, never needed again) and *out_len
 * (bytes written, 0..out_cap).  Returns:
 *   WSX_OK                   all of in was taken and the flush asked for
 *                            is complete in out (with WSX_DEFLATE_NO_FLUSH
 *                            some output may wait inside for later);
 *   WSX_DEFLATE_OUTPUT_FULL  out is full and more is ready: write out, then
 *                            call again with in + *in_used, the rest of
 *                            the length and the same flush; out_cap may be
 *                            as small as 1 and change from call to call;
 *   WSX_E_ARG                d, in_used or out_len NULL, in NULL with
 *                            in_len > 0, out NULL with out_cap > 0, flush
 *                            not a wsx_deflate_flush (nothing changed);
 *   WSX_E_STATE              the stream was finished (WSX_DEFLATE_FINISH).
 * A flush with no new input still writes its marker (an empty message:
 * 00).  Work is bounded by the input and output of the call.
 */
WSX_API int wsx_deflate(wsx_deflater *d, const void *in, size_t in_len, size_t *in_used, int flush,
                        void *out, size_t out_cap, size_t *out_len);

/* Starts a new stream that refers to nothing before it, with the same
 * configuration and memory: between messages when the direction has no
 * context takeover (RFC 7692 section 7.1.1), or after WSX_DEFLATE_FINISH.
 * Whatever was not written yet is dropped.  Constant time after a stream
 * of up to 4 KiB; after a longer one it clears the hash heads (2^(bits-1)
 * entries of 2 bytes).  Returns WSX_OK, or WSX_E_ARG for NULL. */
WSX_API int wsx_deflater_reset(wsx_deflater *d);

/* The most bytes wsx_deflate writes for in_len bytes of input given since
 * the last completed flush (or reset), up to and including the next flush
 * of any kind: in_len + in_len / 8 + in_len / 32 + 32.  0 for a
 * NULL d. */
WSX_API size_t wsx_deflate_bound(const wsx_deflater *d, size_t in_len);

/* ---- gzip writer (RFC 1952) ------------------------------------------- */
/*
 * gzip framing around the compressor, for HTTP Content-Encoding: gzip:
 *   wsx_gzip_writer_init(&g, NULL, mem, sizeof mem);
 *   wsx_gzip_header(&g, out, cap, &n);                 10 bytes
 *   per event: wsx_gzip_write(&g, ev, len, &used, WSX_DEFLATE_SYNC, out, cap, &n)
 *   at the end: wsx_gzip_finish(&g, out, cap, &n)     last block, CRC-32, ISIZE
 * The header has no name, no comment, modification time 0 and OS 255
 * (unknown).  With a sync flush per event, each event can be decoded as soon
 * as it arrives.
 */
typedef struct wsx_gzip_writer {
    wsx_deflater _d;
    uint32_t _crc, _size;
    uint8_t _state, _trailer_pos;
} wsx_gzip_writer;

#define WSX_GZIP_HEADER_LEN 10
#define WSX_GZIP_TRAILER_LEN 8

/* As wsx_deflater_init (the same config, memory and results). */
WSX_API int wsx_gzip_writer_init(wsx_gzip_writer *g, const wsx_deflater_config *cfg, void *mem,
                                 size_t mem_size);

/* Writes the 10-byte header (a rule 2 writer: WSX_E_BUFFER with
 * *out_len = 10 when cap is smaller, a size query with out NULL and cap
 * 0).  WSX_E_STATE when it was written already. */
WSX_API int wsx_gzip_header(wsx_gzip_writer *g, void *out, size_t cap, size_t *out_len);

/* Compresses in[0..in_len) as wsx_deflate does, with flush
 * WSX_DEFLATE_NO_FLUSH or WSX_DEFLATE_SYNC (others: WSX_E_ARG), and counts
 * the bytes taken into the CRC-32 and length; the same results and counts
 * as wsx_deflate.  WSX_E_STATE before the header or after finishing. */
WSX_API int wsx_gzip_write(wsx_gzip_writer *g, const void *in, size_t in_len, size_t *in_used,
                           int flush, void *out, size_t out_cap, size_t *out_len);

/* Ends the stream: the last block and the trailer (CRC-32 and length mod
 * 2^32 of everything compressed).  WSX_OK when all of it is in out, or
 * WSX_DEFLATE_OUTPUT_FULL: write out and call again.  WSX_E_STATE before
 * the header or after the end; WSX_E_ARG for NULL g or out_len, or out
 * NULL with cap > 0. */
WSX_API int wsx_gzip_finish(wsx_gzip_writer *g, void *out, size_t cap, size_t *out_len);

#ifdef __cplusplus
}
#endif

#endif /* WSX_DEFLATE_H */
