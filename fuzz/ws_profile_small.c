/*
 * For fuzz_ws_profiles.c: the small profile of wsx_ws_decode
 * (src/ws_decode_small.c) compiled once more, as wsx_fuzz_ws_decode_small,
 * whichever profile the library this target links was built with.  The
 * shared rules (src/ws_decode.c) come from the library.
 */
#ifndef WSX_SMALL
#define WSX_SMALL 1
#endif
#define wsx_ws_decode wsx_fuzz_ws_decode_small
#include "../src/ws_decode_small.c"
