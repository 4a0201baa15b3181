#!/usr/bin/env bash
# Streamed exports of /api/runs (issue 15): loads one large org (default 1 M runs, as
# bench/read-routes.sh) into a fresh local stack and exports all of it as NDJSON and CSV,
# printing rows/s, MB/s and time to first byte beside PostgreSQL's own COPY of the same rows
# in the same run, and the heap peak of a whole export beside that of a tenth of it.
# Usage: bench/export.sh [--runs 1000000] [--repeats 3]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -pl read-api -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test
exec java -Xmx1g -XX:+ExitOnOutOfMemoryError ${BENCH_JAVA_OPTS:-} \
  -cp "read-api/target/test-classes:read-api/target/classes:$(cat read-api/target/classpath.txt)" \
  run.trakr.bench.ExportBenchmark "$@"
