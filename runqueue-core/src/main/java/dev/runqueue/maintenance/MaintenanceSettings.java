package dev.runqueue.maintenance;

import java.time.Duration;

import dev.runqueue.InvalidSettingException;

/**
 * How the cluster's maintenance runs. One node at a time, the leader, does it; every node
 * takes part in electing it.
 *
 * @param interval how often the leader takes back jobs whose leases expired, prunes
 * finished jobs and checks waiting dependents, and how often every node checks whether it
 * should lead; the leader's own lease lasts three intervals
 * @param maxRescues how many times a job may be taken back from a node whose lease
 * expired before it is quarantined as failed: a job that keeps killing its nodes
 * @param nodeRetention how long a stopped or dead node stays in the cluster view
 * @param retention how long finished jobs are kept
 */
public record MaintenanceSettings(Duration interval, int maxRescues, Duration nodeRetention, Retention retention) {

	/** Default interval. */
	public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

	/** Default number of rescues before quarantine. */
	public static final int DEFAULT_MAX_RESCUES = 3;

	/** Default time a gone node stays visible. */
	public static final Duration DEFAULT_NODE_RETENTION = Duration.ofHours(24);

	/** The defaults. */
	public static final MaintenanceSettings DEFAULT = new MaintenanceSettings(DEFAULT_INTERVAL, DEFAULT_MAX_RESCUES,
			DEFAULT_NODE_RETENTION, Retention.DEFAULT);

	/**
	 * Checks the settings.
	 * @throws InvalidSettingException naming the setting that is wrong
	 */
	public MaintenanceSettings {
		InvalidSettingException.require(interval != null && !interval.isNegative() && !interval.isZero(), "interval",
				interval, "must be positive");
		InvalidSettingException.require(maxRescues >= 1, "maxRescues", maxRescues, "must be at least 1");
		InvalidSettingException.require(nodeRetention != null && !nodeRetention.isNegative(), "nodeRetention",
				nodeRetention, "must not be negative");
		InvalidSettingException.require(retention != null, "retention", null, "must be set");
	}

	/**
	 * How long the leader's lease lasts: three intervals, so that one slow sweep does not
	 * cost the lead. It is also how late a recurring job's occurrence may be added before
	 * it counts as missed.
	 * @return the lease
	 */
	public Duration leaderLease() {
		return this.interval.multipliedBy(3);
	}

	/**
	 * A copy with another interval.
	 * @param interval the interval
	 * @return the copy
	 */
	public MaintenanceSettings withInterval(Duration interval) {
		return new MaintenanceSettings(interval, this.maxRescues, this.nodeRetention, this.retention);
	}

	/**
	 * A copy with another number of rescues.
	 * @param maxRescues the number
	 * @return the copy
	 */
	public MaintenanceSettings withMaxRescues(int maxRescues) {
		return new MaintenanceSettings(this.interval, maxRescues, this.nodeRetention, this.retention);
	}

	/**
	 * A copy with another retention.
	 * @param retention the retention
	 * @return the copy
	 */
	public MaintenanceSettings withRetention(Retention retention) {
		return new MaintenanceSettings(this.interval, this.maxRescues, this.nodeRetention, retention);
	}

}
