package run.trakr.schema.rollup;

import java.util.function.BiConsumer;
import java.util.function.Function;

import org.jooq.Record;
import org.jooq.TableField;

/**
 * One stored column of a rollup row and how totals write it and read it back: the
 * projector writes every column of a list, and {@code of(row)} reads the same list, so a
 * new column is added in one place.
 *
 * @param <T> the totals
 * @param <V> the column's type
 * @param field the column
 * @param value what the totals write into it
 * @param restore how the totals take it back from a row; null for a histogram's columns,
 * which are read together when the histogram is made
 */
public record RollupColumn<T, V>(TableField<?, V> field, Function<T, V> value, BiConsumer<T, V> restore) {

	static <T, V> RollupColumn<T, V> of(TableField<?, V> field, Function<T, V> value, BiConsumer<T, V> restore) {
		return new RollupColumn<>(field, value, restore);
	}

	/** A histogram's column, written by the totals and read with the histogram. */
	static <T, V> RollupColumn<T, V> written(TableField<?, V> field, Function<T, V> value) {
		return new RollupColumn<>(field, value, null);
	}

	void restore(T totals, Record row) {
		if (this.restore != null) {
			this.restore.accept(totals, row.get(this.field));
		}
	}

}
