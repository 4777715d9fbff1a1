#!/usr/bin/env bash
# The frame-size series as a plot: frames/s against payload size for wsx,
# uWebSockets' parser and wslay (cases "ws_frames_<size>_binary" of
# results.json: bench_ws_decode.c records wsx and wslay, uws_parser.cpp
# uWS and wsx again, measured beside it: each peer is drawn with the wsx
# figure taken in the same process and loop).  Writes $B/bench/frames.dat and, with gnuplot, $B/bench/frames.svg.
# Run by make bench after the benchmarks: bash bench/plot_frames.sh build
set -euo pipefail
B=${1:-build}
json=$B/bench/results.json
dat=$B/bench/frames.dat
svg=$B/bench/frames.svg
if [ ! -f "$json" ]; then
  echo "SKIP frames.svg: no $json (run make bench first)"
  exit 0
fi
python3 - "$json" "$dat" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
sizes = [("20b", 20), ("200b", 200), ("1k", 1024), ("8k", 8192), ("32k", 32768)]
impls = ["wsx", "wslay", "wsx (uws_parser)", "uWS"]
value = {(r["case"], r["impl"]): r["value"] for r in rows if r["unit"] == "frames/s"}
with open(sys.argv[2], "w") as f:
    f.write("# payload_bytes " + " | ".join(impls) + "   (frames/s; NaN: not measured)\n")
    for name, n in sizes:
        cells = [value.get(("ws_frames_%s_binary" % name, i)) for i in impls]
        f.write("%d %s\n" % (n, " ".join("NaN" if c is None else "%.6g" % c for c in cells)))
PY
cat "$dat"
if ! command -v gnuplot >/dev/null 2>&1; then
  echo "=================================================================="
  echo "== SKIP frames.svg: gnuplot is not installed."
  echo "==   sudo apt-get install gnuplot-nox   then: bash bench/plot_frames.sh $B"
  echo "=================================================================="
  exit 0
fi
if grep -v '^#' "$dat" | grep -q NaN; then
  echo "NOTE frames.svg: some points were not measured (NaN above: uWS needs UWS_DIR)"
fi
gnuplot <<GP
set terminal svg size 760,460 dynamic font "sans,12" background rgb "white"
set output "$svg"
set datafile missing "NaN"
set logscale xy
set xrange [14:48000]
set xtics ("20 B" 20, "200 B" 200, "1 KiB" 1024, "8 KiB" 8192, "32 KiB" 32768)
set format y "%.0e"
set xlabel "payload per frame (binary, masked, decoded in the server role, 40 frames per pass)"
set ylabel "frames per second"
set grid
set key bottom left
plot "$dat" using 1:2 with linespoints lw 2 pt 7 lc rgb "#1f77b4" title "wsx (run beside wslay)", \
     "" using 1:3 with linespoints lw 2 pt 9 lc rgb "#2ca02c" title "wslay", \
     "" using 1:4 with linespoints lw 2 pt 6 dt 2 lc rgb "#1f77b4" title "wsx (run beside uWebSockets)", \
     "" using 1:5 with linespoints lw 2 pt 5 lc rgb "#d62728" title "uWebSockets (parser)"
GP
echo "wrote $svg"
