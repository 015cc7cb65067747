package dev.runqueue;

/**
 * How a topic's jobs are held back across the cluster: one at a time in order, a limit of
 * running jobs for the topic and per group, a rate limit, and a limit of waiting jobs
 * beyond which adding is refused.
 *
 * @param fifo whether the topic runs one job at a time across the cluster, in insertion
 * order; a job that fails blocks the ones behind it until it succeeds or fails for good
 * @param maxRunning how many of the topic's jobs may run at once across the cluster, or
 * {@code null} for no limit beyond each node's concurrency
 * @param groupConcurrency how many jobs of one group may run at once across the cluster,
 * or {@code null} for no limit; a job's own group limit wins
 * @param rateLimit how many jobs may start per period across the cluster, or {@code null}
 * @param maxWaiting how many jobs may wait (pending, scheduled or available) before
 * adding is refused, or {@code null} for no limit
 */
public record FlowControl(boolean fifo, Integer maxRunning, Integer groupConcurrency, RateLimit rateLimit,
		Integer maxWaiting) {

	/** No flow control: jobs run as fast as the nodes' concurrency allows. */
	public static final FlowControl NONE = new FlowControl(false, null, null, null, null);

	/**
	 * Checks the settings.
	 * @throws InvalidSettingException naming the setting that is wrong
	 */
	public FlowControl {
		InvalidSettingException.require(maxRunning == null || maxRunning >= 1, "maxRunning", maxRunning,
				"must be at least 1");
		InvalidSettingException.require(groupConcurrency == null || groupConcurrency >= 1, "groupConcurrency",
				groupConcurrency, "must be at least 1");
		InvalidSettingException.require(maxWaiting == null || maxWaiting >= 1, "maxWaiting", maxWaiting,
				"must be at least 1");
	}

	/**
	 * Whether claiming the topic's jobs must be serialized across the cluster, because a
	 * limit depends on what other nodes run or release.
	 * @return {@code true} for FIFO topics and topics with a running, group or rate limit
	 */
	public boolean limitsClaims() {
		return this.fifo || this.maxRunning != null || this.groupConcurrency != null || this.rateLimit != null;
	}

	/**
	 * A FIFO copy.
	 * @return the copy
	 */
	public FlowControl asFifo() {
		return new FlowControl(true, this.maxRunning, this.groupConcurrency, this.rateLimit, this.maxWaiting);
	}

	/**
	 * A copy with a limit of running jobs.
	 * @param maxRunning the limit, or {@code null}
	 * @return the copy
	 */
	public FlowControl withMaxRunning(Integer maxRunning) {
		return new FlowControl(this.fifo, maxRunning, this.groupConcurrency, this.rateLimit, this.maxWaiting);
	}

	/**
	 * A copy with a limit per group.
	 * @param groupConcurrency the limit, or {@code null}
	 * @return the copy
	 */
	public FlowControl withGroupConcurrency(Integer groupConcurrency) {
		return new FlowControl(this.fifo, this.maxRunning, groupConcurrency, this.rateLimit, this.maxWaiting);
	}

	/**
	 * A copy with a rate limit.
	 * @param rateLimit the limit, or {@code null}
	 * @return the copy
	 */
	public FlowControl withRateLimit(RateLimit rateLimit) {
		return new FlowControl(this.fifo, this.maxRunning, this.groupConcurrency, rateLimit, this.maxWaiting);
	}

	/**
	 * A copy with a limit of waiting jobs.
	 * @param maxWaiting the limit, or {@code null}
	 * @return the copy
	 */
	public FlowControl withMaxWaiting(Integer maxWaiting) {
		return new FlowControl(this.fifo, this.maxRunning, this.groupConcurrency, this.rateLimit, maxWaiting);
	}

}
