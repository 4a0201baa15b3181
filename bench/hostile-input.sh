#!/usr/bin/env bash
# What hostile but valid traffic costs (issue 13): loads a data set (default 1 M runs of one
# org, 50 workflows, 90 days) into a fresh local stack, measures the idle p99 of
# /api/workflows, the same route during a flood of unknown tokens, and the heaviest valid
# requests (calendar-wide windows, 2,000-bucket series, filters the rollups do not keep),
# each as a ratio to that idle p99.
# Usage: bench/hostile-input.sh [--runs 1000000] [--rate 100] [--seconds 20] [--warmup 5]
#        [--flood 1000] [--repeats 20] [--per-org 6 (0: no per-org bound, to compare)]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -pl read-api -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test
exec java -Xmx2g -XX:+ExitOnOutOfMemoryError ${BENCH_JAVA_OPTS:-} \
  -cp "read-api/target/test-classes:read-api/target/classes:$(cat read-api/target/classpath.txt)" \
  run.trakr.bench.HostileInputBenchmark "$@"
