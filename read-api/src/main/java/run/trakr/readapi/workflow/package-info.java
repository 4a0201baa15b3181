/** GET /api/workflows, /api/workflows/[name]/stats and /api/workflows/[name]/tools. */
package run.trakr.readapi.workflow;
