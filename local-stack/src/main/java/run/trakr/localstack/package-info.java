/**
 * Real Kafka, PostgreSQL and Redis for tests, the demo and benchmarks, without Docker.
 */
package run.trakr.localstack;
