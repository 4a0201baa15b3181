/** Configuration, properties and the error contract shared by every route. */
package run.trakr.readapi.system;
