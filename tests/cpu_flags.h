/*
 * What /proc/cpuinfo says the CPU has, for tests that check the library
 * found the same by itself (cpuid, auxv).  0 where there is no such file
 * or flag (then the test cannot require the variant).
 */
#ifndef WSX_TEST_CPU_FLAGS_H
#define WSX_TEST_CPU_FLAGS_H

#include <stdio.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#define CPU_FLAG_SHA1 " sha_ni"
#define CPU_FLAG_AVX2 " avx2"
#elif defined(__aarch64__)
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
