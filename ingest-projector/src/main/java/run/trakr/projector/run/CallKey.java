package run.trakr.projector.run;

import java.util.UUID;

/** An LLM call or a tool use, by its org and its event's natural key. */
record CallKey(UUID orgId, UUID id) {
}
