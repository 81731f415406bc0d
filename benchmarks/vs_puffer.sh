#!/usr/bin/env bash
# Shotcaller's engine and PufferLib 3.0's C moba, side by side on this machine (only ratios hold on
# a shared machine). Needs ../shared/tools/puffer_moba.sh (builds PufferLib's moba in a temp dir).
#   benchmarks/vs_puffer.sh [SECONDS]
set -euo pipefail
S=${1:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
puffer=${PUFFER_MOBA:-$here/../shared/tools/puffer_moba.sh}
echo "== load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== shotcaller (one process, one thread)"
shotcaller bench --batch 1 64 --seconds "$S"
if [ -f "$puffer" ]; then
  for n in 1 64; do
    echo "== pufferlib moba, $n envs"
    (cd "$(mktemp -d)" && bash "$puffer" "$n" 1 "$S" | tail -1)
  done
else
  echo "puffer_moba.sh not found at $puffer (set PUFFER_MOBA)"
fi
echo "== load: $(cut -d' ' -f1-3 /proc/loadavg)"
