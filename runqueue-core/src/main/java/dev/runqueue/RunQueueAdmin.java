package dev.runqueue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.runqueue.job.JobState;
import dev.runqueue.store.NodeRecord;

/**
 * What an operator does to jobs and topics, beyond adding jobs: list and filter jobs,
 * retry, cancel, delete, disable and purge them, pause and resume topics across the
 * cluster, and look at queue depths and nodes.
 */
public interface RunQueueAdmin {

	/**
	 * Lists jobs, newest first, a page at a time.
	 * @param query which jobs and which page
	 * @return the page
	 */
	JobPage list(JobQuery query);

	/**
	 * The live jobs (pending, scheduled, available, running) by topic and state.
	 * @return counts by topic, then by state
	 */
	Map<String, Map<JobState, Long>> depths();

	/**
	 * Runs a failed or cancelled job again at once, with fresh attempts.
	 * @param jobId the job
	 * @return whether it was retried; {@code false} when it had not failed or been
	 * cancelled
	 * @throws IllegalStateException if another live job holds its unique key now
	 */
	boolean retry(long jobId);

	/**
	 * Cancels a job that has not finished. A running job is fenced off at once (nothing
	 * its node records for it counts), and its handler sees the cancellation through its
	 * {@code JobContext} and is interrupted.
	 * @param jobId the job
	 * @return whether it was cancelled; {@code false} when it had finished or does not
	 * exist
	 */
	boolean cancel(long jobId);

	/**
	 * Deletes a job that is not running.
	 * @param jobId the job
	 * @return whether it was deleted; {@code false} when it runs (cancel it first) or
	 * does not exist
	 */
	boolean delete(long jobId);

	/**
	 * Disables a job that has not started: it is kept but not run until it is enabled
	 * again.
	 * @param jobId the job
	 * @return whether it was disabled; {@code false} when it is running, finished or
	 * unknown
	 */
	boolean disable(long jobId);

	/**
	 * Enables a disabled job: it waits for its dependencies or its time as before, or
	 * runs.
	 * @param jobId the job
	 * @return whether it was enabled; {@code false} when it was not disabled
	 */
	boolean enable(long jobId);

	/**
	 * Deletes a topic's disabled jobs, in small batches.
	 * @param topic the topic
	 * @return how many were deleted
	 */
	int purgeDisabled(String topic);

	/**
	 * Pauses a topic across the cluster: no node starts its jobs until it is resumed;
	 * running ones go on.
	 * @param topic the topic
	 */
	void pause(String topic);

	/**
	 * Resumes a paused topic.
	 * @param topic the topic
	 */
	void resume(String topic);

	/**
	 * The paused topics.
	 * @return their names
	 */
	List<String> pausedTopics();

	/**
	 * The cluster's nodes.
	 * @param deadAfter how long after its last heartbeat a node counts as dead
	 * @return the nodes, the live ones first
	 */
	List<NodeRecord> nodes(Duration deadAfter);

}
