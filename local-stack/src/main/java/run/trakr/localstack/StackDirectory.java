package run.trakr.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The private directory of one running stack, and the guarantee that nothing outlives its
 * JVM.
 *
 * <p>
 * Every server process the stack starts is recorded under {@code pids/}. A watchdog
 * process reads a pipe from this JVM; when the JVM dies, however abruptly, the pipe
 * closes and the watchdog stops the recorded processes and deletes the directory. Should
 * the watchdog itself have been killed, the next stack to start reaps what is left.
 */
final class StackDirectory implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(StackDirectory.class);

	private static final String OWNER_FILE = "owner";

	private final Path dir;

	private final Process watchdog;

	private StackDirectory(Path dir, Process watchdog) {
		this.dir = dir;
		this.watchdog = watchdog;
	}

	/**
	 * Reaps stacks of dead JVMs under {@code root}, then creates a fresh stack directory.
	 */
	static StackDirectory create(Path root) {
		try {
			Files.createDirectories(root);
			reapLeftovers(root);
			Path dir = Files.createTempDirectory(root, "stack-");
			Files.createDirectories(dir.resolve("pids"));
			Files.writeString(dir.resolve(OWNER_FILE), ownerIdentity(ProcessHandle.current()));
			return new StackDirectory(dir, startWatchdog(root, dir));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot create a local stack directory under " + root, ex);
		}
	}

	static Path defaultRoot() {
		return Path.of(System.getProperty("java.io.tmpdir"), "trakr-local-stack");
	}

	Path resolve(String name) {
		try {
			return Files.createDirectories(this.dir.resolve(name));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	Path path() {
		return this.dir;
	}

	/** Records a server process so that the watchdog stops it if this JVM dies. */
	void recordProcess(String name, long pid) {
		try {
			Files.writeString(this.dir.resolve("pids").resolve(name), Long.toString(pid));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	void forgetProcess(String name) {
		try {
			Files.deleteIfExists(this.dir.resolve("pids").resolve(name));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Closes the pipe: the watchdog stops whatever is still recorded and removes the
	 * directory. Callers stop their servers first, so normally there is nothing left.
	 */
	@Override
	public void close() {
		try {
			this.watchdog.getOutputStream().close();
			if (!this.watchdog.waitFor(20, TimeUnit.SECONDS)) {
				this.watchdog.destroyForcibly();
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		deleteRecursively(this.dir);
	}

	private static Process startWatchdog(Path root, Path dir) throws IOException {
		Path script = root.resolve("watchdog.sh");
		try (InputStream in = StackDirectory.class.getResourceAsStream("watchdog.sh")) {
			Path tmp = Files.createTempFile(root, "watchdog", ".tmp");
			Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
			Files.move(tmp, script, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}
		Process process = new ProcessBuilder("sh", script.toString(), dir.toString())
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.redirectError(ProcessBuilder.Redirect.DISCARD)
			.start();
		Files.writeString(dir.resolve("watchdog"), Long.toString(process.pid()));
		return process;
	}

	/**
	 * A stack whose owner JVM is gone (its pid is free, or reused by a process started at
	 * another instant) and whose watchdog is gone too: stop its servers, delete it.
	 */
	private static void reapLeftovers(Path root) throws IOException {
		List<Path> stacks;
		try (Stream<Path> children = Files.list(root)) {
			stacks = children.filter(p -> p.getFileName().toString().startsWith("stack-")).toList();
		}
		for (Path stack : stacks) {
			if (ownerAlive(stack) || watchdogAlive(stack)) {
				continue;
			}
			log.info("Reaping local stack left behind by a dead JVM: {}", stack);
			try (Stream<Path> pidFiles = Files.list(stack.resolve("pids"))) {
				pidFiles.map(StackDirectory::readPid).flatMap(Optional::stream).forEach(StackDirectory::stop);
			}
			catch (IOException ex) {
				// no pids directory: nothing was started
			}
			deleteRecursively(stack);
		}
	}

	private static boolean ownerAlive(Path stack) {
		try {
			String owner = Files.readString(stack.resolve(OWNER_FILE)).trim();
			long pid = Long.parseLong(owner.substring(0, owner.indexOf(' ')));
			return ProcessHandle.of(pid).map(StackDirectory::ownerIdentity).filter(owner::equals).isPresent();
		}
		catch (IOException | RuntimeException ex) {
			// A stack without a readable owner is being created right now, or is debris.
			return isYoung(stack);
		}
	}

	private static boolean watchdogAlive(Path stack) {
		return readPid(stack.resolve("watchdog")).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive).isPresent();
	}

	private static boolean isYoung(Path stack) {
		try {
			return Files.getLastModifiedTime(stack).toMillis() > System.currentTimeMillis() - 60_000;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static String ownerIdentity(ProcessHandle process) {
		return process.pid() + " " + process.info().startInstant().map(Object::toString).orElse("?");
	}

	private static Optional<Long> readPid(Path file) {
		try {
			return Optional.of(Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim()));
		}
		catch (IOException | NumberFormatException ex) {
			return Optional.empty();
		}
	}

	static void stop(long pid) {
		ProcessHandle.of(pid).ifPresent(process -> {
			process.destroy();
			try {
				process.onExit().get(10, TimeUnit.SECONDS);
			}
			catch (Exception ex) {
				process.destroyForcibly();
			}
		});
	}

	static void deleteRecursively(Path dir) {
		if (!Files.exists(dir)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(dir)) {
			paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
		}
		catch (IOException | UncheckedIOException ex) {
			log.warn("Could not delete {}: {}", dir, ex.getMessage());
		}
	}

}
