package run.trakr.readapi.ratelimit;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the shared and local windows into the {@link TokenRateLimiter}. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RateLimitProperties.class)
class RateLimitConfiguration {

	@Bean
	TokenRateLimiter tokenRateLimiter(RateLimitProperties properties, MeterRegistry meters) {
		RedisSlidingWindow shared = new RedisSlidingWindow(properties);
		shared.connectIfNeeded();
		return new TokenRateLimiter(shared,
				new LocalSlidingWindow(properties.limit(), properties.window(), System::nanoTime), meters);
	}

	@Bean
	RateLimitHealthIndicator rateLimitHealthIndicator(TokenRateLimiter limiter) {
		return new RateLimitHealthIndicator(limiter);
	}

}
