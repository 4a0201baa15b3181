/**
 * Retention: each org's horizon, the weekly partitions raw rows expire into, and the job
 * that creates them ahead and drops them once past.
 */
package run.trakr.projector.retention;
