/*
 * json — the small JSON reader and writer shared by the examples
 * (examples/demo, examples/sse_server, examples/sse_cat).  Example code,
 * not part of libwsx.
 *
 * Writing: json_escape() writes bytes as the inside of a JSON string,
 * json_put_string() appends a quoted one.
 *
 * Reading, two ways:
 *   - json_string_member() finds one string member of any JSON object
 *     (other members may hold any value: they are skipped) and decodes it;
 *   - json_object() reads exactly one shape, strictly: an object whose
 *     member values are strings or arrays of strings, e.g.
 *
 *         {"type":"chat","text":"hi","to":["ann","bob"]}
 *
 *     Anything else (numbers, true/false/null, nested objects, arrays of
 *     non-strings, duplicate keys, trailing bytes, more members than the
 *     caller allows) is refused.  Strings follow RFC 8259 section 7: no raw
 *     control characters, only the defined escapes, \u surrogates in pairs.
 *     Nothing is allocated and nothing is copied: members are slices of the
 *     input ("raw": the bytes between the quotes with escapes left in, or
 *     the whole "[...]" of an array); json_unescape() turns a raw string
 *     into bytes when needed.
 *
 * Bytes >= 0x80 pass through as they are: check UTF-8 separately (a
 * WebSocket text message is already checked by the wsx decoder).  Work is
 * linear in the input size.
 */
#ifndef WSX_EXAMPLES_JSON_H
#define WSX_EXAMPLES_JSON_H

#include <stddef.h>

typedef struct json_member {
    const char *key; /* raw key (escapes left in), not NUL-terminated */
    size_t key_len;
    int is_array; /* 0: string, raw = its inside; 1: raw = "[...]" */
    const char *raw;
    size_t raw_len;
    size_t count; /* arrays: number of strings */
} json_member;

/* Parses json[0..len) as one object (surrounding whitespace allowed) into
 * members[0..max).  Returns the number of members (0..max), or -1 when the
 * input is not such an object or has more than max members or a key twice. */
int json_object(const char *json, size_t len, json_member *members, size_t max);

/* The member named key (compared with the raw key: a key written with
 * escapes does not match), or NULL. */
const json_member *json_find(const json_member *m, size_t n, const char *key);

/* 1 if m is a string whose raw bytes equal the NUL-terminated want. */
int json_is(const json_member *m, const char *want);

/* Iterates over the strings of an array member: start with *pos = 0; each
 * call sets *raw and *raw_len to the next string's raw inside and returns 1, or
 * returns 0 at the end. */
int json_array_next(const json_member *m, size_t *pos, const char **raw, size_t *raw_len);

/* Decodes the raw string raw[0..len) (already validated by json_object)
 * into out[0..cap) as UTF-8.  Returns the byte count, or -1 if it does not
 * fit. */
long json_unescape(const char *raw, size_t len, char *out, size_t cap);

/* Writes src[0..len) as the inside of a JSON string (no quotes): '"', '\'
 * and control characters escaped (\n, \r, \t, \b, \f, or \u00XX; DEL
 * as \u007f too), everything else, bytes >= 0x80 included, as it is.
 * Returns the byte count, or -1 if it does not fit in out[0..cap).  At
 * most 6 * len bytes. */
long json_escape(const char *src, size_t len, char *out, size_t cap);

/* Appends s[0..n) as a JSON string, quotes included, to dst[*len..cap) and
 * advances *len.  Returns 0, or -1 (*len unchanged) when it does not fit. */
int json_put_string(char *dst, size_t cap, size_t *len, const char *s, size_t n);

/* Finds the member named key (compared after decoding; at most 31 bytes)
 * holding a string in the JSON object body[0..n), and decodes that string
 * into out[0..cap) as UTF-8 (a lone surrogate escape becomes U+FFFD).
 * Members of other types are skipped: brackets counted, strings skipped
 * whole.  Returns 0 and *out_len, or -1: not an object, no such string
 * member, malformed, or the string does not fit. */
int json_string_member(const char *body, size_t n, const char *key, char *out, size_t cap,
                       size_t *out_len);

#endif
