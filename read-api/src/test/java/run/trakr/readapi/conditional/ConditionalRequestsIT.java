package run.trakr.readapi.conditional;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.junit.LocalStackExtension;

import run.trakr.readapitest.support.Admin;
import run.trakr.readapitest.support.Admin.OrgToken;
import run.trakr.readapitest.support.ReadApiInstance;
import run.trakr.readapitest.support.ReadApiReplicas;
import run.trakr.readapitest.support.RollupRows;
import run.trakr.readapitest.support.RunRows;

import static org.assertj.core.api.Assertions.assertThat;
import static run.trakr.schema.jooq.Tables.ORG_REVISIONS;
import static run.trakr.schema.jooq.Tables.RUNS;

/**
 * ETag, If-None-Match and 304 (extensions.md §1) on two replicas: the same answer has the
 * same strong ETag on both; a 304 has no body, keeps the ETag and the quota headers and
 * counts against the quota; a change to the data the answer shows gives a new ETag, a
 * change to another org's does not.
 */
@ExtendWith(LocalStackExtension.class)
class ConditionalRequestsIT {

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private static final Pattern REMAINING = Pattern.compile("r=(\\d+)");

	private static final OffsetDateTime DAY = OffsetDateTime.parse("2026-10-01T00:00:00Z");

	private static final String PATH = "/api/workflows?from=2026-10-01T00:00:00Z&to=2026-10-01T23:59:59.999999Z";

	static ReadApiReplicas replicas;

	/** A replica that caches no aggregate: every body it computes reads the rows. */
	static ReadApiInstance uncached;

	static DSLContext db;

	static Admin admin;

	@BeforeAll
	static void start(LocalStack stack) {
		replicas = ReadApiReplicas.startTwo(stack);
		uncached = ReadApiInstance.start(stack, Map.of("trakr.rollup-cache.max-weight", 0));
		db = replicas.first().context().getBean(DSLContext.class);
		admin = new Admin(stack);
	}

	@AfterAll
	static void stop() {
		replicas.close();
		uncached.close();
	}

	@Test
	void anUnchangedAnswerIs304WithItsEtagOnEveryReplicaAndAChangeGivesANewOne() throws Exception {
		OrgToken caller = admin.createOrgWithToken("pro");
		OrgToken other = admin.createOrgWithToken("pro");
		RollupRows.insertDay(db, caller.orgId(), "triage", DAY, 0, 4);
		RollupRows.bump(db, caller.orgId(), 0, 86400, DAY);

		HttpResponse<String> first = send(replicas.first(), caller, null);
		assertThat(first.statusCode()).isEqualTo(200);
		assertThat(first.body()).contains("\"run_count\":4");
		String etag = first.headers().firstValue("ETag").orElseThrow();
		assertThat(etag).matches("\"[^\"]+\"");
		assertThat(first.headers().firstValue("Cache-Control")).hasValue("private, no-cache");
		assertThat(first.headers().allValues("Vary")).anySatisfy(vary -> assertThat(vary).contains("Authorization"));
		assertThat(send(replicas.second(), caller, null).headers().firstValue("ETag")).as("the other replica")
			.hasValue(etag);

		HttpResponse<String> notModified = send(replicas.second(), caller, etag);
		assertThat(notModified.statusCode()).isEqualTo(304);
		assertThat(notModified.body()).isEmpty();
		assertThat(notModified.headers().firstValue("ETag")).hasValue(etag);
		assertThat(notModified.headers().firstValue("Cache-Control")).hasValue("private, no-cache");
		assertThat(remaining(notModified)).as("a 304 is counted like any request").isEqualTo(remaining(first) - 2);
		assertThat(send(replicas.first(), caller, "*").statusCode()).isEqualTo(304);
		assertThat(send(replicas.first(), caller, "\"something-else\", " + etag).statusCode()).isEqualTo(304);
		assertThat(send(replicas.first(), caller, "\"something-else\"").statusCode()).isEqualTo(200);

		RollupRows.insertDay(db, other.orgId(), "triage", DAY, 0, 9);
		RollupRows.bump(db, other.orgId(), 0, 86400, DAY);
		assertThat(send(replicas.first(), caller, etag).statusCode()).as("another org's data changed").isEqualTo(304);

		RollupRows.insertDay(db, caller.orgId(), "triage", DAY, 1, 3);
		RollupRows.bump(db, caller.orgId(), 1, 86400, DAY);
		for (ReadApiInstance replica : replicas.all()) {
			HttpResponse<String> changed = send(replica, caller, etag);
			assertThat(changed.statusCode()).isEqualTo(200);
			assertThat(changed.body()).contains("\"run_count\":7");
			assertThat(changed.headers().firstValue("ETag").orElseThrow()).isNotEqualTo(etag);
		}
	}

	@Test
	void a304IsDecidedFromTheVersionAloneWithoutReadingAnyRollupOrRun() throws Exception {
		OrgToken caller = admin.createOrgWithToken("pro");
		RollupRows.insertDay(db, caller.orgId(), "triage", DAY, 0, 4);
		RollupRows.bump(db, caller.orgId(), 0, 86400, DAY);

		// The org's raw horizon is read once and cached (30 s), the window's revisions
		// until a revision changes: read both before counting.
		assertThat(send(uncached, caller, "\"warm-up\"").statusCode()).isEqualTo(200);
		double before = statements("/api/workflows");
		HttpResponse<String> first = send(uncached, caller, null);
		assertThat(first.statusCode()).isEqualTo(200);
		double computed = statements("/api/workflows") - before;
		assertThat(computed).as("the rollup rows").isGreaterThanOrEqualTo(1);
		String etag = first.headers().firstValue("ETag").orElseThrow();

		before = statements("/api/workflows");
		HttpResponse<String> notModified = send(uncached, caller, etag);
		assertThat(notModified.statusCode()).isEqualTo(304);
		assertThat(notModified.headers().firstValue("ETag")).hasValue(etag);
		assertThat(statements("/api/workflows") - before).as("no revision changed since they were read: none").isZero();

		before = statements("/api/workflows");
		assertThat(send(uncached, caller, null).statusCode()).isEqualTo(200);
		assertThat(statements("/api/workflows") - before).as("a 200 still computes").isEqualTo(computed);

		// A change elsewhere in the day moves the version: the revisions are read again,
		// the answer computed again and, being the same, still a 304, now known at the
		// new version.
		RollupRows.bump(db, caller.orgId(), 1, 86400, DAY);
		before = statements("/api/workflows");
		assertThat(send(uncached, caller, etag).statusCode()).isEqualTo(304);
		assertThat(statements("/api/workflows") - before).isEqualTo(computed + 1);
		before = statements("/api/workflows");
		assertThat(send(uncached, caller, etag).statusCode()).isEqualTo(304);
		assertThat(statements("/api/workflows") - before).isZero();
	}

	@Test
	void aRunDetail304ReadsOnlyTheOrgsRevisionsAndAnyChangeToItsRunsIsSeen() throws Exception {
		OrgToken caller = admin.createOrgWithToken("pro");
		UUID runId = UUID.randomUUID();
		RunRows.insert(db, caller.orgId(), runId, "triage", DAY.plusHours(3));
		String path = "/api/runs/" + runId;

		double before = statements("/api/runs/{runId}");
		HttpResponse<String> first = uncached.get(path, "Bearer " + caller.token());
		assertThat(first.statusCode()).isEqualTo(200);
		assertThat(first.body()).contains("\"status\":\"running\"");
		assertThat(statements("/api/runs/{runId}") - before).as("the run, its calls, uses, children, alerts")
			.isGreaterThanOrEqualTo(5);
		String etag = first.headers().firstValue("ETag").orElseThrow();

		before = statements("/api/runs/{runId}");
		assertThat(sendTo(uncached, path, caller, etag).statusCode()).isEqualTo(304);
		assertThat(statements("/api/runs/{runId}") - before).as("the org's revisions, read by the 200").isZero();

		// What the projector does in the batch that ends the run.
		db.update(RUNS).set(RUNS.STATUS, "success").where(RUNS.RUN_ID.eq(runId)).execute();
		db.insertInto(ORG_REVISIONS)
			.set(ORG_REVISIONS.ORG_ID, caller.orgId())
			.set(ORG_REVISIONS.SHARD, 0)
			.set(ORG_REVISIONS.RUNS_REVISION, DSL.field("nextval('rollup_revision')", Long.class))
			.execute();
		HttpResponse<String> changed = sendTo(uncached, path, caller, etag);
		assertThat(changed.statusCode()).isEqualTo(200);
		assertThat(changed.body()).contains("\"status\":\"success\"");
		assertThat(changed.headers().firstValue("ETag").orElseThrow()).isNotEqualTo(etag);
	}

	@Test
	void aStreamedExportHasNoEtagAndErrorsHaveNone() throws Exception {
		OrgToken caller = admin.createOrgWithToken("pro");
		HttpResponse<String> export = HTTP.send(HttpRequest.newBuilder(replicas.first().uri("/api/runs"))
			.header("Authorization", "Bearer " + caller.token())
			.header("Accept", "application/x-ndjson")
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(export.statusCode()).isEqualTo(200);
		assertThat(export.headers().firstValue("ETag")).isEmpty();
		HttpResponse<String> refused = replicas.first().get("/api/runs?limit=0", "Bearer " + caller.token());
		assertThat(refused.statusCode()).isEqualTo(400);
		assertThat(refused.headers().firstValue("ETag")).isEmpty();
	}

	@Test
	void aCachedWorkflowListReadsTheRevisionsOnceForItsVersionAndItsCache() throws Exception {
		OrgToken caller = admin.createOrgWithToken("pro");
		RollupRows.insertDay(db, caller.orgId(), "triage", DAY, 0, 4);
		RollupRows.bump(db, caller.orgId(), 0, 86400, DAY);
		ReadApiInstance cached = replicas.first();
		HttpResponse<String> first = send(cached, caller, null);
		assertThat(first.statusCode()).isEqualTo(200);

		double before = statements(cached, "/api/workflows");
		HttpResponse<String> again = send(cached, caller, null);
		assertThat(again.statusCode()).isEqualTo(200);
		assertThat(again.body()).isEqualTo(first.body());
		assertThat(statements(cached, "/api/workflows") - before)
			.as("none: the revisions (the version, the cached aggregates' check) are unchanged since read")
			.isZero();

		// Read once, yet checked: a change is seen by the very next 200.
		RollupRows.bump(db, caller.orgId(), 1, 86400, DAY);
		RollupRows.insertDay(db, caller.orgId(), "triage", DAY, 1, 4);
		HttpResponse<String> changed = send(cached, caller, null);
		assertThat(changed.body()).isNotEqualTo(first.body());
		assertThat(changed.headers().firstValue("ETag")).isNotEqualTo(first.headers().firstValue("ETag"));
	}

	private static double statements(String route) {
		return statements(uncached, route);
	}

	private static double statements(ReadApiInstance instance, String route) {
		Counter counter = instance.context()
			.getBean(MeterRegistry.class)
			.find("trakr.db.statements")
			.tag("route", route)
			.counter();
		return (counter != null) ? counter.count() : 0;
	}

	private static HttpResponse<String> send(ReadApiInstance replica, OrgToken caller, String ifNoneMatch)
			throws Exception {
		return sendTo(replica, PATH, caller, ifNoneMatch);
	}

	private static HttpResponse<String> sendTo(ReadApiInstance replica, String path, OrgToken caller,
			String ifNoneMatch) throws Exception {
		replica.awaitRevisionsSeen();
		HttpRequest.Builder request = HttpRequest.newBuilder(replica.uri(path))
			.header("Authorization", "Bearer " + caller.token());
		if (ifNoneMatch != null) {
			request.header("If-None-Match", ifNoneMatch);
		}
		return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static int remaining(HttpResponse<String> response) {
		Matcher matcher = REMAINING.matcher(response.headers().firstValue("RateLimit").orElseThrow());
		assertThat(matcher.find()).isTrue();
		return Integer.parseInt(matcher.group(1));
	}

}
