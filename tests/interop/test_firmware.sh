#!/usr/bin/env bash
# The firmware-style build (examples/firmware): wsx on a Cortex-M4 with
# static buffers only.
#   - fw_demo runs on the host (ASan+UBSan) and, built for the Cortex-M4,
#     under qemu-arm: the same checks (handshake, echo, pong, close, the SSE
#     stream read back) must pass in both;
#   - the linked Cortex-M4 demo contains no malloc/free/calloc/realloc, and
#     the library objects call nothing outside the string functions and the
#     compiler's helpers;
#   - the WebSocket codec (ws_decode + ws_encode + utf8 + mask) stays under
#     its 4 KiB budget; what a firmware links for each role of
#     examples/firmware/roles.c (WebSocket server, client, SSE server,
#     client; both servers: 12 KiB + 128 B) stays under 12 KiB; the DEFLATE decompressor
#     (inflate + inflate_small, the WSX_SMALL profile) under 3 KiB, the
#     compressor (deflate + deflate_block) within 4 KiB; the whole library stays under a
#     ceiling that stops it from growing (32.5 KiB, of which 3.5 KiB are the
#     decompressor, gzip reader and CRC-32, 4.4 KiB the compressor and
#     gzip writer, 2 KiB gzip'd event streams, 1.8 KiB permessage-deflate
#     in the connection and 1.9 KiB its negotiation).  The whole-library target of 12 KiB is NOT met (see
#     README); make size prints it as OVER.
# Needs gcc-arm-none-eabi + libnewlib-arm-none-eabi (and qemu-user-static
# for the emulated run), which .ci/run installs.
# run.sh: cpu only
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$INTEROP_DIR/../.." && pwd)
cd "$ROOT" || exit 1

need arm-none-eabi-gcc arm-none-eabi-nm arm-none-eabi-size || finish

# ---- the demo on the host ------------------------------------------------------
HOST_CC=${CC:-cc}
if $HOST_CC -std=c99 -Wall -Wextra -Wpedantic -Werror -DFW_DEMO_HOST -Iinclude -DWSX_BUILDING \
    -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined \
    examples/firmware/fw_demo.c examples/firmware/fw_browser.c src/*.c -o "$TMPD/fw_demo_host" 2>"$TMPD/host.err"; then
    if "$TMPD/fw_demo_host" >"$TMPD/host.out" 2>&1; then
        ok "fw_demo on the host: every check passed"
    else
        bad "fw_demo on the host" "exit status $? (the number of the failed check)"
    fi
    sed 's/^/    /' "$TMPD/host.out"
else
    bad "fw_demo host build" "$(head -n 20 "$TMPD/host.err")"
fi

# ---- the Cortex-M4 build and its sizes -----------------------------------------
if bash examples/firmware/size.sh "$TMPD/size" >"$TMPD/size.out" 2>"$TMPD/size.err"; then
    ok "make size build (library, fw_demo.elf, state sizes) for cortex-m4"
else
    bad "make size build" "$(tail -n 20 "$TMPD/size.err")"
    finish
fi
cat "$TMPD/size.out"
if grep -q 'warning:' "$TMPD/size.err"; then
    echo "    note: arm-none-eabi-gcc warnings (32-bit target):"
    grep 'warning:' "$TMPD/size.err" | sed 's/^/      /'
fi

val() { awk -F= -v k="$1" '$1 == k { print $2 }' "$TMPD/size/summary"; }

# No heap anywhere in the linked program.
heap=$(arm-none-eabi-nm "$TMPD/size/fw_demo.elf" |
    awk '{ print $NF }' | grep -E '^_?_?(malloc|free|calloc|realloc|memalign|sbrk)(_r)?$|^_sbrk$' || true)
if [ -z "$heap" ]; then
    ok "fw_demo.elf links no malloc/free/calloc/realloc/sbrk"
else
    bad "fw_demo.elf links heap functions" "$(echo $heap)"
fi

# What the library objects call from outside themselves.
defined=$(for o in "$TMPD"/size/obj/*.o; do arm-none-eabi-nm --defined-only "$o"; done | awk '{ print $NF }' | sort -u)
outside=$(for o in "$TMPD"/size/obj/*.o; do arm-none-eabi-nm -u "$o"; done | awk '{ print $NF }' | sort -u |
    grep -vxF "$defined" || true)
unexpected=$(echo "$outside" | grep -vE '^$|^(mem(cpy|set|move|cmp|chr)|str(len|cmp|chr|ncmp))$|^__aeabi_|^__(u|)div|^__(u|)mod' || true)
if [ -z "$unexpected" ]; then
    ok "library objects call only: $(echo $outside)"
else
    bad "library objects call outside functions" "$(echo $unexpected)"
fi

# The demo, built for the Cortex-M4, run by qemu-arm (Linux user mode runs
# the Thumb-2 code; qemu_start.c replaces crt0 and exits through Linux).
QEMU_ARM=$(command -v qemu-arm-static || command -v qemu-arm || true)
if need "${QEMU_ARM:-qemu-arm-static}"; then
    if arm-none-eabi-gcc -std=c99 -Iinclude -mcpu=cortex-m4 -mthumb -Os -ffunction-sections \
        -fdata-sections --specs=nano.specs --specs=nosys.specs -nostartfiles -Wl,--gc-sections \
        examples/firmware/fw_demo.c examples/firmware/fw_browser.c examples/firmware/qemu_start.c "$TMPD/size/libwsx-cm4.a" \
        -o "$TMPD/fw_demo_qemu.elf" 2>"$TMPD/qemu.err"; then
        timeout 20 "$QEMU_ARM" "$TMPD/fw_demo_qemu.elf"
        st=$?
        if [ "$st" -eq 0 ]; then
            ok "fw_demo (cortex-m4 Thumb-2 code) under qemu-arm: every check passed"
        else
            bad "fw_demo under qemu-arm" "exit status $st (the number of the failed check)"
        fi
    else
        bad "fw_demo qemu build" "$(head -n 20 "$TMPD/qemu.err")"
    fi
fi

# ---- budgets (hard targets) ----------------------------------------------------
top=$(grep '^text\.' "$TMPD/size/summary" | grep -vE '^text\.(codec|library|error_strings)=' |
    sed 's/^text\.//' | sort -t= -k2 -rn | head -n 5 | tr '\n' ' ')
codec=$(val text.codec)
lib=$(val text.library)
if [ "$codec" -lt "$(val budget.codec)" ]; then
    ok "WebSocket codec .text $codec < $(val budget.codec)"
else
    bad "WebSocket codec .text budget" "$codec >= $(val budget.codec) (ws_decode=$(val text.ws_decode) ws_encode=$(val text.ws_encode) utf8=$(val text.utf8) mask=$(val text.mask))"
fi
# Both servers in one firmware: 12 KiB + 128 B since the hooks of
# permessage-deflate (the connection's 102 bytes, the handshake's 98; the
# code itself is linked only when used) took the last bytes of the 12 KiB.
for role in ws_server ws_server_inflate ws_client sse_server sse_client ws_sse_server; do
    n=$(val "role.$role")
    budget=$(val budget.library)
    [ "$role" = ws_sse_server ] && budget=$((budget + 128))
    # A WebSocket server that inflates permessage-deflate (no compressor):
    # the decompressor and the negotiation on top, 16 KiB in all.
    [ "$role" = ws_server_inflate ] && budget=16384
    if [ -n "$n" ] && [ "$n" -lt "$budget" ]; then
        ok "firmware role $role links $n bytes of wsx < $budget"
    else
        bad "firmware role $role budget" "${n:-missing} >= $budget"
    fi
done
INFLATE_BUDGET=3072
inflate=$(($(val text.inflate) + $(val text.inflate_small) + $(val text.inflate_fast) +
    $(val text.inflate_tables)))
if [ "$inflate" -lt "$INFLATE_BUDGET" ]; then
    ok "DEFLATE decompressor .text $inflate < $INFLATE_BUDGET"
else
    bad "DEFLATE decompressor .text budget" "$inflate >= $INFLATE_BUDGET (inflate=$(val text.inflate) inflate_small=$(val text.inflate_small))"
fi
DEFLATE_BUDGET=4096
deflate=$(($(val text.deflate) + $(val text.deflate_block)))
if [ "$deflate" -gt 0 ] && [ "$deflate" -le "$DEFLATE_BUDGET" ]; then
    ok "DEFLATE compressor .text $deflate <= $DEFLATE_BUDGET"
else
    bad "DEFLATE compressor .text budget" "$deflate > $DEFLATE_BUDGET (0: missing)"
fi
# Not the 12 KiB target (make size reports it as OVER): a ceiling so the
# library does not grow while that target is open.  19456 until the
# decompressor, gzip reader and CRC-32 came: +3580 (inflate 769,
# inflate_small 1820, gzip_read 839, crc32 116, their error rows 36); then
# the compressor and gzip writer: +4502 (deflate 4058, gzip_write 444);
# then gzip'd event streams: +2046 (sse_gzip 1074, http_accept 599, the
# Content-Encoding checks of sse_client 266, the head's lines 93); then
# permessage-deflate in the connection: +1884 (ws_conn_deflate 1330 and
# ws_conn_deflate_send 424, linked only by wsx_ws_conn_use_deflate, the
# first also by wsx_ws_conn_use_inflate; their hooks in ws_conn and
# ws_conn_send 90, the decoder's RSV1 rule 30, three error rows 6); then
# permessage-deflate negotiation: +1896 (ws_pmd 1628, linked only by a
# program that sets cfg.deflate.enable; the handshakes' hooks, fields and
# checks 264, two error rows 4); then CORS, refusals and Retry-After:
# +3875 (sse_cors 1684, sse_refusal 636, sse_retry_after 1449, each linked
# only when called; the 401/403/429/503 verdicts of sse_client 92, three
# error rows with a status 6, rounded up to 8).
LIBRARY_CEILING=37185
if [ "$lib" -lt "$LIBRARY_CEILING" ]; then
    ok "whole library .text $lib < ceiling $LIBRARY_CEILING (target $(val budget.library) not met)"
else
    bad "whole library .text ceiling" "$lib >= $LIBRARY_CEILING (largest: $top)"
fi

finish
