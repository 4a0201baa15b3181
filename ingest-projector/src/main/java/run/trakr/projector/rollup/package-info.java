/**
 * Per-workflow rollups at 5-minute, hour and day buckets, kept by moving each run's
 * contribution.
 */
package run.trakr.projector.rollup;
