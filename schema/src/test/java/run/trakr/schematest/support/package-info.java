/**
 * Generated ingest populations with their independently computed read models, shared by
 * the projector's tests and the end-to-end tests.
 */
package run.trakr.schematest.support;
