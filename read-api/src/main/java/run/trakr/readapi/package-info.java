/** The read API: token-authenticated, rate-limited GET routes over the read models. */
package run.trakr.readapi;
