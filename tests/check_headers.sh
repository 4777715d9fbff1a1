#!/bin/sh
# Each public header compiles alone as C99 with every warning as an error.
p=0; f=0
for h in include/*.h; do
    if printf '#include "%s"\nint main(void){return 0;}\n' "${h#include/}" |
        ${CC:-cc} -std=c99 -Wall -Wextra -Wpedantic -Werror -Iinclude -x c - -o /dev/null; then
        p=$((p + 1))
    else
        echo "FAIL $h does not compile alone as C99"; f=$((f + 1))
    fi
done
echo "$p passed, $f failed"
