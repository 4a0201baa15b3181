/** GET /api/metrics/overview. */
package run.trakr.readapi.metrics;
