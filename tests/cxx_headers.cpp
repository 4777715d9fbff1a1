// Every public header must compile as C++ (and, alone, as C99: tests/run.sh).
#include "wsx.h"
#include "wsx_base.h"
#include "wsx_util.h"
#include "wsx_ws.h"
#include "wsx_sse.h"
#include "wsx_sse_gzip.h"
#include "wsx_http.h"
#include "wsx_conn.h"
#include "wsx_conn_feed.h"
#include "wsx_conn_deflate.h"
#include "wsx_handshake.h"
#include "wsx_deflate.h"
int main() { return wsx_strerror(WSX_E_ARG) == 0; }
