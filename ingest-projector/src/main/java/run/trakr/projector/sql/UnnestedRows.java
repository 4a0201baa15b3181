package run.trakr.projector.sql;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.DataType;
import org.jooq.Field;
import org.jooq.Name;
import org.jooq.Record;
import org.jooq.Result;
import org.jooq.Select;
import org.jooq.Table;
import org.jooq.TableField;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import run.trakr.schema.rollup.RollupColumn;

/**
 * A batch's rows handed to PostgreSQL as one array per column and turned back into rows
 * with {@code unnest}. The statement stays the same size whatever the batch: a multi-row
 * {@code VALUES} list or a row {@code IN} list costs jOOQ, the driver and the planner
 * time in proportion to its bind values, which profiling showed dominated a batch.
 *
 * @param <R> what one row is made from
 */
public final class UnnestedRows<R> {

	private static final Name ALIAS = DSL.name("batch");

	private record Column<R, T>(TableField<?, T> target, Function<R, T> value) {

		/** Array-typed columns travel as text literals: unnest would flatten them. */
		boolean nested() {
			return this.target.getDataType().isArray();
		}

		Field<?> parameter(List<R> rows) {
			if (nested()) {
				String[] literals = rows.stream().map(this.value).map(UnnestedRows::literal).toArray(String[]::new);
				return DSL.val(literals, SQLDataType.CLOB.array());
			}
			@SuppressWarnings("unchecked")
			T[] values = (T[]) Array.newInstance(this.target.getType(), rows.size());
			for (int i = 0; i < values.length; i++) {
				values[i] = this.value.apply(rows.get(i));
			}
			return DSL.val(values, this.target.getDataType().getArrayDataType());
		}

		Condition matches() {
			return this.target.eq(field());
		}

		Field<T> field() {
			Name name = DSL.name(ALIAS, this.target.getUnqualifiedName());
			if (nested()) {
				return DSL.field(name, SQLDataType.CLOB).cast(this.target.getDataType());
			}
			return DSL.field(name, this.target.getDataType());
		}

	}

	private final List<R> rows;

	private final List<Column<R, ?>> columns = new ArrayList<>();

	private UnnestedRows(List<R> rows) {
		this.rows = rows;
	}

	/** The rows, in the order they are to be written or locked. */
	public static <R> UnnestedRows<R> of(List<R> rows) {
		return new UnnestedRows<>(rows);
	}

	/** Adds a column: the value each row gives for {@code target}. */
	public <T> UnnestedRows<R> column(TableField<?, T> target, Function<R, T> value) {
		this.columns.add(new Column<>(target, value));
		return this;
	}

	/** Every column of a rollup's totals, written from the totals each row carries. */
	public <T> UnnestedRows<R> columns(List<RollupColumn<T, ?>> columns, Function<R, T> totals) {
		for (RollupColumn<T, ?> column : columns) {
			add(column, totals);
		}
		return this;
	}

	private <T, V> void add(RollupColumn<T, V> column, Function<R, T> totals) {
		this.columns.add(new Column<>(column.field(), row -> column.value().apply(totals.apply(row))));
	}

	/** The target columns, for {@code INSERT INTO t (…) SELECT}. */
	public List<TableField<?, ?>> targets() {
		return this.columns.stream().<TableField<?, ?>>map(Column::target).toList();
	}

	/** {@code SELECT <columns> FROM unnest(…)}, in the rows' order. */
	public Select<Record> select() {
		return selectWith();
	}

	/** {@link #select()} with more columns computed by PostgreSQL after the rows' own. */
	public Select<Record> selectWith(Field<?>... computed) {
		List<Field<?>> fields = new ArrayList<>(this.columns.stream().<Field<?>>map(Column::field).toList());
		fields.addAll(List.of(computed));
		return DSL.select(fields).from(table());
	}

	/**
	 * Inserts the rows into {@code table}; where a row with the same {@code key} is
	 * stored, every other column written replaces the stored value (for rows read under
	 * {@link #lock} and merged in Java).
	 */
	public <T extends Record> void upsert(DSLContext db, Table<T> table, List<TableField<T, ?>> key) {
		Map<Field<?>, Field<?>> replaced = new LinkedHashMap<>();
		for (TableField<?, ?> target : targets()) {
			if (!key.contains(target)) {
				replaced.put(target, DSL.excluded(target));
			}
		}
		db.insertInto(table).columns(targets()).select(select()).onConflict(key).doUpdate().set(replaced).execute();
	}

	/**
	 * The rows of {@code table} whose columns equal a batch row's, locked in the batch's
	 * order: one key lookup per batch row whatever the planner believes about the table's
	 * size (a semi-join planned on stale statistics scanned the whole table). The columns
	 * must form a key of {@code table}.
	 */
	public <T extends Record> Result<T> lock(DSLContext db, Table<T> table) {
		// LIMIT keeps the lookup a subquery run per batch row instead of a join.
		Table<T> locked = DSL
			.lateral(DSL.selectFrom(table).where(sameAsBatchRow()).limit(1).forUpdate().asTable("locked"));
		// coerce maps the columns by position: fetchInto(table) matched each one by name.
		return db.select(locked.fields()).from(table(), locked).coerce(table).fetch();
	}

	/**
	 * The rows of {@code table} whose columns equal a batch row's (any number per batch
	 * row; each batch row counts once however often it repeats), by one index lookup per
	 * batch row, for the same reason as {@link #lock}.
	 */
	public <T extends Record> Result<T> lookup(DSLContext db, Table<T> table) {
		UnnestedRows<R> distinct = new UnnestedRows<>(distinctRows());
		distinct.columns.addAll(this.columns);
		// OFFSET keeps the lookup a subquery run per batch row (as LIMIT does in lock).
		Table<T> found = DSL.lateral(DSL.selectFrom(table).where(sameAsBatchRow()).offset(0).asTable("found"));
		return db.select(found.fields()).from(distinct.table(), found).coerce(table).fetch();
	}

	/** The target table's columns equal the batch row's, column by column. */
	private Condition sameAsBatchRow() {
		return DSL.and(this.columns.stream().map(Column::matches).toList());
	}

	private List<R> distinctRows() {
		Set<List<Object>> seen = new HashSet<>();
		List<R> distinct = new ArrayList<>();
		for (R row : this.rows) {
			if (seen.add(Arrays.asList(this.columns.stream().map(column -> column.value().apply(row)).toArray()))) {
				distinct.add(row);
			}
		}
		return distinct;
	}

	private Table<?> table() {
		List<Field<?>> parameters = this.columns.stream().<Field<?>>map(column -> column.parameter(this.rows)).toList();
		String placeholders = Stream.iterate(0, i -> i + 1)
			.limit(parameters.size())
			.map(i -> "{" + i + "}")
			.collect(Collectors.joining(", "));
		Name[] names = this.columns.stream().map(column -> column.target().getUnqualifiedName()).toArray(Name[]::new);
		return DSL.table("unnest(" + placeholders + ")", parameters.toArray()).as(ALIAS, names);
	}

	private static String literal(Object array) {
		if (array == null) {
			return null;
		}
		return Stream.of((Object[]) array).map(String::valueOf).collect(Collectors.joining(",", "{", "}"));
	}

}
