package run.trakr.demo.simulator;

import java.time.Instant;

/**
 * One ingest record as an SDK would publish it: when, under which Kafka key, and its
 * JSON.
 */
public record TimedEvent(Instant at, String key, String json) {

}
