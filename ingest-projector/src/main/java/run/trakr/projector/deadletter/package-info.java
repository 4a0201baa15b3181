/**
 * Undecodable records: kept with the offset that skips them, then relayed to the
 * dead-letter topic.
 */
package run.trakr.projector.deadletter;
