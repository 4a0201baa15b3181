/**
 * What every route shares: parameter validation, time windows, cursors, output formats.
 */
package run.trakr.readapi.query;
