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
 * @param prefetch the most jobs a node claims ahead, beyond those it has threads for, so
 * that its threads never wait for a claim's round trip; it claims ahead only as many as
 * its handlers finish during a few round trips, so a topic of long jobs claims none
 * ahead, and a topic with flow control never does; 0 turns it off
 */
public record ExecutionSettings(int concurrency, boolean transactional, Duration timeout, int prefetch) {

	/** Default number of jobs of one topic that a node runs at a time. */
	public static final int DEFAULT_CONCURRENCY = 10;

	/** Default number of jobs one node may claim ahead for a topic of short jobs. */
	public static final int DEFAULT_PREFETCH = 200;

	/**
	 * The defaults: 10 at a time, not transactional, no timeout, up to 200 claimed ahead.
	 */
	public static final ExecutionSettings DEFAULT = new ExecutionSettings(DEFAULT_CONCURRENCY, false, null,
			DEFAULT_PREFETCH);

	/**
	 * Checks the settings.
	 * @throws InvalidSettingException naming the setting that is wrong
	 */
	public ExecutionSettings {
		InvalidSettingException.require(concurrency >= 1, "concurrency", concurrency, "must be at least 1");
		InvalidSettingException.require(timeout == null || (!timeout.isNegative() && !timeout.isZero()), "timeout",
				timeout, "must be positive");
		InvalidSettingException.require(prefetch >= 0, "prefetch", prefetch, "must be at least 0");
	}

	/**
	 * Settings with the defaults' prefetch.
	 * @param concurrency how many of the topic's jobs one node runs at a time
	 * @param transactional whether a handler runs in a transaction with the job's
	 * completion
	 * @param timeout how long a handler may run, or {@code null} for no limit
	 */
	public ExecutionSettings(int concurrency, boolean transactional, Duration timeout) {
		this(concurrency, transactional, timeout, DEFAULT_PREFETCH);
	}

}
