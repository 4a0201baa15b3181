package run.trakr.localstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * Runs the local stack from the command line until Ctrl-C, printing the environment a
 * service needs to use it.
 *
 * <pre>
 * java -jar local-stack/target/local-stack-*-exec.jar [--kafka-port N] [--postgres-port N]
 *      [--redis-port N] [--durable] [--env-file PATH]
 * </pre>
 */
public final class LocalStackMain {

	private LocalStackMain() {
	}

	public static void main(String[] args) throws IOException, InterruptedException {
		if (System.getProperty("logback.configurationFile") == null) {
			System.setProperty("logback.configurationFile", "run/trakr/localstack/local-stack-logback.xml");
		}
		int kafkaPort = 0;
		int postgresPort = 0;
		int redisPort = 0;
		boolean durable = false;
		Path envFile = null;
		for (int i = 0; i < args.length; i++) {
			switch (args[i]) {
				case "--kafka-port" -> kafkaPort = Integer.parseInt(args[++i]);
				case "--postgres-port" -> postgresPort = Integer.parseInt(args[++i]);
				case "--redis-port" -> redisPort = Integer.parseInt(args[++i]);
				case "--durable" -> durable = true;
				case "--env-file" -> envFile = Path.of(args[++i]);
				default -> {
					System.err.println("Unknown option " + args[i] + "; see the README (Local stack)");
					System.exit(2);
				}
			}
		}
		LocalStack stack = LocalStack.start(new LocalStack.Settings(kafkaPort, postgresPort, redisPort, durable));
		CountDownLatch stopped = new CountDownLatch(1);
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			stack.close();
			stopped.countDown();
		}, "local-stack-shutdown"));
		String env = stack.environment()
			.entrySet()
			.stream()
			.map(e -> e.getKey() + "=" + e.getValue())
			.collect(Collectors.joining("\n", "", "\n"));
		if (envFile != null) {
			Files.writeString(envFile, env);
		}
		System.out.println("Local stack ready in " + stack.startupTime().toMillis() + " ms. Ctrl-C stops it.");
		System.out.print(env);
		System.out.flush();
		stopped.await();
	}

}
