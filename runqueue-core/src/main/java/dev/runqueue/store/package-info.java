/**
 * The database layer: {@link dev.runqueue.store.JobStore} with one method per statement,
 * its PostgreSQL implementation, the statements themselves in
 * {@link dev.runqueue.store.JobSql}, and the schema's migrations.
 */
package dev.runqueue.store;
