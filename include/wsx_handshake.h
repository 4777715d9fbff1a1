/*
 * wsx WebSocket opening handshake (RFC 6455 section 4), sans-I/O.
 *
 * ---- Server, "I have raw bytes" ----------------------------------------------
 *
 *   char in[16384]; size_t len = 0;      (bytes read from the socket)
 *   wsx_header hdrs[64];
 *   wsx_http_request req;
 *   wsx_http_parser p;
 *   wsx_hs_request info;
 *   char out[1024]; size_t out_len;
 *   wsx_http_parser_init(&p, NULL);
 *   ... read into in + len, len += n ...
 *   int head = wsx_http_parse_request(&p, in, len, hdrs, 64, &req);
 *   if (head == 0) read more;
 *   if (head < 0) { wsx_hs_server_refusal(head, out, sizeof out, &out_len);
 *                   send out, close; }
 *   int r = wsx_hs_server_answer_request(&cfg, &req, &info, out, sizeof out, &out_len);
 *   if (r == WSX_E_BUFFER) close;        (out was too small: see the function)
 *   send out[0..out_len)   (the 101, or a refusal: then close when sent)
 *   if (r == WSX_OK)
 *       the connection is OPEN: in[head..len) are the client's first frames,
 *       already received.  Feed them to the frame decoder (wsx_ws.h) BEFORE
 *       reading the socket again; they are lost otherwise.
 *
 * ---- Server, "I have my own HTTP server" -------------------------------------
 *
 * Give its parsed request to wsx_hs_server_answer (method, version, header
 * name/value pairs), send the bytes it writes (or build your own response
 * from wsx_hs_server_check + wsx_ws_accept), then hand the socket, and any
 * bytes your server already read past the request head, to the frame decoder.
 *
 * ---- Client ---------------------------------------------------------------------
 *
 *   wsx_hs_client hs;
 *   uint8_t nonce[16];      (16 bytes from a CSPRNG: getrandom(), arc4random_buf,
 *                            a TRNG; RFC 6455 section 4.1 requires the nonce to be
 *                            randomly selected for each connection — wsx has no
 *                            random source, so the caller provides it)
 *   wsx_hs_client_request(&hs, &cfg, nonce, out, sizeof out, &out_len);  send it
 *   ... wsx_http_parse_response() on what comes back -> head, res ...
 *   wsx_hs_response got;
 *   r = wsx_hs_client_check_response(&hs, &res, &got);
 *   if (r == WSX_OK) in[head..len) are the server's first frames: feed them to
 *   the frame decoder (role WSX_WS_CLIENT) first; got.subprotocol and
 *   got.deflate say what the server agreed to.
 *
 * Every function writes only into the caller's buffers.  The three response
 * and request writers follow rule 2 of wsx_base.h (out NULL and cap 0 asks
 * for the size; WSX_E_BUFFER gives the size needed in *out_len).  A NULL or
 * all-zero wsx_hs_server_config is the default policy: any Origin, no
 * subprotocol, no extension, no extra header.
 *
 * ---- permessage-deflate (RFC 7692) ------------------------------------------------
 *
 * Off unless asked for: a server turns it on with
 * cfg.deflate.enable = &wsx_hs_pmd_server, a client with
 * cfg.deflate.enable = &wsx_hs_pmd_client (pointers rather than flags: a
 * program that never turns it on links none of its code, which matters
 * on a firmware).  The server reads every
 * Sec-WebSocket-Extensions offer in order and takes the first
 * permessage-deflate offer it can serve; it declines (goes on to the next
 * offer) one that has an unknown parameter, a parameter twice, a value on
 * server_no_context_takeover or client_no_context_takeover, a window size
 * that is missing (server_max_window_bits), not 8..15, or written with a
 * leading zero or other characters than digits (after unquoting: a value
 * may be a quoted-string, section 7.1 of RFC 7692 and 9.1 of RFC 6455), or
 * that its policy refuses.  Names compare ASCII case-insensitively.  When
 * the Sec-WebSocket-Extensions fields do not follow the grammar of RFC 6455
 * section 9.1 at all (an empty parameter, a stray character, a missing
 * value after '='), the server does not guess what was meant: no offer is
 * taken and the handshake goes on without compression.  Work is linear in
 * the length of the fields.  The agreement lands in info->deflate (a
 * wsx_ws_deflate_params of wsx_ws.h, what the connection layer takes) and
 * the 101 carries it as "Sec-WebSocket-Extensions: permessage-deflate; ..."
 * with the parameters RFC 7692 allows in an answer, in the order
 * server_no_context_takeover, client_no_context_takeover,
 * server_max_window_bits, client_max_window_bits.  The client validates
 * that answer against its own offer and fails the handshake with a named
 * error when it breaks a rule (WSX_E_HS_DEFLATE_PARAM, _DEFLATE_TERMS).
 */
#ifndef WSX_HANDSHAKE_H
#define WSX_HANDSHAKE_H

#include "wsx_base.h"
#include "wsx_http.h"
#include "wsx_ws.h" /* wsx_ws_deflate_params */

#ifdef __cplusplus
extern "C" {
#endif

/* Length of a Sec-WebSocket-Key: base64 of 16 bytes. */
#define WSX_HS_KEY_LEN 24
#define WSX_HS_NONCE_LEN 16
/* A response buffer this large holds every refusal, and a 101 unless the
 * subprotocol names or the caller's extra headers are long. */
#define WSX_HS_RESPONSE_SIZE 1024

/* ---- server ------------------------------------------------------------------ */

/* The permessage-deflate negotiation code of each side, reached only
 * through these objects (their layout is private). */
typedef struct wsx_hs_pmd_server_code wsx_hs_pmd_server_code;
typedef struct wsx_hs_pmd_client_code wsx_hs_pmd_client_code;
WSX_API extern const wsx_hs_pmd_server_code wsx_hs_pmd_server;
WSX_API extern const wsx_hs_pmd_client_code wsx_hs_pmd_client;

/* permessage-deflate, the server's policy.  All zero: declined (the 101
 * has no Sec-WebSocket-Extensions).  Window sizes are base-2 logarithms,
 * 8..15, 0 meaning the default written next to each; other values make
 * wsx_hs_server_check return WSX_E_ARG when enabled. */
typedef struct wsx_hs_deflate_policy {
    /* &wsx_hs_pmd_server: accept the first acceptable permessage-deflate
     * offer; NULL: decline them all. */
    const wsx_hs_pmd_server_code *enable;
    /* Largest window the server compresses with; 0: 15.  The answer says
     * server_max_window_bits=N when N < 15, or when the offer had
     * server_max_window_bits=M (then N is the smaller of the two: RFC 7692
     * section 7.1.2.1 requires the answer to carry it). */
    uint8_t server_max_window_bits;
    /* Smallest window the server lets a client ask it for; 0: 8.  An offer
     * with server_max_window_bits below it is declined.  Must not exceed
     * server_max_window_bits. */
    uint8_t server_min_window_bits;
    /* Largest window the server inflates with, that is the window it asks
     * the client to compress with; 0: 15.  The answer says
     * client_max_window_bits=N (N the smaller of this and the offer's
     * value) only when the offer has client_max_window_bits (RFC 7692
     * section 7.1.2.2 forbids it otherwise) and N < 15.  An offer without
     * that parameter leaves the client at 15: see client_window_required.
     * 8 fails zlib-based clients (Python websockets gives up the
     * connection: zlib makes no raw DEFLATE stream with a 2^8 window, RFC
     * 7692 section 8.1); 9 or more works with them. */
    uint8_t client_max_window_bits;
    /* Nonzero: decline offers without client_max_window_bits when
     * client_max_window_bits above is below 15 (a server that cannot afford
     * a 32 KiB window per client; Chromium offers the parameter, Firefox
     * does not).  0: accept them with a client window of 15. */
    uint8_t client_window_required;
    /* Nonzero: the server resets its compressor after every message
     * (answers server_no_context_takeover: less memory kept between
     * messages, smaller gain on small messages).  It does so anyway when
     * the offer asks for it (section 7.1.1.1). */
    uint8_t server_no_context_takeover;
    /* Nonzero: ask the client to reset its compressor after every message
     * (answers client_no_context_takeover, section 7.1.1.2; the server's
     * inflater then keeps no history between messages).  Answered anyway
     * when the offer hints it. */
    uint8_t client_no_context_takeover;
} wsx_hs_deflate_policy;

/* Origin callback: return nonzero to allow origin[0..origin_len) (the
 * Origin value, trimmed).  Called only for requests that carry an Origin. */
typedef int (*wsx_hs_origin_fn)(void *user, const char *origin, size_t origin_len);

typedef struct wsx_hs_server_config {
    /* Subprotocols the server speaks, NUL-terminated, most preferred first.
     * The first of them that the client offered is chosen (server preference
     * wins; names compare case-sensitively); none in common: no subprotocol,
     * the handshake still succeeds (RFC 6455 section 4.2.2). */
    const char *const *subprotocols;
    size_t num_subprotocols;
    /* Origin policy (RFC 6455 section 10.2; only browsers send Origin, so it
     * protects browser users, not the server).  No list and no callback: any
     * Origin.  Otherwise an Origin is allowed when it equals an entry of
     * origins (ASCII case-insensitive, e.g. "https://example.com"), or else
     * when origin_check returns nonzero.  A request WITHOUT Origin is allowed
     * unless origin_required is nonzero.  Refusal: WSX_E_HS_ORIGIN (403). */
    const char *const *origins;
    size_t num_origins;
    wsx_hs_origin_fn origin_check;
    void *origin_user;
    int origin_required;
    /* Extra header fields for the 101 (e.g. Set-Cookie), written after the
     * standard ones.  Names must be tokens (else WSX_E_HTTP_HEADER_NAME),
     * values RFC 9110 field values (rule 8 of wsx_base.h; else
     * WSX_E_HTTP_HEADER_VALUE); the fields wsx writes itself (Upgrade,
     * Connection, Sec-WebSocket-*, Content-Length, Transfer-Encoding) are
     * refused (WSX_E_ARG). */
    const wsx_header *extra_headers;
    size_t num_extra_headers;
    /* permessage-deflate (see above); all zero: declined. */
    wsx_hs_deflate_policy deflate;
} wsx_hs_server_config;

/* Extension offers seen in Sec-WebSocket-Extensions (bits).  wsx accepts
 * permessage-deflate when cfg->deflate.enable is set and declines every
 * other extension. */
#define WSX_HS_EXT_PERMESSAGE_DEFLATE 1u /* RFC 7692 */
#define WSX_HS_EXT_OTHER 2u

/* The parameters present in a permessage-deflate offer (bits of
 * wsx_hs_request.deflate_offer). */
#define WSX_HS_PMD_SERVER_NO_CONTEXT_TAKEOVER 1u
#define WSX_HS_PMD_CLIENT_NO_CONTEXT_TAKEOVER 2u
#define WSX_HS_PMD_SERVER_MAX_WINDOW_BITS 4u
#define WSX_HS_PMD_CLIENT_MAX_WINDOW_BITS 8u

/* What the server learned from a valid upgrade request.  Slices point into
 * the request's header values (the caller's buffer) or, for subprotocol,
 * into cfg->subprotocols; they live as long as those do. */
typedef struct wsx_hs_request {
    const char *key; /* Sec-WebSocket-Key, WSX_HS_KEY_LEN bytes */
    const char *host;
    size_t host_len;
    const char *origin; /* NULL when absent */
    size_t origin_len;
    const char *subprotocol; /* chosen one, or NULL */
    size_t subprotocol_len;
    int subprotocol_index;       /* its index in cfg->subprotocols, or -1 */
    unsigned extensions_offered; /* WSX_HS_EXT_* */
    /* 1: permessage-deflate agreed on the terms in deflate; 0: no
     * compression (deflate then holds 15, 15, 0, 0). */
    int permessage_deflate;
    wsx_ws_deflate_params deflate;
    /* The parameters of the offer taken (WSX_HS_PMD_* bits): what the
     * answer may and must carry. */
    unsigned deflate_offer;
} wsx_hs_request;

/* Validates an upgrade request (RFC 6455 section 4.2.1), in this order:
 *   method "GET"                                  else WSX_E_HS_METHOD (405)
 *   HTTP/1.1 or later (major > 1 or minor >= 1)   WSX_E_HS_HTTP_VERSION (400)
 *   exactly one Host, not empty                   WSX_E_HS_HOST (400)
 *   an Upgrade header                             WSX_E_HS_NOT_UPGRADE (400)
 *   ... whose token list has "websocket"          WSX_E_HS_UPGRADE (400)
 *   Connection token list has "upgrade"           WSX_E_HS_CONNECTION (400)
 *   exactly one Sec-WebSocket-Version, "13"       WSX_E_HS_WS_VERSION (426)
 *   exactly one Sec-WebSocket-Key, the base64 of
 *   exactly 16 bytes                              WSX_E_HS_KEY (400)
 *   at most one Origin, allowed by the policy     WSX_E_HS_ORIGIN (403)
 * Token lists compare case-insensitively and may span repeated fields.
 * On WSX_OK *info is filled (subprotocol chosen, extension offers noted,
 * permessage-deflate negotiated when cfg->deflate.enable: see the top of
 * this header); on error its content is unspecified.  cfg NULL: the
 * default policy.  WSX_E_ARG for a NULL method or info, NULL headers with
 * num_headers > 0, or an enabled cfg->deflate with window sizes other than
 * 0 or 8..15 or a server_min_window_bits above server_max_window_bits. */
WSX_API int wsx_hs_server_check(const wsx_hs_server_config *cfg, const char *method,
                                size_t method_len, int http_major, int http_minor,
                                const wsx_header *headers, size_t num_headers,
                                wsx_hs_request *info);

/* Writes the 101 Switching Protocols response for a checked request:
 * Upgrade: websocket, Connection: Upgrade, Sec-WebSocket-Accept, the chosen
 * Sec-WebSocket-Protocol if any, Sec-WebSocket-Extensions when
 * info->permessage_deflate (the value wsx_hs_deflate_answer writes), cfg's
 * extra headers, the blank line.
 * A writer of rule 2: WSX_OK with out[0..*out_len), a size query, or
 * WSX_E_BUFFER with *out_len the size needed.  Other errors (*out_len 0):
 * WSX_E_ARG (NULL info, info->key or out_len; a subprotocol that is not a
 * token; info->permessage_deflate without cfg->deflate.enable, or terms
 * wsx_hs_deflate_answer refuses; a refused extra header),
 * WSX_E_HTTP_HEADER_NAME / _VALUE (an extra header breaking rule 8).  cfg
 * NULL: no extra headers. */
WSX_API int wsx_hs_server_accept(const wsx_hs_server_config *cfg, const wsx_hs_request *info,
                                 void *out, size_t cap, size_t *out_len);

/* The value of the answer's Sec-WebSocket-Extensions field for the terms
 * in info (for a server that writes its own 101), e.g.
 * "permessage-deflate; server_max_window_bits=12; client_max_window_bits=10":
 * the *_no_context_takeover flags that are set; server_max_window_bits
 * when below 15 or when info->deflate_offer has
 * WSX_HS_PMD_SERVER_MAX_WINDOW_BITS; client_max_window_bits when below 15.
 * A writer of rule 2 (no CR LF, no field name).  WSX_E_ARG: NULL info or
 * out_len, info->permessage_deflate 0, window sizes outside 8..15, or a
 * client_max_window_bits below 15 without WSX_HS_PMD_CLIENT_MAX_WINDOW_BITS
 * in info->deflate_offer (RFC 7692 section 7.1.2.2). */
WSX_API int wsx_hs_deflate_answer(const wsx_hs_request *info, void *out, size_t cap,
                                  size_t *out_len);

/* Writes a complete refusal for err (any wsx_err: a handshake error from
 * wsx_hs_server_check or a head error from wsx_http_parse_request): status
 * wsx_err_http_status(err) (400, 403, 405, 413, 414, 426, 431, 505; 500 for
 * errors that are not the client's), "Content-Type: text/plain",
 * Content-Length, "Connection: close", a one-line body wsx_strerror(err).
 * 405 adds "Allow: GET"; 426 adds "Sec-WebSocket-Version: 13" and
 * "Upgrade: websocket" (RFC 9110 section 15.5.22) with
 * "Connection: Upgrade, close".  Close the connection once it is sent.
 * A writer of rule 2: WSX_OK, a size query, WSX_E_BUFFER with *out_len
 * the size needed (at most WSX_HS_RESPONSE_SIZE), or WSX_E_ARG (NULL
 * out_len). */
WSX_API int wsx_hs_server_refusal(int err, void *out, size_t cap, size_t *out_len);

/* Check plus whichever response.  The result is the check's verdict, and
 * out holds the response that goes with it:
 *   WSX_OK              the 101 is in out[0..*out_len): the connection is
 *                       open once it is sent;
 *   a handshake or HTTP error (WSX_E_HS_*, ...): the refusal for it is in
 *                       out[0..*out_len): send it, then close;
 *   WSX_E_BUFFER        the response does not fit in cap: *out_len is its
 *                       size (the verdict is the same on a second call with
 *                       a buffer that large; or close without answering);
 *   WSX_E_ARG, WSX_E_HTTP_HEADER_NAME / _VALUE: an argument or cfg error
 *                       (as for wsx_hs_server_check and _accept), *out_len
 *                       0, nothing to send.
 * A size query (out NULL, cap 0) returns the verdict too, WSX_OK or the
 * check's error, with *out_len the size of that response; nothing is
 * written.  So after any result but WSX_E_BUFFER, out[0..*out_len) is
 * what to send.  info may be NULL if the caller does not need it. */
WSX_API int wsx_hs_server_answer(const wsx_hs_server_config *cfg, const char *method,
                                 size_t method_len, int http_major, int http_minor,
                                 const wsx_header *headers, size_t num_headers,
                                 wsx_hs_request *info, void *out, size_t cap, size_t *out_len);

/* wsx_hs_server_answer on a request from wsx_http_parse_request (HTTP/1.x);
 * WSX_E_ARG for a NULL req. */
WSX_API int wsx_hs_server_answer_request(const wsx_hs_server_config *cfg,
                                         const wsx_http_request *req, wsx_hs_request *info,
                                         void *out, size_t cap, size_t *out_len);

/* ---- client ------------------------------------------------------------------ */

/* permessage-deflate, what the client offers.  All zero: no offer.  Window
 * sizes are base-2 logarithms 8..15 or 0; other values make
 * wsx_hs_client_request return WSX_E_ARG when enabled.  The offer is one
 * element,
 *   permessage-deflate[; server_no_context_takeover]
 *     [; client_no_context_takeover][; server_max_window_bits=N]
 *     ; client_max_window_bits[=N]
 * client_max_window_bits is always there: wsx compresses with any window
 * the server asks for. */
typedef struct wsx_hs_deflate_offer {
    /* &wsx_hs_pmd_client: offer permessage-deflate; NULL: do not. */
    const wsx_hs_pmd_client_code *enable;
    /* 0: offered without a value (the client compresses with 15 unless the
     * server asks for less).  8..15: offered as client_max_window_bits=N,
     * a promise to compress with at most N whatever the answer says. */
    uint8_t client_max_window_bits;
    /* 0: not offered, the server may compress with up to 15 (the client's
     * inflate window must then be 15).  8..15: offered; the server must
     * answer with server_max_window_bits of at most N (or decline). */
    uint8_t server_max_window_bits;
    /* Nonzero: ask the server to reset its compressor after every message;
     * its answer must then say server_no_context_takeover. */
    uint8_t server_no_context_takeover;
    /* Nonzero: tell the server the client resets its compressor after
     * every message (a hint; the client does so in any case then). */
    uint8_t client_no_context_takeover;
} wsx_hs_deflate_offer;

typedef struct wsx_hs_client_config {
    const char *host;   /* Host value, e.g. "example.com:8080"; required */
    const char *path;   /* request target, e.g. "/chat?room=1"; NULL: "/" */
    const char *origin; /* NULL: no Origin header */
    /* Offered subprotocols (NUL-terminated tokens), sent as one
     * Sec-WebSocket-Protocol list; the server may pick one of them. */
    const char *const *subprotocols;
    size_t num_subprotocols;
    /* Extra request headers (Authorization, Cookie, User-Agent, ...):
     * token names (else WSX_E_HTTP_HEADER_NAME), field values (rule 8 of
     * wsx_base.h; else WSX_E_HTTP_HEADER_VALUE).  Host, Upgrade,
     * Connection, Origin, Content-Length, Transfer-Encoding and
     * Sec-WebSocket-{Key,Version,Protocol,Accept} are refused (WSX_E_ARG):
     * use the fields above.  A Sec-WebSocket-Extensions offer of other
     * extensions here is allowed, and the names it offers (with
     * permessage-deflate when deflate.enable) are the only ones the
     * response may accept; one naming permessage-deflate is refused
     * (WSX_E_ARG): offer it with deflate, whose answer wsx checks. */
    const wsx_header *extra_headers;
    size_t num_extra_headers;
    /* permessage-deflate (see above); all zero: not offered. */
    wsx_hs_deflate_offer deflate;
} wsx_hs_client_config;

/* Client handshake state (the key sent and what was offered).  Private
 * fields.  It keeps pointers to cfg's subprotocol and extra-header arrays:
 * they must stay valid until wsx_hs_client_check* has run. */
typedef struct wsx_hs_client {
    char _key[WSX_HS_KEY_LEN];
    const char *const *_subprotocols;
    size_t _num_subprotocols;
    const wsx_header *_extra;
    size_t _num_extra;
    wsx_hs_deflate_offer _deflate;
} wsx_hs_client;

/* What the client learned from a valid 101. */
typedef struct wsx_hs_response {
    /* The chosen subprotocol, a slice of the response's header value (it
     * lives as long as that buffer), or NULL / 0. */
    const char *subprotocol;
    size_t subprotocol_len;
    /* 1: the server accepted permessage-deflate on the terms in deflate;
     * 0: no compression (deflate then holds 15, 15, 0, 0).  The terms as
     * the client must keep them: client_max_window_bits is the smaller of
     * the answer's value and the offer's own (15 for an absent one);
     * client_no_context_takeover is set when either side said so. */
    int permessage_deflate;
    wsx_ws_deflate_params deflate;
} wsx_hs_response;

/* Writes the upgrade request (RFC 6455 section 4.1):
 *   GET <path> HTTP/1.1
 *   Host: <host>
 *   Upgrade: websocket
 *   Connection: Upgrade
 *   Sec-WebSocket-Key: <base64(nonce)>
 *   Sec-WebSocket-Version: 13
 *   [Origin: <origin>]
 *   [Sec-WebSocket-Protocol: <p1>, <p2>, ...]
 *   [Sec-WebSocket-Extensions: permessage-deflate; ...]   (cfg->deflate)
 *   [extra headers]
 * nonce: 16 bytes, unpredictable and fresh for each connection (see the
 * top of this header).  A writer of rule 2: WSX_OK with out[0..*out_len),
 * a size query, or WSX_E_BUFFER with *out_len the size needed; hs is set
 * up in all three cases.  Other errors (*out_len 0):
 *   WSX_E_ARG               NULL hs, cfg, nonce or out_len; no host; a path
 *                           not starting with '/' or holding other bytes
 *                           than 0x21-0x7E; a subprotocol that is not a
 *                           token; an enabled cfg->deflate with window
 *                           sizes other than 0 or 8..15; a refused extra
 *                           header;
 *   WSX_E_HTTP_HEADER_VALUE a host that is not 0x21-0x7E only, an origin
 *                           that is empty or not a field value, an extra
 *                           header value breaking rule 8;
 *   WSX_E_HTTP_HEADER_NAME  an extra header name that is not a token. */
WSX_API int wsx_hs_client_request(wsx_hs_client *hs, const wsx_hs_client_config *cfg,
                                  const uint8_t nonce[WSX_HS_NONCE_LEN], void *out, size_t cap,
                                  size_t *out_len);

/* Validates the server's answer (RFC 6455 section 4.1, client steps 1-6):
 *   status 101                                          else WSX_E_HS_STATUS
 *   Upgrade has "websocket"                             WSX_E_HS_UPGRADE
 *   Connection has "upgrade"                            WSX_E_HS_CONNECTION
 *   exactly one Sec-WebSocket-Accept equal to the key's WSX_E_HS_ACCEPT
 *   Sec-WebSocket-Protocol absent, or one field holding one of the offered
 *   names (case-sensitive)                              WSX_E_HS_SUBPROTOCOL
 *   Sec-WebSocket-Extensions only with offered names    WSX_E_HS_EXTENSION
 *   permessage-deflate at most once, its parameters known, each at most
 *   once, server_no_context_takeover and client_no_context_takeover
 *   without a value, server_max_window_bits and client_max_window_bits
 *   with one of 8..15 (no leading zero; quoted allowed) WSX_E_HS_DEFLATE_PARAM
 *   ... and within the offer: server_max_window_bits present and at most
 *   the offered value when one was offered, server_no_context_takeover
 *   present when offered (RFC 7692 sections 7.1.1.1,
 *   7.1.2.1)                                            WSX_E_HS_DEFLATE_TERMS
 * A server_max_window_bits the client did not ask for, a
 * client_max_window_bits above the client's own value, and either
 * *_no_context_takeover are accepted (the RFC lets the server send them).
 * On WSX_OK *info, when info is not NULL, says what was agreed (see
 * wsx_hs_response); on error it holds no subprotocol and no compression.
 * A non-101 status is for the caller to interpret (401, redirects...).
 * WSX_E_ARG for a NULL hs, or NULL headers with num_headers > 0. */
WSX_API int wsx_hs_client_check(const wsx_hs_client *hs, int status, const wsx_header *headers,
                                size_t num_headers, wsx_hs_response *info);

/* wsx_hs_client_check on a response from wsx_http_parse_response;
 * WSX_E_ARG for a NULL res. */
WSX_API int wsx_hs_client_check_response(const wsx_hs_client *hs, const wsx_http_response *res,
                                         wsx_hs_response *info);

#ifdef __cplusplus
}
#endif

#endif /* WSX_HANDSHAKE_H */
