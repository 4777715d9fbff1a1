/*
 * Sec-WebSocket-Accept (RFC 6455 section 4.2.2, step 5.4) and the close
 * codes and reasons that may travel in a close frame (sections 5.5.1, 7.4).
 */
#include <string.h>

#include "wsx_internal.h"
#include "wsx_util.h"
#include "wsx_ws.h"

/* Section 1.3: the GUID appended to the client's key. */
static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
#define WS_GUID_LEN (sizeof ws_guid - 1)
/* A valid key is 24 characters (base64 of 16 bytes); 64 leaves room for
 * callers that compute the accept value before validating the key. */
#define WS_KEY_MAX 64

int wsx_ws_accept(const char *key, size_t keylen, char out[WSX_WS_ACCEPT_LEN])
{
    char joined[WS_KEY_MAX + WS_GUID_LEN];
    uint8_t digest[WSX_SHA1_LEN];

    if ((key == NULL && keylen != 0) || keylen > WS_KEY_MAX || out == NULL)
        return WSX_E_ARG;
    if (keylen)
        memcpy(joined, key, keylen);
    memcpy(joined + keylen, ws_guid, WS_GUID_LEN);
    wsx__sha1(joined, keylen + WS_GUID_LEN, digest);
    wsx_base64_encode(digest, WSX_SHA1_LEN, out);
    return WSX_OK;
}

int wsx_ws_close_code_valid(unsigned code)
{
    /* 1004 reserved, 1005 and 1006 "no status" / "abnormal closure" are
     * never sent, 1015 (TLS failure) likewise; 1012-1014 are registered
     * with IANA (service restart, try again later, bad gateway); 3000-3999
     * are registered library/framework codes, 4000-4999 private use. */
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
           (code >= 3000 && code <= 4999);
}

int wsx__ws_check_close(unsigned code, const uint8_t *reason, size_t reason_len)
{
    if (!wsx_ws_close_code_valid(code))
        return WSX_E_WS_CLOSE_CODE;
    if (!wsx_utf8_valid(reason, reason_len))
        return WSX_E_WS_CLOSE_REASON_UTF8;
    return WSX_OK;
}
