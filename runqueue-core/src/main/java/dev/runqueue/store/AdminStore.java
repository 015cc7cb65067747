package dev.runqueue.store;

import java.util.Optional;

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

}
