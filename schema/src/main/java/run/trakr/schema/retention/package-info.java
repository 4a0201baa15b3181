/**
 * How long raw rows are kept: the expiry rule the projector, the read API and V10 share.
 */
package run.trakr.schema.retention;
