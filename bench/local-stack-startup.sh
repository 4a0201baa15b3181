#!/usr/bin/env bash
# Measures how long the local stack takes to be ready, from launching its JVM until
# Kafka, PostgreSQL and Redis all answer, over N runs (default 7); prints each run and
# the median. Warm Maven cache and extracted binaries assumed (the first run warms them).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
./mvnw -q -B -pl local-stack -am package -DskipTests
jar=$(ls local-stack/target/local-stack-*-exec.jar | head -n 1)
env_file=$(mktemp -u)
times=()
for i in $(seq 0 "$runs"); do
  rm -f "$env_file"
  start=$(date +%s%N)
  java -jar "$jar" --env-file "$env_file" > /dev/null 2>&1 &
  pid=$!
  while [ ! -s "$env_file" ]; do
    kill -0 "$pid" 2>/dev/null || { echo "local stack exited early" >&2; exit 1; }
    sleep 0.02
  done
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  kill -TERM "$pid"; wait "$pid" || true
  if [ "$i" -eq 0 ]; then echo "warm-up: ${ms} ms"; continue; fi
  echo "run $i: ${ms} ms"
  times+=("$ms")
done
rm -f "$env_file"
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}')
echo "median of ${#times[@]} runs: ${median} ms (launch to all three ready)"
