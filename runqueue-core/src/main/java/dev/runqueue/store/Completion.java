package dev.runqueue.store;

import java.time.Duration;
import java.time.Instant;

/**
 * What to write for a job after its handler ran, one kind per statement. Each is fenced
 * by its lease.
 */
public sealed interface Completion {

	/**
	 * The lease the write is fenced by.
	 * @return the lease
	 */
	LeaseRef lease();

	/**
	 * The job succeeded.
	 *
	 * @param lease the lease
	 * @param result the result as JSON text, or {@code null}
	 */
	record Succeed(LeaseRef lease, String result) implements Completion {

	}

	/**
	 * The attempt failed and the job runs again after a delay.
	 *
	 * @param lease the lease
	 * @param delay how long from the database's now
	 * @param error the error, for the next attempt to see
	 * @param retried whether the job now sorts after fresh jobs of its priority
	 */
	record Retry(LeaseRef lease, Duration delay, String error, boolean retried) implements Completion {

	}

	/**
	 * The job failed for good.
	 *
	 * @param lease the lease
	 * @param error the error
	 */
	record Fail(LeaseRef lease, String error) implements Completion {

	}

	/**
	 * The job succeeded with a round and runs again with a new payload and fresh
	 * attempts.
	 *
	 * @param lease the lease
	 * @param payload the next round's payload as JSON text
	 * @param delay how long from the database's now, when {@code runAt} is {@code null}
	 * @param runAt when the next round runs, or {@code null}
	 */
	record Replace(LeaseRef lease, String payload, Duration delay, Instant runAt) implements Completion {

	}

	/**
	 * The attempt ran past its timeout. The job runs again after a delay without using an
	 * attempt, since timeouts have a limit of their own, or fails for good when it has
	 * timed out too often.
	 *
	 * @param lease the lease
	 * @param retryDelay how long from the database's now until it runs again, or
	 * {@code null} to fail it for good
	 * @param error the error, for the next attempt to see
	 */
	record TimedOut(LeaseRef lease, Duration retryDelay, String error) implements Completion {

	}

	/**
	 * The job runs again after a delay, without using an attempt.
	 *
	 * @param lease the lease
	 * @param delay how long from the database's now
	 */
	record Snooze(LeaseRef lease, Duration delay) implements Completion {

	}

}
