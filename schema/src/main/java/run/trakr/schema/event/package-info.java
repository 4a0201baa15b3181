/** The ingest event contract (trakr.ingest.v1) as Java types, and its decoder. */
package run.trakr.schema.event;
