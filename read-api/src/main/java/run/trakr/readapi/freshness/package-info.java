/**
 * How current the projection behind an answer is: the freshness headers of every
 * authenticated response (extensions.md §2).
 */
package run.trakr.readapi.freshness;
