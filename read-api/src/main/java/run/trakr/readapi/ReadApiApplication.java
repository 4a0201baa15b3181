package run.trakr.readapi;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

import run.trakr.readapi.admin.AdminCommand;

/**
 * Serves the allowlisted dashboard GET routes from the read models. With {@code admin} as
 * the first argument it runs the admin command line instead (no server).
 */
@SpringBootApplication
public class ReadApiApplication {

	public static void main(String[] args) {
		if (args.length > 0 && args[0].equals("admin")) {
			System.setProperty("logback.configurationFile", "run/trakr/readapi/admin/admin-logback.xml");
			System.setProperty("org.jooq.no-logo", "true");
			System.setProperty("org.jooq.no-tips", "true");
			String[] adminArgs = java.util.Arrays.copyOfRange(args, 1, args.length);
			System.exit(new AdminCommand(System.out, System.err, System.getenv()).run(adminArgs));
		}
		SpringApplication.run(ReadApiApplication.class, args);
	}

}
