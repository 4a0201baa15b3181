package run.trakr.endtoend;

import java.math.BigDecimal;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.junit.LocalStackExtension;

import run.trakr.readapitest.support.Admin;
import run.trakr.readapitest.support.Admin.OrgToken;
import run.trakr.readapitest.support.ReadApiInstance;
import run.trakr.readapitest.support.ReadApiReplicas;
import run.trakr.schema.event.IngestEvent;
import run.trakr.schema.event.IngestEvent.Envelope;
import run.trakr.schema.event.IngestEvent.LlmCallRecorded;
import run.trakr.schema.event.IngestEvent.RunEnded;
import run.trakr.schema.event.IngestEvent.RunStarted;
import run.trakr.schema.event.IngestEventEncoder;
import run.trakr.schematest.support.IngestPopulation;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ETags against the packaged projector on real Kafka and PostgreSQL, on two replicas
 * (extensions.md §1): events for another workflow, another org or outside the window
 * leave a stats answer's ETag as it was (still a 304); an event that changes the answer
 * gives a new ETag and body on both replicas, for the stats and for the run's detail.
 */
@ExtendWith(LocalStackExtension.class)
class ConditionalRequestsEndToEndIT {

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private static final Instant HOUR = Instant.parse("2026-09-10T10:00:00Z");

	/** Two hours, the first edge cut mid 5-minute bucket. */
	private static final String STATS = "/api/workflows/triage/stats?interval=hour&from="
			+ HOUR.plusSeconds(90).toEpochMilli() + "&to=" + HOUR.plusSeconds(7200).minusMillis(1).toEpochMilli();

	@Test
	void onlyAChangeToWhatTheAnswerShowsChangesItsEtag(LocalStack stack) throws Exception {
		String topic = IngestPopulation.newTopic(stack, 2);
		OrgToken caller;
		OrgToken other;
		long published = 0;
		try (ReadApiReplicas replicas = ReadApiReplicas.start(stack, 2, Map.of());
				ProjectorProcess projector = ProjectorProcess.start(stack, topic)) {
			DSLContext db = replicas.first().context().getBean(DSLContext.class);
			Admin admin = new Admin(stack);
			caller = admin.createOrgWithToken("pro");
			other = admin.createOrgWithToken("pro");
			// The events are dated (HOUR): kept however far the calendar has moved.
			for (OrgToken org : List.of(caller, other)) {
				admin.run("org", "set-retention", "--org", org.orgId().toString(), "--days",
						Integer.toString(IngestPopulation.RETENTION_DAYS));
			}
			UUID edgeRun = UUID.randomUUID();
			UUID wholeRun = UUID.randomUUID();
			published += publish(stack, topic, started(caller, edgeRun, "triage", HOUR.plusSeconds(123)),
					started(caller, wholeRun, "triage", HOUR.plusSeconds(1800)),
					call(caller, wholeRun, HOUR.plusSeconds(1801), "0.40"));
			projector.awaitProjected(db, topic, published);

			String statsEtag = sameEtagOnBoth(replicas, caller, STATS, "\"run_count\":2");
			String detailPath = "/api/runs/" + edgeRun;
			String detailEtag = sameEtagOnBoth(replicas, caller, detailPath, "\"status\":\"running\"");
			for (ReadApiInstance replica : replicas.all()) {
				assertThat(send(replica, caller, STATS, statsEtag).statusCode()).isEqualTo(304);
				assertThat(send(replica, caller, detailPath, detailEtag).statusCode()).isEqualTo(304);
			}

			// Another workflow in the window, another org's triage, and the caller's
			// triage before the window (same 5-minute bucket as its edge) and after it.
			UUID elsewhere = UUID.randomUUID();
			published += publish(stack, topic, started(caller, UUID.randomUUID(), "digest", HOUR.plusSeconds(600)),
					started(other, UUID.randomUUID(), "triage", HOUR.plusSeconds(600)),
					started(caller, elsewhere, "triage", HOUR.plusSeconds(30)),
					call(caller, elsewhere, HOUR.plusSeconds(31), "9.00"),
					started(caller, UUID.randomUUID(), "triage", HOUR.plusSeconds(7300)));
			projector.awaitProjected(db, topic, published);
			for (ReadApiInstance replica : replicas.all()) {
				HttpResponse<String> unchanged = send(replica, caller, STATS, statsEtag);
				assertThat(unchanged.statusCode()).as("nothing the stats show changed").isEqualTo(304);
				assertThat(unchanged.headers().firstValue("ETag")).hasValue(statsEtag);
			}

			// The edge run ends in error: the stats and its detail change.
			published += publish(stack, topic, new RunEnded(envelope(caller, HOUR.plusSeconds(200)), edgeRun,
					IngestEvent.EndStatus.ERROR, HOUR.plusSeconds(200)));
			projector.awaitProjected(db, topic, published);
			List<String> statsEtags = new ArrayList<>();
			for (ReadApiInstance replica : replicas.all()) {
				HttpResponse<String> changed = send(replica, caller, STATS, statsEtag);
				assertThat(changed.statusCode()).isEqualTo(200);
				assertThat(changed.body()).contains("\"run_count\":2").contains("\"failed_count\":1");
				statsEtags.add(changed.headers().firstValue("ETag").orElseThrow());
				HttpResponse<String> detail = send(replica, caller, detailPath, detailEtag);
				assertThat(detail.statusCode()).isEqualTo(200);
				assertThat(detail.body()).contains("\"status\":\"error\"");
			}
			assertThat(statsEtags.get(0)).isNotEqualTo(statsEtag).isEqualTo(statsEtags.get(1));
		}
	}

	/** The answer's ETag, the same from both replicas. */
	private static String sameEtagOnBoth(ReadApiReplicas replicas, OrgToken caller, String path, String shows)
			throws Exception {
		List<String> etags = new ArrayList<>();
		for (ReadApiInstance replica : replicas.all()) {
			HttpResponse<String> response = send(replica, caller, path, null);
			assertThat(response.statusCode()).as(path).isEqualTo(200);
			assertThat(response.body()).contains(shows);
			etags.add(response.headers().firstValue("ETag").orElseThrow());
		}
		assertThat(etags.get(1)).isEqualTo(etags.get(0));
		return etags.get(0);
	}

	private static HttpResponse<String> send(ReadApiInstance replica, OrgToken caller, String path, String ifNoneMatch)
			throws Exception {
		// What the projector committed is seen by the replica a moment later; the test
		// asks once it is.
		replica.awaitRevisionsSeen();
		HttpRequest.Builder request = HttpRequest.newBuilder(replica.uri(path))
			.header("Authorization", "Bearer " + caller.token());
		if (ifNoneMatch != null) {
			request.header("If-None-Match", ifNoneMatch);
		}
		return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static Envelope envelope(OrgToken org, Instant at) {
		return new Envelope(UUID.randomUUID(), org.orgId(), at);
	}

	private static IngestEvent started(OrgToken org, UUID runId, String workflow, Instant at) {
		return new RunStarted(envelope(org, at), runId, workflow, at, Optional.empty(), Optional.empty());
	}

	private static IngestEvent call(OrgToken org, UUID runId, Instant at, String cost) {
		return new LlmCallRecorded(envelope(org, at), runId, UUID.randomUUID(), "gpt-4o", Optional.of("openai"), 100,
				20, new BigDecimal(cost), 300, at, IngestEvent.CallStatus.SUCCESS);
	}

	private static long publish(LocalStack stack, String topic, IngestEvent... events) {
		List<IngestPopulation.Record> records = new ArrayList<>();
		for (IngestEvent event : events) {
			records.add(new IngestPopulation.Record(IngestEventEncoder.key(event), IngestEventEncoder.toJson(event)));
		}
		IngestPopulation.publish(stack, topic, records);
		return records.size();
	}

}
