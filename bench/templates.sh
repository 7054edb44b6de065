#!/usr/bin/env bash
# triage templates beside Drain3 on the loghub 2k datasets (grouping accuracy and speed),
# then triage's throughput on a 2-million-line log made of them (written to /tmp).
#   bench/templates.sh [LOGHUB_DIR]     needs: cargo, python3, pip install drain3
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/eval/loghub}
cargo build --release -p triage -q || { [ -x target/release/triage ] && echo "build failed: using the existing target/release/triage"; }
python3 -c "import drain3" 2>/dev/null || pip install -q drain3
python3 "$DATA/../score-templates.py" --bin target/release/triage --data "$DATA" --drain3
BIG=/tmp/triage-templates-2m.log
if [ ! -f "$BIG" ]; then
  for _ in $(seq 125); do cat "$DATA"/*/*_2k.log; done > "$BIG"
fi
LINES=$(wc -l < "$BIG")
t0=$(date +%s.%N)
target/release/triage templates --format csv "$BIG" > /dev/null
t1=$(date +%s.%N)
python3 -c "t=$t1-$t0; print(f'{$LINES} lines in {t:.2f} s: {$LINES/t:,.0f} records/s (one core, csv output included)')"
