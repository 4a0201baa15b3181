package run.trakr.readapi.query;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker-compose hands the read API its cursor secret as a file in a config tree
 * ({@code SPRING_CONFIG_IMPORT=configtree:/run/secrets/trakr/}): the file's value must
 * win over application.yml's empty default.
 */
class CursorSecretFileTest {

	@Test
	void aConfigTreeFileNamedAfterThePropertySetsTheSecret(@TempDir Path secrets) throws Exception {
		Files.writeString(secrets.resolve("trakr.cursor.secret"), "0123456789abcdef0123456789abcdef0123456789abcdef");
		SpringApplication application = new SpringApplication(Empty.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		try (ConfigurableApplicationContext context = application
			.run("--spring.config.import=configtree:" + secrets + "/")) {
			assertThat(context.getEnvironment().getProperty("trakr.cursor.secret"))
				.isEqualTo("0123456789abcdef0123456789abcdef0123456789abcdef");
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class Empty {

	}

}
