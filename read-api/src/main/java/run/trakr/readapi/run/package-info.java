/** GET /api/runs, /api/runs/[runId] and /api/runs/compare. */
package run.trakr.readapi.run;
