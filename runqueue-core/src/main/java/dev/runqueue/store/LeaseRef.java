package dev.runqueue.store;

import java.util.UUID;

/**
 * A claimed job and the token of the claim. Every write after the claim names both, and
 * changes nothing when the job's current token differs: the job was taken back and may
 * belong to another node now.
 *
 * @param jobId the job's id
 * @param token the lease token of the claim
 */
public record LeaseRef(long jobId, UUID token) {

}
