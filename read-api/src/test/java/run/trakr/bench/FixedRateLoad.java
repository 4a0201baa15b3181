package run.trakr.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop HTTP/1.1 load generator: request {@code i} is due at {@code start + i /
 * rate}, whatever happened to earlier ones, and its latency runs from that due time, so a
 * slow server cannot hide behind a slowed-down client. A fixed set of keep-alive
 * connections sends the requests in order; raw sockets keep the client's own cost small.
 */
final class FixedRateLoad {

	private final int port;

	private List<byte[]> requests;

	private final int connections;

	/** The status every response must have, or -1 for any. */
	private int expected = 200;

	/** How many responses had each status, over every run. */
	final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();

	FixedRateLoad(int port, String path, List<String> bearerTokens, int connections) {
		this(port, List.of(path), bearerTokens, connections);
	}

	/**
	 * Request {@code i} asks for {@code paths[i % paths]} with
	 * {@code bearerTokens[i % tokens]}.
	 */
	FixedRateLoad(int port, List<String> paths, List<String> bearerTokens, int connections) {
		this.port = port;
		this.connections = connections;
		int count = Math.max(paths.size(), bearerTokens.size());
		List<byte[]> requests = new java.util.ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			requests
				.add(("GET " + paths.get(i % paths.size()) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
						+ bearerTokens.get(i % bearerTokens.size()) + "\r\n\r\n")
					.getBytes(StandardCharsets.US_ASCII));
		}
		this.requests = requests;
	}

	/**
	 * Any status is an answer (a flood of unknown tokens, say); see {@link #statuses}.
	 */
	FixedRateLoad anyStatus() {
		return expecting(-1);
	}

	/** Every response must have this status (a 304, say). */
	FixedRateLoad expecting(int status) {
		this.expected = status;
		return this;
	}

	/** Every request also sends this header. */
	FixedRateLoad header(String name, String value) {
		this.requests = this.requests.stream().map((request) -> {
			String text = new String(request, StandardCharsets.US_ASCII);
			return (text.substring(0, text.length() - 2) + name + ": " + value + "\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII);
		}).toList();
		return this;
	}

	/**
	 * Sends {@code rate} requests a second for {@code seconds}; returns the sorted
	 * latencies in nanoseconds.
	 */
	long[] run(int rate, int seconds) throws InterruptedException {
		int total = rate * seconds;
		long[] latencies = new long[total];
		AtomicInteger next = new AtomicInteger();
		AtomicInteger failures = new AtomicInteger();
		long interval = TimeUnit.SECONDS.toNanos(1) / rate;
		long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
		Thread[] workers = new Thread[this.connections];
		for (int w = 0; w < workers.length; w++) {
			workers[w] = new Thread(() -> {
				Connection connection = null;
				for (int i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
					long due = start + i * interval;
					long wait = due - System.nanoTime();
					if (wait > 0) {
						LockSupport.parkNanos(wait);
					}
					try {
						if (connection == null) {
							connection = new Connection(this.port);
						}
						int status = connection.exchange(this.requests.get(i % this.requests.size()));
						this.statuses.computeIfAbsent(status, (s) -> new AtomicInteger()).incrementAndGet();
						if (status != this.expected && this.expected >= 0) {
							failures.incrementAndGet();
						}
						if (connection.closedByServer) {
							connection.close();
							connection = null;
						}
					}
					catch (IOException ex) {
						failures.incrementAndGet();
						connection = null;
					}
					latencies[i] = System.nanoTime() - due;
				}
				if (connection != null) {
					connection.close();
				}
			}, "load-" + w);
			workers[w].start();
		}
		for (Thread worker : workers) {
			worker.join();
		}
		if (failures.get() > 0) {
			throw new IllegalStateException(
					failures.get() + " of " + total + " requests did not get a " + this.expected);
		}
		Arrays.sort(latencies);
		return latencies;
	}

	/**
	 * Closed loop: every connection sends its next request as soon as the previous answer
	 * is read, for {@code seconds}; returns the number of responses (all must be 200s).
	 */
	long saturate(int seconds) throws InterruptedException {
		java.util.concurrent.atomic.AtomicLong done = new java.util.concurrent.atomic.AtomicLong();
		AtomicInteger failures = new AtomicInteger();
		long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
		Thread[] workers = new Thread[this.connections];
		for (int w = 0; w < workers.length; w++) {
			int offset = w;
			workers[w] = new Thread(() -> {
				try {
					Connection connection = new Connection(this.port);
					for (int i = offset; System.nanoTime() < end; i += this.connections) {
						if (connection.exchange(this.requests.get(i % this.requests.size())) != 200) {
							failures.incrementAndGet();
						}
						done.incrementAndGet();
						if (connection.closedByServer) {
							// Tomcat closes a keep-alive connection after 100 requests.
							connection.close();
							connection = new Connection(this.port);
						}
					}
					connection.close();
				}
				catch (IOException ex) {
					failures.incrementAndGet();
				}
			}, "saturate-" + w);
			workers[w].start();
		}
		for (Thread worker : workers) {
			worker.join();
		}
		if (failures.get() > 0) {
			throw new IllegalStateException(failures.get() + " requests did not get a 200");
		}
		return done.get();
	}

	/**
	 * One keep-alive connection; reads responses with Content-Length or chunked bodies.
	 */
	private static final class Connection {

		private final Socket socket;

		private final OutputStream out;

		private final InputStream in;

		boolean closedByServer;

		Connection(int port) throws IOException {
			this.socket = new Socket("127.0.0.1", port);
			this.socket.setTcpNoDelay(true);
			this.out = this.socket.getOutputStream();
			this.in = new BufferedInputStream(this.socket.getInputStream());
		}

		int exchange(byte[] request) throws IOException {
			this.out.write(request);
			this.out.flush();
			String statusLine = readLine();
			int status = Integer.parseInt(statusLine.substring(9, 12));
			int contentLength = -1;
			boolean chunked = false;
			for (String header = readLine(); !header.isEmpty(); header = readLine()) {
				String lower = header.toLowerCase(Locale.ROOT);
				if (lower.startsWith("content-length:")) {
					contentLength = Integer.parseInt(lower.substring(15).trim());
				}
				else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
					chunked = true;
				}
				else if (lower.startsWith("connection:") && lower.contains("close")) {
					this.closedByServer = true;
				}
			}
			if (chunked) {
				for (int size = Integer.parseInt(readLine().trim(), 16); size > 0; size = Integer
					.parseInt(readLine().trim(), 16)) {
					this.in.readNBytes(size);
					readLine();
				}
				readLine();
			}
			else if (contentLength > 0) {
				this.in.readNBytes(contentLength);
			}
			return status;
		}

		private String readLine() throws IOException {
			ByteArrayOutputStream line = new ByteArrayOutputStream(64);
			for (int b = this.in.read(); b != '\n'; b = this.in.read()) {
				if (b < 0) {
					throw new IOException("connection closed");
				}
				if (b != '\r') {
					line.write(b);
				}
			}
			return line.toString(StandardCharsets.US_ASCII);
		}

		void close() {
			try {
				this.socket.close();
			}
			catch (IOException ex) {
				// closing anyway
			}
		}

	}

}
