package dev.runqueue.retry;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

import dev.runqueue.InvalidSettingException;

/**
 * How a topic's jobs are retried after a failure: how many attempts a job has unless it
 * says otherwise, how long it waits between them, and whether jobs that failed before
 * wait behind fresh ones of the same priority.
 *
 * @param maxAttempts attempts a job has when it is added without its own number, at least
 * 1
 * @param backoff the wait between attempts
 * @param freshFirst whether a job that failed before runs after fresh jobs of the same
 * priority
 */
public record RetryPolicy(int maxAttempts, Backoff backoff, boolean freshFirst) {

	/** Default number of attempts. */
	public static final int DEFAULT_MAX_ATTEMPTS = 10;

	/** The defaults: 10 attempts, {@link Backoff#DEFAULT}, fresh jobs first. */
	public static final RetryPolicy DEFAULT = new RetryPolicy(DEFAULT_MAX_ATTEMPTS, Backoff.DEFAULT, true);

	/**
	 * Checks the settings.
	 * @throws InvalidSettingException naming the setting that is wrong
	 */
	public RetryPolicy {
		InvalidSettingException.require(maxAttempts >= 1, "maxAttempts", maxAttempts, "must be at least 1");
		InvalidSettingException.require(backoff != null, "backoff", null, "must be set");
	}

	/**
	 * Decides what happens after a failed attempt: the wait before the next one, or
	 * nothing when the job has used all of its attempts.
	 * @param attempt the attempt that failed, counting from 1
	 * @param jobMaxAttempts the job's own number of attempts
	 * @param random the source of jitter
	 * @return the wait before the next attempt, or empty when the job has failed for good
	 */
	public Optional<Duration> retryDelay(int attempt, int jobMaxAttempts, RandomGenerator random) {
		if (attempt >= jobMaxAttempts) {
			return Optional.empty();
		}
		return Optional.of(this.backoff.delayAfter(attempt, random));
	}

	/**
	 * A copy with another number of attempts.
	 * @param maxAttempts the number of attempts
	 * @return the copy
	 */
	public RetryPolicy withMaxAttempts(int maxAttempts) {
		return new RetryPolicy(maxAttempts, this.backoff, this.freshFirst);
	}

	/**
	 * A copy with another backoff.
	 * @param backoff the backoff
	 * @return the copy
	 */
	public RetryPolicy withBackoff(Backoff backoff) {
		return new RetryPolicy(this.maxAttempts, backoff, this.freshFirst);
	}

}
