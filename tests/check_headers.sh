#!/bin/sh
# Each public header compiles alone as C99 with every warning as an error,
# and every ordered pair of headers compiles too (any header may come first).
p=0; f=0
try() { # try NAME HEADER...
    name=$1; shift
    src=""
    for h in "$@"; do src="$src#include \"$h\"
"; done
    if printf '%sint main(void){return 0;}\n' "$src" |
        ${CC:-cc} -std=c99 -Wall -Wextra -Wpedantic -Werror -Iinclude -x c - -o /dev/null; then
        p=$((p + 1))
    else
        echo "FAIL $name"; f=$((f + 1))
    fi
}
for h in include/*.h; do
    try "$h alone" "${h#include/}"
done
for h in include/*.h; do
    for g in include/*.h; do
        [ "$h" = "$g" ] || try "$h then $g" "${h#include/}" "${g#include/}"
    done
done
echo "$p passed, $f failed"
