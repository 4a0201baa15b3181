/**
 * Test fixtures for the read API. Kept outside {@code run.trakr.readapi} so that
 * component scanning never picks the stand-in handlers up; tests add them explicitly.
 */
package run.trakr.readapitest.support;
