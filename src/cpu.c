/*
 * What the CPU the library runs on can do, asked once (cpuid on x86,
 * the auxiliary vector on Linux/aarch64): the SHA-1 and UTF-8 code of the
 * fast profile pick their variant from it.  Reading cpuid or the auxiliary
 * vector is no I/O.  The small profile has no variants and no such code.
 */
#include "wsx_internal.h"

#ifndef WSX_SMALL

#if defined(WSX__GNUC) && (defined(__x86_64__) || defined(__i386__))
#include <cpuid.h>

/* The register state the OS saves on a context switch (XCR0): AVX2 code
 * needs the SSE (bit 1) and AVX (bit 2) halves of the ymm registers. */
static unsigned os_saves_ymm(void)
{
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    (void)hi;
    return (lo & 6u) == 6u;
}

static unsigned detect(void)
{
    unsigned a, b, c, d, leaf1_c, found = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return 0;
    leaf1_c = c;
    if (__get_cpuid_max(0, NULL) < 7)
        return 0;
    __cpuid_count(7, 0, a, b, c, d);
    /* SHA-NI (leaf 7 EBX bit 29) with SSSE3 (ECX 9) and SSE4.1 (ECX 19) */
    if ((b >> 29 & 1) && (leaf1_c >> 9 & 1) && (leaf1_c >> 19 & 1))
        found |= WSX__CPU_SHA1;
    /* AVX2 (leaf 7 EBX bit 5), with OSXSAVE (ECX 27) and the OS's consent */
    if ((b >> 5 & 1) && (leaf1_c >> 27 & 1) && os_saves_ymm())
        found |= WSX__CPU_AVX2;
    return found;
}

#elif defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>

static unsigned detect(void)
{
    /* HWCAP_SHA1 of <asm/hwcap.h> (bit 5), named here so that a libc
     * without the macro builds too */
    return (getauxval(AT_HWCAP) >> 5 & 1) ? WSX__CPU_SHA1 : 0;
}

#elif defined(__aarch64__) && defined(__APPLE__)
static unsigned detect(void) { return WSX__CPU_SHA1; } /* every Apple arm64 CPU */

#else
static unsigned detect(void) { return 0; }
#endif

unsigned wsx__cpu_features(void)
{
    /* Bit 31 marks "asked"; a race between threads writes the same value. */
    static unsigned cached;
    unsigned features;
#ifdef WSX__GNUC
    features = __atomic_load_n(&cached, __ATOMIC_RELAXED);
#else
    features = cached;
#endif
    if (features)
        return features & ~WSX__CPU_ASKED;
    features = detect() | WSX__CPU_ASKED;
#ifdef WSX__GNUC
    __atomic_store_n(&cached, features, __ATOMIC_RELAXED);
#else
    cached = features;
#endif
    return features & ~WSX__CPU_ASKED;
}

#endif /* WSX_SMALL */
