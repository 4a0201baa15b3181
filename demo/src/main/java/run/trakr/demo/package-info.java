/**
 * The one-command demo: the local stack, the packaged projector and read-api, a demo org
 * with a read token, and simulated traffic.
 */
package run.trakr.demo;
