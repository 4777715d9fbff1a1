/*
 * The SSE parser in the profile the library was NOT built with, under the
 * names wsx_other_sse_* (fuzz_sse_profiles.c runs both profiles in one
 * binary and compares them).  The default build of the library gets the
 * small profile here, a WSX_SMALL build the default one.  Built only with
 * that fuzz target (Makefile: FUZZ_EXTRA_fuzz_sse_profiles); not part of
 * the library.
 */
#ifdef WSX_SMALL
#undef WSX_SMALL
#define WSX_FAST 1
#else
#define WSX_SMALL 1
#endif

/* Every external name of the parser's sources, public and private. */
#define wsx_sse_parser_init wsx_other_sse_parser_init
#define wsx_sse_parse wsx_other_sse_parse
#define wsx_sse_resync wsx_other_sse_resync
#define wsx_sse_end wsx_other_sse_end
#define wsx_sse_reset wsx_other_sse_reset
#define wsx_sse_last_event_id wsx_other_sse_last_event_id
#define wsx_sse_set_last_event_id wsx_other_sse_set_last_event_id
#define wsx__sse_set_id wsx_other__sse_set_id
#define wsx__sse_fail wsx_other__sse_fail
#define wsx__sse_move wsx_other__sse_move

#include "sse_parse.c"
#include "sse_parse_fast.c"
#include "sse_parse_small.c"
