package run.trakr.projector.system;

import java.time.Clock;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.RetryListener;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.util.backoff.ExponentialBackOff;

import run.trakr.projector.retention.RetentionProperties;
import run.trakr.schema.event.IngestEventDecoder;

/** The decoder, the clock, and how a failed batch is retried. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({ ProjectorProperties.class, RetentionProperties.class })
@EnableScheduling
class ProjectorConfiguration {

	private static final Logger log = LoggerFactory.getLogger(ProjectorConfiguration.class);

	@Bean
	Clock clock() {
		return Clock.systemUTC();
	}

	@Bean
	IngestEventDecoder ingestEventDecoder(Clock clock) {
		return new IngestEventDecoder(clock);
	}

	/**
	 * A batch fails only when PostgreSQL does (bad records never throw): retry the whole
	 * batch with backoff, forever. Offsets live in PostgreSQL, so a retry is harmless.
	 */
	@Bean
	DefaultErrorHandler retryWhileDatabaseIsDown(MeterRegistry meters) {
		ExponentialBackOff backOff = new ExponentialBackOff(200, 2.0);
		backOff.setMaxInterval(10_000);
		DefaultErrorHandler handler = new DefaultErrorHandler(backOff);
		Counter retries = Counter.builder("trakr.projector.batch.retries")
			.description("Failed attempts to project a batch (each is retried)")
			.register(meters);
		handler.setRetryListeners(new RetryListener() {

			@Override
			public void failedDelivery(ConsumerRecord<?, ?> record, Exception ex, int deliveryAttempt) {
				retries.increment();
			}

			@Override
			public void failedDelivery(ConsumerRecords<?, ?> records, Exception ex, int deliveryAttempt) {
				retries.increment();
				Throwable cause = NestedExceptionUtils.getMostSpecificCause(ex);
				log.warn("Projecting a batch of {} records failed (attempt {}), will retry: {}: {}", records.count(),
						deliveryAttempt, cause.getClass().getSimpleName(), cause.getMessage());
			}

		});
		return handler;
	}

}
