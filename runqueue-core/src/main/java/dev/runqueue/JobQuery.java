package dev.runqueue;

import java.time.Instant;
import java.util.Set;

import dev.runqueue.job.JobState;

/**
 * Which jobs to list, newest first, a page at a time. Unset filters match every job.
 * Immutable; each method returns a copy.
 *
 * @param topic only jobs of this topic, or {@code null}
 * @param states only jobs in these states, or empty
 * @param createdAfter only jobs added at or after this time, or {@code null}
 * @param createdBefore only jobs added before this time, or {@code null}
 * @param uniqueKey only the job with this unique key, or {@code null}
 * @param group only jobs of this group, or {@code null}
 * @param beforeId only jobs older than this id: the {@code nextBeforeId} of the previous
 * page, or {@code null} for the first page
 * @param limit the most jobs on a page, from 1 to 1,000
 */
public record JobQuery(String topic, Set<JobState> states, Instant createdAfter, Instant createdBefore,
		String uniqueKey, String group, Long beforeId, int limit) {

	/** The most jobs on a page. */
	public static final int MAX_LIMIT = 1000;

	/**
	 * Checks the query.
	 * @throws InvalidSettingException naming what is wrong
	 */
	public JobQuery {
		states = (states != null) ? Set.copyOf(states) : Set.of();
		InvalidSettingException.require(limit >= 1 && limit <= MAX_LIMIT, "limit", limit,
				"must be between 1 and " + MAX_LIMIT);
	}

	/**
	 * Every job, 100 to a page.
	 * @return the query
	 */
	public static JobQuery all() {
		return new JobQuery(null, Set.of(), null, null, null, null, null, 100);
	}

	/**
	 * Only jobs of a topic.
	 * @param topic the topic
	 * @return a copy with the filter
	 */
	public JobQuery topic(String topic) {
		return new JobQuery(topic, this.states, this.createdAfter, this.createdBefore, this.uniqueKey, this.group,
				this.beforeId, this.limit);
	}

	/**
	 * Only jobs in some states.
	 * @param states the states
	 * @return a copy with the filter
	 */
	public JobQuery states(JobState... states) {
		return new JobQuery(this.topic, Set.of(states), this.createdAfter, this.createdBefore, this.uniqueKey,
				this.group, this.beforeId, this.limit);
	}

	/**
	 * Only jobs added in a time range.
	 * @param after added at or after, or {@code null}
	 * @param before added before, or {@code null}
	 * @return a copy with the filter
	 */
	public JobQuery createdBetween(Instant after, Instant before) {
		return new JobQuery(this.topic, this.states, after, before, this.uniqueKey, this.group, this.beforeId,
				this.limit);
	}

	/**
	 * Only the job with a unique key.
	 * @param uniqueKey the key
	 * @return a copy with the filter
	 */
	public JobQuery uniqueKey(String uniqueKey) {
		return new JobQuery(this.topic, this.states, this.createdAfter, this.createdBefore, uniqueKey, this.group,
				this.beforeId, this.limit);
	}

	/**
	 * Only jobs of a group.
	 * @param group the group key
	 * @return a copy with the filter
	 */
	public JobQuery group(String group) {
		return new JobQuery(this.topic, this.states, this.createdAfter, this.createdBefore, this.uniqueKey, group,
				this.beforeId, this.limit);
	}

	/**
	 * The page after one that ended with a job.
	 * @param beforeId the {@code nextBeforeId} of the previous page
	 * @return a copy for the next page
	 */
	public JobQuery before(long beforeId) {
		return new JobQuery(this.topic, this.states, this.createdAfter, this.createdBefore, this.uniqueKey, this.group,
				beforeId, this.limit);
	}

	/**
	 * Pages of another size.
	 * @param limit the most jobs on a page
	 * @return a copy with the size
	 */
	public JobQuery limit(int limit) {
		return new JobQuery(this.topic, this.states, this.createdAfter, this.createdBefore, this.uniqueKey, this.group,
				this.beforeId, limit);
	}

}
