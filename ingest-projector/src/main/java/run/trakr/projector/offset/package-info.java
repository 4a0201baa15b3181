/** Partition offsets kept in PostgreSQL with the projections, and the fence they give. */
package run.trakr.projector.offset;
