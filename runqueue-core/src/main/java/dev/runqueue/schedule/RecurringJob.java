package dev.runqueue.schedule;

import java.time.Instant;
import java.util.Objects;

import dev.runqueue.InvalidSettingException;
import dev.runqueue.TopicSettings;

/**
 * A job that runs on a schedule: one job per occurrence, with the same topic and payload,
 * across the whole cluster. Immutable; the option methods return copies.
 *
 * <pre class="code">
 * runQueue.schedule(RecurringJob.of("nightly-report", "reports", payload, Schedule.cron("0 0 2 * * *", zone)).limit(30));
 * </pre>
 *
 * @param name the schedule's name, unique in the cluster; scheduling again under the same
 * name replaces it
 * @param topic the topic whose handler runs each occurrence
 * @param payload the payload of every occurrence's job
 * @param schedule when the occurrences are
 * @param startAt the earliest occurrence, or {@code null} to start now
 * @param maxRuns how many occurrences run before the schedule ends, or {@code null} for
 * no end
 * @param missed what happens to occurrences missed while the cluster was down
 */
public record RecurringJob(String name, String topic, Object payload, Schedule schedule, Instant startAt,
		Integer maxRuns, MissedRuns missed) {

	/**
	 * Checks the definition.
	 * @throws InvalidSettingException naming the option that is wrong
	 */
	public RecurringJob {
		Schedule.requireValidName(name);
		TopicSettings.requireValidName(topic);
		Objects.requireNonNull(schedule, "schedule must not be null");
		InvalidSettingException.require(maxRuns == null || maxRuns >= 1, "maxRuns", maxRuns, "must be at least 1");
		Objects.requireNonNull(missed, "missed must not be null");
	}

	/**
	 * A recurring job that starts now, runs forever and runs once for missed occurrences.
	 * @param name the schedule's name
	 * @param topic the topic
	 * @param payload the payload
	 * @param schedule when the occurrences are
	 * @return the recurring job
	 */
	public static RecurringJob of(String name, String topic, Object payload, Schedule schedule) {
		return new RecurringJob(name, topic, payload, schedule, null, null, MissedRuns.RUN_ONCE);
	}

	/**
	 * Ends the schedule after a number of runs.
	 * @param maxRuns the number
	 * @return a copy with the limit
	 */
	public RecurringJob limit(int maxRuns) {
		return new RecurringJob(this.name, this.topic, this.payload, this.schedule, this.startAt, maxRuns, this.missed);
	}

	/**
	 * Starts the schedule at a time.
	 * @param startAt the earliest occurrence
	 * @return a copy that starts then
	 */
	public RecurringJob startAt(Instant startAt) {
		return new RecurringJob(this.name, this.topic, this.payload, this.schedule, startAt, this.maxRuns, this.missed);
	}

	/**
	 * Says what happens to missed occurrences.
	 * @param missed the policy
	 * @return a copy with the policy
	 */
	public RecurringJob onMissed(MissedRuns missed) {
		return new RecurringJob(this.name, this.topic, this.payload, this.schedule, this.startAt, this.maxRuns, missed);
	}

}
