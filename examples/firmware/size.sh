#!/usr/bin/env bash
# `make size`: wsx built for a Cortex-M4 the way firmware builds it, and what
# it costs.
#   examples/firmware/size.sh OUTDIR
# Builds every src/*.c with arm-none-eabi-gcc (-mcpu=cortex-m4 -mthumb -Os
# -ffunction-sections -fdata-sections) in the firmware configuration (-Os
# turns WSX_SMALL on; -DWSX_NO_ERROR_STRINGS leaves out the error names and
# reasons, whose cost is printed on its own line) into OUTDIR/obj, links
# examples/firmware/fw_demo.c (and its checker fw_browser.c) against them
# with newlib-nano and --gc-sections (OUTDIR/fw_demo.elf, map in
# OUTDIR/fw_demo.map), and prints:
#   - .text/.data/.bss per module (arm-none-eabi-size; .text counts the
#     read-only data too: it is what goes to flash), and how much of each
#     module the linked demo kept;
#   - totals: the WebSocket codec, the whole library, the linked demo;
#   - what a firmware in each role of examples/firmware/roles.c links;
#   - the size of each state structure on the target and on the host.
# It also writes OUTDIR/summary (key=value lines) for
# tests/interop/test_firmware.sh, which enforces the budgets below.
# Exit status: 0, or 1 when the toolchain is missing or a build fails.
# ARM_PREFIX (default arm-none-eabi-) and HOST_CC (default cc) may be set.
set -euo pipefail
cd "$(dirname "$0")/../.."

OUT=${1:-build/size}
ARM_PREFIX=${ARM_PREFIX:-arm-none-eabi-}
ARM_CC=${ARM_PREFIX}gcc
ARM_SIZE=${ARM_PREFIX}size
ARM_NM=${ARM_PREFIX}nm
ARM_AR=${ARM_PREFIX}ar
HOST_CC=${HOST_CC:-cc}

BUDGET_LIBRARY=12288   # whole library .text, bytes
BUDGET_CODEC=4096      # ws_decode* + ws_encode + utf8 + mask .text, bytes
CODEC_MODULES="ws_decode ws_decode_fast ws_decode_small ws_encode utf8 mask"

for tool in "$ARM_CC" "$ARM_SIZE" "$ARM_NM" "$ARM_AR"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "make size: $tool not found. Install the ARM bare-metal toolchain" >&2
        echo "  (Debian/Ubuntu: apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi)," >&2
        echo "  or set ARM_PREFIX to another arm-none-eabi- toolchain prefix." >&2
        exit 1
    fi
done

TARGET_FLAGS="-mcpu=cortex-m4 -mthumb -Os -ffunction-sections -fdata-sections"
# The firmware configuration (wsx.h): -Os turns WSX_SMALL on; the error
# names and reasons are left out.  Their cost is printed on its own line.
FW_DEFS="-DWSX_NO_ERROR_STRINGS"
CFLAGS_ARM="-std=c99 -Wall -Wextra -Wpedantic -Iinclude $TARGET_FLAGS"
LINK_FLAGS="--specs=nano.specs --specs=nosys.specs -Wl,--gc-sections"

rm -rf "$OUT"
mkdir -p "$OUT/obj"

# ---- build ------------------------------------------------------------------

modules=()
for src in src/*.c; do
    m=$(basename "$src" .c)
    modules+=("$m")
    $ARM_CC $CFLAGS_ARM $FW_DEFS -DWSX_BUILDING -c "$src" -o "$OUT/obj/$m.o"
done
$ARM_CC $CFLAGS_ARM -DWSX_BUILDING -c src/error.c -o "$OUT/error_strings.o"
$ARM_AR rcs "$OUT/libwsx-cm4.a" "$OUT"/obj/*.o
$ARM_CC $CFLAGS_ARM $FW_DEFS $LINK_FLAGS -Wl,-Map="$OUT/fw_demo.map" \
    examples/firmware/fw_demo.c examples/firmware/fw_browser.c "$OUT/libwsx-cm4.a" \
    -o "$OUT/fw_demo.elf"
ROLES="ws_server ws_server_inflate ws_client sse_server sse_client ws_sse_server"
for role in $ROLES; do
    $ARM_CC $CFLAGS_ARM $FW_DEFS $LINK_FLAGS -DROLE_$(echo "$role" | tr a-z A-Z) \
        -Wl,-Map="$OUT/role_$role.map" examples/firmware/roles.c "$OUT/libwsx-cm4.a" \
        -o "$OUT/role_$role.elf"
done
$ARM_CC $CFLAGS_ARM -fno-common -c examples/firmware/ram_sizes.c -o "$OUT/ram_sizes_arm.o"
host_ok=1
$HOST_CC -std=c99 -Iinclude -fno-common -c examples/firmware/ram_sizes.c \
    -o "$OUT/ram_sizes_host.o" 2>/dev/null || host_ok=0

# ---- measure ----------------------------------------------------------------

# "text data bss" of one object or ELF (Berkeley format: text includes rodata).
tdb() { $ARM_SIZE -B "$1" | awk 'NR == 2 { print $1, $2, $3 }'; }

# Bytes each library module contributes to the linked demo: input sections
# from libwsx-cm4.a(NAME.o) in the map, after --gc-sections (the map lists
# the discarded ones first, before "Linker script and memory map").  An
# input section line ends "0xADDRESS 0xSIZE .../libwsx-cm4.a(NAME.o)"; a
# long section name sits alone on the line before.  (Portable awk: no
# strtonum.)
kept_by_module() { # kept_by_module MAP -> "module bytes" lines
    # Every input section placed in .text/.rodata/.data/.bss (any object,
    # so the next address is known), sorted by address; a size that runs
    # past the next section's start is clipped to it: ld lists a merged
    # string section (.rodata.*.str1.1) with the size of the merged run,
    # not what this section added to it.
    awk '
    function hex(s,   i, v) {
        v = 0; s = tolower(substr(s, 3))
        for (i = 1; i <= length(s); i++)
            v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
        return v
    }
    /^Linker script and memory map/ { on = 1; next }
    !on { next }
    /^ \.[^ ]/ { sec = $1 }   # input section name (this line or the next)
    NF >= 3 && sec ~ /^\.(text|rodata|data|bss)/ && $(NF - 2) ~ /^0x[0-9a-f]+$/ &&
    $(NF - 1) ~ /^0x[0-9a-f]+$/ && $NF ~ /\.o\)?$/ {
        obj = ""
        if (match($NF, /libwsx-cm4\.a\([a-z0-9_]+\.o\)$/))
            obj = substr($NF, RSTART + 13, RLENGTH - 16)
        n++; addr[n] = hex($(NF - 2)); size[n] = hex($(NF - 1)); who[n] = obj
    }
    END {
        for (i = 2; i <= n; i++) {   # insertion sort by address
            a = addr[i]; z = size[i]; w = who[i]
            for (j = i - 1; j >= 1 && addr[j] > a; j--) {
                addr[j + 1] = addr[j]; size[j + 1] = size[j]; who[j + 1] = who[j]
            }
            addr[j + 1] = a; size[j + 1] = z; who[j + 1] = w
        }
        for (i = 1; i <= n; i++) {
            z = size[i]
            if (i < n && addr[i] + z > addr[i + 1] && addr[i + 1] >= addr[i])
                z = addr[i + 1] - addr[i]
            if (who[i] != "") kept[who[i]] += z
        }
        for (o in kept) print o, kept[o]
    }
' "$1"
}
kept_by_module "$OUT/fw_demo.map" >"$OUT/kept"
kept_of() { awk -v m="$1" '$1 == m { print $2; found = 1 } END { if (!found) print 0 }' "$OUT/kept"; }

: >"$OUT/summary"
summary() { echo "$1=$2" >>"$OUT/summary"; }

echo "wsx on Cortex-M4: $($ARM_CC --version | head -n 1)"
echo "  flags: $TARGET_FLAGS $FW_DEFS; demo linked with $LINK_FLAGS"
echo "  text = code + read-only data (flash); data, bss = RAM;"
echo "  'in demo' = bytes of the module kept in the linked fw_demo.elf"
echo
printf '%-26s %7s %7s %7s %9s\n' module text data bss "in demo"
lib_t=0 lib_d=0 lib_b=0 codec_t=0 codec_d=0 codec_b=0 kept_total=0
declare -A TEXT
for m in "${modules[@]}"; do
    read -r t d b < <(tdb "$OUT/obj/$m.o")
    k=$(kept_of "$m")
    TEXT[$m]=$t
    printf '%-26s %7d %7d %7d %9d\n' "$m" "$t" "$d" "$b" "$k"
    lib_t=$((lib_t + t)); lib_d=$((lib_d + d)); lib_b=$((lib_b + b))
    kept_total=$((kept_total + k))
    case " $CODEC_MODULES " in
    *" $m "*) codec_t=$((codec_t + t)); codec_d=$((codec_d + d)); codec_b=$((codec_b + b)) ;;
    esac
    summary "text.$m" "$t"
done
read -r fw_t fw_d fw_b < <(tdb "$OUT/fw_demo.elf")
read -r es_t _ _ < <(tdb "$OUT/error_strings.o")
strings_t=$((es_t - TEXT[error]))

verdict() { # verdict VALUE BUDGET
    if [ "$1" -lt "$2" ]; then echo "< $2: ok"; else echo "budget < $2: OVER by $(($1 - $2))"; fi
}
printf '%s\n' "-----------------------------------------------------------"
printf '%-26s %7d %7d %7d   %s\n' "WebSocket codec" "$codec_t" "$codec_d" "$codec_b" "$(verdict "$codec_t" "$BUDGET_CODEC")"
printf '%-26s %7s\n' "  ($CODEC_MODULES)" ""
printf '%-26s %7d %7d %7d   %s\n' "whole library" "$lib_t" "$lib_d" "$lib_b" "$(verdict "$lib_t" "$BUDGET_LIBRARY")"
printf '%-26s %7d   %s\n' "  + error strings" "$strings_t" "(without $FW_DEFS: $((lib_t + strings_t)))"
printf '%-26s %7d %7d %7d\n' "fw_demo.elf (linked)" "$fw_t" "$fw_d" "$fw_b"
printf '%-26s %7d\n' "  of which from libwsx" "$kept_total"
echo
echo "library bytes a firmware links, by role (examples/firmware/roles.c):"
for role in $ROLES; do
    n=$(kept_by_module "$OUT/role_$role.map" | awk '{ t += $2 } END { print t + 0 }')
    printf '  %-24s %7d\n' "$role" "$n"
    summary "role.$role" "$n"
done
echo
echo "largest modules (text):"
for m in "${modules[@]}"; do echo "${TEXT[$m]} $m"; done | sort -rn | head -n 5 |
    awk '{ printf "  %-24s %7d\n", $2, $1 }'

summary text.codec "$codec_t"
summary text.library "$lib_t"
summary text.error_strings "$strings_t"
summary budget.codec "$BUDGET_CODEC"
summary budget.library "$BUDGET_LIBRARY"
summary fw.text "$fw_t"
summary fw.data "$fw_d"
summary fw.bss "$fw_b"
summary fw.libwsx "$kept_total"

# ---- state structures -------------------------------------------------------

sizes_of() { # sizes_of NM OBJECT -> "type bytes" lines
    "$1" -S "$2" | awk '$4 ~ /^sizeof_/ { t = $4; sub(/^sizeof_/, "", t); print t, $2 }' |
        while read -r t hexsz; do echo "$t $((16#$hexsz))"; done
}
sizes_of "$ARM_NM" "$OUT/ram_sizes_arm.o" >"$OUT/ram_arm"
if [ "$host_ok" = 1 ]; then sizes_of nm "$OUT/ram_sizes_host.o" >"$OUT/ram_host"; else : >"$OUT/ram_host"; fi
host_name=$(uname -m)
echo
printf '%-26s %9s %9s\n' "state (bytes)" cortex-m4 "$host_name"
# keep the order of ram_sizes.c
grep -o 'SIZE_OF([a-z0-9_]*)' examples/firmware/ram_sizes.c | sed 's/SIZE_OF(\(.*\))/\1/' |
    while read -r t; do
        a=$(awk -v t="$t" '$1 == t { print $2 }' "$OUT/ram_arm")
        h=$(awk -v t="$t" '$1 == t { print $2 }' "$OUT/ram_host")
        printf '%-26s %9s %9s\n' "$t" "${a:-?}" "${h:--}"
        summary "ram.$t" "${a:-0}"
    done
ws_conn=$(awk '$1 == "wsx_ws_conn" { print $2 }' "$OUT/ram_arm")
ws_feed=$(awk '$1 == "wsx_ws_feed" { print $2 }' "$OUT/ram_arm")
sse_p=$(awk '$1 == "wsx_sse_parser" { print $2 }' "$OUT/ram_arm")
echo
echo "per connection on cortex-m4, library state only (buffers are the caller's choice):"
echo "  WebSocket (wsx_ws_conn, includes its decoder)     $ws_conn"
echo "  WebSocket with the callback adapter (+ ws_feed)   $((ws_conn + ws_feed))"
echo "  SSE client parser (wsx_sse_parser)                $sse_p  (+ its scratch)"
echo "  SSE server stream                                 0  (the writer is stateless)"
echo "fw_demo static RAM (.data + .bss, buffers included, newlib's too): $((fw_d + fw_b))"
