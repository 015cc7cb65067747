package dev.runqueue.maintenance;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.runqueue.event.EventPublisher;
import dev.runqueue.event.RunQueueEvent;
import dev.runqueue.job.JobState;
import dev.runqueue.store.JobStore;
import dev.runqueue.store.MaintenanceStore;
import dev.runqueue.store.RescuedJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes back jobs whose leases expired, because their node died, froze or lost the
 * database, so that they run again on another node; the attempt they used stays counted.
 * A job taken back too often is quarantined as failed: it may be what kills its nodes.
 * Runs on the leader only; the statement compares the token it read, so a job renewed or
 * finished meanwhile is left alone.
 */
public final class Rescuer {

	private static final Logger logger = LoggerFactory.getLogger(Rescuer.class);

	private static final int BATCH = 1000;

	private final MaintenanceStore store;

	private final JobStore jobs;

	private final int maxRescues;

	private final EventPublisher events;

	private final String node;

	/**
	 * Creates a rescuer.
	 * @param store the job table's maintenance statements
	 * @param jobs the job table, to wake the workers of rescued jobs
	 * @param maxRescues the number of rescues at which a job is quarantined
	 * @param events publishes the rescues
	 * @param node this node's name
	 */
	public Rescuer(MaintenanceStore store, JobStore jobs, int maxRescues, EventPublisher events, String node) {
		this.store = store;
		this.jobs = jobs;
		this.events = events;
		this.node = node;
		this.maxRescues = maxRescues;
	}

	/**
	 * Takes back every job whose lease has expired, and wakes the workers of their
	 * topics.
	 * @return how many jobs were taken back, and how many of them failed for good
	 */
	public RescueResult runOnce() {
		int rescued = 0;
		int failed = 0;
		List<RescuedJob> batch;
		do {
			batch = this.store.rescueExpired(BATCH, this.maxRescues);
			Set<String> runnable = new LinkedHashSet<>();
			for (RescuedJob job : batch) {
				if (job.state() == JobState.AVAILABLE) {
					runnable.add(job.topic());
				}
				else {
					failed++;
					logger.warn(
							"Job id={} topic={} failed for good after its lease expired on node {} (rescue {} of "
									+ "at most {}, or no attempts left)",
							job.id(), job.topic(), job.node(), job.rescues(), this.maxRescues);
				}
			}
			if (!runnable.isEmpty()) {
				this.jobs.notifyTopics(runnable);
			}
			if (this.events.hasListeners()) {
				for (RescuedJob job : batch) {
					this.events.publish(new RunQueueEvent.JobRescued(this.events.clock().instant(), this.node, job.id(),
							job.topic(), job.node(), job.state() != JobState.AVAILABLE));
				}
			}
			if (!batch.isEmpty()) {
				logger.info("Took back {} jobs whose leases expired: ids={} nodes={}", batch.size(),
						batch.stream().map(RescuedJob::id).toList(),
						batch.stream().map(RescuedJob::node).distinct().toList());
			}
			rescued += batch.size();
		}
		while (batch.size() == BATCH);
		return new RescueResult(rescued, failed);
	}

	/**
	 * What one run did.
	 *
	 * @param rescued jobs taken back
	 * @param failed jobs among them that failed for good
	 */
	public record RescueResult(int rescued, int failed) {

	}

}
