#!/bin/sh
# The promise, checked on the built library (build/libwsx.a):
#  - every global symbol it defines starts with wsx_ (internal ones wsx__),
#    so a static link never clashes with user code;
#  - the only outside functions it calls are memory/string helpers from libc
#    (and getauxval on Linux/aarch64, which reads the CPU features):
#    no allocation, no I/O, no clock (OPENSSL=1 adds SHA1 from libcrypto).
B=${1:-build}
lib=$B/libwsx.a
p=0; f=0
defined=$(nm -g --defined-only "$lib" | awk 'NF == 3 {print $3}' | sort -u)
bad_names=$(echo "$defined" | grep -v '^wsx_' || true)
if [ -z "$bad_names" ]; then p=$((p + 1)); else
    echo "FAIL global symbols without the wsx_ prefix: $bad_names"; f=$((f + 1)); fi
allowed='^(memchr|memcmp|memcpy|memmove|memset|strchr|strcmp|strlen|_GLOBAL_OFFSET_TABLE_|SHA1|__stack_chk_fail|getauxval)$'
outside=$(nm -u "$lib" | awk 'NF == 2 {print $2}' | sort -u | grep -v '^wsx_' | grep -Ev "$allowed" || true)
if [ -z "$outside" ]; then p=$((p + 1)); else
    echo "FAIL libwsx.a calls outside functions: $outside"; f=$((f + 1)); fi
echo "$p passed, $f failed"
