package dev.runqueue.worker;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.UUID;

import dev.runqueue.InvalidSettingException;

/**
 * How this node's worker runs.
 *
 * @param nodeName the name this node claims jobs under; unique in the cluster
 * @param pollInterval how often each topic looks for jobs when no notification came, and
 * the longest wait for a scheduled job to become runnable
 * @param leaseDuration how long a claim, or its last renewal, holds a job before another
 * node may take it back
 * @param heartbeatInterval how often the node renews its leases and records its
 * heartbeat; at most half the lease
 * @param shutdownGracePeriod how long running jobs may take to finish when the node
 * stops, before they are interrupted and released
 * @param virtualThreads whether handlers run on virtual threads (JDK 21 or newer)
 */
public record WorkerSettings(String nodeName, Duration pollInterval, Duration leaseDuration, Duration heartbeatInterval,
		Duration shutdownGracePeriod, boolean virtualThreads) {

	/** Default poll interval. */
	public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);

	/** Default lease. */
	public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(30);

	/** Default heartbeat interval. */
	public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(10);

	/** Default grace period on shutdown. */
	public static final Duration DEFAULT_SHUTDOWN_GRACE_PERIOD = Duration.ofSeconds(20);

	/**
	 * Checks the settings.
	 * @throws InvalidSettingException naming the setting that is wrong
	 */
	public WorkerSettings {
		InvalidSettingException.require(nodeName != null && !nodeName.isBlank(), "nodeName", "'" + nodeName + "'",
				"must not be blank");
		InvalidSettingException.require(positive(pollInterval), "pollInterval", pollInterval, "must be positive");
		InvalidSettingException.require(leaseDuration != null && leaseDuration.compareTo(Duration.ofSeconds(1)) >= 0,
				"leaseDuration", leaseDuration, "must be at least 1s");
		InvalidSettingException.require(positive(heartbeatInterval), "heartbeatInterval", heartbeatInterval,
				"must be positive");
		InvalidSettingException.require(heartbeatInterval.multipliedBy(2).compareTo(leaseDuration) <= 0,
				"heartbeatInterval", heartbeatInterval, "must be at most half of leaseDuration (" + leaseDuration
						+ "), so that a lease survives a missed renewal");
		InvalidSettingException.require(shutdownGracePeriod != null && !shutdownGracePeriod.isNegative(),
				"shutdownGracePeriod", shutdownGracePeriod, "must not be negative");
	}

	/**
	 * The defaults, with a node name made from the host name, the process id and a random
	 * part.
	 * @return the settings
	 */
	public static WorkerSettings defaults() {
		return new WorkerSettings(defaultNodeName(), DEFAULT_POLL_INTERVAL, DEFAULT_LEASE_DURATION,
				DEFAULT_HEARTBEAT_INTERVAL, DEFAULT_SHUTDOWN_GRACE_PERIOD, false);
	}

	/**
	 * A node name made from the host name, the process id and a random part, so that two
	 * processes on one host, or one process restarted, never share a name.
	 * @return the name
	 */
	public static String defaultNodeName() {
		return hostName() + "-" + processId() + "-" + UUID.randomUUID().toString().substring(0, 8);
	}

	static String hostName() {
		try {
			return InetAddress.getLocalHost().getHostName();
		}
		catch (UnknownHostException ex) {
			return "unknown-host";
		}
	}

	static long processId() {
		return ManagementFactory.getRuntimeMXBean().getPid();
	}

	/**
	 * How long before the lease's expiry, by this node's clock, the node stops trusting
	 * it and cancels the job: a tenth of the lease, at most one second.
	 * @return the margin
	 */
	public Duration leaseMargin() {
		Duration tenth = this.leaseDuration.dividedBy(10);
		return (tenth.compareTo(Duration.ofSeconds(1)) < 0) ? tenth : Duration.ofSeconds(1);
	}

	/**
	 * A copy with another node name.
	 * @param nodeName the name
	 * @return the copy
	 */
	public WorkerSettings withNodeName(String nodeName) {
		return new WorkerSettings(nodeName, this.pollInterval, this.leaseDuration, this.heartbeatInterval,
				this.shutdownGracePeriod, this.virtualThreads);
	}

	/**
	 * A copy with another poll interval.
	 * @param pollInterval the interval
	 * @return the copy
	 */
	public WorkerSettings withPollInterval(Duration pollInterval) {
		return new WorkerSettings(this.nodeName, pollInterval, this.leaseDuration, this.heartbeatInterval,
				this.shutdownGracePeriod, this.virtualThreads);
	}

	/**
	 * A copy with another lease and heartbeat interval.
	 * @param leaseDuration the lease
	 * @param heartbeatInterval how often leases are renewed
	 * @return the copy
	 */
	public WorkerSettings withLease(Duration leaseDuration, Duration heartbeatInterval) {
		return new WorkerSettings(this.nodeName, this.pollInterval, leaseDuration, heartbeatInterval,
				this.shutdownGracePeriod, this.virtualThreads);
	}

	/**
	 * A copy with another grace period.
	 * @param shutdownGracePeriod the grace period
	 * @return the copy
	 */
	public WorkerSettings withShutdownGracePeriod(Duration shutdownGracePeriod) {
		return new WorkerSettings(this.nodeName, this.pollInterval, this.leaseDuration, this.heartbeatInterval,
				shutdownGracePeriod, this.virtualThreads);
	}

	/**
	 * A copy that runs handlers on virtual threads, or not.
	 * @param virtualThreads whether to use virtual threads
	 * @return the copy
	 */
	public WorkerSettings withVirtualThreads(boolean virtualThreads) {
		return new WorkerSettings(this.nodeName, this.pollInterval, this.leaseDuration, this.heartbeatInterval,
				this.shutdownGracePeriod, virtualThreads);
	}

	private static boolean positive(Duration duration) {
		return duration != null && !duration.isNegative() && !duration.isZero();
	}

}
