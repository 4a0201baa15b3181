package run.trakr.projector;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

import run.trakr.projector.rollup.RollupCheckCommand;

/**
 * Consumes ingest events from Kafka and folds them into the read models in PostgreSQL.
 */
@SpringBootApplication
public class IngestProjectorApplication {

	public static void main(String[] args) {
		if (args.length > 0 && args[0].equals("verify")) {
			String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
			System.exit(new RollupCheckCommand(System.out, System.getenv()).run(rest));
		}
		SpringApplication.run(IngestProjectorApplication.class, args);
	}

}
