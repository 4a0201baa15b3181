/** Kafka wiring, settings and process-wide beans of the projector. */
package run.trakr.projector.system;
