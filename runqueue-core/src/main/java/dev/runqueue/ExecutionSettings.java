package dev.runqueue;

import java.time.Duration;

/**
 * How a topic's handler runs on each node.
 *
 * @param concurrency how many of the topic's jobs one node runs at a time, at least 1
 * @param transactional whether a handler runs in a transaction that also records the
 * job's success, so that its database work and the job's completion commit or roll back
 * together
 * @param timeout how long a handler may run before it is cancelled and the attempt counts
 * as timed out, or {@code null} for no limit; a job's own timeout wins
 */
public record ExecutionSettings(int concurrency, boolean transactional, Duration timeout) {

	/** Default number of jobs of one topic that a node runs at a time. */
	public static final int DEFAULT_CONCURRENCY = 10;

	/** The defaults: 10 at a time, not transactional, no timeout. */
	public static final ExecutionSettings DEFAULT = new ExecutionSettings(DEFAULT_CONCURRENCY, false, null);

	/**
	 * Checks the settings.
	 * @throws InvalidSettingException naming the setting that is wrong
	 */
	public ExecutionSettings {
		InvalidSettingException.require(concurrency >= 1, "concurrency", concurrency, "must be at least 1");
		InvalidSettingException.require(timeout == null || (!timeout.isNegative() && !timeout.isZero()), "timeout",
				timeout, "must be positive");
	}

}
