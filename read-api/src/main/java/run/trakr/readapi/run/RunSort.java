package run.trakr.readapi.run;

import java.util.Arrays;
import java.util.List;

/** The six orders of GET /api/runs; ties break on the run id in the same direction. */
enum RunSort {

	STARTED_AT_DESC, STARTED_AT_ASC, COST_DESC, COST_ASC, DURATION_DESC, DURATION_ASC;

	static final List<String> NAMES = Arrays.stream(values()).map(RunSort::parameter).toList();

	String parameter() {
		return name().toLowerCase(java.util.Locale.ROOT);
	}

	boolean descending() {
		return name().endsWith("_DESC");
	}

	static RunSort of(String parameter) {
		return valueOf(parameter.toUpperCase(java.util.Locale.ROOT));
	}

}
