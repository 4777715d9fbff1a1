/*
 * What the CPU says it has, for tests that check the library chose the
 * variant for it: on x86 the cpuid bits read here (under valgrind, the CPU
 * valgrind emulates), elsewhere the flags /proc/cpuinfo lists.  0 where
 * there is no such flag (then the test cannot require the variant).
 */
#ifndef WSX_TEST_CPU_FLAGS_H
#define WSX_TEST_CPU_FLAGS_H

#include <stdio.h>
#include <string.h>

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#include <cpuid.h>
#define CPU_FLAG_SHA1 "sha"
#define CPU_FLAG_AVX2 "avx2"

/* cpuid leaf 7 EBX: SHA bit 29, AVX2 bit 5 (with OSXSAVE, leaf 1 ECX 27). */
static inline int cpu_flag_listed(const char *flag)
{
    unsigned a, b, c, d, leaf1_c;
    if (!__get_cpuid(1, &a, &b, &c, &d) || __get_cpuid_max(0, NULL) < 7)
        return 0;
    leaf1_c = c;
    __cpuid_count(7, 0, a, b, c, d);
    if (strcmp(flag, "sha") == 0)
        return b >> 29 & 1;
    return (b >> 5 & 1) && (leaf1_c >> 27 & 1);
}
#else
#if defined(__aarch64__)
#define CPU_FLAG_SHA1 " sha1"
#define CPU_FLAG_AVX2 NULL
#else
#define CPU_FLAG_SHA1 NULL
#define CPU_FLAG_AVX2 NULL
#endif

/* 1 if a "flags" / "Features" line of /proc/cpuinfo lists flag (" name"). */
static inline int cpu_flag_listed(const char *flag)
{
    char line[4096];
    int found = 0;
    FILE *f = flag ? fopen("/proc/cpuinfo", "r") : NULL;
    if (!f)
        return 0;
    while (!found && fgets(line, sizeof line, f)) {
        char *end = line + strcspn(line, "\n");
        size_t n = strlen(flag);
        const char *at = line;
        *end = ' ';
        if (strncmp(line, "flags", 5) != 0 && strncmp(line, "Features", 8) != 0)
            continue;
        while (!found && (at = strstr(at, flag)) != NULL) {
            found = at[n] == ' ';
            at += n;
        }
    }
    fclose(f);
    return found;
}
#endif

#endif
