#!/usr/bin/env bash
# Big-endian run of the unit suites: cross-compiles the library and the
# suites below for s390x (64-bit big-endian) and runs them under
# qemu-user.  Catches byte-order bugs in word-at-a-time code (masking,
# UTF-8 fast path) and in length/field encoding.
#   tests/interop/test_bigendian.sh [BUILD_DIR]
# Needs gcc-s390x-linux-gnu, libc6-dev-s390x-cross, qemu-user-static (.ci/run
# installs them); without them: a loud SKIP, or a failure when
# WSX_REQUIRE_PEERS=1.  WSX_TEST_QUICK trims the exhaustive loops so the
# whole script stays at a few seconds.
# run.sh: cpu only
. "$(dirname "$0")/lib.sh"
cd "$INTEROP_DIR/../.." || exit 1

# Every unit suite runs big-endian.
SUITES=$(cd tests && ls test_*.c | sed "s/\.c$//")
CROSS=${WSX_S390X_CC:-s390x-linux-gnu-gcc}
QEMU=${WSX_QEMU_S390X:-qemu-s390x-static}
SYSROOT=/usr/s390x-linux-gnu

if need "$CROSS" "$QEMU"; then
    run() { "$QEMU" -L "$SYSROOT" "$@"; }
    FLAGS="-std=c99 -O1 -g -Iinclude -Isrc -Itests -D_DEFAULT_SOURCE -DWSX_TEST_QUICK"

    # The target really is big-endian (otherwise every check below is moot).
    printf '#include <stdio.h>\nint main(void){unsigned x=1;puts(*(unsigned char*)&x?"little":"big");return 0;}\n' \
        >"$TMPD/endian.c"
    if "$CROSS" "$TMPD/endian.c" -o "$TMPD/endian" && [ "$(run "$TMPD/endian")" = big ]; then
        ok "s390x target is big-endian"
    else
        bad "s390x target is big-endian" "cross compiler or qemu does not work"
    fi

    # The library, from every src/*.c, as the Makefile builds it.
    lib_ok=1
    for src in src/*.c; do
        o="$TMPD/obj/$(basename "${src%.c}").o"
        mkdir -p "$TMPD/obj"
        if ! "$CROSS" $FLAGS -DWSX_BUILDING -c "$src" -o "$o" 2>"$TMPD/cc.log"; then
            bad "cross-compile $src" "$(head -n 5 "$TMPD/cc.log")"
            lib_ok=0
        fi
    done
    if [ "$lib_ok" = 1 ]; then
        ar rcs "$TMPD/libwsx.a" "$TMPD"/obj/*.o
        for t in $SUITES; do
            [ -f "tests/$t.c" ] || { bad "$t" "tests/$t.c missing"; continue; }
            # Extra libraries (TEST_LIBS: zlib as an oracle) have no s390x
            # build here; such a suite runs in the native builds.
            if grep -q 'TEST_LIBS:' "tests/$t.c"; then
                echo "SKIP: $t (s390x) links $(sed -n 's/^.*TEST_LIBS: *//p' "tests/$t.c"), not installed for s390x"
                continue
            fi
            if ! "$CROSS" $FLAGS "tests/$t.c" -o "$TMPD/$t" "$TMPD/libwsx.a" -lm 2>"$TMPD/cc.log"; then
                bad "$t (s390x)" "does not compile: $(head -n 5 "$TMPD/cc.log")"
                continue
            fi
            out=$(run "$TMPD/$t" 2>&1)
            status=$?
            last=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
            if [ "$status" -eq 0 ] && [ -n "$last" ] && [ "${last#*, }" = "0 failed" ]; then
                ok "$t (s390x): $last"
            else
                bad "$t (s390x)" "exit $status; $(printf '%s\n' "$out" | tail -n 15)"
            fi
        done
    fi
fi
finish
