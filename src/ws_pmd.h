/* Private: permessage-deflate (RFC 7692) in Sec-WebSocket-Extensions: the
 * element grammar (RFC 6455 section 9.1), the server's choice among the
 * offers, the client's offer and its check of the answer.  The handshakes
 * reach this code only through wsx_hs_pmd_server and wsx_hs_pmd_client, so
 * that a program which never enables the extension does not link it. */
#ifndef WSX_WS_PMD_H
#define WSX_WS_PMD_H

#include "wsx_handshake.h"
#include "wbuf.h"

struct wsx_hs_pmd_server_code {
    /* The first permessage-deflate offer of the Sec-WebSocket-Extensions
     * fields of h[0..n) that pol can serve, in info->permessage_deflate,
     * deflate and deflate_offer (none when any element breaks the
     * grammar); WSX_E_ARG (info untouched) for a policy with bad window
     * sizes. */
    int (*negotiate)(const wsx_hs_deflate_policy *pol, const wsx_header *h, size_t n,
                     wsx_hs_request *info);
    /* Puts "Sec-WebSocket-Extensions: <answer>\r\n" for info's terms;
     * WSX_E_ARG (nothing put) for terms wsx_hs_deflate_answer refuses. */
    int (*put_answer_field)(wsx__wbuf *o, const wsx_hs_request *info);
};

struct wsx_hs_pmd_client_code {
    /* Puts "Sec-WebSocket-Extensions: permessage-deflate; ...\r\n";
     * WSX_E_ARG (nothing put) for window sizes other than 0 or 8..15. */
    int (*put_offer_field)(wsx__wbuf *o, const wsx_hs_deflate_offer *offer);
    /* Checks the answer element e[0..len) (a permessage-deflate element)
     * against offer: WSX_OK with *terms set, WSX_E_HS_DEFLATE_PARAM or
     * WSX_E_HS_DEFLATE_TERMS. */
    int (*check_answer)(const wsx_hs_deflate_offer *offer, const char *e, size_t len,
                        wsx_ws_deflate_params *terms);
};

#endif
