#!/usr/bin/env bash
# The eight read routes at scale (issue 5): loads 10 M runs (one org, 50 workflows, 90 days;
# calls and tools for 1 in 100 runs) plus three smaller orgs into a fresh local stack, then
# reports p50/p99 per route at a fixed rate, /api/workflows throughput, and the baseline
# (the same aggregates straight over the runs table).
# Usage: bench/read-routes.sh [--runs 10000000] [--rate 100] [--seconds 20] [--warmup 10]
#        [--connections 16] [--env-file PATH-of-a-running-local-stack]
#        [--standby true: each route also through a read API whose routes read a streaming standby]
#        [--only REGEX: just the routes whose name it finds, e.g. 'default|stats'; no throughput or baseline]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -pl read-api -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test
exec java -Xmx2g ${BENCH_JAVA_OPTS:-} -cp "read-api/target/test-classes:read-api/target/classes:$(cat read-api/target/classpath.txt)" \
  run.trakr.bench.RouteBenchmark "$@"
