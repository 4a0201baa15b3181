/**
 * Bearer read tokens: the route allowlist, token format and lookup, and the gate that
 * applies them.
 */
package run.trakr.readapi.auth;
