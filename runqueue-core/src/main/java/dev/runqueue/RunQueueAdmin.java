package dev.runqueue;

/**
 * What an operator does to jobs and topics, beyond adding jobs.
 */
public interface RunQueueAdmin {

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

}
