/* Private: the HTTP statuses wsx answers with, shared by the error table
 * (error.c) and the handshake's status lines (ws_handshake_server.c). */
#ifndef WSX_HTTP_STATUS_H
#define WSX_HTTP_STATUS_H

/* 101, then every http_status of WSX_ERROR_TABLE, ascending. */
#define WSX__HTTP_STATUSES 9
extern const unsigned short wsx__http_statuses[WSX__HTTP_STATUSES];

#endif
