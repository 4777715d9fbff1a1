#!/usr/bin/env bash
# make install / uninstall into a DESTDIR: headers, static and shared library
# (with its SONAME), pkg-config file; a program built with pkg-config against
# the installed copy runs; uninstall removes every file it installed.
. "$(dirname "$0")/lib.sh"
cd "$INTEROP_DIR/../.." || exit 1
need pkg-config readelf || finish
D=$TMPD/root
if make -s install DESTDIR="$D" PREFIX=/opt/wsx >"$TMPD/install.log" 2>&1; then
    ok "make install DESTDIR=... PREFIX=/opt/wsx"
else
    bad "make install" "$(tail -5 "$TMPD/install.log")"; finish
fi
for f in include/wsx.h include/wsx_ws.h include/wsx_sse.h lib/libwsx.a lib/libwsx.so lib/libwsx.so.0 lib/pkgconfig/wsx.pc; do
    [ -e "$D/opt/wsx/$f" ] && ok "installed $f" || bad "installed $f" "missing"
done
soname=$(readelf -d "$D/opt/wsx/lib/libwsx.so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
[ "$soname" = libwsx.so.0 ] && ok "SONAME libwsx.so.0" || bad "SONAME" "got '$soname'"
cat >"$TMPD/prog.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <wsx.h>
int main(void)
{
    char acc[WSX_WS_ACCEPT_LEN];
    wsx_ws_accept("dGhlIHNhbXBsZSBub25jZQ==", 24, acc);
    printf("%s %.*s\n", wsx_version_string(), WSX_WS_ACCEPT_LEN, acc);
    return wsx_version() != WSX_VERSION_NUM;
}
C
export PKG_CONFIG_PATH=$D/opt/wsx/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$D
if ${CC:-cc} -std=c99 $(pkg-config --cflags wsx) "$TMPD/prog.c" -o "$TMPD/prog" $(pkg-config --libs wsx) 2>"$TMPD/cc.log"; then
    ok "program builds with pkg-config --cflags --libs wsx"
    out=$(LD_LIBRARY_PATH=$D/opt/wsx/lib "$TMPD/prog")
    [ "$out" = "$(pkg-config --modversion wsx) s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" ] && ok "runs against the shared library" || bad "runs" "$out"
    ldd "$TMPD/prog" | grep -q 'libwsx.so.0' && ok "linked to libwsx.so.0" || bad "linked to libwsx.so.0" "$(ldd "$TMPD/prog")"
else
    bad "program builds with pkg-config" "$(head -5 "$TMPD/cc.log")"
fi
make -s uninstall DESTDIR="$D" PREFIX=/opt/wsx >/dev/null 2>&1
left=$(find "$D" -type f -o -type l)
[ -z "$left" ] && ok "uninstall removes every installed file" || bad "uninstall" "left: $left"
finish
