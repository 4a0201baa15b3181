package run.trakr.bench;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.postgresql.PGConnection;
import run.trakr.localstack.LocalStack;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Streamed exports of {@code /api/runs} (extensions.md §4) over the runs of one large
 * org: rows/s, MB/s and time to first byte for NDJSON and CSV, each beside PostgreSQL's
 * own {@code COPY … TO STDOUT} of the same rows in the same order in the same run (the
 * ceiling: no HTTP, no formatting in Java); and the heap while a whole export and a tenth
 * of it stream (flat means the same).
 */
public final class ExportBenchmark {

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	private ExportBenchmark() {
	}

	public static void main(String[] args) {
		RouteBenchmark.run(args, ExportBenchmark::benchmark);
	}

	private static void benchmark(Map<String, String> options) throws Exception {
		long runs = Long.parseLong(options.getOrDefault("runs", "1000000"));
		int repeats = Integer.parseInt(options.getOrDefault("repeats", "3"));
		try (LocalStack stack = LocalStack.start(LocalStack.Settings.forTests())) {
			ConfigurableApplicationContext api = RouteBenchmark.startApi(stack.springProperties());
			int port = ((WebServerApplicationContext) api).getWebServer().getPort();
			BenchDataset dataset = new BenchDataset(stack.jdbcUrl(), stack.postgresUser(), stack.postgresPassword());
			long started = System.nanoTime();
			dataset.load(RouteBenchmark.orgs(runs), Instant.now().truncatedTo(ChronoUnit.SECONDS));
			System.out.printf("load of %,d runs: %.1f s%n", runs, (System.nanoTime() - started) / 1e9);
			String token = RouteBenchmark.createToken(dataset);
			Instant end = RouteBenchmark.dataEnd(dataset).plusSeconds(1);
			Instant start = end.minus(Duration.ofDays(BenchDataset.DAYS + 1));
			String everything = "from=" + start + "&to=" + end;
			String tenth = "from=" + end.minus(Duration.ofDays(BenchDataset.DAYS / 10)) + "&to=" + end;

			System.out.printf("%n%-8s %-6s %10s %10s %9s %9s %9s %10s %12s%n", "format", "round", "rows", "rows/s",
					"MB/s", "TTFB ms", "total s", "vs COPY", "heap peak MB");
			for (int round = 1; round <= repeats; round++) {
				Result copy = copy(dataset, start, end);
				print("COPY", round, copy, copy, 0);
				for (String format : new String[] { "application/x-ndjson", "text/csv" }) {
					String name = format.equals("text/csv") ? "CSV" : "NDJSON";
					long before = settledHeap();
					HeapPeak peak = HeapPeak.start();
					Result export = export(port, token, "/api/runs?" + everything, format);
					print(name, round, export, copy, peak.stop() - before);
					if (round == repeats) {
						before = settledHeap();
						peak = HeapPeak.start();
						Result small = export(port, token, "/api/runs?" + tenth, format);
						print(name + "/10", round, small, copy, peak.stop() - before);
					}
				}
			}
			api.close();
		}
	}

	private record Result(long rows, long bytes, long firstByteNanos, long totalNanos) {
	}

	private static void print(String name, int round, Result result, Result copy, long heapBytes) {
		double seconds = result.totalNanos() / 1e9;
		double rowsPerSecond = result.rows() / seconds;
		double copyRowsPerSecond = copy.rows() / (copy.totalNanos() / 1e9);
		System.out.printf("%-8s %-6d %,10d %,10.0f %9.1f %9.1f %9.2f %10.2f %12.1f%n", name, round, result.rows(),
				rowsPerSecond, result.bytes() / 1e6 / seconds, result.firstByteNanos() / 1e6, seconds,
				rowsPerSecond / copyRowsPerSecond, heapBytes / 1e6);
	}

	/** PostgreSQL's own COPY of the export's columns and order, rows counted. */
	private static Result copy(BenchDataset dataset, Instant from, Instant to) throws Exception {
		String sql = "COPY (SELECT run_id, workflow_name, run_id_external, status, cost_usd, total_tokens,"
				+ " duration_ms, llm_call_count, tool_use_count, started_at, ended_at FROM runs" + " WHERE org_id = '"
				+ RouteBenchmark.LARGE_ORG + "' AND started_at IS NOT NULL AND started_at BETWEEN '" + from + "' AND '"
				+ to + "' ORDER BY started_at DESC, run_id DESC) TO STDOUT WITH (FORMAT csv)";
		try (Connection connection = dataset.connect()) {
			CountingStream out = new CountingStream();
			long began = System.nanoTime();
			long rows = connection.unwrap(PGConnection.class).getCopyAPI().copyOut(sql, out);
			long took = System.nanoTime() - began;
			return new Result(rows, out.bytes, out.firstByteAt - began, took);
		}
	}

	private static Result export(int port, String token, String path, String accept) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.header("Authorization", "Bearer " + token)
			.header("Accept", accept)
			.build();
		long began = System.nanoTime();
		HttpResponse<InputStream> response = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
		if (response.statusCode() != 200) {
			throw new IllegalStateException(path + " -> " + response.statusCode());
		}
		byte[] buffer = new byte[64 * 1024];
		long bytes = 0;
		long lines = 0;
		long firstByte = 0;
		try (InputStream body = response.body()) {
			for (int read = body.read(buffer); read >= 0; read = body.read(buffer)) {
				if (firstByte == 0 && read > 0) {
					firstByte = System.nanoTime() - began;
				}
				bytes += read;
				for (int i = 0; i < read; i++) {
					lines += (buffer[i] == '\n') ? 1 : 0;
				}
			}
		}
		long header = accept.equals("text/csv") ? 1 : 0;
		return new Result(lines - header, bytes, firstByte, System.nanoTime() - began);
	}

	/** The heap in use after a collection: what the next measurement starts from. */
	private static long settledHeap() throws InterruptedException {
		System.gc();
		Thread.sleep(200);
		return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
	}

	/** The largest heap in use seen every 10 ms until stopped. */
	private static final class HeapPeak {

		private final AtomicLong peak = new AtomicLong();

		private volatile boolean running = true;

		private final Thread sampler;

		private HeapPeak() {
			MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
			this.sampler = new Thread(() -> {
				while (this.running) {
					this.peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
					try {
						Thread.sleep(10);
					}
					catch (InterruptedException ex) {
						return;
					}
				}
			}, "heap-peak");
			this.sampler.setDaemon(true);
			this.sampler.start();
		}

		static HeapPeak start() {
			return new HeapPeak();
		}

		long stop() throws InterruptedException {
			this.running = false;
			this.sampler.join();
			return this.peak.get();
		}

	}

	private static final class CountingStream extends OutputStream {

		long bytes;

		long firstByteAt;

		@Override
		public void write(int b) {
			write(new byte[] { (byte) b }, 0, 1);
		}

		@Override
		public void write(byte[] b, int off, int len) {
			if (this.bytes == 0 && len > 0) {
				this.firstByteAt = System.nanoTime();
			}
			this.bytes += len;
		}

	}

}
