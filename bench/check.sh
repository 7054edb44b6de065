#!/usr/bin/env bash
# Benchmarks of `triage check` beside its reference tools (issue: foundation).
#
#  1. 1,000 (and 10,000) HTTP checks against a loopback server, a new connection per check,
#     triage pinned to one core: checks per second, beside wrk on the same endpoint with
#     `Connection: close` (new connection per request: the ceiling) and keep-alive.
#  2. Wall time of `triage check` on a small local-only guide, with hyperfine.
#
# Needs: wrk, hyperfine (Debian packages), taskset (util-linux). Run from the repo root:
#   bash bench/check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in wrk hyperfine taskset; do
  command -v "$tool" >/dev/null || { echo "bench needs $tool (apt-get install $tool)" >&2; exit 2; }
done

cargo build --release --quiet --bin triage --example loopback_http
bin=target/release/triage
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

# The server gets core 1; triage and wrk get core 0, so figures are per client core.
taskset -c 1 target/release/examples/loopback_http >"$work/addr" &
server=$!
for _ in $(seq 50); do [ -s "$work/addr" ] && break; sleep 0.1; done
addr=$(cat "$work/addr")
url="http://$addr/health"

make_guide() { # count file
  {
    echo "# Load"
    for i in $(seq "$1"); do
      printf '\n```check\nname: api %d\nkind: http\nurl: %s\nexpect: "[STATUS] == 200"\n```\n' "$i" "$url"
    done
  } >"$2"
}

echo "== HTTP checks, new connection each, triage on one core (taskset -c 0)"
printf '%-28s %12s %14s\n' "tool" "requests" "per second"
for n in 1000 10000; do
  make_guide "$n" "$work/http-$n.md"
  # Best of 5 runs: the figure is a capability, not an average over noise.
  best=999
  for _ in 1 2 3 4 5; do
    start=$(date +%s.%N)
    taskset -c 0 "$bin" check "$work/http-$n.md" --format json >"$work/out.json" || true
    end=$(date +%s.%N)
    best=$(python3 -c "print(min($best, $end - $start))")
  done
  passed=$(python3 -c "import json,sys; print(json.load(open('$work/out.json'))['summary']['passed'])")
  [ "$passed" = "$n" ] || echo "warning: only $passed of $n checks passed" >&2
  printf '%-28s %12d %14.0f\n' "triage check ($n checks)" "$n" "$(python3 -c "print($n / $best)")"
done

wrk_rate() { # extra args...
  taskset -c 0 wrk -t1 -c64 -d5s "$@" "$url" | awk '/Requests\/sec/ {print $2}'
}
printf '%-28s %12s %14.0f\n' "wrk, Connection: close" "5s" "$(wrk_rate -H 'Connection: close')"
printf '%-28s %12s %14.0f\n' "wrk, keep-alive" "5s" "$(wrk_rate)"

echo
echo "== small local-only guide (disk, memory, file, env, tcp, port), wall time incl. start-up"
cat >"$work/local.md" <<GUIDE
# Local

\`\`\`check
kind: disk
path: /
\`\`\`

\`\`\`check
kind: memory
\`\`\`

\`\`\`check
kind: file
path: /etc/hostname
\`\`\`

\`\`\`check
kind: env
variable: PATH
\`\`\`

\`\`\`check
kind: tcp
address: $addr
\`\`\`

\`\`\`check
kind: port
port: ${addr##*:}
expect: "[IN_USE] == true"
\`\`\`
GUIDE
"$bin" check "$work/local.md" >/dev/null
hyperfine --warmup 3 --runs 30 -N "$bin check $work/local.md" 2>/dev/null | sed -n '1,4p'
