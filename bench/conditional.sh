#!/usr/bin/env bash
# A 304 beside the 200 of the same request (issue 15): loads the bench data set (default
# 10 M runs, as bench/read-routes.sh) into a fresh local stack and alternates fixed-rate runs
# of each request with and without the ETag of its answer in If-None-Match, printing p50/p99
# per round and the medians' 304/200 ratio.
# Usage: bench/conditional.sh [--runs 10000000] [--rate 200] [--seconds 20] [--warmup 5]
#        [--rounds 3] [--connections 16] [--env-file PATH (a running bin/local-stack)] [--only REGEX]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -pl read-api -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test
exec java -Xmx2g -XX:+ExitOnOutOfMemoryError ${BENCH_JAVA_OPTS:-} \
  -cp "read-api/target/test-classes:read-api/target/classes:$(cat read-api/target/classpath.txt)" \
  run.trakr.bench.ConditionalBenchmark "$@"
