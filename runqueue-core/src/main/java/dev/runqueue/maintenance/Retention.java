package dev.runqueue.maintenance;

import java.time.Duration;

import dev.runqueue.InvalidSettingException;

/**
 * How long finished jobs are kept, by how they finished, before they are pruned.
 *
 * @param succeeded how long succeeded jobs are kept
 * @param failed how long failed jobs are kept
 * @param cancelled how long cancelled jobs are kept
 */
public record Retention(Duration succeeded, Duration failed, Duration cancelled) {

	/** Default for succeeded jobs. */
	public static final Duration DEFAULT_SUCCEEDED = Duration.ofDays(1);

	/** Default for failed jobs. */
	public static final Duration DEFAULT_FAILED = Duration.ofDays(7);

	/** Default for cancelled jobs. */
	public static final Duration DEFAULT_CANCELLED = Duration.ofDays(7);

	/** The defaults: a day for succeeded jobs, a week for failed and cancelled ones. */
	public static final Retention DEFAULT = new Retention(DEFAULT_SUCCEEDED, DEFAULT_FAILED, DEFAULT_CANCELLED);

	/**
	 * Checks the settings.
	 * @throws InvalidSettingException naming the setting that is wrong
	 */
	public Retention {
		InvalidSettingException.require(succeeded != null && !succeeded.isNegative(), "succeeded", succeeded,
				"must not be negative");
		InvalidSettingException.require(failed != null && !failed.isNegative(), "failed", failed,
				"must not be negative");
		InvalidSettingException.require(cancelled != null && !cancelled.isNegative(), "cancelled", cancelled,
				"must not be negative");
	}

}
