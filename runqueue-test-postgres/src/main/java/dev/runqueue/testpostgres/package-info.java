/**
 * A real PostgreSQL for runqueue's tests, found once per JVM, with a fresh database per
 * test class.
 */
package dev.runqueue.testpostgres;
