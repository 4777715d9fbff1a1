/* Private: permessage-deflate (RFC 7692) in Sec-WebSocket-Extensions: the
 * element grammar (RFC 6455 section 9.1), the server's choice among the
 * offers, the client's offer and its check of the answer. */
#ifndef WSX_WS_PMD_H
#define WSX_WS_PMD_H

#include "wsx_handshake.h"
#include "wbuf.h"

/* 1 if the policy's window sizes are 0 or 8..15 and its minimum is not
 * above its maximum. */
int wsx__pmd_policy_ok(const wsx_hs_deflate_policy *pol);

/* The offers of every Sec-WebSocket-Extensions field of h[0..n), in order:
 * info->extensions_offered, and, when pol is not NULL and enabled, the
 * first permessage-deflate offer pol can serve in info->permessage_deflate,
 * deflate and deflate_offer (no offer at all when any element breaks the
 * grammar).  info->deflate holds 15, 15, 0, 0 when nothing is agreed. */
void wsx__pmd_negotiate(const wsx_hs_deflate_policy *pol, const wsx_header *h, size_t n,
                        wsx_hs_request *info);

/* Puts "Sec-WebSocket-Extensions: <answer>\r\n" for info's terms;
 * WSX_E_ARG (nothing put) for terms wsx_hs_deflate_answer refuses. */
int wsx__pmd_put_answer_field(wsx__wbuf *o, const wsx_hs_request *info);

/* 1 if the offer's window sizes are 0 or 8..15. */
int wsx__pmd_offer_ok(const wsx_hs_deflate_offer *offer);

/* Puts "Sec-WebSocket-Extensions: permessage-deflate; ...\r\n" for an
 * enabled offer, nothing otherwise. */
void wsx__pmd_put_offer_field(wsx__wbuf *o, const wsx_hs_deflate_offer *offer);

/* Checks the answer element e[0..len) (a permessage-deflate element)
 * against offer: WSX_OK with *terms set, WSX_E_HS_DEFLATE_PARAM or
 * WSX_E_HS_DEFLATE_TERMS. */
int wsx__pmd_check_answer(const wsx_hs_deflate_offer *offer, const char *e, size_t len,
                          wsx_ws_deflate_params *terms);

/* 15, 15, 0, 0: no compression. */
void wsx__pmd_none(wsx_ws_deflate_params *terms);

/* 1 if name[0..len) is "permessage-deflate" (ASCII case-insensitive). */
int wsx__pmd_is_name(const char *name, size_t len);

#endif
