#!/usr/bin/env bash
# Benchmarks of `triage diagnose` (issue 4).
#
#  1. Wall time of one `triage diagnose` run against 50 guides, start-up included, with
#     hyperfine, cold (knowledge base built, --no-cache) and warm (read from the cache): the dev guides and seeds of ../shared when present, topped up to 50 with
#     renamed copies (synthetic guides when ../shared is absent).
#  2. Instructions per cold and warm run (callgrind), when valgrind is installed.
#  3. The in-process bench of the knowledge base (10,000 synthetic symptoms: time per
#     query after loading), `cargo bench -p triage-kb --bench diagnose`.
#
# Needs: hyperfine (Debian package). Run from the repo root: bash bench/diagnose.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "bench needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }

cargo build --release --quiet --bin triage
bin=target/release/triage
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/guides"
shared=../shared
if [ -d "$shared/eval/dev-guides" ]; then
  i=0
  while IFS= read -r -d '' f; do
    i=$((i + 1)); cp "$f" "$work/guides/g$i-$(basename "$f")"
  done < <(find "$shared/eval/dev-guides" "$shared/seeds" -type f -print0 | sort -z)
else
  i=0
fi
n=$(ls "$work/guides" | wc -l)
k=0
while [ "$n" -lt 50 ]; do
  if [ "$i" -gt 0 ]; then
    src=$(ls "$work/guides" | sed -n "$((k % i + 1))p")
    cp "$work/guides/$src" "$work/guides/copy$k-$src"
  else
    printf '# Service %s\n\n## Port in use\n\n```\nError: listen tcp :80%02d: bind: address already in use\n```\n' "$k" "$k" >"$work/guides/svc$k.md"
  fi
  k=$((k + 1)); n=$((n + 1))
done
echo "$(ls "$work/guides" | wc -l) guides, $(du -sk "$work/guides" | cut -f1) KiB"
echo 'Error: listen tcp :8090: bind: address already in use' >"$work/input.txt"
# Cold: the knowledge base built from the guides every run (--no-cache). Warm: read back
# from the on-disk cache (a private cache folder, filled by the warm-up runs).
export TRIAGE_CACHE_DIR="$work/cache"
hyperfine -N --warmup 3 --runs 20 --ignore-failure \
  -n cold "$bin diagnose --no-cache --guides $work/guides --format json $work/input.txt" \
  -n warm "$bin diagnose --guides $work/guides --format json $work/input.txt"

# Instructions per run (steadier than wall time on a loaded machine), when valgrind is there.
if command -v valgrind >/dev/null; then
  for run in cold warm; do
    flag=$([ "$run" = cold ] && echo --no-cache || true)
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.$run" \
      "$bin" diagnose $flag --guides "$work/guides" --format json "$work/input.txt" \
      >/dev/null 2>"$work/cg.$run.log" || true
    echo "$run: $(grep -o 'refs: *[0-9,]*' "$work/cg.$run.log" | tr -s ' ') instructions"
  done
fi

cargo bench -p triage-kb --bench diagnose 2>/dev/null | grep -v '^$'
