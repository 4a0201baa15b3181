package run.trakr.readapi.conditional;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

@Configuration(proxyBeanMethods = false)
class ConditionalConfiguration {

	/** Inside the gate and the per-org bound: only answered requests get an ETag. */
	@Bean
	FilterRegistrationBean<ConditionalRequests> conditionalRequests() {
		FilterRegistrationBean<ConditionalRequests> registration = new FilterRegistrationBean<>(
				new ConditionalRequests());
		registration.addUrlPatterns("/api/*");
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 30);
		return registration;
	}

}
