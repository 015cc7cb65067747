package dev.runqueue.retry;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

import dev.runqueue.InvalidSettingException;

/**
 * How a topic's jobs are retried: how many attempts a job has unless it says otherwise,
 * how many timeouts it may have, how long it waits before it runs again, and whether jobs
 * that failed before wait behind fresh ones of the same priority. Errors and timeouts
 * have limits of their own: an attempt that timed out does not use one of the job's
 * attempts.
 *
 * @param maxAttempts attempts a job has when it is added without its own number, at least
 * 1
 * @param backoff the wait before a failed or timed-out job runs again
 * @param freshFirst whether a job that failed before runs after fresh jobs of the same
 * priority
 * @param maxTimeouts how many times a job may time out; it fails for good when it times
 * out this many times
 */
public record RetryPolicy(int maxAttempts, Backoff backoff, boolean freshFirst, int maxTimeouts) {

	/** Default number of attempts. */
	public static final int DEFAULT_MAX_ATTEMPTS = 10;

	/** Default number of timeouts. */
	public static final int DEFAULT_MAX_TIMEOUTS = 3;

	/**
	 * The defaults: 10 attempts, 3 timeouts, {@link Backoff#DEFAULT}, fresh jobs first.
	 */
	public static final RetryPolicy DEFAULT = new RetryPolicy(DEFAULT_MAX_ATTEMPTS, Backoff.DEFAULT, true,
			DEFAULT_MAX_TIMEOUTS);

	/**
	 * Checks the settings.
	 * @throws InvalidSettingException naming the setting that is wrong
	 */
	public RetryPolicy {
		InvalidSettingException.require(maxAttempts >= 1, "maxAttempts", maxAttempts, "must be at least 1");
		InvalidSettingException.require(backoff != null, "backoff", null, "must be set");
		InvalidSettingException.require(maxTimeouts >= 1, "maxTimeouts", maxTimeouts, "must be at least 1");
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
	 * Decides what happens after an attempt timed out: the wait before the next one, or
	 * nothing when the job has timed out {@link #maxTimeouts()} times.
	 * @param timeouts how many times the job has timed out, this time included
	 * @param random the source of jitter
	 * @return the wait before the next attempt, or empty when the job has failed for good
	 */
	public Optional<Duration> timeoutRetryDelay(int timeouts, RandomGenerator random) {
		if (timeouts >= this.maxTimeouts) {
			return Optional.empty();
		}
		return Optional.of(this.backoff.delayAfter(timeouts, random));
	}

	/**
	 * A copy with another number of attempts.
	 * @param maxAttempts the number of attempts
	 * @return the copy
	 */
	public RetryPolicy withMaxAttempts(int maxAttempts) {
		return new RetryPolicy(maxAttempts, this.backoff, this.freshFirst, this.maxTimeouts);
	}

	/**
	 * A copy with another backoff.
	 * @param backoff the backoff
	 * @return the copy
	 */
	public RetryPolicy withBackoff(Backoff backoff) {
		return new RetryPolicy(this.maxAttempts, backoff, this.freshFirst, this.maxTimeouts);
	}

	/**
	 * A copy with another number of timeouts.
	 * @param maxTimeouts the number of timeouts
	 * @return the copy
	 */
	public RetryPolicy withMaxTimeouts(int maxTimeouts) {
		return new RetryPolicy(this.maxAttempts, this.backoff, this.freshFirst, maxTimeouts);
	}

}
