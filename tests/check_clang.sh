#!/bin/sh
# The library and every unit test compile warning-free with clang too
# (-std=c99 -Wall -Wextra -Wpedantic -Werror), and headers as C++ with clang++.
p=0; f=0
if ! command -v clang >/dev/null 2>&1; then
    if [ "${WSX_REQUIRE_PEERS:-0}" = 1 ]; then echo "FAIL clang missing"; echo "0 passed, 1 failed"; exit 1; fi
    echo "SKIP: clang is not installed; clang checks did NOT run"; echo "0 passed, 0 failed"; exit 0
fi
for src in src/*.c tests/test_*.c; do
    if clang -std=c99 -Wall -Wextra -Wpedantic -Werror -D_DEFAULT_SOURCE -Iinclude -Isrc -Itests \
            -fsyntax-only "$src"; then
        p=$((p + 1))
    else
        echo "FAIL clang: $src"; f=$((f + 1))
    fi
done
if clang++ -Wall -Wextra -Wpedantic -Werror -Iinclude -fsyntax-only tests/cxx_headers.cpp; then
    p=$((p + 1))
else
    echo "FAIL clang++: tests/cxx_headers.cpp"; f=$((f + 1))
fi
echo "$p passed, $f failed"
