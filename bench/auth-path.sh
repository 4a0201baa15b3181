#!/usr/bin/env bash
# Added latency of the read-api's auth + rate-limit path (issue 4): the same handler with
# the gate on and off, and with only the gate's Redis script, a Redis PING through Lettuce
# or a PING over a blocking socket in its place (the floor under any gate, issue 18);
# open-loop at a fixed rate, alternating rounds; prints per-round percentiles, and the
# median added p50/p99/p99.9 and ratio to gate off.
# Usage: bench/auth-path.sh [rate=2000] [warm-up s=20] [measured s=30] [rounds=3] [tokens=500] [connections=32]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -pl read-api -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test
exec java -Xmx1g ${BENCH_JAVA_OPTS:-} -cp "read-api/target/test-classes:read-api/target/classes:$(cat read-api/target/classpath.txt)" \
  run.trakr.bench.AuthPathBenchmark "$@"
