#!/usr/bin/env bash
# Benchmarks of the prometheus, graphql and websocket probes beside the tools the guides use.
#
# For each kind, N checks (default 1,000) in one `triage check` run against local servers,
# a new connection per check, beside the guide's own tool run the same way (a new process
# and connection per request, 50 at once: `curl` for the Prometheus and GraphQL APIs,
# `wscat` for WebSockets) and, for the HTTP APIs, `wrk -H 'Connection: close'` (a new
# connection per request, no process start: the ceiling).
#
#  - prometheus: a real Prometheus (Debian package `prometheus`) on a free loopback port,
#    scraping itself; the query is `up`.
#  - graphql: async-graphql under axum (crates/probe/examples/bench_servers.rs), query
#    `{ health { status } }`.
#  - websocket: a tokio-tungstenite echo server (same example); send `ping`, match the reply.
#
# Needs: prometheus, wrk, curl, taskset (Debian packages), wscat (npm install -g wscat),
# python3. Run from anywhere:   bash bench/prometheus-graphql-websocket.sh
# Knobs: BENCH_CHECKS=N (default 1000), WSCAT_RUNS=N (default 200: node starts per run),
# PROFILE=debug to skip the release build (figures then mean little).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in prometheus wrk curl taskset python3; do
  command -v "$tool" >/dev/null || { echo "bench needs $tool (apt-get install $tool)" >&2; exit 2; }
done
n=${BENCH_CHECKS:-1000}
wscat_runs=${WSCAT_RUNS:-200}
profile=${PROFILE:-release}
flag=--release
[ "$profile" = release ] || flag=
cargo build $flag --quiet --bin triage
cargo build $flag --quiet -p triage-probe --example bench_servers
bin=target/$profile/triage
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Servers get core 1; triage and the reference tools get core 0.
target/$profile/examples/bench_servers >"$work/addrs" &
pids+=($!)
prom_port=$(free_port)
cat >"$work/prometheus.yml" <<CONF
global: {scrape_interval: 1s}
scrape_configs:
  - job_name: prometheus
    static_configs: [{targets: ['127.0.0.1:$prom_port']}]
CONF
taskset -c 1 prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
  --web.listen-address="127.0.0.1:$prom_port" --log.level=warn >/dev/null 2>&1 &
pids+=($!)
prom="http://127.0.0.1:$prom_port"
for _ in $(seq 120); do
  curl -s "$prom/api/v1/query?query=up" | grep -q '"value"' && break
  sleep 0.25
done
curl -s "$prom/api/v1/query?query=up" | grep -q '"value"' || { echo "prometheus did not start" >&2; exit 2; }
for _ in $(seq 50); do [ "$(wc -l <"$work/addrs")" -ge 2 ] && break; sleep 0.1; done
graphql="http://$(awk '/^graphql/ {print $2}' "$work/addrs")/graphql"
ws="ws://$(awk '/^websocket/ {print $2}' "$work/addrs")/"
gql_body='{"query":"{ health { status } }"}'

make_guide() { # file, then the check body (one YAML block, without name)
  local file=$1 body=$2
  { echo "# Load"; for i in $(seq "$n"); do printf '\n```check\nname: check %d\n%s\n```\n' "$i" "$body"; done; } >"$file"
}
make_guide "$work/prometheus.md" "kind: prometheus
url: $prom
query: up
expect: \"[VALUE] == 1\""
make_guide "$work/graphql.md" "kind: graphql
url: $graphql
query: '{ health { status } }'
expect: \"[DATA].health.status == UP\""
make_guide "$work/websocket.md" "kind: websocket
url: $ws
send: ping
reply: '^ping\$'
expect: \"[MATCHED] == true\""

now() { date +%s.%N; }
rate() { python3 -c "print(f'{$1 / ($3 - $2):.0f}')"; }
row() { printf '%-12s %-40s %9s %12s\n' "$@"; }

triage_row() { # kind
  local start end passed
  start=$(now)
  taskset -c 0 "$bin" check "$work/$1.md" --format json >"$work/$1.json" || true
  end=$(now)
  passed=$(python3 -c "import json; print(json.load(open('$work/$1.json'))['summary']['passed'])")
  [ "$passed" = "$n" ] || echo "warning: only $passed of $n $1 checks passed" >&2
  row "$1" "triage check ($n checks)" "$n" "$(rate "$n" "$start" "$end")"
}

parallel_row() { # kind, label, count, command...
  local kind=$1 label=$2 count=$3 start end
  shift 3
  start=$(now)
  seq "$count" | taskset -c 0 xargs -P 50 -I{} "$@" >/dev/null 2>&1
  end=$(now)
  row "$kind" "$label" "$count" "$(rate "$count" "$start" "$end")"
}

wrk_row() { # kind, extra wrk args...
  local kind=$1 out
  shift
  out=$(taskset -c 0 wrk -t1 -c50 -d5s -H 'Connection: close' "$@" | awk '/Requests\/sec/ {print $2}')
  row "$kind" "wrk -c50, Connection: close (ceiling)" "5s" "${out%.*}"
}

echo "== new connection per check; triage and the tools on core 0, servers on core 1"
row "kind" "tool" "requests" "per second"
triage_row prometheus
parallel_row prometheus "curl, 50 at once" "$n" curl -sf -o /dev/null "$prom/api/v1/query?query=up"
wrk_row prometheus "$prom/api/v1/query?query=up"

triage_row graphql
parallel_row graphql "curl, 50 at once" "$n" curl -sf -o /dev/null -H 'content-type: application/json' -d "$gql_body" "$graphql"
printf 'wrk.method = "POST"\nwrk.body = %s\nwrk.headers["Content-Type"] = "application/json"\n' \
  "'$gql_body'" >"$work/post.lua"
wrk_row graphql -s "$work/post.lua" "$graphql"

triage_row websocket
if command -v wscat >/dev/null; then
  parallel_row websocket "wscat -x ping, 50 at once" "$wscat_runs" wscat -c "$ws" -x ping -w 0
else
  row websocket "wscat not installed (npm install -g wscat)" "-" "-"
fi
