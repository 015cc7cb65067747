package dev.runqueue.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.runqueue.job.JobState;

/**
 * A job's row as stored.
 *
 * @param id the id
 * @param topic the topic
 * @param state the state
 * @param payload the payload as JSON text
 * @param priority the priority
 * @param runAt when it runs or ran
 * @param retried whether it sorts after fresh jobs
 * @param uniqueKey the unique key, or {@code null}
 * @param uniqueScope {@code live} or {@code retained}
 * @param group the group key, or {@code null}
 * @param groupLimit its own limit of running jobs of its group, or {@code null}
 * @param attempt attempts made
 * @param maxAttempts attempts it has
 * @param timeouts timed-out attempts in this round
 * @param rescues times in this round its lease expired and it was taken back
 * @param timeout its own timeout, or {@code null}
 * @param errors failed attempts in its life
 * @param runs successful runs in its life
 * @param lastError the last error, or {@code null}
 * @param result the result as JSON text, or {@code null}
 * @param dependsOn the jobs it waits for
 * @param dependencyFailure {@code cancel} or {@code fail}
 * @param claimedBy the node that claimed it last, or {@code null}
 * @param leaseToken the current lease token, or {@code null}
 * @param leaseExpiresAt when the current lease expires, or {@code null}
 * @param createdAt when it was added
 * @param startedAt when its last attempt started, or {@code null}
 * @param finishedAt when it finished, or {@code null}
 */
public record JobRecord(long id, String topic, JobState state, String payload, int priority, Instant runAt,
		boolean retried, String uniqueKey, String uniqueScope, String group, Integer groupLimit, int attempt,
		int maxAttempts, int timeouts, int rescues, Duration timeout, int errors, int runs, String lastError,
		String result, List<Long> dependsOn, String dependencyFailure, String claimedBy, UUID leaseToken,
		Instant leaseExpiresAt, Instant createdAt, Instant startedAt, Instant finishedAt) {

}
