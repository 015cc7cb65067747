package dev.runqueue;

import java.util.List;
import java.util.Optional;

import dev.runqueue.job.JobState;
import dev.runqueue.store.AdminStore;
import dev.runqueue.store.JobStore;
import dev.runqueue.store.MaintenanceStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link RunQueueAdmin} on runqueue's stores.
 */
public class DefaultRunQueueAdmin implements RunQueueAdmin {

	private static final Logger logger = LoggerFactory.getLogger(DefaultRunQueueAdmin.class);

	private static final int PURGE_BATCH = 1000;

	private final AdminStore admin;

	private final JobStore jobs;

	/**
	 * Creates the admin.
	 * @param admin the statements operators run
	 * @param jobs the job table, to wake the workers of re-enabled jobs
	 */
	public DefaultRunQueueAdmin(AdminStore admin, JobStore jobs) {
		this.admin = admin;
		this.jobs = jobs;
	}

	@Override
	public boolean disable(long jobId) {
		boolean disabled = this.admin.disable(jobId);
		if (disabled) {
			logger.info("Disabled job id={}", jobId);
		}
		return disabled;
	}

	@Override
	public boolean enable(long jobId) {
		Optional<MaintenanceStore.Released> enabled = this.admin.enable(jobId);
		enabled.ifPresent((job) -> {
			logger.info("Enabled job id={} topic={} state={}", jobId, job.topic(), job.state().column());
			if (job.state() == JobState.AVAILABLE) {
				this.jobs.notifyTopics(List.of(job.topic()));
			}
		});
		return enabled.isPresent();
	}

	@Override
	public int purgeDisabled(String topic) {
		int purged = 0;
		int batch;
		do {
			batch = this.admin.purgeDisabled(topic, PURGE_BATCH);
			purged += batch;
		}
		while (batch == PURGE_BATCH);
		if (purged > 0) {
			logger.info("Purged {} disabled jobs of topic {}", purged, topic);
		}
		return purged;
	}

}
