package run.trakr.localstack;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The local stack (and the schema build, which generates jOOQ classes from a migrated
 * PostgreSQL) runs on Linux and macOS, on amd64 and arm64: each platform's PostgreSQL and
 * Redis binaries resolve from the classpath, under the names zonky's resolver and
 * {@link RedisServer} look for.
 */
class PlatformBinariesTest {

	@ParameterizedTest
	@CsvSource({ "Linux, amd64, postgres-linux-x86_64.txz", "Linux, aarch64, postgres-linux-arm_64.txz",
			"Mac OS X, x86_64, postgres-darwin-x86_64.txz", "Mac OS X, aarch64, postgres-darwin-arm_64.txz" })
	void eachPlatformsServerBinariesAreOnTheClasspath(String os, String arch, String postgres) {
		ClassLoader classpath = getClass().getClassLoader();
		assertThat(classpath.getResource(postgres)).as("PostgreSQL for %s/%s", os, arch).isNotNull();
		String redis = RedisServer.binaryResource(os, arch);
		assertThat(redis).contains(arch.equals("aarch64") ? "arm64" : "amd64");
		assertThat(classpath.getResource(redis)).as("Redis for %s/%s", os, arch).isNotNull();
	}

}
