package dev.runqueue.maintenance;

import java.time.Duration;

import dev.runqueue.job.JobState;
import dev.runqueue.store.MaintenanceStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes finished jobs once their retention is over, in batches small enough that no
 * statement holds its locks for long, and never more than a bounded number of batches per
 * run, so that a large backlog is worked off over several runs. Runs on the leader.
 */
public final class Pruner {

	private static final Logger logger = LoggerFactory.getLogger(Pruner.class);

	private static final int BATCH = 1000;

	private static final int MAX_BATCHES_PER_STATE = 20;

	private final MaintenanceStore store;

	private final Retention retention;

	/**
	 * Creates a pruner.
	 * @param store the job table's maintenance statements
	 * @param retention how long finished jobs are kept
	 */
	public Pruner(MaintenanceStore store, Retention retention) {
		this.store = store;
		this.retention = retention;
	}

	/**
	 * Deletes the finished jobs whose retention is over.
	 * @return how many were deleted, by state
	 */
	public PruneResult runOnce() {
		PruneResult result = new PruneResult(prune(JobState.SUCCEEDED, this.retention.succeeded()),
				prune(JobState.FAILED, this.retention.failed()), prune(JobState.CANCELLED, this.retention.cancelled()));
		if (result.total() > 0) {
			logger.info("Pruned finished jobs succeeded={} failed={} cancelled={}", result.succeeded(), result.failed(),
					result.cancelled());
		}
		return result;
	}

	private int prune(JobState state, Duration retention) {
		int pruned = 0;
		for (int batch = 0; batch < MAX_BATCHES_PER_STATE; batch++) {
			int deleted = this.store.pruneFinished(state, retention, BATCH);
			pruned += deleted;
			if (deleted < BATCH) {
				break;
			}
		}
		return pruned;
	}

	/**
	 * What one run deleted.
	 *
	 * @param succeeded succeeded jobs deleted
	 * @param failed failed jobs deleted
	 * @param cancelled cancelled jobs deleted
	 */
	public record PruneResult(int succeeded, int failed, int cancelled) {

		/**
		 * All jobs deleted.
		 * @return the sum
		 */
		public int total() {
			return this.succeeded + this.failed + this.cancelled;
		}

	}

}
