/**
 * Conditional requests: ETag, If-None-Match and 304 on the read routes (extensions.md
 * §1).
 */
package run.trakr.readapi.conditional;
