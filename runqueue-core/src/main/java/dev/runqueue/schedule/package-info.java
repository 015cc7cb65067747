/**
 * Recurring jobs: {@link dev.runqueue.schedule.Schedule} says when the occurrences are,
 * {@link dev.runqueue.schedule.RecurringJob} what runs, and the leader's
 * {@link dev.runqueue.schedule.PeriodicEnqueuer} adds one job per occurrence.
 */
package dev.runqueue.schedule;
