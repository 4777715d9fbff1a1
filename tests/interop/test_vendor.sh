#!/usr/bin/env bash
# Vendoring exactly as README.md says ("Build and install"): copy the
# include/ and src/ directories into another tree (as wsx/), compile with
# README's command, `cc -std=c99 -Iwsx/include -c wsx/src/*.c`, and link a
# program that uses the umbrella header <wsx.h>.  Done twice: with the
# default flags, and with -DWSX_SMALL -Os (the firmware profile); the program
# checks which profile it linked.  No warnings are expected from a plain
# compile either.
# run.sh: cpu only
. "$(dirname "$0")/lib.sh"
cd "$INTEROP_DIR/../.." || exit 1
CC=${CC:-cc}
need "$CC" || finish

APP=$TMPD/app
mkdir -p "$APP/wsx"
cp -R include src "$APP/wsx/"
cat >"$APP/main.c" <<'C'
#include <stdio.h>
#include <string.h>

#include <wsx.h>

/* Answers the RFC 6455 sample request and prints the profile and whether
 * the 101 carries the sample's Sec-WebSocket-Accept. */
int main(void)
{
    static const char req[] = "GET /chat HTTP/1.1\r\nHost: server.example.com\r\n"
                              "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                              "Sec-WebSocket-Version: 13\r\n\r\n";
    wsx_http_parser p;
    wsx_header h[16];
    wsx_http_request q;
    char out[WSX_HS_RESPONSE_SIZE + 1];
    size_t out_len = 0;
    if (wsx_http_parser_init(&p, NULL) != WSX_OK ||
        wsx_http_parse_request(&p, req, sizeof req - 1, h, 16, &q) != (int)sizeof req - 1 ||
        wsx_hs_server_answer_request(NULL, &q, NULL, out, sizeof out - 1, &out_len) != WSX_OK)
        return 1;
    out[out_len] = '\0';
    printf("%s %s\n", (wsx_build_flags() & WSX_BUILD_SMALL) ? "small" : "fast",
           strstr(out, "\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n") ? "accept-ok"
                                                                                  : "accept-bad");
    return wsx_version() != WSX_VERSION_NUM;
}
C

# vendor NAME WANT FLAGS...: README's command with FLAGS in a fresh object
# directory, then the program linked against those objects and run
vendor() {
    local name=$1 want=$2 obj=$APP/obj-$1
    shift 2
    mkdir -p "$obj"
    if ! (cd "$obj" && "$CC" -std=c99 "$@" -I../wsx/include -c ../wsx/src/*.c) 2>"$TMPD/cc.log"; then
        bad "$name: cc -std=c99 -Iwsx/include -c wsx/src/*.c" "$(head -n 5 "$TMPD/cc.log")"
        return
    fi
    ok "$name: cc -std=c99 $* -Iwsx/include -c wsx/src/*.c"
    [ -s "$TMPD/cc.log" ] && bad "$name: warnings" "$(head -n 5 "$TMPD/cc.log")" || ok "$name: no warnings"
    if ! "$CC" -std=c99 "$@" -I"$APP/wsx/include" "$APP/main.c" "$obj"/*.o -o "$APP/main-$name" \
        2>"$TMPD/cc.log"; then
        bad "$name: link a program using <wsx.h>" "$(head -n 5 "$TMPD/cc.log")"
        return
    fi
    ok "$name: a program using <wsx.h> links"
    out=$("$APP/main-$name")
    [ "$out" = "$want" ] && ok "$name: runs ($out)" || bad "$name: runs" "got '$out', want '$want'"
}

vendor default "fast accept-ok" -O2
vendor small "small accept-ok" -DWSX_SMALL -Os
finish
