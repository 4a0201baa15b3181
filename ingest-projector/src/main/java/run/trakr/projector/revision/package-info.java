/**
 * Revisions the read API checks answers against: what a batch changed moves them, in the
 * batch's transaction.
 */
package run.trakr.projector.revision;
