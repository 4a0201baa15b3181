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
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.core.exc.JacksonIOException;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.SerializationFeature;
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

	/**
	 * One line per run: nothing between root values but the newline written after each,
	 * no flush per value, and the response stream left open when the generator closes.
	 */
	private final ObjectWriter lines;

	RunExport(RunQueries runs, JsonMapper json) {
		this.runs = runs;
		this.lines = json.writerFor(RunSummary.class)
			.withRootValueSeparator((String) null)
			.without(SerializationFeature.FLUSH_AFTER_WRITE_VALUE)
			.without(StreamWriteFeature.AUTO_CLOSE_TARGET);
	}

	@Transactional(readOnly = true, isolation = Isolation.REPEATABLE_READ)
	public void write(UUID orgId, RunFilter filter, ResponseFormat format, OutputStream body) throws IOException {
		try (Cursor<Record> rows = this.runs.all(orgId, filter, FETCH_SIZE)) {
			if (format == ResponseFormat.CSV) {
				writeCsv(rows, body);
			}
			else {
				writeNdjson(rows, body);
			}
		}
		catch (JacksonIOException ex) {
			// The client went away while Jackson wrote.
			throw ex.getCause();
		}
	}

	private static void writeCsv(Cursor<Record> rows, OutputStream body) throws IOException {
		Writer out = new BufferedWriter(new OutputStreamWriter(body, StandardCharsets.UTF_8), 64 * 1024);
		Csv.line(out, List.of(RunSummary.CSV_HEADER));
		long written = 0;
		for (Record row : rows) {
			Csv.line(out, RunSummary.of(row).csvFields());
			if (++written == FIRST_FLUSH_AFTER) {
				out.flush();
			}
		}
		out.flush();
	}

	/**
	 * One generator for every line: serialising each run into a String of its own cost a
	 * third of the export's time.
	 */
	private void writeNdjson(Cursor<Record> rows, OutputStream body) {
		try (JsonGenerator out = this.lines.createGenerator(body)) {
			long written = 0;
			for (Record row : rows) {
				this.lines.writeValue(out, RunSummary.of(row));
				out.writeRaw('\n');
				if (++written == FIRST_FLUSH_AFTER) {
					out.flush();
				}
			}
			out.flush();
		}
	}

}
