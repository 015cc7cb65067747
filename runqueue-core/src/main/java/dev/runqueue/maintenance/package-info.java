/**
 * Work that keeps the job table moving and tidy:
 * {@link dev.runqueue.maintenance.DuePromoter} makes scheduled jobs runnable when their
 * time comes.
 */
package dev.runqueue.maintenance;
