package dev.runqueue;

import java.time.Duration;

import dev.runqueue.retry.RetryPolicy;

/**
 * The settings of one topic: the defaults of its jobs, how they are retried, and how its
 * handler runs.
 *
 * @param name the topic's name
 * @param jobDefaults what jobs get when they are added without saying otherwise
 * @param retryPolicy how failed and timed-out jobs are retried
 * @param execution how the handler runs on each node
 * @param flowControl how the topic's jobs are held back across the cluster
 */
public record TopicSettings(String name, JobDefaults jobDefaults, RetryPolicy retryPolicy, ExecutionSettings execution,
		FlowControl flowControl) {

	private static final int MAX_NAME_LENGTH = 200;

	/**
	 * Checks the settings.
	 * @throws InvalidSettingException naming the setting that is wrong
	 */
	public TopicSettings {
		requireValidName(name);
		InvalidSettingException.require(jobDefaults != null, "jobDefaults", null, "must be set");
		InvalidSettingException.require(retryPolicy != null, "retryPolicy", null, "must be set");
		InvalidSettingException.require(execution != null, "execution", null, "must be set");
		InvalidSettingException.require(flowControl != null, "flowControl", null, "must be set");
	}

	/**
	 * A topic with every setting at its default.
	 * @param name the topic's name
	 * @return the settings
	 */
	public static TopicSettings named(String name) {
		return new TopicSettings(name, JobDefaults.DEFAULT, RetryPolicy.DEFAULT, ExecutionSettings.DEFAULT,
				FlowControl.NONE);
	}

	/**
	 * Checks that a topic name can be used: not blank, at most 200 characters, no white
	 * space or control characters.
	 * @param name the name
	 * @throws InvalidSettingException if it cannot
	 */
	public static void requireValidName(String name) {
		InvalidSettingException.require(name != null && !name.isBlank(), "name", "'" + name + "'", "must not be blank");
		InvalidSettingException.require(name.length() <= MAX_NAME_LENGTH, "name", "'" + name + "'",
				"must have at most " + MAX_NAME_LENGTH + " characters");
		InvalidSettingException.require(
				name.codePoints().noneMatch((c) -> Character.isWhitespace(c) || Character.isISOControl(c)), "name",
				"'" + name + "'", "must not contain white space or control characters");
	}

	/**
	 * A copy with other job defaults.
	 * @param jobDefaults the defaults
	 * @return the copy
	 */
	public TopicSettings withJobDefaults(JobDefaults jobDefaults) {
		return new TopicSettings(this.name, jobDefaults, this.retryPolicy, this.execution, this.flowControl);
	}

	/**
	 * A copy with another retry policy.
	 * @param retryPolicy the policy
	 * @return the copy
	 */
	public TopicSettings withRetryPolicy(RetryPolicy retryPolicy) {
		return new TopicSettings(this.name, this.jobDefaults, retryPolicy, this.execution, this.flowControl);
	}

	/**
	 * A copy with other execution settings.
	 * @param execution the settings
	 * @return the copy
	 */
	public TopicSettings withExecution(ExecutionSettings execution) {
		return new TopicSettings(this.name, this.jobDefaults, this.retryPolicy, execution, this.flowControl);
	}

	/**
	 * A copy with other flow control.
	 * @param flowControl the flow control
	 * @return the copy
	 */
	public TopicSettings withFlowControl(FlowControl flowControl) {
		return new TopicSettings(this.name, this.jobDefaults, this.retryPolicy, this.execution, flowControl);
	}

	/**
	 * A copy with another concurrency.
	 * @param concurrency jobs run at a time on one node
	 * @return the copy
	 */
	public TopicSettings withConcurrency(int concurrency) {
		return withExecution(new ExecutionSettings(concurrency, this.execution.transactional(),
				this.execution.timeout(), this.execution.prefetch()));
	}

	/**
	 * A copy that runs handlers in a transaction with the job's completion, or not.
	 * @param transactional whether handlers run in a transaction
	 * @return the copy
	 */
	public TopicSettings withTransactional(boolean transactional) {
		return withExecution(new ExecutionSettings(this.execution.concurrency(), transactional,
				this.execution.timeout(), this.execution.prefetch()));
	}

	/**
	 * A copy with another timeout.
	 * @param timeout how long a handler may run, or {@code null} for no limit
	 * @return the copy
	 */
	public TopicSettings withTimeout(Duration timeout) {
		return withExecution(new ExecutionSettings(this.execution.concurrency(), this.execution.transactional(),
				timeout, this.execution.prefetch()));
	}

	/**
	 * A copy with another prefetch.
	 * @param prefetch the most jobs a node claims ahead of its free threads, 0 for none
	 * @return the copy
	 */
	public TopicSettings withPrefetch(int prefetch) {
		return withExecution(new ExecutionSettings(this.execution.concurrency(), this.execution.transactional(),
				this.execution.timeout(), prefetch));
	}

}
