/**
 * Per-token rate limits: a sliding window shared through Redis, with a per-replica
 * fallback.
 */
package run.trakr.readapi.ratelimit;
