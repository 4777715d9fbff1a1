/*
 * The wsx test harness: a test is a function; RUN(fn) runs it and counts it
 * as passed when none of its CHECKs failed.  harness_done() prints the last
 * line "N passed, N failed" and returns the exit status.
 *
 *   static void test_x(void) { CHECK(1 + 1 == 2); CHECK_EQ(f(), 3); }
 *   int main(void) { RUN(test_x); return harness_done(); }
 *
 * guarded_alloc(n) returns n bytes that end right before a PROT_NONE page,
 * so a read or write one byte past them crashes the test.
 */
#ifndef WSX_TEST_HARNESS_H
#define WSX_TEST_HARNESS_H

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int harness_passed, harness_failed, harness_checks_failed;
static const char *harness_current = "";

#define CHECK(cond)                                                                         \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            harness_checks_failed++;                                                        \
            fprintf(stderr, "  FAIL %s (%s:%d): %s\n", harness_current, __FILE__, __LINE__, \
                    #cond);                                                                 \
        }                                                                                   \
    } while (0)

#define CHECK_EQ(a, b)                                                                       \
    do {                                                                                     \
        long long harness_a_ = (long long)(a), harness_b_ = (long long)(b);                  \
        if (harness_a_ != harness_b_) {                                                      \
            harness_checks_failed++;                                                         \
            fprintf(stderr, "  FAIL %s (%s:%d): %s == %s (%lld != %lld)\n", harness_current, \
                    __FILE__, __LINE__, #a, #b, harness_a_, harness_b_);                     \
        }                                                                                    \
    } while (0)

#define CHECK_MEM(p, q, n) CHECK(memcmp((p), (q), (n)) == 0)

#define RUN(fn) harness_run(#fn, fn)

static inline void harness_run(const char *name, void (*fn)(void))
{
    int before = harness_checks_failed;
    harness_current = name;
    fn();
    if (harness_checks_failed == before) {
        harness_passed++;
    } else {
        harness_failed++;
        fprintf(stderr, "FAIL %s\n", name);
    }
}

static inline int harness_done(void)
{
    printf("%d passed, %d failed\n", harness_passed, harness_failed);
    return harness_failed != 0;
}

/* n bytes whose end touches a PROT_NONE page.  Free with guarded_free. */
static inline void *guarded_alloc(size_t n)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t span = (n + page - 1) / page * page + page;
    unsigned char *base = (unsigned char *)mmap(NULL, span, PROT_READ | PROT_WRITE,
                                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == (unsigned char *)MAP_FAILED)
        return NULL;
    mprotect(base + span - page, page, PROT_NONE);
    return base + span - page - n;
}

static inline void guarded_free(void *p, size_t n)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t span = (n + page - 1) / page * page + page;
    munmap((unsigned char *)p + n + page - span, span);
}

/* A copy of src[0..n) in guarded memory. */
static inline unsigned char *guarded_copy(const void *src, size_t n)
{
    unsigned char *p = (unsigned char *)guarded_alloc(n);
    if (p && n)
        memcpy(p, src, n);
    return p;
}

#endif
