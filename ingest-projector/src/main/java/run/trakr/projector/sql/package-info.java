/** SQL building blocks the projections share. */
package run.trakr.projector.sql;
