package run.trakr.readapitest.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import run.trakr.localstack.LocalStack;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import run.trakr.readapi.ReadApiApplication;
import run.trakr.readapi.rollup.RevisionWatch;

/**
 * One running read-api replica on free ports, with {@link SimulatedFailures} beside the
 * real handlers.
 */
public final class ReadApiInstance implements AutoCloseable {

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final ConfigurableApplicationContext context;

	private final int port;

	private final int managementPort;

	private ReadApiInstance(ConfigurableApplicationContext context) {
		this.context = context;
		this.port = ((WebServerApplicationContext) context).getWebServer().getPort();
		this.managementPort = Integer.parseInt(context.getEnvironment().getProperty("local.management.port"));
	}

	public static ReadApiInstance start(LocalStack stack) {
		return start(stack, Map.of());
	}

	public static ReadApiInstance start(LocalStack stack, Map<String, Object> overrides) {
		Map<String, Object> properties = new HashMap<>(stack.springProperties());
		properties.put("server.port", "0");
		properties.put("management.server.port", "0");
		// As in production, a secret of its own (shared by the replicas of a test).
		properties.put("trakr.cursor.secret", "read-api-tests-cursor-secret-4f1e9a7c2b");
		properties.putAll(overrides);
		// As command-line arguments: builder properties would rank below application.yml.
		String[] arguments = properties.entrySet()
			.stream()
			.map(entry -> "--" + entry.getKey() + "=" + entry.getValue())
			.toArray(String[]::new);
		return new ReadApiInstance(
				new SpringApplicationBuilder(ReadApiApplication.class, SimulatedFailures.class).run(arguments));
	}

	/** Where the API listens, for a test that builds its own requests. */
	public URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

	public ConfigurableApplicationContext context() {
		return this.context;
	}

	public HttpResponse<String> get(String path, String authorization) {
		return send("GET", path, authorization);
	}

	/**
	 * Sends a request once this replica has seen every revision change committed before
	 * (a test reads its own writes; the replica would see them a moment later anyway).
	 */
	public HttpResponse<String> send(String method, String path, String authorization) {
		awaitRevisionsSeen();
		return send(method, this.port, path, authorization);
	}

	/**
	 * Sends a GET at once, without waiting for revision changes to be seen: for a test
	 * that times the API while PostgreSQL does not answer.
	 */
	public HttpResponse<String> getAtOnce(String path, String authorization) {
		return send("GET", this.port, path, authorization);
	}

	/**
	 * Returns once this replica has seen every revision change committed before the call.
	 */
	public void awaitRevisionsSeen() {
		try {
			this.context.getBean(RevisionWatch.class).awaitSeen(Duration.ofSeconds(10));
		}
		catch (SQLException ex) {
			// PostgreSQL is out of reach (a test of that): nothing new to see, and the
			// request shows what the API does then.
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	public HttpResponse<String> management(String path) {
		return send("GET", this.managementPort, path, null);
	}

	private static HttpResponse<String> send(String method, int port, String path, String authorization) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(10))
			.method(method, HttpRequest.BodyPublishers.noBody());
		if (authorization != null) {
			request.header("Authorization", authorization);
		}
		try {
			return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new IllegalStateException(method + " " + path + " failed", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Sends a request line exactly as given, for targets that {@link java.net.URI}
	 * refuses to build. Returns the status code and the body.
	 */
	public Map.Entry<Integer, String> sendRaw(String target, String authorization) {
		try {
			return sendRawOnce(target, authorization);
		}
		catch (IllegalStateException ex) {
			// CI once saw the first write of a new connection fail with a broken pipe
			// (the server had not answered anything); a new connection is a new try.
			if (ex.getCause() instanceof java.net.SocketException) {
				return sendRawOnce(target, authorization);
			}
			throw ex;
		}
	}

	private Map.Entry<Integer, String> sendRawOnce(String target, String authorization) {
		try (java.net.Socket socket = new java.net.Socket("127.0.0.1", this.port)) {
			socket.setSoTimeout(10_000);
			String request = "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + authorization
					+ "\r\nConnection: close\r\n\r\n";
			socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
			String response = new String(socket.getInputStream().readAllBytes(),
					java.nio.charset.StandardCharsets.UTF_8);
			int status = Integer.parseInt(response.substring(9, 12));
			int bodyStart = response.indexOf("\r\n\r\n") + 4;
			String body = response.substring(bodyStart);
			boolean chunked = response.substring(0, bodyStart)
				.toLowerCase(java.util.Locale.ROOT)
				.contains("transfer-encoding: chunked");
			return Map.entry(status, chunked ? unchunked(body) : body);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** The body of a chunked response, without its chunk sizes. */
	private static String unchunked(String chunked) {
		StringBuilder body = new StringBuilder();
		int at = 0;
		while (at < chunked.length()) {
			int lineEnd = chunked.indexOf("\r\n", at);
			int size = Integer.parseInt(chunked.substring(at, lineEnd).trim(), 16);
			if (size == 0) {
				break;
			}
			// Sizes count bytes; the test bodies here are ASCII (JSON escapes the rest).
			body.append(chunked, lineEnd + 2, lineEnd + 2 + size);
			at = lineEnd + 2 + size + 2;
		}
		return body.toString();
	}

	public String baseUrl() {
		return "http://127.0.0.1:" + this.port;
	}

	@Override
	public void close() {
		this.context.close();
	}

}
