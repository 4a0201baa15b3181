package run.trakr.projector.system;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.stereotype.Component;

/**
 * {@code kafka} health: the broker answers, and the projector's listener is running with
 * its partitions. PostgreSQL has Boot's own {@code db} indicator.
 */
@Component("kafka")
class KafkaHealthIndicator implements HealthIndicator, AutoCloseable {

	private static final Duration TIMEOUT = Duration.ofSeconds(2);

	private final Admin admin;

	private final KafkaListenerEndpointRegistry listeners;

	KafkaHealthIndicator(KafkaProperties kafka, KafkaListenerEndpointRegistry listeners) {
		this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
				String.join(",", kafka.getBootstrapServers()), AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
				(int) TIMEOUT.toMillis(), AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis()));
		this.listeners = listeners;
	}

	@Override
	public Health health() {
		MessageListenerContainer listener = this.listeners.getListenerContainer("ingest-projector");
		boolean running = listener != null && listener.isRunning();
		Health.Builder health;
		try {
			int brokers = this.admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis()))
				.nodes()
				.get(TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS)
				.size();
			health = (running ? Health.up() : Health.down()).withDetail("brokers", brokers);
		}
		catch (Exception ex) {
			health = Health.down().withDetail("error", "broker unreachable: " + ex.getClass().getSimpleName());
		}
		health.withDetail("listener", running ? "running" : "stopped");
		if (listener != null && listener.getAssignedPartitions() != null) {
			health.withDetail("partitions", listener.getAssignedPartitions().size());
		}
		return health.build();
	}

	@Override
	public void close() {
		this.admin.close(Duration.ofSeconds(2));
	}

}
