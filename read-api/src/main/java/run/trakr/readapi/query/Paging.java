package run.trakr.readapi.query;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * Keyset paging by signed cursor for one caller and one query (its fingerprint, which
 * leaves out a defaulted window). A cursor carries the first page's window, so that a
 * defaulted "now" does not move between pages, and the position after the last row; a
 * page is read as {@code limit + 1} rows to know whether another follows.
 */
public final class Paging {

	/**
	 * Where a page starts.
	 *
	 * @param window the first page's window
	 * @param after the position the page starts after; null on the first page
	 */
	public record Start<P>(TimeWindow window, P after) {
	}

	/** One page of rows, and the cursor of the next one (null when it is the last). */
	public record Page<R>(List<R> rows, String nextCursor) {
	}

	private final Cursors cursors;

	private final UUID orgId;

	private final String fingerprint;

	public Paging(Cursors cursors, UUID orgId, String fingerprint) {
		this.cursors = cursors;
		this.orgId = orgId;
		this.fingerprint = fingerprint;
	}

	/**
	 * The page a cursor asks for (the first when it is null): its window and the position
	 * {@code parse} reads from the cursor's {@code positionSize} values. A cursor of
	 * another org or query, or one whose values do not parse, is a 400
	 * {@code invalid_cursor}.
	 */
	public <P> Start<P> start(String cursor, TimeWindow window, int positionSize, Function<List<String>, P> parse) {
		if (cursor == null) {
			return new Start<>(window, null);
		}
		List<String> values = this.cursors.decode(cursor, this.orgId, this.fingerprint, 2 + positionSize);
		try {
			return new Start<>(Cursors.window(values.get(0), values.get(1)),
					parse.apply(values.subList(2, values.size())));
		}
		catch (RuntimeException ex) {
			throw Cursors.invalid();
		}
	}

	/**
	 * The first {@code limit} of {@code rows} (read as {@code limit + 1}) and, when more
	 * followed, the cursor after the last of them.
	 */
	public <R> Page<R> page(TimeWindow window, List<R> rows, int limit, Function<R, List<String>> positionOf) {
		if (rows.size() <= limit) {
			return new Page<>(rows, null);
		}
		List<R> page = rows.subList(0, limit);
		List<String> values = new ArrayList<>(List.of(window.from().toString(), window.to().toString()));
		values.addAll(positionOf.apply(page.get(page.size() - 1)));
		return new Page<>(page, this.cursors.encode(this.orgId, this.fingerprint, values));
	}

}
