package run.trakr.readapi.ratelimit;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

import run.trakr.readapi.system.ApiErrorResponder;

/** Wires the shared and local windows into the {@link TokenRateLimiter}. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({ RateLimitProperties.class, RedisConnectionProperties.class })
class RateLimitConfiguration {

	@Bean
	TokenRateLimiter tokenRateLimiter(RateLimitProperties properties, RedisConnectionProperties redis,
			MeterRegistry meters) {
		RedisSlidingWindow shared = new RedisSlidingWindow(properties, redis.endpoint(properties.redisUrl()));
		shared.connectIfNeeded();
		return new TokenRateLimiter(shared,
				new LocalSlidingWindow(properties.limit(), properties.window(), System::nanoTime), meters);
	}

	/** After the bearer-token gate, which names the caller's org. */
	@Bean
	FilterRegistrationBean<OrgConcurrencyLimit> orgConcurrencyLimit(RateLimitProperties properties,
			ApiErrorResponder errors, MeterRegistry meters) {
		FilterRegistrationBean<OrgConcurrencyLimit> registration = new FilterRegistrationBean<>(
				new OrgConcurrencyLimit(properties, errors, meters));
		registration.addUrlPatterns("/*");
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 20);
		return registration;
	}

	@Bean
	RateLimitHealthIndicator rateLimitHealthIndicator(TokenRateLimiter limiter) {
		return new RateLimitHealthIndicator(limiter);
	}

}
