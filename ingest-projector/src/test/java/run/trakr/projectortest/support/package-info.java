/** Test fixtures for the projector, outside its scanned packages. */
package run.trakr.projectortest.support;
