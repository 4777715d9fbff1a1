/*
 * What fw_demo.c (the device) and fw_browser.c (the simulated browser that
 * checks what the device sent) share.
 */
#ifndef FW_DEMO_H
#define FW_DEMO_H

#include <stddef.h>
#include <stdint.h>

typedef struct tcp_conn {
    const uint8_t *rx[2]; /* what the peer sends: two pieces, in order */
    size_t rx_len[2];
    size_t rx_pos; /* over both pieces */
    uint8_t *tx;   /* what the device sent */
    size_t tx_cap, tx_len;
    int closed; /* the device closed the connection */
} tcp_conn;

/* The decimal digits of v into out (at most 10); returns how many. */
size_t put_u32(char *out, uint32_t v);

/* Checks what the device sent on both connections (tx[0..tx_len)): 0 when
 * everything came out as expected, or the number of the first failed
 * check (fw_browser.c). */
int browser_check(const tcp_conn *ws, const tcp_conn *sse);

#endif
