package dev.runqueue.job;

import java.time.Instant;

/**
 * A job as a worker claimed it, for its handler.
 *
 * @param id the job's id
 * @param topic its topic
 * @param payload its payload as JSON text
 * @param priority its priority
 * @param attempt this attempt's number, counting from 1
 * @param maxAttempts how many attempts it has
 * @param lastError the error of the previous failed attempt, or {@code null}
 * @param uniqueKey its unique key, or {@code null}
 * @param group its group key, or {@code null}
 * @param runs how many times it has succeeded before (a job that replaces itself succeeds
 * once per round)
 * @param createdAt when it was added
 * @param runAt when it became runnable
 */
public record Job(long id, String topic, String payload, int priority, int attempt, int maxAttempts, String lastError,
		String uniqueKey, String group, int runs, Instant createdAt, Instant runAt) {

	/**
	 * Whether this is the job's last attempt: if it fails, it fails for good.
	 * @return {@code true} if no attempt follows a failure
	 */
	public boolean isLastAttempt() {
		return this.attempt >= this.maxAttempts;
	}

}
