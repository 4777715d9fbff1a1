/*
 * pmd.c — permessage-deflate memory for the examples (see pmd.h).
 */
#include "pmd.h"

#include <stdlib.h>
#include <string.h>

void pmd_server_policy(wsx_hs_deflate_policy *p, unsigned bits)
{
    memset(p, 0, sizeof *p);
    if (bits == 0)
        return;
    p->enable = &wsx_hs_pmd_server;
    p->server_max_window_bits = (uint8_t)bits;
    p->client_max_window_bits = (uint8_t)bits;
}

/* The window we inflate with (the peer's) and the one we compress with. */
static unsigned peer_bits(const wsx_ws_deflate_params *a, wsx_ws_role role)
{
    return role == WSX_WS_SERVER ? a->client_max_window_bits : a->server_max_window_bits;
}

static unsigned own_bits(const wsx_ws_deflate_params *a, wsx_ws_role role)
{
    return role == WSX_WS_SERVER ? a->server_max_window_bits : a->client_max_window_bits;
}

size_t pmd_size(const wsx_ws_deflate_params *agreed, wsx_ws_role role)
{
    return sizeof(pmd_mem) + 2 * PMD_SCRATCH + WSX_INFLATE_MEM_SIZE(peer_bits(agreed, role)) +
           WSX_DEFLATE_MEM_SIZE(own_bits(agreed, role));
}

pmd_mem *pmd_attach(wsx_ws_conn *c, const wsx_ws_deflate_params *agreed, wsx_ws_role role,
                    size_t min_size)
{
    unsigned in_bits = peer_bits(agreed, role), out_bits = own_bits(agreed, role);
    size_t in_size = WSX_INFLATE_MEM_SIZE(in_bits), out_size = WSX_DEFLATE_MEM_SIZE(out_bits);
    pmd_mem *m = (pmd_mem *)malloc(pmd_size(agreed, role));
    wsx_deflater_config dc;
    wsx_ws_conn_deflate_config cfg;
    uint8_t *p;
    if (!m)
        return NULL;
    p = (uint8_t *)(m + 1);
    m->scratch = p;
    m->hold = p + PMD_SCRATCH;
    p += 2 * PMD_SCRATCH;
    wsx_deflater_config_default(&dc);
    dc.window_bits = (int)out_bits;
    memset(&cfg, 0, sizeof cfg);
    cfg.agreed = *agreed;
    cfg.inflater = &m->in;
    cfg.deflater = &m->out;
    cfg.scratch = m->scratch;
    cfg.scratch_cap = PMD_SCRATCH;
    cfg.min_size = min_size;
    if (wsx_inflater_init(&m->in, in_bits, p, in_size) != WSX_OK ||
        wsx_deflater_init(&m->out, &dc, p + in_size, out_size) != WSX_OK ||
        wsx_ws_conn_use_deflate(c, &m->z, &cfg) != WSX_OK) {
        free(m);
        return NULL;
    }
    return m;
}
