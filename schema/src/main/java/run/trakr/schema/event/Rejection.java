package run.trakr.schema.event;

/**
 * Why a record cannot be projected. The reason's code goes into the dead-letter record's
 * header, with the detail naming the field.
 */
public record Rejection(Reason reason, String detail) {

	/** The kinds of bad record the contract names, each with a stable code. */
	public enum Reason {

		/** The value is over the contract's 1 MiB. */
		RECORD_TOO_LARGE("record_too_large"),
		/** Not a single JSON object in UTF-8 (also an empty value). */
		INVALID_JSON("invalid_json"),
		/** A {@code type} the contract does not define. */
		UNKNOWN_TYPE("unknown_type"),
		/** A required field is absent or null. */
		MISSING_FIELD("missing_field"),
		/** A field holds the wrong JSON type, e.g. a number where a string belongs. */
		WRONG_TYPE("wrong_type"),
		/**
		 * A string that is not a UUID, a known status, a decimal or within its length.
		 */
		INVALID_VALUE("invalid_value"),
		/** Negative money, count or duration. */
		NEGATIVE_VALUE("negative_value"),
		/** A timestamp that is not ISO 8601. */
		INVALID_TIMESTAMP("invalid_timestamp"),
		/** An ISO 8601 timestamp without {@code Z} or an offset. */
		TIMESTAMP_WITHOUT_OFFSET("timestamp_without_offset"),
		/** A timestamp more than 24 hours ahead of the projector's clock. */
		TIMESTAMP_IN_FUTURE("timestamp_in_future"),
		/**
		 * A valid event for a run already past its org's retention horizon (its rows are
		 * gone or going): applying it would bring back part of an expired run.
		 */
		BEYOND_RETENTION("beyond_retention");

		private final String code;

		Reason(String code) {
			this.code = code;
		}

		public String code() {
			return this.code;
		}

	}

	/** {@code code: detail}, as written to the dead-letter header. */
	public String describe() {
		return this.reason.code() + ": " + this.detail;
	}

}
