#!/bin/sh
# The core is freestanding C99 (README, "Freestanding"): every src/*.c
# compiles with -ffreestanding -nostdinc against a directory holding only
# <stddef.h>, <stdint.h> (the compiler's own), a <limits.h> written here
# from the compiler's predefined macros and a <string.h> that declares
# nothing but memchr, memcmp, memcpy, memmove, memset, strcmp and strlen;
# then the objects call no outside function but those (and name the
# linker's _GLOBAL_OFFSET_TABLE_ in a PIE build), and the integer
# helpers of the compiler's own runtime (libgcc: __ctzdi2 for a 64-bit
# count of trailing zeros on a 32-bit target).  The small profile with gcc
# and clang on this machine, both profiles for a Cortex-M4 (arm-none-eabi-gcc), the default profile with
# clang here too, where it also includes the compiler's intrinsics headers
# (cpuid.h, immintrin.h, emmintrin.h) for its CPU variants (gcc 12's x86
# intrinsics headers include <stdlib.h>: with gcc on x86 the default profile
# needs the C library's headers, though it calls nothing more from it).
#   tests/check_freestanding.sh
set -u
cd "$(dirname "$0")/.." || exit 1
p=0
f=0
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
allowed='^(memchr|memcmp|memcpy|memmove|memset|strcmp|strlen|_GLOBAL_OFFSET_TABLE_|__aeabi_[a-z0-9]+|__[a-z]+[dt]i[0-9])$'

# headers CC DIR: the four headers, the string.h one written here
headers() {
    mkdir -p "$2"
    for h in stddef.h stdint.h; do
        src=$(echo "#include <$h>" | "$1" -ffreestanding -E -H -x c - 2>&1 >/dev/null | sed -n 's/^\. //p' | head -n 1)
        [ -f "$src" ] || { echo "FAIL $1 has no freestanding <$h>"; return 1; }
        cp "$src" "$2/$h"
        # gcc's stdint.h forwards to stdint-gcc.h
        [ -f "$(dirname "$src")/stdint-gcc.h" ] && cp "$(dirname "$src")/stdint-gcc.h" "$2/"
    done
    # (gcc's own limits.h goes on to the C library's)
    cat >"$2/limits.h" <<'H'
#ifndef FREESTANDING_LIMITS_H
#define FREESTANDING_LIMITS_H
#define CHAR_BIT __CHAR_BIT__
#define SCHAR_MAX __SCHAR_MAX__
#define SHRT_MAX __SHRT_MAX__
#define INT_MAX __INT_MAX__
#define INT_MIN (-INT_MAX - 1)
#define UINT_MAX (INT_MAX * 2U + 1U)
#define LONG_MAX __LONG_MAX__
#define LONG_MIN (-LONG_MAX - 1L)
#define ULONG_MAX (LONG_MAX * 2UL + 1UL)
#define LLONG_MAX __LONG_LONG_MAX__
#define ULLONG_MAX (LLONG_MAX * 2ULL + 1ULL)
#endif
H
    cat >"$2/string.h" <<'H'
#ifndef FREESTANDING_STRING_H
#define FREESTANDING_STRING_H
#include <stddef.h>
void *memchr(const void *s, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memcpy(void *restrict d, const void *restrict s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int strcmp(const char *a, const char *b);
size_t strlen(const char *s);
#endif
H
}

# build CC NAME FLAGS...: every source, then what the objects call
build() {
    cc=$1 name=$2
    shift 2
    command -v "$cc" >/dev/null 2>&1 || { echo "FAIL $name: $cc is not installed"; f=$((f + 1)); return; }
    inc=$T/$cc-inc
    [ -d "$inc" ] || headers "$cc" "$inc" || { f=$((f + 1)); return; }
    mkdir -p "$T/$name"
    errs=0
    for src in src/*.c; do
        o=$T/$name/$(basename "$src" .c).o
        if ! "$cc" -std=c99 -Wall -Wextra -Wpedantic -Werror -ffreestanding -nostdinc -isystem "$inc" "$@" \
            -Iinclude -DWSX_BUILDING -O1 -c "$src" -o "$o" 2>"$T/log"; then
            echo "FAIL $name: $src"
            sed 's/^/    /' "$T/log" | head -n 5
            errs=$((errs + 1))
        fi
    done
    if [ "$errs" -eq 0 ]; then
        p=$((p + 1))
        echo "ok   $name: every src/*.c compiles freestanding ($cc $*)"
    else
        f=$((f + 1))
        return
    fi
    outside=$(nm -u "$T/$name"/*.o | awk 'NF == 2 {print $2}' | sort -u | grep -v '^wsx_' | grep -Ev "$allowed")
    if [ -z "$outside" ]; then
        p=$((p + 1))
        echo "ok   $name: calls only $(nm -u "$T/$name"/*.o | awk 'NF == 2 {print $2}' | sort -u | grep -v '^wsx_' | tr '\n' ' ')"
    else
        f=$((f + 1))
        echo "FAIL $name: calls outside functions: $outside"
    fi
}

intrinsics() { # the compiler's own include directory (cpuid.h, immintrin.h)
    echo "-isystem $("$1" -print-file-name=include)"
}
build gcc gcc-small -DWSX_SMALL
build gcc gcc-small-no-strings -DWSX_SMALL -DWSX_NO_ERROR_STRINGS
build clang clang-small -DWSX_SMALL
# shellcheck disable=SC2046
build clang clang-default $(intrinsics clang)
# a firmware target: no CPU variants there, so both profiles
M4="-mcpu=cortex-m4 -mthumb"
build arm-none-eabi-gcc cortex-m4-small $M4 -DWSX_SMALL
build arm-none-eabi-gcc cortex-m4-default $M4
echo "$p passed, $f failed"
[ "$f" -eq 0 ]
