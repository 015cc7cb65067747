package dev.runqueue.store;

import java.time.Duration;
import java.time.Instant;

import dev.runqueue.job.Job;

/**
 * A job that this node claimed: the job, the lease it holds on it, when the lease expires
 * by the database's clock, and what the worker needs to enforce the job's timeout.
 *
 * @param job the job
 * @param lease the lease
 * @param leaseExpiresAt when the lease expires unless it is renewed
 * @param timeout the job's own timeout, or {@code null} for its topic's
 * @param timeouts how many times the job has timed out in this round
 */
public record ClaimedJob(Job job, LeaseRef lease, Instant leaseExpiresAt, Duration timeout, int timeouts) {

}
