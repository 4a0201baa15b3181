/**
 * Partition offsets kept in PostgreSQL with the projections, the fence they give, and how
 * far projection trails.
 */
package run.trakr.projector.offset;
