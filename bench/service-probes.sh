#!/usr/bin/env bash
# Benchmarks of the postgres and redis probes beside their reference tools (issue 7).
#
#  1. 1,000 postgres checks in one `triage check` run against the local PostgreSQL, beside
#     `pgbench -S -C` (select-only, a new connection per transaction: the ceiling) with as
#     many clients as triage has checks in flight. Once with the default check
#     (`[CONNECTED] == true`: connect, authenticate, close), once with a condition on a
#     fact (`[CONNECTIONS_PERCENT] < 90`, which adds the facts query on pg_stat_activity).
#  2. 1,000 redis checks in one `triage check` run against the local Redis, beside
#     `redis-benchmark -c 50 -n 1000 PING` with a new connection per request (`-k 0`: the
#     ceiling) and with kept-alive connections (`-k 1`, for scale). Once with the
#     default check (`[PING] == PONG`: PING only), once with a condition on `[INFO]`
#     (PING and INFO).
#  3. Peak sockets each triage run held open (polled from /proc, exact), which must stay
#     within the concurrency bound (`--concurrency`, 50 here) and for postgres within the
#     per-server bound (32); beside it the server's own count of sessions, sampled while
#     the run went on (it lags behind closes the server has not read yet, so it can show
#     a few more).
#
# Every figure is checks (or requests) per second, best of 5 runs: triage's and pgbench's
# (wall) of wall time, triage's including process start-up and guide loading; pgbench's
# and redis-benchmark's own figures exclude theirs. Each reference run follows a triage
# run, so both meet the same backlog of closed connections. A probe gathers only the facts its
# conditions read: a default postgres check connects (TLS as sslmode=prefer) and closes,
# a default redis check sends PING; the second row of each reads the facts too. The goal
# is within 2x of the ceilings.
#
# Needs: the local servers (PostgreSQL 127.0.0.1:5432 trust auth, Redis 127.0.0.1:6379),
# pgbench and psql (postgresql-client), redis-benchmark and redis-cli (redis-tools),
# python3. Creates and drops a scratch database `triage_bench` for pgbench's tables.
# Run from anywhere:
#   bash bench/service-probes.sh            # CHECKS=1000 CONCURRENCY=50 by default
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in pgbench psql redis-benchmark redis-cli python3; do
  command -v "$tool" >/dev/null || { echo "bench needs $tool" >&2; exit 2; }
done

checks=${CHECKS:-1000}
concurrency=${CONCURRENCY:-50}
pg_url=postgres://postgres@127.0.0.1:5432/test
redis_url=redis://127.0.0.1:6379

cargo build --release --quiet --bin triage
bin=${CARGO_TARGET_DIR:-$PWD/target}/release/triage
work=$(mktemp -d /tmp/triage-service-bench.XXXXXX)
sampler=
cleanup() {
  [ -n "$sampler" ] && kill "$sampler" 2>/dev/null || true
  psql -q -h 127.0.0.1 -U postgres -d test -c 'DROP DATABASE IF EXISTS triage_bench' >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

make_guide() { # kind url file [extra field line]
  local extra=
  [ -n "${4:-}" ] && extra="$4"$'\n'
  {
    echo "# Load"
    for i in $(seq "$checks"); do
      printf '\n```check\nname: %s %d\nkind: %s\nurl: %s\n%s```\n' "$1" "$i" "$1" "$2" "$extra"
    done
  } >"$3"
}

now() { date +%s.%N; }
rate() { python3 -c "print(f'{$1 / $2:.0f}')"; }

# Samples a server's open sessions every 20 ms into a file until killed.
sample_postgres() {
  while :; do
    psql -XAtq -h 127.0.0.1 -U postgres -d test \
      -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'triage'" 2>/dev/null || true
    sleep 0.02
  done >"$1"
}
sample_redis() {
  while :; do
    redis-cli -h 127.0.0.1 -p 6379 INFO clients 2>/dev/null | awk -F: '/^connected_clients/ {print $2 - 1}' || true
    sleep 0.02
  done >"$1"
}
peak() { sort -n "$1" | tail -1; }

# Peak number of network sockets process $1 holds, polled from /proc until it exits: what
# triage itself has open, exactly (a server's own count lags behind the closes it has not
# read yet). The runtime's own Unix socket pair is left out: its inodes are in the (short)
# Unix socket table, where TCP connections are not.
peak_sockets() {
  local max=0 n
  while kill -0 "$1" 2>/dev/null; do
    n=$(find "/proc/$1/fd" -lname 'socket:*' -printf '%l\n' 2>/dev/null | tr -d 'socket:[]' |
      awk 'FILENAME != "-" { if (FNR > 1) unix[$7] = 1; next } !($0 in unix) { n++ }
           END { print n + 0 }' "/proc/$1/net/unix" - 2>/dev/null) || true
    # The process may exit between two reads; its last sample is then left out.
    [ -d "/proc/$1/fd" ] && [ "${n:-0}" -gt "$max" ] && max=$n
  done
  echo "$max"
}

# Waits (at most 70 s) until fewer than 2,000 TCP connections are in TIME_WAIT: each run
# leaves 1,000 behind for a minute, and connecting gets slower as they fill the
# ephemeral port range.
settle() {
  local waited=0
  while [ "$waited" -lt 70 ] &&
    [ "$(awk 'FNR > 1 && $4 == "06" { n++ } END { print n + 0 }' /proc/net/tcp /proc/net/tcp6)" -gt 2000 ]; do
    sleep 2
    waited=$((waited + 2))
  done
}

# Best of 5 wall times of `triage check` on a guide, each run followed by one run of the
# reference command when one is given (so both meet the same TIME_WAIT backlog; the
# reference's figures go to $work/KIND.ref, one per line), then one more triage run
# watched by both samplers (the server's sessions, sampled by a client spawned every
# 20 ms, and triage's own sockets): on a two-core machine they would take CPU from the
# timed runs. Also checks that every check passed. Prints: seconds, peak sockets.
run_triage() { # kind guide sampler [reference command]
  local best=999 start end passed pid sockets
  settle
  : >"$work/$1.ref"
  for _ in 1 2 3 4 5; do
    start=$(now)
    # Human output of failures only: the figure is the probes' speed, not the JSON
    # renderer's (a redis check reading [INFO] carries all of it, 5 MB of JSON for 1,000).
    "$bin" check "$2" --failing --concurrency "$concurrency" >"$work/$1.out" || true
    end=$(now)
    best=$(python3 -c "print(min($best, $end - $start))")
    [ -n "${4:-}" ] && "$4" >>"$work/$1.ref"
  done
  "$3" "$work/$1.sessions" &
  sampler=$!
  "$bin" check "$2" --failing --concurrency "$concurrency" >"$work/$1.out" &
  pid=$!
  sockets=$(peak_sockets "$pid")
  wait "$pid" || true
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  sampler=
  passed=$(tail -1 "$work/$1.out" | grep -o '[0-9]* passed' | grep -o '[0-9]*' || echo 0)
  [ "$passed" = "$checks" ] || echo "warning: only $passed of $checks $1 checks passed" >&2
  echo "$best $sockets"
}

# The best (highest) figure in $work/KIND.ref, 0 when every run failed.
best_ref() {
  { grep -E '^[0-9.]+$' "$work/$1.ref" || true; } | sort -n | tail -1 |
    python3 -c "import sys; print(f'{float(sys.stdin.read() or 0):.0f}')"
}

# One row of triage's figures: label, kind (the .sessions file), "seconds sockets".
# Leaves the rate in $last_rate for the ratios at the end.
last_rate=
triage_row() {
  set -- "$1" "$2" $3
  last_rate=$(rate "$checks" "$3")
  printf '%-60s %8d %11s %9s %9s\n' "$1" "$checks" "$last_rate" "$4" \
    "$(peak "$work/$2.sessions")"
}
ref_row() { # label requests rate
  printf '%-60s %8d %11s %9s\n' "$1" "$2" "$3" "$concurrency"
}

# The two triage rows of one service: its default check, timed beside the reference
# command, then a check reading facts. Leaves the default check's rate in $last_rate and
# the reference's best figure in $ceiling.
ceiling=
service_rows() { # kind url sampler reference facts-label facts-expect-line
  local rate
  make_guide "$1" "$2" "$work/$1.md"
  triage_row "triage check ($checks $1 checks)" "$1" \
    "$(run_triage "$1" "$work/$1.md" "$3" "$4")"
  rate=$last_rate
  make_guide "$1" "$2" "$work/$1-facts.md" "$6"
  triage_row "triage check ($checks $1 checks, $5)" "$1-facts" \
    "$(run_triage "$1-facts" "$work/$1-facts.md" "$3")"
  last_rate=$rate
  ceiling=$(best_ref "$1")
}

printf '%-60s %8s %11s %9s %9s\n' "tool" "requests" "per second" "sockets" "sessions"

echo "== PostgreSQL 127.0.0.1:5432, a new connection per check (TLS as sslmode=prefer)"
psql -q -h 127.0.0.1 -U postgres -d test -c 'DROP DATABASE IF EXISTS triage_bench' >/dev/null 2>&1
psql -q -h 127.0.0.1 -U postgres -d test -c 'CREATE DATABASE triage_bench' >/dev/null
pgbench -q -i -s 1 -h 127.0.0.1 -U postgres triage_bench >/dev/null 2>&1
per_client=$(( (checks + concurrency - 1) / concurrency ))
# pgbench -S -C, a new connection per transaction: its rate by wall time (and its own tps
# into $work/pgbench-tps.ref). A failed run prints nothing, so it cannot pass for a fast one.
ref_pgbench() {
  local start end
  start=$(now)
  if ! pgbench -n -S -C -c "$concurrency" -j 2 -t "$per_client" -h 127.0.0.1 -U postgres \
    triage_bench >"$work/pgbench.out" 2>&1; then
    echo "warning: pgbench failed: $(tail -1 "$work/pgbench.out")" >&2
    return 0
  fi
  end=$(now)
  awk '/^tps/ {print $3; exit}' "$work/pgbench.out" >>"$work/pgbench-tps.ref"
  rate $(( per_client * concurrency )) "$(python3 -c "print($end - $start)")"
}

: >"$work/pgbench-tps.ref"
service_rows postgres "$pg_url" sample_postgres ref_pgbench "[CONNECTIONS_PERCENT]" \
  'expect: ["[CONNECTIONS_PERCENT] < 90"]'
pg_rate=$last_rate
pg_ceiling=$ceiling
ref_row "pgbench -S -C -c $concurrency (wall)" "$(( per_client * concurrency ))" "$pg_ceiling"
ref_row "pgbench -S -C -c $concurrency (its own tps)" "$(( per_client * concurrency ))" \
  "$(best_ref pgbench-tps)"

echo
echo "== Redis 127.0.0.1:6379, a new connection per check"
# redis-benchmark's own requests per second.
ref_redis() { # keepalive
  redis-benchmark -h 127.0.0.1 -p 6379 -c "$concurrency" -n "$checks" -k "${1:-0}" --csv PING \
    | awk -F'"' 'NR == 2 {print $4}'
}
service_rows redis "$redis_url" sample_redis ref_redis "[INFO].role" \
  'expect: ["[INFO].role == master"]'
redis_rate_triage=$last_rate
redis_ceiling=$ceiling

ref_row "redis-benchmark -c $concurrency -n $checks -k 0 PING" "$checks" "$redis_ceiling"
for _ in 1 2 3 4 5; do ref_redis 1; done >"$work/keepalive.ref"
ref_row "redis-benchmark -c $concurrency -n $checks -k 1 PING" "$checks" "$(best_ref keepalive)"

echo
echo "== Ceiling / triage (the goal is at most 2)"
python3 -c "
ratio = lambda ceiling, rate: f'{ceiling / rate:.2f}' if ceiling and rate else 'n/a (a run failed)'
print(f'postgres: {ratio($pg_ceiling, $pg_rate)}   redis: {ratio($redis_ceiling, $redis_rate_triage)}')"
