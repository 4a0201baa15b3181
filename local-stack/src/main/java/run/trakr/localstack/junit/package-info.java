/** The JUnit 5 extension that shares one local stack across a test JVM's classes. */
package run.trakr.localstack.junit;
