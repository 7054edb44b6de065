#!/usr/bin/env bash
# triage scan beside rg -F -f, rg -f, grep -F -f and wc -l on a generated 1 GiB log, with
# knowledge bases of 10, 64, 100, 1,000 and 10,000 signatures. Data goes to $BENCH_DIR
# (default /tmp/triage-bench), never into the repository. triage runs on both cores, then
# on one (taskset -c 0) for the per-core figure; the other tools run as they like (rg uses
# both cores, grep and wc one). Every figure is bytes of log over wall time, start-up and
# knowledge base loading included ("kb load only" shows that part); triage and wc are run
# three times and the best time kept, the slower tools once. "engine in memory" is the scan
# engine alone on one core over the log already in memory (crates/scan/examples/prefilter.rs,
# best of three): the prefilter's own speed, without the kernel's cost of mapping the file's
# pages, which on one core is about 0.1 s per GiB whatever the scanner does.
#   bench/scan.sh [SIZE_BYTES]     needs: cargo, python3, ripgrep, grep, taskset
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${BENCH_DIR:-/tmp/triage-bench}
SIZE=${1:-1073741824}
# A regex set of hundreds of patterns crawls: rg -f gets this long per run, then is cut.
REGEX_LIMIT=${REGEX_LIMIT:-120}
cargo build --release -p triage -q || { [ -x target/release/triage ] && echo "build failed: using the existing target/release/triage"; }
BIN=target/release/triage
cargo build --release -p triage-scan --example prefilter -q
ENGINE=target/release/examples/prefilter
if [ ! -f "$DIR/app.log" ] || [ "$(stat -c %s "$DIR/app.log")" -lt "$SIZE" ] || [ ! -d "$DIR/kb-64" ]; then
  python3 bench/genlog.py "$DIR" --size "$SIZE"
fi
LOG=$DIR/app.log
BYTES=$(stat -c %s "$LOG")
cat "$LOG" > /dev/null # page cache: every tool reads from memory
rate() { python3 -c "import sys; b,t=float(sys.argv[1]),float(sys.argv[2]); print(f'{b/t/1e9:7.2f} GB/s ({t:6.2f} s)')" "$BYTES" "$1"; }
timed() { # timed LIMIT CMD...: wall seconds, or "timeout"
  local limit=$1; shift
  local t0 t1; t0=$(date +%s.%N)
  # Output to a file, not /dev/null: GNU grep stops at the first match when it sees /dev/null.
  if timeout "$limit" "$@" > "$DIR/out.txt" 2>&1 || [ $? -eq 1 ]; then
    t1=$(date +%s.%N); python3 -c "print(f'{$t1-$t0:.3f}')"
  else echo timeout; fi
}
best3() { # best3 LIMIT CMD...: the best wall time of three runs (the machine is shared)
  local best=timeout t
  for _ in 1 2 3; do
    t=$(timed "$@")
    if [ "$t" != timeout ] && { [ "$best" = timeout ] || python3 -c "import sys; sys.exit(not $t < $best)"; }; then best=$t; fi
  done
  echo "$best"
}
show() { if [ "$2" = timeout ]; then printf '  %-22s > %s s (cut)\n' "$1" "$3"; else printf '  %-22s %s\n' "$1" "$(rate "$2")"; fi; }
echo "log: $LOG, $BYTES bytes, $(nproc) cores"
show "wc -l" "$(best3 600 wc -l "$LOG")"
for n in 10 64 100 1000 10000; do
  echo "signatures: $n"
  t_load=$(best3 600 "$BIN" scan --guides "$DIR/kb-$n" --format json /dev/null)
  printf '  %-22s %s s\n' "triage (kb load only)" "$t_load"
  show "triage scan" "$(best3 600 "$BIN" scan --guides "$DIR/kb-$n" --format json "$LOG")"
  # Per core: the same on one CPU (taskset), knowledge base loading included.
  show "triage scan, 1 core" "$(best3 600 taskset -c 0 "$BIN" scan --guides "$DIR/kb-$n" --format json "$LOG")"
  # The guide's signatures, one a line, for the engine on its own.
  awk '/^```error/{f=1;next} /^```/{f=0} f' "$DIR/kb-$n/guide.md" > "$DIR/sig-$n.txt"
  engine=$(taskset -c 0 "$ENGINE" "$DIR/sig-$n.txt" "$LOG")
  printf '  %-22s %s\n' "engine in memory, 1 core" "$(echo "$engine" | grep -o '[0-9.]* GB/s on one core' | cut -d' ' -f1) GB/s ($(echo "$engine" | cut -d: -f1 | cut -d, -f2- | sed 's/^ //'))"
  show "rg -c -F -f" "$(timed 600 rg -c -F -f "$DIR/lit-$n.txt" "$LOG")"
  show "rg -c -f (regex)" "$(timed "$REGEX_LIMIT" rg -c -f "$DIR/re-$n.txt" "$LOG")" "$REGEX_LIMIT"
  show "grep -c -F -f" "$(timed 600 grep -c -F -f "$DIR/lit-$n.txt" "$LOG")"
done
