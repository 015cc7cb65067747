package dev.runqueue;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A job to add: a topic, a payload, and any options that should differ from the topic's
 * defaults. Immutable; each option method returns a copy, so that a job reads as one
 * expression:
 *
 * <pre class="code">
 * runQueue.add(NewJob.of("email", message).priority(10).delay(Duration.ofMinutes(5)).uniqueKey("welcome-" + userId));
 * </pre>
 *
 * Options left unset take the topic's defaults when the job is added.
 *
 * @param topic the topic whose handler runs the job
 * @param payload the payload, serialized to JSON when the job is added; may be
 * {@code null}
 * @param priority smaller runs first, or {@code null} for the topic's default
 * @param runAt when the job becomes runnable, or {@code null}
 * @param delay how long after being added the job becomes runnable, or {@code null};
 * ignored when {@code runAt} is set
 * @param uniqueKey a key that at most one live job may hold, or {@code null} for the
 * topic's default
 * @param group a group key, or {@code null} for the topic's default
 * @param maxAttempts how many attempts the job has, or {@code null} for the topic's
 * default
 * @param timeout how long the handler may run on this job, or {@code null} for the
 * topic's timeout
 */
public record NewJob(String topic, Object payload, Integer priority, Instant runAt, Duration delay, String uniqueKey,
		String group, Integer maxAttempts, Duration timeout) {

	/**
	 * Checks the options.
	 * @throws IllegalArgumentException naming the option that is wrong
	 */
	public NewJob {
		TopicSettings.requireValidName(topic);
		InvalidSettingException.require(delay == null || !delay.isNegative(), "delay", delay, "must not be negative");
		InvalidSettingException.require(uniqueKey == null || !uniqueKey.isBlank(), "uniqueKey", "'" + uniqueKey + "'",
				"must not be blank");
		InvalidSettingException.require(group == null || !group.isBlank(), "group", "'" + group + "'",
				"must not be blank");
		InvalidSettingException.require(maxAttempts == null || maxAttempts >= 1, "maxAttempts", maxAttempts,
				"must be at least 1");
		InvalidSettingException.require(timeout == null || (!timeout.isNegative() && !timeout.isZero()), "timeout",
				timeout, "must be positive");
	}

	/**
	 * A job with the topic's defaults.
	 * @param topic the topic
	 * @param payload the payload
	 * @return the job
	 */
	public static NewJob of(String topic, Object payload) {
		return new NewJob(topic, payload, null, null, null, null, null, null, null);
	}

	/**
	 * Runs the job before jobs with a larger priority number.
	 * @param priority smaller runs first
	 * @return a copy with the priority
	 */
	public NewJob priority(int priority) {
		return new NewJob(this.topic, this.payload, priority, this.runAt, this.delay, this.uniqueKey, this.group,
				this.maxAttempts, this.timeout);
	}

	/**
	 * Runs the job at a time.
	 * @param runAt when the job becomes runnable
	 * @return a copy that runs at that time
	 */
	public NewJob runAt(Instant runAt) {
		Objects.requireNonNull(runAt, "runAt must not be null; use runNow() to run as soon as possible");
		return new NewJob(this.topic, this.payload, this.priority, runAt, null, this.uniqueKey, this.group,
				this.maxAttempts, this.timeout);
	}

	/**
	 * Runs the job a while after it is added, measured by the database's clock.
	 * @param delay how long after being added the job becomes runnable
	 * @return a copy with the delay
	 */
	public NewJob delay(Duration delay) {
		Objects.requireNonNull(delay, "delay must not be null; use runNow() to run as soon as possible");
		return new NewJob(this.topic, this.payload, this.priority, null, delay, this.uniqueKey, this.group,
				this.maxAttempts, this.timeout);
	}

	/**
	 * Runs the job as soon as possible, whatever the topic's default delay.
	 * @return a copy that runs at once
	 */
	public NewJob runNow() {
		return delay(Duration.ZERO);
	}

	/**
	 * Gives the job a unique key: while a live job holds the key, adding another with it
	 * reports a duplicate.
	 * @param uniqueKey the key
	 * @return a copy with the key
	 */
	public NewJob uniqueKey(String uniqueKey) {
		return new NewJob(this.topic, this.payload, this.priority, this.runAt, this.delay, uniqueKey, this.group,
				this.maxAttempts, this.timeout);
	}

	/**
	 * Puts the job in a group.
	 * @param group the group key
	 * @return a copy in the group
	 */
	public NewJob group(String group) {
		return new NewJob(this.topic, this.payload, this.priority, this.runAt, this.delay, this.uniqueKey, group,
				this.maxAttempts, this.timeout);
	}

	/**
	 * Gives the job its own timeout: how long its handler may run before it is cancelled
	 * and the attempt counts as timed out.
	 * @param timeout the timeout
	 * @return a copy with the timeout
	 */
	public NewJob timeout(Duration timeout) {
		Objects.requireNonNull(timeout, "timeout must not be null");
		return new NewJob(this.topic, this.payload, this.priority, this.runAt, this.delay, this.uniqueKey, this.group,
				this.maxAttempts, timeout);
	}

	/**
	 * Gives the job its own number of attempts.
	 * @param maxAttempts attempts, at least 1
	 * @return a copy with the number
	 */
	public NewJob maxAttempts(int maxAttempts) {
		return new NewJob(this.topic, this.payload, this.priority, this.runAt, this.delay, this.uniqueKey, this.group,
				maxAttempts, this.timeout);
	}

}
