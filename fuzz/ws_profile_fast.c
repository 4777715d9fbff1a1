/*
 * For fuzz_ws_profiles.c: the default profile of wsx_ws_decode
 * (src/ws_decode_fast.c) compiled once more, as wsx_fuzz_ws_decode_fast,
 * whichever profile the library this target links was built with.  The
 * shared rules (src/ws_decode.c) come from the library.
 */
#undef WSX_SMALL
#ifndef WSX_FAST
#define WSX_FAST 1
#endif
#define wsx_ws_decode wsx_fuzz_ws_decode_fast
/* the unchecked masking worker exists in a default-profile library only */
#define wsx__mask wsx_mask
#include "../src/ws_decode_fast.c"
