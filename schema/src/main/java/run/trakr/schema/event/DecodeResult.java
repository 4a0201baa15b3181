package run.trakr.schema.event;

/** A Kafka record value, decoded: either an event or the reason it was rejected. */
public sealed interface DecodeResult {

	/** A valid event. */
	record Accepted(IngestEvent event) implements DecodeResult {
	}

	/** A bad record, bound for the dead-letter topic. */
	record Rejected(Rejection rejection) implements DecodeResult {
	}

}
