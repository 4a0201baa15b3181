/**
 * The admin command line: organizations, plans and read tokens (stands in for Settings →
 * API Keys).
 */
package run.trakr.readapi.admin;
