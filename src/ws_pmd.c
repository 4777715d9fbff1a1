/* permessage-deflate (RFC 7692 section 7.1) in Sec-WebSocket-Extensions:
 * parameters parsed, offers chosen, answers and offers written. */
#include <string.h>

#include "wsx_internal.h"
#include "ws_pmd.h"
#include "ws_handshake_common.h"
#include "http_chars.h"

#define SERVER_NCT WSX_HS_PMD_SERVER_NO_CONTEXT_TAKEOVER
#define CLIENT_NCT WSX_HS_PMD_CLIENT_NO_CONTEXT_TAKEOVER
#define SERVER_BITS WSX_HS_PMD_SERVER_MAX_WINDOW_BITS
#define CLIENT_BITS WSX_HS_PMD_CLIENT_MAX_WINDOW_BITS

static const char pmd_name[] = "permessage-deflate";

/* The parameters of section 7.1, in the order of their WSX_HS_PMD_* bits,
 * which is also the order wsx writes them in. */
static const char param_names[] = "server_no_context_takeover\0"
                                  "client_no_context_takeover\0"
                                  "server_max_window_bits\0"
                                  "client_max_window_bits";

/* A permessage-deflate element as parsed. */
typedef struct pmd_element {
    unsigned seen;        /* WSX_HS_PMD_* bits of the parameters present */
    unsigned server_bits; /* server_max_window_bits' value */
    unsigned client_bits; /* client_max_window_bits' value, 0 for none */
    int declined;         /* a parameter breaks section 7.1 */
} pmd_element;

enum { ELEMENT_SYNTAX = -1, ELEMENT_OTHER = 0, ELEMENT_PMD = 1 };

static unsigned or_default(unsigned v, unsigned dflt) { return v ? v : dflt; }
static unsigned smaller(unsigned a, unsigned b) { return a < b ? a : b; }
static int window_ok(unsigned bits) { return bits - 8 <= 7; }

/* ---- grammar ------------------------------------------------------------------ */

static const char *skip_ows(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

/* The end of the token at p (p itself when there is none). */
static const char *token_end(const char *p, const char *end)
{
    while (p < end && wsx__http_is_tchar(*p))
        p++;
    return p;
}

/* The end of the quoted-string at p, *p being '"' (RFC 9110 section 5.6.4:
 * qdtext and quoted-pair, no control characters but HTAB), or NULL when it
 * is not closed. */
static const char *quoted_end(const char *p, const char *end)
{
    for (p++; p < end; p++) {
        if (*p == '"')
            return p + 1;
        if (*p == '\\' && p + 1 < end)
            p++;
        if (!wsx__http_is_value_char(*p))
            return NULL;
    }
    return NULL;
}

/* The window size v[0..n) holds, a token or a checked quoted-string whose
 * content counts (RFC 7692 section 5.2): 8..15 in decimal without a
 * leading zero (section 7.1.2.1), else 0. */
static unsigned window_bits(const char *v, size_t n)
{
    const char *end = v + n;
    unsigned bits = 0, digits = 0;
    if (*v == '"') {
        v++;
        end--;
    }
    for (; v < end; v++) {
        unsigned d;
        if (*v == '\\')
            v++; /* a quoted-pair stands for the character after it */
        d = (unsigned)(unsigned char)*v - '0';
        if (d > 9 || (digits == 0 && d == 0) || ++digits > 2)
            return 0;
        bits = bits * 10 + d;
    }
    return window_ok(bits) ? bits : 0;
}

/* One parameter of a permessage-deflate element, value NULL when it has
 * none.  In an offer client_max_window_bits may come without a value
 * (section 7.1.2.2); in an answer it may not. */
static void take_param(pmd_element *el, const char *name, size_t name_len, const char *value,
                       size_t value_len, int answer)
{
    const char *known = param_names;
    unsigned bit = 1, bits = 0;
    while (bit <= CLIENT_BITS && !wsx__http_eq_nocase(name, name_len, known, strlen(known))) {
        known += strlen(known) + 1;
        bit <<= 1;
    }
    if (bit > CLIENT_BITS || (el->seen & bit)) {
        el->declined = 1; /* unknown, or given twice (section 7.1) */
        return;
    }
    el->seen |= bit;
    if (bit == SERVER_NCT || bit == CLIENT_NCT) {
        el->declined |= value != NULL; /* these take no value */
        return;
    }
    if (value)
        bits = window_bits(value, value_len);
    else if (bit == CLIENT_BITS && !answer)
        return;
    el->declined |= bits == 0;
    if (bit == SERVER_BITS)
        el->server_bits = bits;
    else
        el->client_bits = bits;
}

/* One element of Sec-WebSocket-Extensions, e[0..len) (RFC 6455 section
 * 9.1: extension-token *( ";" extension-param ), extension-param = token
 * [ "=" ( token / quoted-string ) ], optional whitespace around ';' and
 * '='): ELEMENT_SYNTAX when it breaks that grammar, else ELEMENT_PMD with
 * *el filled, or ELEMENT_OTHER for another extension. */
static int parse_element(const char *e, size_t len, int answer, pmd_element *el)
{
    const char *end = e + len, *p = token_end(e, end);
    int pmd = wsx__pmd_is_name(e, (size_t)(p - e));
    memset(el, 0, sizeof *el);
    if (p == e)
        return ELEMENT_SYNTAX;
    for (;;) {
        const char *name, *name_end, *value = NULL;
        p = skip_ows(p, end);
        if (p == end)
            return pmd ? ELEMENT_PMD : ELEMENT_OTHER;
        if (*p != ';')
            return ELEMENT_SYNTAX;
        name = skip_ows(p + 1, end);
        name_end = token_end(name, end);
        if (name_end == name)
            return ELEMENT_SYNTAX;
        p = skip_ows(name_end, end);
        if (p < end && *p == '=') {
            value = skip_ows(p + 1, end);
            p = value < end && *value == '"' ? quoted_end(value, end) : token_end(value, end);
            if (!p || p == value)
                return ELEMENT_SYNTAX;
        }
        if (pmd)
            take_param(el, name, (size_t)(name_end - name), value, value ? (size_t)(p - value) : 0,
                       answer);
    }
}

/* ---- server ------------------------------------------------------------------- */

static int policy_ok(const wsx_hs_deflate_policy *pol)
{
    unsigned server_max = or_default(pol->server_max_window_bits, 15);
    unsigned server_min = or_default(pol->server_min_window_bits, 8);
    return window_ok(server_max) && window_ok(server_min) && server_min <= server_max &&
           window_ok(or_default(pol->client_max_window_bits, 15));
}

/* 1 if pol can serve the offer el, with info's terms then set. */
static int serve(const wsx_hs_deflate_policy *pol, const pmd_element *el, wsx_hs_request *info)
{
    unsigned server = or_default(pol->server_max_window_bits, 15);
    unsigned client_max = or_default(pol->client_max_window_bits, 15), client = 15;
    if (el->seen & SERVER_BITS) {
        if (el->server_bits < or_default(pol->server_min_window_bits, 8))
            return 0;
        server = smaller(server, el->server_bits);
    }
    if (el->seen & CLIENT_BITS)
        client = smaller(client_max, or_default(el->client_bits, 15));
    else if (client_max < 15 && pol->client_window_required)
        return 0; /* the client cannot be asked for less (section 7.1.2.2) */
    info->permessage_deflate = 1;
    info->deflate_offer = el->seen;
    info->deflate.server_max_window_bits = (uint8_t)server;
    info->deflate.client_max_window_bits = (uint8_t)client;
    /* asked for by the offer: the answer must say so (section 7.1.1.1) */
    info->deflate.server_no_context_takeover =
        (uint8_t)(pol->server_no_context_takeover || (el->seen & SERVER_NCT));
    info->deflate.client_no_context_takeover =
        (uint8_t)(pol->client_no_context_takeover || (el->seen & CLIENT_NCT));
    return 1;
}

static int negotiate(const wsx_hs_deflate_policy *pol, const wsx_header *h, size_t n,
                     wsx_hs_request *info)
{
    wsx__hs_items it = WSX__HS_ITEMS(h, n, WSX__HS_EXTENSIONS);
    const char *item;
    size_t name_len;
    int chosen = 0, malformed = 0;
    pmd_element el;
    if (!policy_ok(pol))
        return WSX_E_ARG;
    while (wsx__hs_item_next(&it, &item, &name_len)) {
        /* the whole element runs to it.pos, where the list moved on */
        int kind = parse_element(item, (size_t)(it.pos - item), 0, &el);
        if (kind == ELEMENT_SYNTAX)
            malformed = 1;
        else if (kind == ELEMENT_PMD && !el.declined && !chosen)
            chosen = serve(pol, &el, info);
    }
    if (malformed && chosen) { /* a broken list: take none of it */
        info->permessage_deflate = 0;
        info->deflate_offer = 0;
        wsx__pmd_none(&info->deflate);
    }
    return WSX_OK;
}

/* ---- writers -------------------------------------------------------------------- */

/* "; <parameter of bit>", then "=<value>" when value is not 0. */
static void put_param(wsx__wbuf *o, unsigned bit, unsigned value)
{
    const char *name = param_names;
    for (; bit > 1; bit >>= 1)
        name += strlen(name) + 1;
    wsx__wbuf_put(o, "; ", 2);
    wsx__wbuf_str(o, name);
    if (value) {
        wsx__wbuf_put(o, "=", 1);
        wsx__wbuf_u64(o, value);
    }
}

/* "permessage-deflate" and the parameters of the bits in params, in the
 * order of the bits; client_max_window_bits with client_bits unless 0. */
static void put_element(wsx__wbuf *o, unsigned params, unsigned server_bits, unsigned client_bits)
{
    unsigned bit;
    wsx__wbuf_str(o, pmd_name);
    for (bit = 1; bit <= CLIENT_BITS; bit <<= 1)
        if (params & bit)
            put_param(o, bit,
                      bit == SERVER_BITS   ? server_bits
                      : bit == CLIENT_BITS ? client_bits
                                           : 0);
}

/* The parameters of info's answer in *params: WSX_OK, or WSX_E_ARG when
 * its terms may not be answered. */
static int answer_params(const wsx_hs_request *info, unsigned *params)
{
    const wsx_ws_deflate_params *t = &info->deflate;
    if (!info->permessage_deflate || !window_ok(t->server_max_window_bits) ||
        !window_ok(t->client_max_window_bits))
        return WSX_E_ARG;
    *params = 0;
    if (t->server_no_context_takeover)
        *params |= SERVER_NCT;
    if (t->client_no_context_takeover)
        *params |= CLIENT_NCT;
    if (t->server_max_window_bits < 15 || (info->deflate_offer & SERVER_BITS))
        *params |= SERVER_BITS; /* offered: must be answered (section 7.1.2.1) */
    if (t->client_max_window_bits < 15) {
        if (!(info->deflate_offer & CLIENT_BITS))
            return WSX_E_ARG; /* not offered: may not be answered (section 7.1.2.2) */
        *params |= CLIENT_BITS;
    }
    return WSX_OK;
}

static void put_answer(wsx__wbuf *o, const wsx_hs_request *info, unsigned params)
{
    put_element(o, params, info->deflate.server_max_window_bits,
                info->deflate.client_max_window_bits);
}

static int put_answer_field(wsx__wbuf *o, const wsx_hs_request *info)
{
    unsigned params;
    if (answer_params(info, &params) < 0)
        return WSX_E_ARG;
    wsx__wbuf_str(o, wsx__hs_str.extensions);
    wsx__wbuf_put(o, ": ", 2);
    put_answer(o, info, params);
    wsx__wbuf_put(o, "\r\n", 2);
    return WSX_OK;
}

int wsx_hs_deflate_answer(const wsx_hs_request *info, void *out, size_t cap, size_t *out_len)
{
    wsx__wbuf o;
    unsigned params;
    if (wsx__wbuf_start(&o, out, cap, out_len) || !info || answer_params(info, &params) < 0)
        return WSX_E_ARG;
    put_answer(&o, info, params);
    return wsx__wbuf_done(&o, out_len);
}

/* ---- client --------------------------------------------------------------------- */

static int put_offer_field(wsx__wbuf *o, const wsx_hs_deflate_offer *offer)
{
    unsigned params = CLIENT_BITS; /* always: wsx compresses with any window */
    if (!window_ok(or_default(offer->client_max_window_bits, 15)) ||
        !window_ok(or_default(offer->server_max_window_bits, 15)))
        return WSX_E_ARG;
    if (offer->server_no_context_takeover)
        params |= SERVER_NCT;
    if (offer->client_no_context_takeover)
        params |= CLIENT_NCT;
    if (offer->server_max_window_bits)
        params |= SERVER_BITS;
    wsx__wbuf_str(o, wsx__hs_str.extensions);
    wsx__wbuf_put(o, ": ", 2);
    put_element(o, params, offer->server_max_window_bits, offer->client_max_window_bits);
    wsx__wbuf_put(o, "\r\n", 2);
    return WSX_OK;
}

static int check_answer(const wsx_hs_deflate_offer *offer, const char *e, size_t len,
                        wsx_ws_deflate_params *terms)
{
    pmd_element el;
    unsigned client = or_default(offer->client_max_window_bits, 15);
    if (parse_element(e, len, 1, &el) != ELEMENT_PMD || el.declined)
        return WSX_E_HS_DEFLATE_PARAM;
    /* what the offer asked of the server must be in the answer (sections
     * 7.1.1.1 and 7.1.2.1) */
    if ((offer->server_max_window_bits &&
         (!(el.seen & SERVER_BITS) || el.server_bits > offer->server_max_window_bits)) ||
        (offer->server_no_context_takeover && !(el.seen & SERVER_NCT)))
        return WSX_E_HS_DEFLATE_TERMS;
    if (el.seen & CLIENT_BITS)
        client = smaller(client, el.client_bits);
    terms->server_max_window_bits = (uint8_t)(el.seen & SERVER_BITS ? el.server_bits : 15);
    terms->client_max_window_bits = (uint8_t)client;
    terms->server_no_context_takeover = (uint8_t) !!(el.seen & SERVER_NCT);
    terms->client_no_context_takeover =
        (uint8_t)((el.seen & CLIENT_NCT) || offer->client_no_context_takeover);
    return WSX_OK;
}

/* ---- the code objects ----------------------------------------------------------- */

const wsx_hs_pmd_server_code wsx_hs_pmd_server = {negotiate, put_answer_field};
const wsx_hs_pmd_client_code wsx_hs_pmd_client = {put_offer_field, check_answer};
