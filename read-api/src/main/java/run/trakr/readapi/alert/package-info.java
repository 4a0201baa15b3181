/** GET /api/alert-events. */
package run.trakr.readapi.alert;
