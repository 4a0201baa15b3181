package run.trakr.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** A redis-server process from the binaries that the embedded-redis jar ships. */
final class RedisServer implements AutoCloseable {

	private final Path binary;

	private final Path dir;

	private final int port;

	private final StackDirectory stack;

	/** Its name in the stack directory (its data directory and pid record). */
	private final String name;

	/** Before the common options: a sentinel's config file and {@code --sentinel}. */
	private final List<String> leading;

	/** After them: persistence off, cluster mode, replication. */
	private final List<String> trailing;

	private Process process;

	private RedisServer(Path binary, String name, int port, StackDirectory stack, List<String> leading,
			List<String> trailing) {
		this.binary = binary;
		this.name = name;
		this.dir = stack.resolve(name);
		this.port = port;
		this.stack = stack;
		this.leading = List.copyOf(leading);
		this.trailing = List.copyOf(trailing);
	}

	/** A standalone server keeping nothing on disk. */
	static RedisServer start(StackDirectory stack, Path binaryCache, int port) {
		return start(stack, binaryCache, "redis", port, List.of());
	}

	/** A server keeping nothing on disk, with more options (cluster mode, replicaof). */
	static RedisServer start(StackDirectory stack, Path binaryCache, String name, int port, List<String> options) {
		List<String> trailing = new ArrayList<>(List.of("--save", "", "--appendonly", "no"));
		trailing.addAll(options);
		RedisServer server = new RedisServer(extractBinary(binaryCache), name, port, stack, List.of(), trailing);
		server.launch();
		return server;
	}

	/**
	 * A sentinel: {@code configuration} is written to its own file, which it rewrites.
	 */
	static RedisServer startSentinel(StackDirectory stack, Path binaryCache, String name, int port,
			String configuration) {
		Path file = stack.resolve(name).resolve("sentinel.conf");
		try {
			Files.writeString(file, configuration);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		RedisServer server = new RedisServer(extractBinary(binaryCache), name, port, stack,
				List.of(file.toString(), "--sentinel"), List.of());
		server.launch();
		return server;
	}

	/** Whether the process is running (a test may have stopped it). */
	synchronized boolean isRunning() {
		return this.process.isAlive();
	}

	int port() {
		return this.port;
	}

	/**
	 * Stops the server but keeps its port, so that tests can see Redis go away and come
	 * back.
	 */
	synchronized void stop() {
		this.process.destroy();
		try {
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * {@code SIGSTOP} or {@code SIGCONT}: Redis keeps its connections but answers
	 * nothing.
	 */
	synchronized void signal(String signal) {
		LocalStack.signal(signal, List.of(this.process.pid()));
	}

	synchronized void restart() {
		if (this.process.isAlive()) {
			stop();
		}
		launch();
	}

	@Override
	public void close() {
		stop();
		this.stack.forgetProcess(this.name);
	}

	private void launch() {
		try {
			List<String> command = new ArrayList<>();
			command.add(this.binary.toString());
			command.addAll(this.leading);
			command.addAll(List.of("--port", Integer.toString(this.port), "--bind", "127.0.0.1", "--dir",
					this.dir.toString(), "--logfile", this.dir.resolve("redis.log").toString()));
			command.addAll(this.trailing);
			this.process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.redirectErrorStream(true)
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("redis-server did not start", ex);
		}
		this.stack.recordProcess(this.name, this.process.pid());
		awaitPing(Duration.ofSeconds(10));
	}

	private void awaitPing(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException("redis-server exited with " + this.process.exitValue()
						+ "; see redis.log in the stack directory");
			}
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("127.0.0.1", this.port), 200);
				socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
				byte[] reply = socket.getInputStream().readNBytes(7);
				if ("+PONG\r\n".equals(new String(reply, StandardCharsets.US_ASCII))) {
					return;
				}
			}
			catch (IOException ex) {
				// not listening yet
			}
			LocalStack.pause(20);
		}
		stop();
		throw new IllegalStateException("redis-server did not answer PING within " + timeout);
	}

	/** Extracts the binary for this platform once per version into a shared cache. */
	private static Path extractBinary(Path cache) {
		String resource = binaryResource();
		Path binary = cache.resolve(resource);
		if (Files.isExecutable(binary)) {
			return binary;
		}
		try (InputStream in = RedisServer.class.getResourceAsStream("/" + resource)) {
			if (in == null) {
				throw new IllegalStateException("embedded-redis ships no " + resource);
			}
			Files.createDirectories(cache);
			Path tmp = Files.createTempFile(cache, resource, ".tmp");
			Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
			Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
			Files.move(tmp, binary, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			return binary;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot extract " + resource, ex);
		}
	}

	private static String binaryResource() {
		return binaryResource(System.getProperty("os.name"), System.getProperty("os.arch"));
	}

	/** The redis-server binary embedded-redis ships for a platform (os.name, os.arch). */
	static String binaryResource(String osName, String osArch) {
		String os = osName.toLowerCase(Locale.ROOT);
		String arch = osArch.toLowerCase(Locale.ROOT);
		boolean arm = arch.contains("aarch64") || arch.contains("arm");
		if (os.contains("linux")) {
			return arm ? "redis-server-6.2.7-linux-arm64" : "redis-server-6.2.6-v5-linux-amd64";
		}
		if (os.contains("mac")) {
			return arm ? "redis-server-6.2.6-v5-darwin-arm64" : "redis-server-6.2.6-v5-darwin-amd64";
		}
		throw new IllegalStateException("No redis-server binary for " + os + "/" + arch);
	}

}
