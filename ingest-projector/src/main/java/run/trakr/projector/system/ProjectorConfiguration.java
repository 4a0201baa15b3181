package run.trakr.projector.system;

import java.time.Clock;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.util.backoff.ExponentialBackOff;

import run.trakr.schema.event.IngestEventDecoder;

/** The decoder, the clock, and how a failed batch is retried. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ProjectorProperties.class)
@EnableScheduling
class ProjectorConfiguration {

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
	DefaultErrorHandler retryWhileDatabaseIsDown() {
		ExponentialBackOff backOff = new ExponentialBackOff(200, 2.0);
		backOff.setMaxInterval(10_000);
		return new DefaultErrorHandler(backOff);
	}

}
