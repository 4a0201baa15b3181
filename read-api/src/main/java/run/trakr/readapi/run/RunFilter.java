package run.trakr.readapi.run;

import java.math.BigDecimal;
import java.util.List;
import java.util.TreeSet;

import run.trakr.readapi.query.Cursors;
import run.trakr.readapi.query.TimeWindow;

/** The filters and order of a GET /api/runs request. */
record RunFilter(List<String> workflows, List<String> statuses, TimeWindow window, BigDecimal costMin,
		BigDecimal costMax, RunSort sort) {

	/**
	 * What a cursor is bound to: every filter but the window, which the cursor itself
	 * carries when it was defaulted.
	 */
	String fingerprint(String explicitFrom, String explicitTo) {
		return Cursors.fingerprint("runs", new TreeSet<>(this.workflows),
				String.join(",", new TreeSet<>(this.statuses)), String.valueOf(explicitFrom),
				String.valueOf(explicitTo), plain(this.costMin), plain(this.costMax), this.sort.parameter());
	}

	private static String plain(BigDecimal amount) {
		return (amount != null) ? amount.stripTrailingZeros().toPlainString() : "-";
	}

}
