#!/usr/bin/env bash
# The OPENSSL=1 build: SHA-1 comes from libcrypto (the object references
# SHA1, the built-in code is not compiled in), the .pc says
# Requires.private: libcrypto, and the SHA-1 and handshake suites pass
# against that library.  Built in a temp dir, the shared build/ untouched.
. "$(dirname "$0")/lib.sh"
cd "$INTEROP_DIR/../.." || exit 1
need pkg-config || finish
if ! pkg-config --exists libcrypto; then
    if [ "${WSX_REQUIRE_PEERS:-0}" = 1 ]; then bad "libcrypto" "missing (apt-get install libssl-dev)"
    else echo "SKIP: libssl-dev is not installed; OPENSSL=1 checks did NOT run"; fi
    finish
fi
O=$TMPD/b
if make -s B="$O" OPENSSL=1 "$O/libwsx.a" "$O/wsx.pc" >"$TMPD/make.log" 2>&1; then
    ok "make OPENSSL=1 builds the library"
else
    bad "make OPENSSL=1" "$(tail -5 "$TMPD/make.log")"; finish
fi
nm "$O/obj/sha1.o" | grep -qw 'U SHA1' && ok "sha1.o calls libcrypto's SHA1" || bad "sha1.o calls SHA1" "$(nm "$O/obj/sha1.o")"
grep -qx 'Requires.private: libcrypto' "$O/wsx.pc" && ok "wsx.pc: Requires.private: libcrypto" || bad "wsx.pc" "$(cat "$O/wsx.pc")"
for t in test_sha1 test_handshake test_ws_conn; do
    if ${CC:-cc} -std=c99 -D_DEFAULT_SOURCE -Iinclude -Isrc -Itests "tests/$t.c" -o "$TMPD/$t" \
            "$O/libwsx.a" -lcrypto -lm 2>"$TMPD/cc.log"; then
        last=$("$TMPD/$t" 2>&1 | tail -n 1)
        case "$last" in *" 0 failed") ok "$t with libcrypto SHA-1: $last" ;; *) bad "$t with libcrypto SHA-1" "$last" ;; esac
    else
        bad "$t builds" "$(head -5 "$TMPD/cc.log")"
    fi
done
finish
