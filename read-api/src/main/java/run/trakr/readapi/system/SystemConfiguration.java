package run.trakr.readapi.system;

import java.time.Clock;

import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Process-wide beans: the clock, scheduling, and the servlet container's URI handling.
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class SystemConfiguration {

	@Bean
	Clock clock() {
		return Clock.systemUTC();
	}

	/**
	 * Workflow names may contain '/', sent as %2F inside one path segment; keep it
	 * encoded for routing.
	 */
	@Bean
	TomcatConnectorCustomizer encodedSlashInPathSegments() {
		return connector -> connector.setEncodedSolidusHandling("passthrough");
	}

}
