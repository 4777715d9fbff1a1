/*
 * What the sources of wsx share and users never see: compiler shims and
 * protocol constants.  Every private name starts with wsx__ / WSX__.
 */
#ifndef WSX_INTERNAL_H
#define WSX_INTERNAL_H

#include "wsx_base.h"

/* ---- compiler shims --------------------------------------------------- */

#if defined(__GNUC__) || defined(__clang__)
#define WSX__GNUC 1
#endif

/* A function kept out of line: a rare path out of a hot one, or a helper
 * several callers share that -Os would copy into each. */
#ifdef WSX__GNUC
#define WSX__NOINLINE __attribute__((noinline))
#else
#define WSX__NOINLINE
#endif

/* Out of line, and taking its arguments as declared: gcc would otherwise
 * clone it without a parameter that is constant at every call, so that a
 * caller that jumps to it with its own arguments has to move them first. */
#if defined(__GNUC__) && !defined(__clang__)
#define WSX__NOCLONE __attribute__((noinline, noclone))
#else
#define WSX__NOCLONE WSX__NOINLINE
#endif

/* Out of line in the small profile only (a helper -Os copies into several
 * paths of its caller). */
#if defined(WSX_SMALL) && defined(WSX__GNUC)
#define WSX__SMALL_NOINLINE __attribute__((noinline))
#else
#define WSX__SMALL_NOINLINE
#endif

/* A short step of a hot loop that must be inlined (gcc does not always
 * inline it, and a call per word costs as much as the word).  In the small
 * profile it is an ordinary static function. */
#if defined(WSX__GNUC) && !defined(WSX_SMALL)
#define WSX__HOT static __inline__ __attribute__((always_inline))
#else
#define WSX__HOT static
#endif

#ifdef WSX__GNUC
#define WSX__LIKELY(x) __builtin_expect(!!(x), 1)
#define WSX__UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define WSX__LIKELY(x) (x)
#define WSX__UNLIKELY(x) (x)
#endif

/* ---- unchecked workers ------------------------------------------------ */

/* wsx_mask without its argument checks (key not NULL, bytes not NULL when
 * len > 0, as every caller inside the library guarantees): what the codec
 * calls on its per-frame path.  The small profile has one function. */
#ifdef WSX_SMALL
#define wsx__mask wsx_mask
#else
size_t wsx__mask(void *bytes, size_t len, const uint8_t key[4], size_t key_offset);
#endif

/* wsx_sha1 without its argument checks (out not NULL, data not NULL when
 * len > 0): what Sec-WebSocket-Accept calls, so that a firmware that
 * never calls wsx_sha1 itself does not link the checks. */
void wsx__sha1(const void *data, size_t len, uint8_t out[20]);

/* ---- CPU variants (fast profile) ------------------------------------- */

/* What the CPU can do, asked once (cpu.c): WSX__CPU_SHA1, the SHA-1
 * instructions (SHA-NI with SSSE3 and SSE4.1 on x86, the ARMv8 SHA1
 * instructions on aarch64); WSX__CPU_AVX2, AVX2 with the OS saving the ymm
 * registers. */
#define WSX__CPU_SHA1 1u
#define WSX__CPU_AVX2 2u
#define WSX__CPU_ASKED 0x80000000u
unsigned wsx__cpu_features(void);

/* Where the compiler can build the SHA-1 instructions of this CPU family
 * (sha1_hw.c), with a target attribute: the rest of the library stays
 * baseline code. */
#if !defined(WSX_SMALL) && !defined(WSX_USE_OPENSSL) && defined(WSX__GNUC)
#if defined(__x86_64__) || defined(__i386__)
#define WSX__SHA1_HW 1
#elif defined(__aarch64__) && \
    (!defined(__clang__) || defined(__ARM_FEATURE_SHA2) || defined(__ARM_FEATURE_CRYPTO))
/* (clang before 16 declares the SHA1 intrinsics only for -march=...+crypto) */
#define WSX__SHA1_HW 1
#endif
#endif

/* Where the AVX2 UTF-8 validator is built (utf8_avx2.c). */
#if !defined(WSX_SMALL) && !defined(WSX_UTF8_PORTABLE) && defined(WSX__GNUC) && \
    (defined(__x86_64__) || defined(__i386__))
#define WSX__UTF8_AVX2 1
#endif

/* Where the AVX2 HTTP line scan is built (http_scan.c). */
#if !defined(WSX_SMALL) && defined(WSX__GNUC) && (defined(__x86_64__) || defined(__i386__))
#define WSX__HTTP_AVX2 1
#endif

/* The variants of SHA-1, of UTF-8 validation and of the HTTP line scan.
 * wsx__sha1_use, wsx__utf8_use and wsx__http_scan_use choose one for the
 * whole process (the tests take each in turn; WSX__AUTO is what the library
 * chooses by itself, the fastest the CPU runs) and answer 1, or 0 with
 * nothing changed when this build or CPU lacks it.  wsx__*_variant say
 * which one runs (never WSX__AUTO).  WSX__HW is the one with instructions
 * found at run time (SHA-NI / ARMv8 SHA1, AVX2); WSX__BASE, where there is
 * one, uses the vector instructions every CPU of the target has (SSE2 on
 * x86-64: the HTTP line scan). */
enum { WSX__AUTO, WSX__PORTABLE, WSX__HW, WSX__BASE };
int wsx__sha1_use(int variant);
int wsx__sha1_variant(void);
int wsx__utf8_use(int variant);
int wsx__utf8_variant(void);
int wsx__http_scan_use(int variant);
int wsx__http_scan_variant(void);

/* From p[0], on a code point boundary: the offset of a code point boundary
 * b such that p[0..b) is valid UTF-8, found 64 bytes at a time with AVX2
 * (utf8_avx2.c); it stops before the first 64-byte block with an error, and
 * before a sequence left open by the last whole block.  The DFA of utf8.c
 * goes on from b. */
size_t wsx__utf8_avx2_prefix(const uint8_t *p, size_t len);

/* SHA-1 compression of `blocks` 64-byte blocks at p into h[5] (FIPS 180-4
 * section 6.1.2) with the CPU's instructions (sha1_hw.c). */
void wsx__sha1_blocks_hw(uint32_t h[5], const uint8_t *p, size_t blocks);

/* ---- WebSocket constants (RFC 6455) ------------------------------------ */

/* Frame header bits (section 5.2). */
#define WSX__B0_FIN 0x80u
#define WSX__B0_RSV 0x70u
#define WSX__B0_OPCODE 0x0Fu
#define WSX__B0_CONTROL 0x08u /* opcodes 8-15 are control frames */
#define WSX__B1_MASK 0x80u
#define WSX__B1_LEN 0x7Fu

/* Bit n set for each opcode n defined by section 5.2 (0-2, 8-10); the
 * others are reserved. */
#define WSX__KNOWN_OPCODES 0x0707u

/* Close codes wsx itself uses (section 7.4.1). */
#define WSX__CLOSE_NORMAL 1000u
#define WSX__CLOSE_GOING_AWAY 1001u
#define WSX__CLOSE_PROTOCOL 1002u
#define WSX__CLOSE_NO_STATUS 1005u /* never on the wire: an empty close */
#define WSX__CLOSE_ABNORMAL 1006u  /* never on the wire: no close frame */
#define WSX__CLOSE_INVALID_DATA 1007u
#define WSX__CLOSE_TOO_BIG 1009u
#define WSX__CLOSE_INTERNAL 1011u

/* The rules of a close frame's code and reason (sections 5.5.1, 7.4),
 * which the decoder and the encoder share: WSX_OK, WSX_E_WS_CLOSE_CODE
 * (refused by wsx_ws_close_code_valid) or WSX_E_WS_CLOSE_REASON_UTF8
 * (reason[0..reason_len) not UTF-8).  ws_accept.c. */
int wsx__ws_check_close(unsigned code, const uint8_t *reason, size_t reason_len);

#endif /* WSX_INTERNAL_H */
