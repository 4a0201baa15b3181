package run.trakr.projector;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Consumes ingest events from Kafka and folds them into the read models in PostgreSQL.
 */
@SpringBootApplication
public class IngestProjectorApplication {

	public static void main(String[] args) {
		SpringApplication.run(IngestProjectorApplication.class, args);
	}

}
