package run.trakr.demo;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import run.trakr.localstack.LocalStack;

/**
 * How far the projector has come with a topic: its offsets, stored with its writes in
 * PostgreSQL, against the ends of the topic's partitions in Kafka.
 */
final class ProjectionProgress {

	private static final Logger logger = LoggerFactory.getLogger(ProjectionProgress.class);

	private ProjectionProgress() {
	}

	/**
	 * Waits until the projector has applied every record published so far: its offsets,
	 * stored with the writes in PostgreSQL, reach the ends of the topic's partitions.
	 */
	static void await(LocalStack stack, String topic, Duration timeout) throws InterruptedException {
		Instant deadline = Instant.now().plus(timeout);
		try (Admin admin = Admin
			.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers()));
				Connection db = DriverManager.getConnection(stack.jdbcUrl(), stack.postgresUser(),
						stack.postgresPassword())) {
			Map<TopicPartition, OffsetSpec> latest = admin.describeTopics(List.of(topic))
				.allTopicNames()
				.get()
				.get(topic)
				.partitions()
				.stream()
				.collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
			Map<Integer, Long> ends = new HashMap<>();
			admin.listOffsets(latest)
				.all()
				.get()
				.forEach((partition, end) -> ends.put(partition.partition(), end.offset()));
			long total = ends.values().stream().mapToLong(Long::longValue).sum();
			Instant nextReport = Instant.now();
			while (Instant.now().isBefore(deadline)) {
				Map<Integer, Long> applied = projectedOffsets(db, topic);
				long done = ends.entrySet()
					.stream()
					.mapToLong(end -> Math.min(applied.getOrDefault(end.getKey(), 0L), end.getValue()))
					.sum();
				if (done >= total) {
					return;
				}
				if (!Instant.now().isBefore(nextReport)) {
					logger.info("Back-fill: {}% of {} events projected", 100 * done / Math.max(1, total), total);
					nextReport = Instant.now().plusSeconds(2);
				}
				Thread.sleep(250);
			}
		}
		catch (ExecutionException | SQLException ex) {
			throw new IllegalStateException("Could not read the projector's progress", ex);
		}
		throw new IllegalStateException("The projector did not catch up within " + timeout);
	}

	/**
	 * The projector's next offset per partition of {@code topic}, as stored with its
	 * writes; empty until it has migrated the schema.
	 */
	static Map<Integer, Long> projectedOffsets(Connection db, String topic) throws SQLException {
		Map<Integer, Long> offsets = new HashMap<>();
		try (PreparedStatement query = db
			.prepareStatement("SELECT partition, next_offset FROM projector_offsets WHERE topic = ?")) {
			query.setString(1, topic);
			try (ResultSet rows = query.executeQuery()) {
				while (rows.next()) {
					offsets.put(rows.getInt(1), rows.getLong(2));
				}
			}
		}
		catch (SQLException ex) {
			if (!"42P01".equals(ex.getSQLState())) {
				throw ex;
			}
		}
		return offsets;
	}

}
