package dev.runqueue;

import java.time.Duration;

/**
 * At most {@code releases} of a topic's jobs start in any {@code period}, across the
 * cluster. A minimum interval between releases is a rate limit of one per interval.
 *
 * @param releases how many jobs may start in any period, at least 1
 * @param period the length of the sliding window
 */
public record RateLimit(int releases, Duration period) {

	/**
	 * Checks the settings.
	 * @throws InvalidSettingException naming the setting that is wrong
	 */
	public RateLimit {
		InvalidSettingException.require(releases >= 1, "releases", releases, "must be at least 1");
		InvalidSettingException.require(period != null && !period.isNegative() && !period.isZero(), "period", period,
				"must be positive");
	}

	/**
	 * A minimum interval between two releases.
	 * @param interval the interval
	 * @return the rate limit
	 */
	public static RateLimit oneEvery(Duration interval) {
		return new RateLimit(1, interval);
	}

}
