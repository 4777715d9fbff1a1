/*
 * fuzz_utf8: the UTF-8 validator's variants give the same answer.  The
 * first byte picks where the rest is cut into two calls; the rest is fed
 * whole and cut, with AVX2 (where the build and CPU have it) and with the
 * word/SSE2 loops, and both must give the same offset of the bad byte and
 * the same completeness; wsx_utf8_valid must agree with the feed.  In the
 * small profile (one validator) the whole and the cut feed must agree.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz_require.h"
#include "wsx_util.h"
#include "wsx_internal.h"

static size_t feed(const uint8_t *p, size_t n, size_t cut, int *complete)
{
    wsx_utf8 u;
    size_t got;
    wsx_utf8_init(&u);
    got = wsx_utf8_feed(&u, p, cut);
    if (got == cut && cut < n)
        got = cut + wsx_utf8_feed(&u, p + cut, n - cut);
    *complete = wsx_utf8_complete(&u);
    return got;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n, cut, whole, split;
    int c_whole, c_split;
    if (size < 1)
        return 0;
    n = size - 1;
    cut = n ? data[0] * 7 % (n + 1) : 0;
    data++;
#ifndef WSX_SMALL
    if (wsx__utf8_use(WSX__HW)) {
        size_t fast = feed(data, n, n, &c_whole), fast_cut = feed(data, n, cut, &c_split);
        int c_fast = c_whole, c_fast_cut = c_split;
        REQUIRE(wsx__utf8_use(WSX__PORTABLE));
        whole = feed(data, n, n, &c_whole);
        split = feed(data, n, cut, &c_split);
        REQUIRE(fast == whole && c_fast == c_whole);
        REQUIRE(fast_cut == split && c_fast_cut == c_split);
        REQUIRE(wsx__utf8_use(WSX__AUTO));
    }
#endif
    whole = feed(data, n, n, &c_whole);
    split = feed(data, n, cut, &c_split);
    REQUIRE(whole == split && c_whole == c_split);
    REQUIRE(wsx_utf8_valid(data, n) == (whole == n && c_whole));
    return 0;
}
