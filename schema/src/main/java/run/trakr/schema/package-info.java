/** What the projector and the read API share about the database. */
package run.trakr.schema;
