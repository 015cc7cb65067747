package dev.runqueue.maintenance;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.runqueue.job.JobState;
import dev.runqueue.store.JobStore;
import dev.runqueue.store.MaintenanceStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The safety net of dependencies: the trigger on the job table releases or gives up
 * dependents as their dependencies finish, but a job added while one of its dependencies
 * finished misses that trigger. The leader looks for such jobs every maintenance
 * interval.
 */
public final class DependencySweeper {

	private static final Logger logger = LoggerFactory.getLogger(DependencySweeper.class);

	private final MaintenanceStore maintenance;

	private final JobStore jobs;

	/**
	 * Creates a sweeper.
	 * @param maintenance the job table's maintenance statements
	 * @param jobs the job table, to wake the workers of released jobs
	 */
	public DependencySweeper(MaintenanceStore maintenance, JobStore jobs) {
		this.maintenance = maintenance;
		this.jobs = jobs;
	}

	/**
	 * Releases pending jobs whose dependencies all succeeded, and gives up those one of
	 * whose dependencies failed.
	 * @return how many were released and given up
	 */
	public SweepResult runOnce() {
		int givenUp = this.maintenance.giveUpDependents();
		List<MaintenanceStore.Released> released = this.maintenance.releaseReadyDependents();
		Set<String> runnable = new LinkedHashSet<>();
		released.stream()
			.filter((job) -> job.state() == JobState.AVAILABLE)
			.forEach((job) -> runnable.add(job.topic()));
		this.jobs.notifyTopics(runnable);
		if (givenUp > 0 || !released.isEmpty()) {
			logger.info("Dependents that missed their dependencies' end: released={} given up={}", released.size(),
					givenUp);
		}
		return new SweepResult(released.size(), givenUp);
	}

	/**
	 * What one run did.
	 *
	 * @param released jobs released
	 * @param givenUp jobs given up
	 */
	public record SweepResult(int released, int givenUp) {

	}

}
