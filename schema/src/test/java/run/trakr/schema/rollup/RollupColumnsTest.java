package run.trakr.schema.rollup;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

import run.trakr.schema.RunStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static run.trakr.schema.jooq.Tables.TOOL_ROLLUPS;
import static run.trakr.schema.jooq.Tables.WORKFLOW_ROLLUPS;

/**
 * The column lists the projector writes and {@code of(row)} reads cover every stored
 * column but the key, and what is written reads back as the same totals.
 */
class RollupColumnsTest {

	@Test
	void workflowColumnsAreEveryColumnButTheKeyAndReadBackAsWritten() {
		assertThat(names(WorkflowTotals.COLUMNS)).isEqualTo(nonKeyColumns(WORKFLOW_ROLLUPS));
		WorkflowTotals totals = new WorkflowTotals();
		totals.add(RunStatus.SUCCESS, new BigDecimal("0.25"), 4_000L, 10, 20, 3, 2,
				Instant.parse("2026-11-28T10:00:00.123456Z"), 1);
		totals.add(RunStatus.LOOP_DETECTED, new BigDecimal("1.5"), 90_000L, 1, 2, 30, 0,
				Instant.parse("2026-11-28T10:03:00Z"), 1);
		totals.add(RunStatus.RUNNING, new BigDecimal("0.0000001"), null, 5, 0, 1, 1,
				Instant.parse("2026-11-28T10:01:00Z"), 1);
		WorkflowTotals read = WorkflowTotals.of(written(WORKFLOW_ROLLUPS, WorkflowTotals.COLUMNS, totals));
		assertThat(read).hasToString(totals.toString());
		assertThat(read.lastStartedAt()).isEqualTo(totals.lastStartedAt());
		assertThat(read.p95Cost()).isEqualByComparingTo(totals.p95Cost());
	}

	@Test
	void toolColumnsAreEveryColumnButTheKeyAndReadBackAsWritten() {
		assertThat(names(ToolTotals.COLUMNS)).isEqualTo(nonKeyColumns(TOOL_ROLLUPS));
		ToolTotals totals = new ToolTotals();
		totals.addUse(false, 120, 1);
		totals.addUse(true, 4_500, 1);
		totals.countRun();
		ToolTotals read = ToolTotals.of(written(TOOL_ROLLUPS, ToolTotals.COLUMNS, totals));
		assertThat(read).hasToString(totals.toString());
		assertThat(read.p95DurationMs()).isEqualTo(totals.p95DurationMs());
	}

	private static <T> Record written(Table<?> table, List<RollupColumn<T, ?>> columns, T totals) {
		Record row = DSL.using(org.jooq.SQLDialect.POSTGRES).newRecord(table.fields());
		columns.forEach(column -> write(row, column, totals));
		return row;
	}

	private static <T, V> void write(Record row, RollupColumn<T, V> column, T totals) {
		row.set(column.field(), column.value().apply(totals));
	}

	private static Set<String> names(List<? extends RollupColumn<?, ?>> columns) {
		return columns.stream().map(column -> column.field().getName()).collect(Collectors.toSet());
	}

	private static Set<String> nonKeyColumns(Table<?> table) {
		Set<String> key = table.getPrimaryKey().getFields().stream().map(Field::getName).collect(Collectors.toSet());
		return Arrays.stream(table.fields())
			.map(Field::getName)
			.filter(name -> !key.contains(name))
			.collect(Collectors.toSet());
	}

}
