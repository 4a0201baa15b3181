package run.trakr.readapi.auth;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

import run.trakr.readapi.freshness.ProjectionFreshness;
import run.trakr.readapi.ratelimit.TokenRateLimiter;
import run.trakr.readapi.system.ApiErrorResponder;

/** Puts the {@link BearerTokenGate} in front of every route of the API port. */
@Configuration(proxyBeanMethods = false)
class AuthConfiguration {

	@Bean
	TokenResolver tokenResolver(TokenQueries tokens, MeterRegistry meters) {
		return new TokenResolver(tokens, System::nanoTime, meters);
	}

	@Bean
	FailedAuthentications failedAuthentications(MeterRegistry meters) {
		return new FailedAuthentications(System::nanoTime, meters);
	}

	@Bean
	FilterRegistrationBean<BearerTokenGate> bearerTokenGate(TokenResolver tokens, LastUseRecorder lastUse,
			TokenRateLimiter rateLimiter, ApiErrorResponder errors, FailedAuthentications failures,
			ProjectionFreshness freshness) {
		FilterRegistrationBean<BearerTokenGate> registration = new FilterRegistrationBean<>(
				new BearerTokenGate(tokens, lastUse, rateLimiter, errors, failures, freshness));
		registration.addUrlPatterns("/*");
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
		return registration;
	}

}
