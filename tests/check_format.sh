#!/bin/sh
# The C sources follow .clang-format: `make format` applies it, this check
# fails on any file that differs.  CI installs clang-format (.ci/run).
if ! command -v clang-format >/dev/null 2>&1; then
    if [ -n "${WSX_REQUIRE_PEERS:-}" ]; then echo "clang-format: not installed"; echo "0 passed, 1 failed"; exit 1; fi
    echo "SKIP clang-format is not installed"; echo "0 passed, 0 failed"; exit 0
fi
passed=0
failed=0
for f in $(git ls-files '*.c' '*.h' '*.cpp' 2>/dev/null || find include src tests fuzz bench examples -name '*.[ch]'); do
    if clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $f is not formatted (make format)"
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
