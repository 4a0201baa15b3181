package run.trakr.projector.deadletter;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import run.trakr.projector.system.ProjectorProperties;
import run.trakr.schema.event.Rejection;
import run.trakr.schema.jooq.tables.records.DeadLettersRecord;

import static run.trakr.schema.jooq.Tables.DEAD_LETTERS;

/**
 * Bad records. {@link #keep} stores one in the transaction that moves its partition past
 * it, so skipping a record and recording why are one atomic step; {@link #relay} then
 * publishes the stored ones to the dead-letter topic (reason in the {@code trakr-reason}
 * header, origin in {@code trakr-origin}) and deletes them once Kafka has them.
 */
@Component
public class DeadLetters {

	public static final String REASON_HEADER = "trakr-reason";

	public static final String ORIGIN_HEADER = "trakr-origin";

	private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

	private final DSLContext db;

	private final KafkaTemplate<byte[], byte[]> kafka;

	private final ProjectorProperties properties;

	private final Counter deadLetters;

	/**
	 * Set when a letter may be waiting, so that batches without bad records do not look.
	 */
	private final AtomicBoolean mayBeWaiting = new AtomicBoolean(true);

	DeadLetters(DSLContext db, KafkaTemplate<byte[], byte[]> kafka, ProjectorProperties properties,
			MeterRegistry meters) {
		this.db = db;
		this.kafka = kafka;
		this.properties = properties;
		this.deadLetters = Counter.builder("trakr.projector.dead.letters")
			.description("Records sent to the dead-letter topic")
			.register(meters);
	}

	public void keep(ConsumerRecord<byte[], byte[]> record, Rejection rejection) {
		this.db.insertInto(DEAD_LETTERS)
			.set(DEAD_LETTERS.TOPIC, record.topic())
			.set(DEAD_LETTERS.PARTITION, record.partition())
			.set(DEAD_LETTERS.OFFSET, record.offset())
			.set(DEAD_LETTERS.RECORD_KEY, record.key())
			.set(DEAD_LETTERS.RECORD_VALUE, record.value())
			.set(DEAD_LETTERS.REASON, rejection.describe())
			.execute();
		// Raised once the letter is visible: raised before, another consumer's relay
		// could
		// lower it without seeing the letter, which would then wait for the schedule.
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCommit() {
					DeadLetters.this.mayBeWaiting.set(true);
				}
			});
		}
		else {
			this.mayBeWaiting.set(true);
		}
		this.deadLetters.increment();
	}

	/** Publishes stored dead letters after a batch that kept some. */
	public void relayIfAny() {
		if (this.mayBeWaiting.get()) {
			relay();
		}
	}

	/**
	 * Publishes stored dead letters; on a schedule too, for letters a crash or an outage
	 * held back.
	 */
	@Scheduled(fixedDelay = 5000)
	public synchronized void relay() {
		this.mayBeWaiting.set(false);
		List<DeadLettersRecord> pending = this.db.selectFrom(DEAD_LETTERS).orderBy(DEAD_LETTERS.ID).limit(500).fetch();
		for (DeadLettersRecord letter : pending) {
			ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(this.properties.deadLetterTopic(),
					letter.getRecordKey(), letter.getRecordValue());
			record.headers().add(REASON_HEADER, letter.getReason().getBytes(StandardCharsets.UTF_8));
			record.headers()
				.add(ORIGIN_HEADER, (letter.getTopic() + "/" + letter.getPartition() + "@" + letter.getOffset())
					.getBytes(StandardCharsets.UTF_8));
			try {
				this.kafka.send(record).get(10, TimeUnit.SECONDS);
			}
			catch (Exception ex) {
				log.warn("Dead-letter topic not reachable yet ({}); will retry", ex.getClass().getSimpleName());
				this.mayBeWaiting.set(true);
				return;
			}
			this.db.deleteFrom(DEAD_LETTERS).where(DEAD_LETTERS.ID.eq(letter.getId())).execute();
		}
	}

}
