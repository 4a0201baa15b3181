#!/usr/bin/env bash
# Projection throughput and latency (issue 3): publishes a backlog of realistic ingest
# events to a fresh durable local stack, starts the packaged projector (its own JVM,
# heap capped), measures how fast it drains the backlog, then produce->visible latency
# at a fixed rate, and its peak RSS. See BENCHMARKS.md, "Ingest projector".
# Usage: bench/projector-throughput.sh [--events 2000000] [--partitions 6] [--concurrency 2]
#        [--max-poll-records 2000] [--heap 1g] [--latency-rate 0 (= half the drain rate)] [--latency-seconds 60]
#        [--durable true (fsync and synchronous commit on; false = the tests' stack)]
#        [--kafka-brokers 1 (or 3: a replicated cluster, replication factor 3, two in sync)]
set -euo pipefail
cd "$(dirname "$0")/.."
# One reactor build (-am): from a fresh clone, this project's own artifacts are in no
# repository yet, only in the reactor.
./mvnw -q -B -pl demo -am package dependency:build-classpath -DskipTests -Dmaven.test.skip=false \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test
jar=$(ls ingest-projector/target/ingest-projector-*-exec.jar | head -n 1)
exec java -Xmx2g -Dtrakr.projector.jar="$jar" \
  -Dlogback.configurationFile=run/trakr/demo/demo-logback.xml \
  -cp "demo/target/test-classes:demo/target/classes:$(cat demo/target/classpath.txt)" \
  run.trakr.demo.ProjectorBenchmark "$@"
