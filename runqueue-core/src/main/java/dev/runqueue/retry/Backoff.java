package dev.runqueue.retry;

import java.time.Duration;
import java.util.random.RandomGenerator;

import dev.runqueue.InvalidSettingException;

/**
 * Exponential backoff with jitter: the n-th failure waits
 * {@code initial * multiplier^(n-1)}, at most {@code max}, moved up or down at random by
 * up to {@code jitter} of itself so that jobs that failed together do not all come back
 * at the same instant.
 *
 * @param initial the wait after the first failure
 * @param multiplier the factor between one wait and the next, at least 1
 * @param max the longest wait
 * @param jitter the random spread as a fraction of the wait, from 0 (none) to 1
 */
public record Backoff(Duration initial, double multiplier, Duration max, double jitter) {

	/** Default wait after the first failure. */
	public static final Duration DEFAULT_INITIAL = Duration.ofSeconds(1);

	/** Default factor between one wait and the next. */
	public static final double DEFAULT_MULTIPLIER = 2.0;

	/** Default longest wait. */
	public static final Duration DEFAULT_MAX = Duration.ofHours(1);

	/** Default random spread. */
	public static final double DEFAULT_JITTER = 0.2;

	/** The defaults: 1s, 2s, 4s, ... up to one hour, each within 20% either way. */
	public static final Backoff DEFAULT = new Backoff(DEFAULT_INITIAL, DEFAULT_MULTIPLIER, DEFAULT_MAX, DEFAULT_JITTER);

	/**
	 * Checks the settings.
	 * @throws InvalidSettingException naming the setting that is wrong
	 */
	public Backoff {
		InvalidSettingException.require(initial != null && !initial.isNegative(), "initial", initial,
				"must not be negative");
		InvalidSettingException.require(multiplier >= 1.0 && Double.isFinite(multiplier), "multiplier", multiplier,
				"must be at least 1");
		InvalidSettingException.require(max != null && max.compareTo(initial) >= 0, "max", max,
				"must not be shorter than initial (" + initial + ")");
		InvalidSettingException.require(jitter >= 0.0 && jitter <= 1.0, "jitter", jitter, "must be between 0 and 1");
	}

	/**
	 * A backoff that waits the same time after every failure.
	 * @param delay the wait
	 * @return the backoff
	 */
	public static Backoff fixed(Duration delay) {
		return new Backoff(delay, 1.0, delay, 0.0);
	}

	/**
	 * The wait after a number of failures.
	 * @param failures how many times the job has failed, at least 1
	 * @param random the source of jitter
	 * @return the wait, never negative and never longer than {@link #max()}
	 */
	public Duration delayAfter(int failures, RandomGenerator random) {
		double exponent = Math.max(0, failures - 1);
		double nanos = this.initial.toNanos() * Math.pow(this.multiplier, exponent);
		double capped = Math.min(nanos, this.max.toNanos());
		double spread = (this.jitter == 0.0) ? 0.0 : capped * this.jitter * (2 * random.nextDouble() - 1);
		long result = (long) Math.min(this.max.toNanos(), Math.max(0, capped + spread));
		return Duration.ofNanos(result);
	}

}
