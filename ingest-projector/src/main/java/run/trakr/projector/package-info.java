/** The ingest projector: Kafka in, read models out. */
package run.trakr.projector;
