#!/usr/bin/env bash
# Measures what a new user waits for: a fresh clone of this repository (committed HEAD),
# then bin/trakr-demo until it prints its banner (build, local stack, services, org and
# token, 30-day back-fill projected), over N runs (default 3); prints each run and the
# median, then stops the demo and checks nothing is left running. Needs a warm Maven
# cache and port 3000 free.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
times=()
for i in $(seq 1 "$runs"); do
  rm -rf "$work/clone"
  git clone -q "$repo" "$work/clone"
  start=$(date +%s%N)
  (cd "$work/clone" && exec bin/trakr-demo) > "$work/out" 2>&1 &
  until grep -q 'Ctrl-C stops everything' "$work/out"; do
    grep -q 'could not start' "$work/out" && { cat "$work/out" >&2; exit 1; }
    sleep 0.5
  done
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  times+=("$ms")
  echo "run $i: ${ms} ms to ready ($(grep -o 'ready in [0-9]* s' "$work/out") after the build)"
  # SIGTERM: a background job ignores SIGINT; both run the same shutdown.
  pkill -TERM -f "$work/clone|demo-.*-exec.jar" || true
  wait || true
  sleep 2
  if pgrep -f "$work/clone" > /dev/null; then echo "processes left behind" >&2; exit 1; fi
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
echo "median: $(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p") ms"
