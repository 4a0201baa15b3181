package run.trakr.projector.system;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code trakr.projector.*}.
 *
 * @param topic the ingest topic
 * @param deadLetterTopic where undecodable records go, with the reason in a header
 */
@ConfigurationProperties("trakr.projector")
public record ProjectorProperties(@DefaultValue("trakr.ingest.v1") String topic,
		@DefaultValue("trakr.ingest.v1.dlq") String deadLetterTopic) {
}
