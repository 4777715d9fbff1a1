/*
 * Command-line numbers for the wsx examples.
 *
 * Every example reads its numeric options (ports, milliseconds, sizes,
 * counts) through opt_u64, so they all accept and refuse the same
 * spellings: decimal digits only (no sign, no leading space, no hex).
 */
#ifndef WSX_EXAMPLES_OPT_H
#define WSX_EXAMPLES_OPT_H

#include <stdint.h>

/* s as a decimal number in [min, max].  Returns 0 and *out, or -1 for NULL,
 * an empty string, anything but digits, an overflow or a value out of
 * range (*out is then left alone). */
int opt_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

#endif
