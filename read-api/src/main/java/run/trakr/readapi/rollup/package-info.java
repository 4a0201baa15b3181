/**
 * Aggregates over any {@code [from, to]}: whole rollup buckets from the projector's
 * rollup tables, plus the unaligned edges from run rows.
 */
package run.trakr.readapi.rollup;
