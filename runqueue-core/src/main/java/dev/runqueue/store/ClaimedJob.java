package dev.runqueue.store;

import java.time.Instant;

import dev.runqueue.job.Job;

/**
 * A job that this node claimed: the job, the lease it holds on it, and when the lease
 * expires by the database's clock.
 *
 * @param job the job
 * @param lease the lease
 * @param leaseExpiresAt when the lease expires unless it is renewed
 */
public record ClaimedJob(Job job, LeaseRef lease, Instant leaseExpiresAt) {

}
