package run.trakr.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU seconds two process trees spent between {@link #start()} and now, from
 * {@code /proc}: the projector's JVM, and PostgreSQL (its main process, the children it
 * has reaped, and the live ones). Linux only, as the benchmarks are.
 */
final class CpuTime {

	private static final double TICKS_PER_SECOND = 100.0;

	private final List<Long> projector;

	private final long postmaster;

	private long[] startTicks = { 0, 0 };

	CpuTime(List<Long> projector, long postmaster) {
		this.projector = List.copyOf(projector);
		this.postmaster = postmaster;
	}

	void start() throws IOException {
		this.startTicks = ticks();
	}

	/** Projector and PostgreSQL CPU seconds since {@link #start()}. */
	double[] secondsSinceStart() throws IOException {
		long[] now = ticks();
		return new double[] { (now[0] - this.startTicks[0]) / TICKS_PER_SECOND,
				(now[1] - this.startTicks[1]) / TICKS_PER_SECOND };
	}

	private long[] ticks() throws IOException {
		long projectorTicks = 0;
		for (long pid : this.projector) {
			projectorTicks += own(pid);
		}
		// Reaped children (connections closed, autovacuum workers done) count in the
		// main process's cutime and cstime.
		long[] main = fields(this.postmaster);
		long postgresTicks = main[0] + main[1] + main[2] + main[3];
		for (ProcessHandle child : ProcessHandle.of(this.postmaster).orElseThrow().children().toList()) {
			postgresTicks += own(child.pid());
		}
		return new long[] { projectorTicks, postgresTicks };
	}

	private static long own(long pid) throws IOException {
		long[] fields = fields(pid);
		return fields[0] + fields[1];
	}

	/** utime, stime, cutime, cstime; zeros for a process that has gone. */
	private static long[] fields(long pid) throws IOException {
		String stat;
		try {
			stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
		}
		catch (java.nio.file.NoSuchFileException ex) {
			return new long[4];
		}
		// After the command name in parentheses: field 3 on; utime is field 14.
		String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
		return new long[] { Long.parseLong(fields[11]), Long.parseLong(fields[12]), Long.parseLong(fields[13]),
				Long.parseLong(fields[14]) };
	}

}
