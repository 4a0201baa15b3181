package run.trakr.readapi;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Serves the allowlisted dashboard GET routes from the read models. */
@SpringBootApplication
public class ReadApiApplication {

	public static void main(String[] args) {
		SpringApplication.run(ReadApiApplication.class, args);
	}

}
