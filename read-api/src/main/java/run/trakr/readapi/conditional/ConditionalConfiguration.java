package run.trakr.readapi.conditional;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

@Configuration(proxyBeanMethods = false)
class ConditionalConfiguration {

	/** Inside the gate and the per-org bound: only answered requests get an ETag. */
	@Bean
	FilterRegistrationBean<ConditionalRequests> conditionalRequests(
			@Value("${trakr.conditional.known-answers:50000}") long knownAnswers) {
		FilterRegistrationBean<ConditionalRequests> registration = new FilterRegistrationBean<>(
				new ConditionalRequests(knownAnswers));
		registration.addUrlPatterns("/api/*");
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 30);
		return registration;
	}

}
