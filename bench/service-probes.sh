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
#  3. Peak sessions each triage run held open, sampled from the server while it ran: it
#     must stay within the concurrency bound (`--concurrency`, 50 here), and for
#     postgres within the per-server bound (32).
#
# Every figure is checks (or requests) per second, best of 5 runs: triage's and pgbench's
# (wall) of wall time, triage's including process start-up and guide loading; pgbench's
# and redis-benchmark's own figures exclude theirs. A probe gathers only the facts its
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

# Best of 5 wall times of `triage check` on a guide, then one more run with the sampler
# recording the peak number of sessions (the sampler spawns a client every 20 ms, which on
# a two-core machine would otherwise take CPU from the timed runs); also checks that every
# check passed.
run_triage() { # kind guide sampler
  local best=999 start end passed
  for _ in 1 2 3 4 5; do
    start=$(now)
    # Human output of failures only: the figure is the probes' speed, not the JSON
    # renderer's (a redis check reading [INFO] carries all of it, 5 MB of JSON for 1,000).
    "$bin" check "$2" --failing --concurrency "$concurrency" >"$work/$1.out" || true
    end=$(now)
    best=$(python3 -c "print(min($best, $end - $start))")
  done
  "$3" "$work/$1.sessions" &
  sampler=$!
  "$bin" check "$2" --failing --concurrency "$concurrency" >"$work/$1.out" || true
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  sampler=
  passed=$(tail -1 "$work/$1.out" | grep -o '[0-9]* passed' | grep -o '[0-9]*' || echo 0)
  [ "$passed" = "$checks" ] || echo "warning: only $passed of $checks $1 checks passed" >&2
  echo "$best"
}

printf '%-44s %10s %12s %14s\n' "tool" "requests" "per second" "peak sessions"

echo "== PostgreSQL 127.0.0.1:5432, a new connection per check (TLS as sslmode=prefer)"
make_guide postgres "$pg_url" "$work/postgres.md"
best=$(run_triage postgres "$work/postgres.md" sample_postgres)
printf '%-44s %10d %12s %14s\n' "triage check ($checks postgres checks)" "$checks" \
  "$(rate "$checks" "$best")" "$(peak "$work/postgres.sessions")"

make_guide postgres "$pg_url" "$work/postgres-facts.md" 'expect: ["[CONNECTIONS_PERCENT] < 90"]'
best=$(run_triage postgres-facts "$work/postgres-facts.md" sample_postgres)
printf '%-44s %10d %12s %14s\n' "triage check ($checks postgres, [CONNECTIONS_PERCENT])" \
  "$checks" "$(rate "$checks" "$best")" "$(peak "$work/postgres-facts.sessions")"

psql -q -h 127.0.0.1 -U postgres -d test -c 'DROP DATABASE IF EXISTS triage_bench' >/dev/null
psql -q -h 127.0.0.1 -U postgres -d test -c 'CREATE DATABASE triage_bench' >/dev/null
pgbench -q -i -s 1 -h 127.0.0.1 -U postgres triage_bench >/dev/null 2>&1
per_client=$(( (checks + concurrency - 1) / concurrency ))
best=999
for _ in 1 2 3 4 5; do
  start=$(now)
  pgbench -n -S -C -c "$concurrency" -j 2 -t "$per_client" -h 127.0.0.1 -U postgres triage_bench \
    >"$work/pgbench.out" 2>&1
  end=$(now)
  best=$(python3 -c "print(min($best, $end - $start))")
done
printf '%-44s %10d %12s %14s\n' "pgbench -S -C -c $concurrency (wall)" "$(( per_client * concurrency ))" \
  "$(rate $(( per_client * concurrency )) "$best")" "$concurrency"
printf '%-44s %10s %12.0f\n' "pgbench -S -C -c $concurrency (its own tps)" "" \
  "$(awk '/^tps/ {print $3; exit}' "$work/pgbench.out")"

echo
echo "== Redis 127.0.0.1:6379, a new connection per check"
make_guide redis "$redis_url" "$work/redis.md"
best=$(run_triage redis "$work/redis.md" sample_redis)
printf '%-44s %10d %12s %14s\n' "triage check ($checks redis checks)" "$checks" \
  "$(rate "$checks" "$best")" "$(peak "$work/redis.sessions")"

make_guide redis "$redis_url" "$work/redis-info.md" 'expect: ["[INFO].role == master"]'
best=$(run_triage redis-info "$work/redis-info.md" sample_redis)
printf '%-44s %10d %12s %14s\n' "triage check ($checks redis checks, [INFO].role)" "$checks" \
  "$(rate "$checks" "$best")" "$(peak "$work/redis-info.sessions")"

redis_rate() { # keepalive
  local best=0 r
  for _ in 1 2 3 4 5; do
    r=$(redis-benchmark -h 127.0.0.1 -p 6379 -c "$concurrency" -n "$checks" -k "$1" --csv PING \
      | awk -F'"' 'NR == 2 {print $4}')
    best=$(python3 -c "print(max($best, ${r:-0}))")
  done
  printf '%.0f' "$best"
}
printf '%-44s %10d %12s %14s\n' "redis-benchmark -c $concurrency -n $checks -k 0 PING" "$checks" \
  "$(redis_rate 0)" "$concurrency"
printf '%-44s %10d %12s %14s\n' "redis-benchmark -c $concurrency -n $checks -k 1 PING" "$checks" \
  "$(redis_rate 1)" "$concurrency"
