/* Version and build report (wsx_base.h). */
#include "wsx_internal.h"
#include "wsx_base.h"

unsigned long wsx_version(void) { return WSX_VERSION_NUM; }

const char *wsx_version_string(void) { return WSX_VERSION_STRING; }

#ifdef WSX_SMALL
#define BUILD_SMALL_ WSX_BUILD_SMALL
#define BUILD_SMALL_TEXT_ " small"
#else
#define BUILD_SMALL_ 0u
#define BUILD_SMALL_TEXT_ " fast"
#endif
#ifdef WSX_USE_OPENSSL
#define BUILD_SHA1_ WSX_BUILD_OPENSSL
#define BUILD_SHA1_TEXT_ " openssl-sha1"
#else
#define BUILD_SHA1_ 0u
#define BUILD_SHA1_TEXT_ " builtin-sha1"
#endif
#ifdef WSX_NO_ERROR_STRINGS
#define BUILD_STRINGS_ 0u
#define BUILD_STRINGS_TEXT_ " no-error-strings"
#else
#define BUILD_STRINGS_ WSX_BUILD_ERROR_STRINGS
#define BUILD_STRINGS_TEXT_ " error-strings"
#endif

/* The variants chosen at run time (wsx_internal.h): fast profile only. */
#ifdef WSX_SMALL
#define VARIANTS_ 0u
#define VARIANT_STRING_(base) base
#else
#if defined(__x86_64__) || defined(__i386__)
#define SHA1_HW_TEXT_ " sha1-shani"
#else
#define SHA1_HW_TEXT_ " sha1-armv8"
#endif
#ifdef WSX_USE_OPENSSL
#define SHA1_HW_ 0u
#define SHA1_PORTABLE_TEXT_ ""
#undef SHA1_HW_TEXT_
#define SHA1_HW_TEXT_ ""
#else
#define SHA1_HW_ (wsx__sha1_variant() == WSX__HW ? WSX_BUILD_SHA1_HW : 0u)
#define SHA1_PORTABLE_TEXT_ " sha1-portable"
#endif
#if defined(__SSE2__) && defined(__GNUC__)
#define UTF8_BASE_TEXT_ " utf8-sse2"
#else
#define UTF8_BASE_TEXT_ " utf8-portable"
#endif
#define VARIANTS_ (SHA1_HW_ | (wsx__utf8_variant() == WSX__HW ? WSX_BUILD_UTF8_AVX2 : 0u))
/* the HTTP line scan: AVX2 (a flag), SSE2 or words */
#define HTTP_TEXT_(variant) ((variant) == WSX__HW ? 0 : (variant) == WSX__BASE ? 1 : 2)
#endif

unsigned wsx_build_flags(void)
{
    /* one term at a time: several are 0 in a given build */
    unsigned flags = BUILD_SMALL_;
    flags |= BUILD_SHA1_;
    flags |= BUILD_STRINGS_;
    flags |= VARIANTS_;
#ifndef WSX_SMALL
    if (wsx__http_scan_variant() == WSX__HW)
        flags |= WSX_BUILD_HTTP_AVX2;
#endif
    return flags;
}

#define BASE_STRING_ WSX_VERSION_STRING BUILD_SMALL_TEXT_ BUILD_SHA1_TEXT_ BUILD_STRINGS_TEXT_

const char *wsx_build_string(void)
{
#ifdef WSX_SMALL
    return BASE_STRING_;
#else
    /* every combination is a literal: static storage, no writable state */
#define HTTP_3_(base) base " http-avx2", base " http-sse2", base " http-words"
    static const char *const text[12] = {HTTP_3_(BASE_STRING_ SHA1_PORTABLE_TEXT_ UTF8_BASE_TEXT_),
                                         HTTP_3_(BASE_STRING_ SHA1_HW_TEXT_ UTF8_BASE_TEXT_),
                                         HTTP_3_(BASE_STRING_ SHA1_PORTABLE_TEXT_ " utf8-avx2"),
                                         HTTP_3_(BASE_STRING_ SHA1_HW_TEXT_ " utf8-avx2")};
    unsigned flags = wsx_build_flags();
    return text[3 * (((flags & WSX_BUILD_UTF8_AVX2) ? 2 : 0) +
                     ((flags & WSX_BUILD_SHA1_HW) ? 1 : 0)) +
                HTTP_TEXT_(wsx__http_scan_variant())];
#endif
}
