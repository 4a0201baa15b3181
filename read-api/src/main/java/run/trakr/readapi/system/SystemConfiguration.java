package run.trakr.readapi.system;

import java.time.Clock;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.jooq.ExecuteListenerProvider;
import org.jooq.impl.DefaultExecuteListenerProvider;

import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
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

	/** Picked up by Boot's jOOQ configuration. */
	@Bean
	ExecuteListenerProvider statementMetrics(MeterRegistry meters) {
		return new DefaultExecuteListenerProvider(new StatementMetrics(meters));
	}

	/**
	 * Workflow names may contain '/', sent as %2F inside one path segment; keep it
	 * encoded for routing.
	 */
	@Bean
	TomcatConnectorCustomizer encodedSlashInPathSegments() {
		return connector -> connector.setEncodedSolidusHandling("passthrough");
	}

	/**
	 * Replaces Tomcat's HTML error report (and Boot's copy of it) with the JSON error
	 * shape.
	 */
	@Bean
	WebServerFactoryCustomizer<TomcatServletWebServerFactory> jsonContainerErrors() {
		return factory -> factory.addContextCustomizers(context -> {
			StandardHost host = (StandardHost) context.getParent();
			for (Valve valve : host.getPipeline().getValves()) {
				if (valve instanceof ErrorReportValve) {
					host.getPipeline().removeValve(valve);
				}
			}
			host.setErrorReportValveClass(JsonErrorReportValve.class.getName());
			host.getPipeline().addValve(new JsonErrorReportValve());
		});
	}

}
