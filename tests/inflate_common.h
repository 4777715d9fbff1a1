/*
 * What the decompressor's test files share (test_inflate.c,
 * test_inflate_zlib.c): the stream driver, the quick-run switch and the
 * pseudo-random numbers their generated data comes from.
 */
#ifndef WSX_TEST_INFLATE_COMMON_H
#define WSX_TEST_INFLATE_COMMON_H

#include <stdlib.h>

#include "harness.h"
#include "inflate_driver.h"
#include "wsx_deflate.h"

#ifdef WSX_TEST_QUICK
#define QUICK 1
#else
#define QUICK 0
#endif

static unsigned rnd_state = 1;
static unsigned rnd(void)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return rnd_state >> 8;
}

#endif
