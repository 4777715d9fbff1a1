#!/usr/bin/env bash
# aarch64 run of the suites with CPU variants: cross-compiles the library
# and the suites below for aarch64 and runs them under qemu-user, whose CPU
# has the ARMv8 SHA1 instructions, so the SHA-1 code built for them
# (src/sha1_hw.c) runs next to the portable rounds; the UTF-8 suite runs the
# word code aarch64 takes.  The run must show the SHA1 instructions in use.
#   tests/interop/test_aarch64.sh
# Needs gcc-aarch64-linux-gnu, libc6-dev-arm64-cross, qemu-user-static
# (.ci/run installs them); without them: a loud SKIP, or a failure when
# WSX_REQUIRE_PEERS=1.
# run.sh: cpu only
. "$(dirname "$0")/lib.sh"
cd "$INTEROP_DIR/../.." || exit 1

SUITES="test_sha1 test_utf8 test_utf8_avx2 test_errors test_handshake"
CROSS=${WSX_AARCH64_CC:-aarch64-linux-gnu-gcc}
QEMU=${WSX_QEMU_AARCH64:-qemu-aarch64-static}
SYSROOT=/usr/aarch64-linux-gnu

if need "$CROSS" "$QEMU"; then
    run() { "$QEMU" -L "$SYSROOT" "$@"; }
    FLAGS="-std=c99 -O1 -g -Wall -Wextra -Wpedantic -Werror -Iinclude -Isrc -Itests -D_DEFAULT_SOURCE -DWSX_TEST_QUICK"
    lib_ok=1
    mkdir -p "$TMPD/obj"
    for src in src/*.c; do
        if ! "$CROSS" $FLAGS -DWSX_BUILDING -c "$src" -o "$TMPD/obj/$(basename "${src%.c}").o" 2>"$TMPD/cc.log"; then
            bad "aarch64 compile $src" "$(head -n 5 "$TMPD/cc.log")"
            lib_ok=0
        fi
    done
    if [ "$lib_ok" = 1 ]; then
        ok "library compiles for aarch64 with -Werror"
        ar rcs "$TMPD/libwsx.a" "$TMPD"/obj/*.o
        for t in $SUITES; do
            if ! "$CROSS" $FLAGS "tests/$t.c" -o "$TMPD/$t" "$TMPD/libwsx.a" -lm 2>"$TMPD/cc.log"; then
                bad "$t (aarch64)" "does not compile: $(head -n 5 "$TMPD/cc.log")"
                continue
            fi
            out=$(run "$TMPD/$t" 2>&1)
            status=$?
            last=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
            if [ "$status" -eq 0 ] && [ -n "$last" ] && [ "${last#*, }" = "0 failed" ]; then
                ok "$t (aarch64): $last"
            else
                bad "$t (aarch64)" "exit $status; $(printf '%s\n' "$out" | tail -n 15)"
            fi
            if [ "$t" = test_sha1 ]; then
                if printf '%s\n' "$out" | grep -q '^SHA-1 cpu instructions:$'; then
                    ok "SHA-1 with the ARMv8 SHA1 instructions ran (aarch64)"
                else
                    bad "SHA-1 ARMv8 variant (aarch64)" "not chosen: $(printf '%s\n' "$out" | grep '^SHA-1')"
                fi
            fi
        done
    fi
fi
finish
