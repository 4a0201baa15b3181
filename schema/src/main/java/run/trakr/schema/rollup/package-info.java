/**
 * What the projector writes into rollups and the read API reads back: bucket levels and
 * window covers, and the mergeable log-bin histograms behind every p95.
 */
package run.trakr.schema.rollup;
