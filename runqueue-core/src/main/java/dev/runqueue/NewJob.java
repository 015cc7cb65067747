package dev.runqueue;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
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
 * Options left unset ({@code null}) take the topic's defaults when the job is added.
 */
public final class NewJob {

	private String topic;

	private Object payload;

	private Integer priority;

	private Instant runAt;

	private Duration delay;

	private String uniqueKey;

	private String group;

	private Integer groupLimit;

	private Integer maxAttempts;

	private Duration timeout;

	private List<Long> dependsOn = List.of();

	private DependencyFailure dependencyFailure;

	private NewJob() {
	}

	/**
	 * A job with the topic's defaults.
	 * @param topic the topic whose handler runs the job
	 * @param payload the payload, serialized to JSON when the job is added; may be
	 * {@code null}
	 * @return the job
	 * @throws InvalidSettingException if the topic's name is blank or has white space
	 */
	public static NewJob of(String topic, Object payload) {
		TopicSettings.requireValidName(topic);
		NewJob job = new NewJob();
		job.topic = topic;
		job.payload = payload;
		return job;
	}

	/**
	 * Runs the job before jobs with a larger priority number.
	 * @param priority smaller runs first
	 * @return a copy with the priority
	 */
	public NewJob priority(int priority) {
		NewJob copy = copy();
		copy.priority = priority;
		return copy;
	}

	/**
	 * Runs the job at a time.
	 * @param runAt when the job becomes runnable
	 * @return a copy that runs at that time
	 */
	public NewJob runAt(Instant runAt) {
		Objects.requireNonNull(runAt, "runAt must not be null; use runNow() to run as soon as possible");
		NewJob copy = copy();
		copy.runAt = runAt;
		copy.delay = null;
		return copy;
	}

	/**
	 * Runs the job a while after it is added, measured by the database's clock.
	 * @param delay how long after being added the job becomes runnable
	 * @return a copy with the delay
	 * @throws InvalidSettingException if the delay is negative
	 */
	public NewJob delay(Duration delay) {
		Objects.requireNonNull(delay, "delay must not be null; use runNow() to run as soon as possible");
		InvalidSettingException.require(!delay.isNegative(), "delay", delay, "must not be negative");
		NewJob copy = copy();
		copy.delay = delay;
		copy.runAt = null;
		return copy;
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
	 * @throws InvalidSettingException if the key is blank
	 */
	public NewJob uniqueKey(String uniqueKey) {
		InvalidSettingException.require(uniqueKey != null && !uniqueKey.isBlank(), "uniqueKey", "'" + uniqueKey + "'",
				"must not be blank");
		NewJob copy = copy();
		copy.uniqueKey = uniqueKey;
		return copy;
	}

	/**
	 * Puts the job in a group, for the topic's limit of running jobs per group.
	 * @param group the group key
	 * @return a copy in the group
	 * @throws InvalidSettingException if the group is blank
	 */
	public NewJob group(String group) {
		InvalidSettingException.require(group != null && !group.isBlank(), "group", "'" + group + "'",
				"must not be blank");
		NewJob copy = copy();
		copy.group = group;
		return copy;
	}

	/**
	 * Puts the job in a group with a limit of its own: at most {@code limit} jobs of the
	 * group run at once across the cluster while this job waits.
	 * @param group the group key
	 * @param limit the limit, at least 1
	 * @return a copy in the group
	 * @throws InvalidSettingException if the group is blank or the limit below 1
	 */
	public NewJob group(String group, int limit) {
		InvalidSettingException.require(limit >= 1, "groupLimit", limit, "must be at least 1");
		NewJob copy = group(group);
		copy.groupLimit = limit;
		return copy;
	}

	/**
	 * Gives the job its own number of attempts.
	 * @param maxAttempts attempts, at least 1
	 * @return a copy with the number
	 * @throws InvalidSettingException if the number is below 1
	 */
	public NewJob maxAttempts(int maxAttempts) {
		InvalidSettingException.require(maxAttempts >= 1, "maxAttempts", maxAttempts, "must be at least 1");
		NewJob copy = copy();
		copy.maxAttempts = maxAttempts;
		return copy;
	}

	/**
	 * Gives the job its own timeout: how long its handler may run before it is cancelled
	 * and the attempt counts as timed out.
	 * @param timeout the timeout
	 * @return a copy with the timeout
	 * @throws InvalidSettingException if the timeout is not positive
	 */
	public NewJob timeout(Duration timeout) {
		Objects.requireNonNull(timeout, "timeout must not be null");
		InvalidSettingException.require(!timeout.isNegative() && !timeout.isZero(), "timeout", timeout,
				"must be positive");
		NewJob copy = copy();
		copy.timeout = timeout;
		return copy;
	}

	/**
	 * Makes the job wait for other jobs: it becomes runnable only when all of them have
	 * succeeded, and is cancelled (or failed, see
	 * {@link #onDependencyFailure(DependencyFailure)}) when one of them fails for good,
	 * is cancelled or is deleted.
	 * @param jobIds the ids of the jobs to wait for; they must exist
	 * @return a copy that waits for them, besides any it waited for already
	 */
	public NewJob after(long... jobIds) {
		NewJob copy = copy();
		copy.dependsOn = List.copyOf(concat(this.dependsOn, jobIds));
		return copy;
	}

	/**
	 * Says what becomes of the job when a job it waits for fails for good.
	 * @param dependencyFailure cancel it or fail it
	 * @return a copy with the policy
	 */
	public NewJob onDependencyFailure(DependencyFailure dependencyFailure) {
		NewJob copy = copy();
		copy.dependencyFailure = Objects.requireNonNull(dependencyFailure, "dependencyFailure must not be null");
		return copy;
	}

	/**
	 * The topic.
	 * @return the topic's name
	 */
	public String topic() {
		return this.topic;
	}

	/**
	 * The payload.
	 * @return the payload, may be {@code null}
	 */
	public Object payload() {
		return this.payload;
	}

	/**
	 * The priority.
	 * @return the priority, or {@code null} for the topic's default
	 */
	public Integer priority() {
		return this.priority;
	}

	/**
	 * When the job becomes runnable.
	 * @return the time, or {@code null}
	 */
	public Instant runAt() {
		return this.runAt;
	}

	/**
	 * How long after being added the job becomes runnable; ignored when {@link #runAt()}
	 * is set.
	 * @return the delay, or {@code null} for the topic's default
	 */
	public Duration delay() {
		return this.delay;
	}

	/**
	 * The unique key.
	 * @return the key, or {@code null} for the topic's default
	 */
	public String uniqueKey() {
		return this.uniqueKey;
	}

	/**
	 * The group key.
	 * @return the key, or {@code null} for the topic's default
	 */
	public String group() {
		return this.group;
	}

	/**
	 * The job's own limit of running jobs of its group.
	 * @return the limit, or {@code null} for the topic's
	 */
	public Integer groupLimit() {
		return this.groupLimit;
	}

	/**
	 * The number of attempts.
	 * @return the number, or {@code null} for the topic's default
	 */
	public Integer maxAttempts() {
		return this.maxAttempts;
	}

	/**
	 * The job's own timeout.
	 * @return the timeout, or {@code null} for the topic's
	 */
	public Duration timeout() {
		return this.timeout;
	}

	/**
	 * The jobs this job waits for.
	 * @return their ids, empty when it waits for none
	 */
	public List<Long> dependsOn() {
		return this.dependsOn;
	}

	/**
	 * What becomes of the job when a job it waits for fails for good.
	 * @return the policy, or {@code null} for the topic's default
	 */
	public DependencyFailure dependencyFailure() {
		return this.dependencyFailure;
	}

	private NewJob copy() {
		NewJob copy = new NewJob();
		copy.topic = this.topic;
		copy.payload = this.payload;
		copy.priority = this.priority;
		copy.runAt = this.runAt;
		copy.delay = this.delay;
		copy.uniqueKey = this.uniqueKey;
		copy.group = this.group;
		copy.groupLimit = this.groupLimit;
		copy.maxAttempts = this.maxAttempts;
		copy.timeout = this.timeout;
		copy.dependsOn = this.dependsOn;
		copy.dependencyFailure = this.dependencyFailure;
		return copy;
	}

	private static List<Long> concat(List<Long> existing, long[] more) {
		Long[] all = new Long[existing.size() + more.length];
		for (int i = 0; i < existing.size(); i++) {
			all[i] = existing.get(i);
		}
		for (int i = 0; i < more.length; i++) {
			all[existing.size() + i] = more[i];
		}
		return Arrays.asList(all);
	}

	@Override
	public String toString() {
		return "NewJob[topic=" + this.topic + ", payload=" + this.payload + "]";
	}

}
