/*
 * wsx primitives: SHA-1, base64, incremental UTF-8 validation, masking.
 * All pure functions over caller memory; no allocation, no I/O.  Input
 * bytes are const void * (rule 3 of wsx_base.h).  Only base64 decoding and
 * wsx_utf8_init can fail (int results); the others compute a value, and
 * answer 0 (or do nothing) when given a NULL pointer they need.
 */
#ifndef WSX_UTIL_H
#define WSX_UTIL_H

#include "wsx_base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- SHA-1 (FIPS 180-4) ---------------------------------------------- */

#define WSX_SHA1_LEN 20

/* out = SHA-1(data[0..len)).  data may be NULL when len is 0; nothing is
 * written when out is NULL or data is NULL with len > 0.
 * Built in by default; with `make OPENSSL=1` libcrypto computes it. */
WSX_API void wsx_sha1(const void *data, size_t len, uint8_t out[WSX_SHA1_LEN]);

/* ---- base64 (RFC 4648 section 4, with padding) ------------------------ */

/* Number of characters wsx_base64_encode writes for n input bytes. */
#define WSX_BASE64_LEN(n) ((((n) + 2) / 3) * 4)

/* Writes exactly WSX_BASE64_LEN(len) characters to out (no NUL terminator)
 * and returns that count; 0, writing nothing, when out is NULL or in is
 * NULL with len > 0. */
WSX_API size_t wsx_base64_encode(const void *in, size_t len, void *out);

/* Decodes the text in[0..len) into out.  Strict: len must be a multiple of
 * 4, only the 64 alphabet characters, '=' only as the last one or two
 * characters, and the unused bits before the padding must be zero.  The
 * shape of a rule-2 writer (wsx_base.h):
 *   WSX_OK         out[0..*out_len) holds the bytes; with out NULL and
 *                  cap 0, a size query: *out_len is their number;
 *   WSX_E_BASE64   any violation (*out_len 0), found before a too small
 *                  buffer is reported;
 *   WSX_E_BUFFER   cap is too small: *out_len is the size needed;
 *   WSX_E_ARG      a NULL out_len, in NULL with len > 0, or out NULL with
 *                  cap > 0 (*out_len 0).
 * After an error out may hold part of the decoding: use it only after
 * WSX_OK. */
WSX_API int wsx_base64_decode(const void *in, size_t len, void *out, size_t cap, size_t *out_len);

/* ---- UTF-8 validation (incremental, fail-fast) ----------------------- */

/* Validator state; initialise with wsx_utf8_init().  Private fields.
 * Needs no cleanup; copy it to checkpoint a stream. */
typedef struct wsx_utf8 {
    uint32_t _state;
} wsx_utf8;

/* WSX_OK, or WSX_E_ARG for a NULL u. */
WSX_API int wsx_utf8_init(wsx_utf8 *u);

/* Validates buf[0..len) as the continuation of everything fed so far.
 * A code point may be split anywhere across calls.
 * Returns len when no byte so far is invalid (a code point may still be
 * pending: see wsx_utf8_complete), otherwise the offset in buf of the first
 * byte that cannot start or continue a valid sequence (overlong forms,
 * surrogates U+D800..U+DFFF, code points above U+10FFFF, stray or missing
 * continuation bytes).  After a failure the state is sticky: later calls
 * return 0.  An answer, not an error: invalid text is what it reports.
 * A NULL u, or a NULL buf with len > 0, gives 0 (nothing fed). */
WSX_API size_t wsx_utf8_feed(wsx_utf8 *u, const void *buf, size_t len);

/* 1 if the text fed so far ends on a code point boundary and never failed,
 * 0 otherwise (call at end of message: a truncated sequence is invalid);
 * 0 for a NULL u. */
WSX_API int wsx_utf8_complete(const wsx_utf8 *u);

/* One-shot: 1 if buf[0..len) is complete, valid UTF-8 (0 for a NULL buf
 * with len > 0). */
WSX_API int wsx_utf8_valid(const void *buf, size_t len);

/* ---- WebSocket masking (RFC 6455 section 5.3) ------------------------ */

/* buf[i] ^= key[(key_offset + i) % 4] for i in [0, len), in place, for any
 * alignment of buf (buf may be NULL when len is 0).  Only key_offset % 4
 * matters.  Returns (key_offset + len) % 4: pass it as key_offset for the
 * next chunk of the same frame; each frame starts at 0.  Masking twice with
 * the same key and offset restores the data (unmasking is the same call).
 * A NULL key, or a NULL buf with len > 0: nothing is masked, returns 0. */
WSX_API size_t wsx_mask(void *buf, size_t len, const uint8_t key[4], size_t key_offset);

#ifdef __cplusplus
}
#endif

#endif /* WSX_UTIL_H */
