package dev.runqueue.store;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.runqueue.job.JobState;

/**
 * The statements of the job table that keep it moving and tidy: promoting due jobs,
 * taking back jobs whose leases expired, pruning finished jobs, and the safety net of
 * dependencies. One method per statement.
 */
public interface MaintenanceStore {

	/**
	 * Makes scheduled jobs whose time has come runnable.
	 * @param limit the most jobs to change
	 * @return the topics of the changed jobs, one entry per job
	 */
	List<String> promoteDue(int limit);

	/**
	 * How long until the next scheduled job is due, by the database's clock.
	 * @return the time, negative if one is overdue, or empty if no job is scheduled
	 */
	Optional<Duration> timeUntilNextScheduled();

	/**
	 * Takes back running jobs whose leases expired, comparing the token read, so that
	 * they run again elsewhere; a job taken back {@code maxRescues} times, or without
	 * attempts left, fails for good.
	 * @param limit the most jobs to take back
	 * @param maxRescues the number of rescues at which a job is quarantined as failed
	 * @return the jobs taken back
	 */
	List<RescuedJob> rescueExpired(int limit, int maxRescues);

	/**
	 * Deletes finished jobs of one state whose retention is over, oldest first.
	 * @param state succeeded, failed or cancelled
	 * @param retention how long after finishing they are kept
	 * @param limit the most jobs to delete
	 * @return how many were deleted
	 */
	int pruneFinished(JobState state, Duration retention, int limit);

	/**
	 * Releases pending jobs all of whose dependencies have succeeded (or were pruned
	 * after succeeding).
	 * @return the topic and new state of each released job
	 */
	List<Released> releaseReadyDependents();

	/**
	 * Gives up pending jobs one of whose dependencies failed for good or was cancelled.
	 * @return how many were given up
	 */
	int giveUpDependents();

	/**
	 * A job released from waiting for its dependencies.
	 *
	 * @param topic its topic
	 * @param state available, or scheduled when its time has not come
	 */
	record Released(String topic, JobState state) {

	}

}
