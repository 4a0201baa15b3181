/** Fired and resolved alert events. */
package run.trakr.projector.alert;
