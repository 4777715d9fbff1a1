/*
 * permessage-deflate (RFC 7692) for the wsx examples: the memory of one
 * connection, allocated only once the handshake agreed to compress.
 *
 * Per connection (bytes, wsx_conn.h has the table): an inflater for the
 * peer's window, a deflater for ours, a scratch buffer the inflated bytes
 * land in and a second one of the same size (hold) for a program that
 * keeps a piece past the next wsx_ws_conn_recv (the scratch is then
 * reused).  pmd_size says how much for given terms.
 */
#ifndef WSX_EXAMPLES_PMD_H
#define WSX_EXAMPLES_PMD_H

#include <wsx_conn.h>
#include <wsx_handshake.h>

#include <stddef.h>
#include <stdint.h>

/* Scratch (and hold) bytes: a DATA event of a compressed message holds at
 * most this much. */
#define PMD_SCRATCH 4096u

/* Default window for the example servers: 12 bits (4 KiB) both ways is
 * about 52 KiB a connection instead of 240 KiB at 15, and chat messages
 * and token streams (a few hundred bytes each, repeating the last few
 * KiB) compress nearly as well (README: "permessage-deflate"). */
#define PMD_DEFAULT_BITS 12

typedef struct pmd_mem {
    wsx_ws_conn_deflate z;
    wsx_inflater in;
    wsx_deflater out;
    uint8_t *scratch;
    uint8_t *hold;
} pmd_mem;

/* The server's policy for --deflate-window-bits bits (9..15): our window
 * and the client window we ask for (a client that does not offer
 * client_max_window_bits keeps 15); bits 0: declined (--no-deflate). */
void pmd_server_policy(wsx_hs_deflate_policy *p, unsigned bits);

/* Bytes pmd_attach allocates for the terms agreed, for role. */
size_t pmd_size(const wsx_ws_deflate_params *agreed, wsx_ws_role role);

/* Allocates the memory for the terms agreed and turns compression on for
 * c (CONNECTING); messages sent whole below min_size bytes go
 * uncompressed (0: the library's default, 32).  Returns the block (free() it once c is done), or NULL
 * when out of memory. */
pmd_mem *pmd_attach(wsx_ws_conn *c, const wsx_ws_deflate_params *agreed, wsx_ws_role role,
                    size_t min_size);

#endif
