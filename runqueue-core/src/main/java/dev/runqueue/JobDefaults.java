package dev.runqueue;

import java.time.Duration;

/**
 * What a topic's jobs get when they are added without saying otherwise.
 *
 * @param priority smaller runs first
 * @param delay how long after being added a job becomes runnable
 * @param uniqueKey a unique key for every job of the topic (one live job at a time), or
 * {@code null}
 * @param uniqueScope how long a unique key blocks others
 * @param group the group key for every job of the topic, or {@code null}
 * @param dependencyFailure what becomes of a job when a job it depends on fails for good
 */
public record JobDefaults(int priority, Duration delay, String uniqueKey, UniqueScope uniqueScope, String group,
		DependencyFailure dependencyFailure) {

	/** Default priority. */
	public static final int DEFAULT_PRIORITY = 1000;

	/**
	 * The defaults: priority 1000, no delay, no unique key, no group, dependents
	 * cancelled.
	 */
	public static final JobDefaults DEFAULT = new JobDefaults(DEFAULT_PRIORITY, Duration.ZERO, null, UniqueScope.LIVE,
			null, DependencyFailure.CANCEL);

	/**
	 * Checks the settings.
	 * @throws InvalidSettingException naming the setting that is wrong
	 */
	public JobDefaults {
		InvalidSettingException.require(delay != null && !delay.isNegative(), "delay", delay, "must not be negative");
		InvalidSettingException.require(uniqueKey == null || !uniqueKey.isBlank(), "uniqueKey", "'" + uniqueKey + "'",
				"must not be blank");
		InvalidSettingException.require(uniqueScope != null, "uniqueScope", null, "must be set");
		InvalidSettingException.require(group == null || !group.isBlank(), "group", "'" + group + "'",
				"must not be blank");
		InvalidSettingException.require(dependencyFailure != null, "dependencyFailure", null, "must be set");
	}

	/**
	 * A copy with another priority.
	 * @param priority the priority
	 * @return the copy
	 */
	public JobDefaults withPriority(int priority) {
		return new JobDefaults(priority, this.delay, this.uniqueKey, this.uniqueScope, this.group,
				this.dependencyFailure);
	}

	/**
	 * A copy with another unique key and scope.
	 * @param uniqueKey the unique key, or {@code null}
	 * @param uniqueScope how long it blocks others
	 * @return the copy
	 */
	public JobDefaults withUniqueKey(String uniqueKey, UniqueScope uniqueScope) {
		return new JobDefaults(this.priority, this.delay, uniqueKey, uniqueScope, this.group, this.dependencyFailure);
	}

	/**
	 * A copy with another group.
	 * @param group the group key, or {@code null}
	 * @return the copy
	 */
	public JobDefaults withGroup(String group) {
		return new JobDefaults(this.priority, this.delay, this.uniqueKey, this.uniqueScope, group,
				this.dependencyFailure);
	}

	/**
	 * A copy with another policy for failed dependencies.
	 * @param dependencyFailure the policy
	 * @return the copy
	 */
	public JobDefaults withDependencyFailure(DependencyFailure dependencyFailure) {
		return new JobDefaults(this.priority, this.delay, this.uniqueKey, this.uniqueScope, this.group,
				dependencyFailure);
	}

}
