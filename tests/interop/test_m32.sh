#!/usr/bin/env bash
# 32-bit run of every unit suite: the library and tests built with -m32
# (i386: 32-bit size_t and pointers, 64-bit lengths split in two registers)
# and -Werror, so narrowing and type-limit mistakes that 64-bit builds hide
# show up.  Needs libc6-dev-i386 and lib32gcc-12-dev (.ci/run installs them;
# not gcc-multilib, which removes the cross compilers).
# run.sh: cpu only
. "$(dirname "$0")/lib.sh"
cd "$INTEROP_DIR/../.." || exit 1
CC32=${CC:-cc}
FLAGS="-m32 -std=c99 -O1 -g -Wall -Wextra -Wpedantic -Werror -Iinclude -Isrc -Itests -D_DEFAULT_SOURCE -DWSX_TEST_QUICK"

printf 'int main(void){return sizeof(void *) != 4;}\n' >"$TMPD/probe.c"
if ! $CC32 -m32 "$TMPD/probe.c" -o "$TMPD/probe" 2>/dev/null || ! "$TMPD/probe"; then
    if [ "${WSX_REQUIRE_PEERS:-0}" = 1 ]; then
        bad "-m32 toolchain" "cannot build 32-bit programs (apt-get install libc6-dev-i386 lib32gcc-12-dev)"
    else
        echo "SKIP: cannot build 32-bit programs (libc6-dev-i386 lib32gcc-12-dev); 32-bit checks did NOT run"
    fi
    finish
fi

mkdir -p "$TMPD/obj"
lib_ok=1
for src in src/*.c; do
    if ! $CC32 $FLAGS -DWSX_BUILDING -c "$src" -o "$TMPD/obj/$(basename "${src%.c}").o" 2>"$TMPD/cc.log"; then
        bad "-m32 compile $src" "$(head -n 5 "$TMPD/cc.log")"
        lib_ok=0
    fi
done
[ "$lib_ok" = 1 ] && ok "library compiles for i386 with -Werror" || finish
ar rcs "$TMPD/libwsx.a" "$TMPD"/obj/*.o
for t in tests/test_*.c; do
    n=$(basename "${t%.c}")
    # A suite with extra libraries (TEST_LIBS: zlib as an oracle) has no
    # i386 build of them here; it runs in the native builds.
    if grep -q 'TEST_LIBS:' "$t"; then
        echo "SKIP: $n (i386) links $(sed -n 's/^.*TEST_LIBS: *//p' "$t"), not installed for i386"
        continue
    fi
    if ! $CC32 $FLAGS "$t" -o "$TMPD/$n" "$TMPD/libwsx.a" -lm 2>"$TMPD/cc.log"; then
        bad "$n (i386)" "does not compile: $(head -n 5 "$TMPD/cc.log")"
        continue
    fi
    out=$("$TMPD/$n" 2>&1)
    status=$?
    last=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
    if [ "$status" -eq 0 ] && [ -n "$last" ] && [ "${last#*, }" = "0 failed" ]; then
        ok "$n (i386): $last"
    else
        bad "$n (i386)" "exit $status; $(printf '%s\n' "$out" | tail -n 15)"
    fi
done
finish
