package dev.runqueue.store;

import java.util.List;
import java.util.Optional;

import dev.runqueue.job.JobState;

/**
 * The statements of the job table that operators run. One method per statement.
 */
public interface AdminStore {

	/**
	 * Disables a job that has not started: it is kept but not run.
	 * @param id the job
	 * @return whether the job was disabled
	 */
	boolean disable(long id);

	/**
	 * Enables a disabled job again.
	 * @param id the job
	 * @return the job's topic and state now, or empty if it was not disabled
	 */
	Optional<MaintenanceStore.Released> enable(long id);

	/**
	 * Deletes disabled jobs of a topic.
	 * @param topic the topic
	 * @param limit the most jobs to delete
	 * @return how many were deleted
	 */
	int purgeDisabled(String topic, int limit);

	/**
	 * Lists jobs, newest first.
	 * @param filter which jobs
	 * @return the jobs' rows
	 */
	List<JobRecord> list(JobFilter filter);

	/**
	 * Counts the live jobs (pending, scheduled, available, running) by topic and state.
	 * @return the counts
	 */
	List<Depth> depths();

	/**
	 * Makes a failed or cancelled job runnable again at once, with fresh attempts.
	 * @param id the job
	 * @return the job's topic, or empty if it was not failed or cancelled
	 * @throws org.springframework.dao.DuplicateKeyException if a live job holds its
	 * unique key now
	 */
	Optional<String> retry(long id);

	/**
	 * Cancels a job that has not finished; a running job's lease is cleared, so that its
	 * node's outcome is fenced off.
	 * @param id the job
	 * @param reason why, recorded as its last error, or {@code null}
	 * @return the state the job was in and its topic, or empty if it had finished or does
	 * not exist
	 */
	Optional<Cancelled> cancel(long id, String reason);

	/**
	 * Deletes a job that is not running.
	 * @param id the job
	 * @return whether it was deleted
	 */
	boolean delete(long id);

	/**
	 * How many live jobs of a topic are in a state.
	 *
	 * @param topic the topic
	 * @param state the state
	 * @param jobs the count
	 */
	record Depth(String topic, JobState state, long jobs) {

	}

	/**
	 * A cancelled job.
	 *
	 * @param previousState the state it was in
	 * @param topic its topic
	 */
	record Cancelled(JobState previousState, String topic) {

	}

}
