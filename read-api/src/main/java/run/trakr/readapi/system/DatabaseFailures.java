package run.trakr.readapi.system;

import java.util.ArrayList;
import java.util.List;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.TransactionException;

/**
 * Describes a database failure in one log line: the chain of exception types and the
 * innermost message, never a stack trace (a stalled PostgreSQL fails every request, and
 * 78 lines each buried the log). SQL text is left out: it may hold a filter's values.
 */
public final class DatabaseFailures {

	private DatabaseFailures() {
	}

	/**
	 * Whether the failure is the database being away, slow or out of connections, rather
	 * than a statement it refused.
	 */
	public static boolean isOutage(Throwable failure) {
		return failure instanceof TransactionException || failure instanceof TransientDataAccessException
				|| failure instanceof DataAccessResourceFailureException
				|| failure instanceof RecoverableDataAccessException;
	}

	/**
	 * For example
	 * {@code CannotCreateTransactionException < SQLTransientConnectionException: ... timed out}.
	 */
	public static String cause(Throwable failure) {
		List<String> types = new ArrayList<>();
		Throwable innermost = failure;
		for (Throwable t = failure; t != null && types.size() < 6; t = t.getCause()) {
			types.add(t.getClass().getSimpleName());
			innermost = t;
		}
		// Only the driver's and the network's own messages: a wrapper's quotes the SQL.
		// Of
		// PostgreSQL's, the first line: the detail lines may quote row values.
		String message = (innermost instanceof java.sql.SQLException || innermost instanceof java.io.IOException)
				? innermost.getMessage() : null;
		if (message != null) {
			int newline = message.indexOf('\n');
			message = (newline >= 0) ? message.substring(0, newline) : message;
		}
		return String.join(" < ", types) + ((message != null) ? ": " + message : "");
	}

}
