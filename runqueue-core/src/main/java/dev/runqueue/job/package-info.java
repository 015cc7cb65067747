/**
 * What a handler sees and returns: {@link dev.runqueue.job.Job},
 * {@link dev.runqueue.job.JobContext} and {@link dev.runqueue.job.JobResult}.
 */
package dev.runqueue.job;
