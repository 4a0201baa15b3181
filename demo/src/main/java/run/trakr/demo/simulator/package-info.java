/**
 * Realistic ingest traffic for the demo: agent runs with calls, tools, children and
 * alerts, back-filled over past days and then published live.
 */
package run.trakr.demo.simulator;
