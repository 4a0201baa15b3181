package run.trakr.readapi.ratelimit;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Spring Boot's own names for where Redis is ({@code spring.data.redis.*}): the form
 * Redis is deployed in decides the client (see {@link SharedRedis}). The URL of one
 * server is {@code trakr.rate-limit.redis-url}, which defaults to
 * {@code spring.data.redis.url}.
 */
@ConfigurationProperties("spring.data.redis")
record RedisConnectionProperties(String password, Cluster cluster, Sentinel sentinel) {

	record Cluster(List<String> nodes) {
	}

	record Sentinel(String master, List<String> nodes) {
	}

	SharedRedis.Endpoint endpoint(String url) {
		return new SharedRedis.Endpoint(url, (this.cluster != null) ? this.cluster.nodes() : null,
				(this.sentinel != null) ? this.sentinel.master() : null,
				(this.sentinel != null) ? this.sentinel.nodes() : null, this.password);
	}

}
