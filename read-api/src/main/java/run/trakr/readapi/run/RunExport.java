package run.trakr.readapi.run;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import org.jooq.Cursor;
import org.jooq.Record;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Transactional;

import run.trakr.readapi.query.Csv;
import run.trakr.readapi.query.ResponseFormat;

/**
 * Every run a list query matches, streamed as NDJSON or CSV (extensions.md §4): from one
 * REPEATABLE READ snapshot, so a run changing meanwhile appears once and in one state,
 * through a database cursor, so memory stays constant whatever the count. The first rows
 * are flushed as soon as they are read; a client that goes away ends the write with an
 * I/O error, which closes the cursor and ends the transaction at once.
 */
@Component
class RunExport {

	/** Rows a database round trip. */
	private static final int FETCH_SIZE = 1000;

	/** Rows written before the first flush: the client sees data while the query runs. */
	private static final int FIRST_FLUSH_AFTER = 100;

	private final RunQueries runs;

	private final JsonMapper json;

	RunExport(RunQueries runs, JsonMapper json) {
		this.runs = runs;
		this.json = json;
	}

	@Transactional(readOnly = true, isolation = Isolation.REPEATABLE_READ)
	public void write(UUID orgId, RunFilter filter, ResponseFormat format, OutputStream body) throws IOException {
		Writer out = new BufferedWriter(new OutputStreamWriter(body, StandardCharsets.UTF_8), 64 * 1024);
		if (format == ResponseFormat.CSV) {
			Csv.line(out, List.of(RunSummary.CSV_HEADER));
		}
		long written = 0;
		try (Cursor<Record> rows = this.runs.all(orgId, filter, FETCH_SIZE)) {
			for (Record row : rows) {
				RunSummary summary = RunSummary.of(row);
				if (format == ResponseFormat.CSV) {
					Csv.line(out, summary.csvFields());
				}
				else {
					out.write(this.json.writeValueAsString(summary));
					out.write('\n');
				}
				if (++written == FIRST_FLUSH_AFTER) {
					out.flush();
				}
			}
		}
		out.flush();
	}

}
