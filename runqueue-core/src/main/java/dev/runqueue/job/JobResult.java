package dev.runqueue.job;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What a handler decides about its job: it succeeded; it succeeded and runs again later
 * with a new payload ({@code replace}, for work done in rounds); it runs again later
 * without using an attempt ({@code snooze}); or it failed, to be retried if it has
 * attempts left ({@code fail}) or for good ({@code discard}).
 */
public sealed interface JobResult {

	/**
	 * The job succeeded.
	 * @return the result
	 */
	static JobResult success() {
		return Success.EMPTY;
	}

	/**
	 * The job succeeded with a value, stored as JSON for whoever reads the job's result.
	 * @param value the value, may be {@code null}
	 * @return the result
	 */
	static JobResult success(Object value) {
		return new Success(value);
	}

	/**
	 * The job succeeded with this round and runs again at once with a new payload, with
	 * its attempts reset.
	 * @param payload the payload of the next round
	 * @return the result
	 */
	static JobResult replace(Object payload) {
		return new Replace(payload, Duration.ZERO, null);
	}

	/**
	 * The job succeeded with this round and runs again after a delay with a new payload,
	 * with its attempts reset.
	 * @param payload the payload of the next round
	 * @param delay how long from now, by the database's clock
	 * @return the result
	 */
	static JobResult replace(Object payload, Duration delay) {
		return new Replace(payload, delay, null);
	}

	/**
	 * The job succeeded with this round and runs again at a time with a new payload, with
	 * its attempts reset.
	 * @param payload the payload of the next round
	 * @param runAt when the next round runs
	 * @return the result
	 */
	static JobResult replaceAt(Object payload, Instant runAt) {
		return new Replace(payload, null, Objects.requireNonNull(runAt, "runAt must not be null"));
	}

	/**
	 * The job runs again after a delay, without using an attempt: it could not do its
	 * work yet.
	 * @param delay how long from now, by the database's clock
	 * @return the result
	 */
	static JobResult snooze(Duration delay) {
		return new Snooze(delay);
	}

	/**
	 * The attempt failed; the job is retried with backoff if it has attempts left, and
	 * fails for good otherwise. The next attempt sees the reason as the last error.
	 * @param reason why it failed
	 * @return the result
	 */
	static JobResult fail(String reason) {
		return new Fail(reason, true);
	}

	/**
	 * The job failed for good, whatever attempts it has left.
	 * @param reason why it failed
	 * @return the result
	 */
	static JobResult discard(String reason) {
		return new Fail(reason, false);
	}

	/**
	 * Success, with an optional value.
	 *
	 * @param value the value, or {@code null}
	 */
	record Success(Object value) implements JobResult {

		static final Success EMPTY = new Success(null);

	}

	/**
	 * Success with this round, and another round with a new payload.
	 *
	 * @param payload the next round's payload
	 * @param delay how long from now the next round runs, or {@code null} when
	 * {@code runAt} is given
	 * @param runAt when the next round runs, or {@code null} when {@code delay} is given
	 */
	record Replace(Object payload, Duration delay, Instant runAt) implements JobResult {

		/**
		 * Checks the timing.
		 */
		public Replace {
			if ((delay == null) == (runAt == null)) {
				throw new IllegalArgumentException("A replace needs either a delay or a time to run at");
			}
			if (delay != null && delay.isNegative()) {
				throw new IllegalArgumentException("The delay of a replace must not be negative, but was " + delay);
			}
		}

	}

	/**
	 * Run again later without using an attempt.
	 *
	 * @param delay how long from now
	 */
	record Snooze(Duration delay) implements JobResult {

		/**
		 * Checks the delay.
		 */
		public Snooze {
			Objects.requireNonNull(delay, "The delay of a snooze must not be null");
			if (delay.isNegative()) {
				throw new IllegalArgumentException("The delay of a snooze must not be negative, but was " + delay);
			}
		}

	}

	/**
	 * A failed attempt.
	 *
	 * @param reason why it failed
	 * @param retry whether the job may be retried if it has attempts left
	 */
	record Fail(String reason, boolean retry) implements JobResult {

		/**
		 * Checks the reason.
		 */
		public Fail {
			Objects.requireNonNull(reason, "A failure needs a reason");
		}

	}

}
