package dev.runqueue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import dev.runqueue.event.EventPublisher;
import dev.runqueue.event.RunQueueEvent;
import dev.runqueue.job.JobInfo;
import dev.runqueue.job.JobState;
import dev.runqueue.store.AdminStore;
import dev.runqueue.store.JobFilter;
import dev.runqueue.store.JobRecord;
import dev.runqueue.store.MaintenanceStore;
import dev.runqueue.store.NodeRecord;
import dev.runqueue.store.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DuplicateKeyException;

/**
 * The {@link RunQueueAdmin} on runqueue's stores. Every change is logged, with the job or
 * topic it changed.
 */
public class DefaultRunQueueAdmin implements RunQueueAdmin {

	private static final Logger logger = LoggerFactory.getLogger(DefaultRunQueueAdmin.class);

	private static final int PURGE_BATCH = 1000;

	private final Stores stores;

	private final AdminStore admin;

	private final EventPublisher events;

	/**
	 * Creates the admin.
	 * @param stores the tables
	 * @param events the publisher of events
	 */
	public DefaultRunQueueAdmin(Stores stores, EventPublisher events) {
		this.stores = stores;
		this.admin = stores.admin();
		this.events = events;
	}

	@Override
	public JobPage list(JobQuery query) {
		List<String> states = query.states().stream().map(JobState::column).sorted().toList();
		JobFilter filter = new JobFilter(query.topic(), states, query.createdAfter(), query.createdBefore(),
				query.uniqueKey(), query.group(), query.beforeId(), query.limit() + 1);
		List<JobRecord> rows = this.admin.list(filter);
		List<JobInfo> jobs = new ArrayList<>(rows.stream().limit(query.limit()).map(JobInfo::of).toList());
		Long next = (rows.size() > query.limit()) ? jobs.get(jobs.size() - 1).id() : null;
		return new JobPage(jobs, next);
	}

	@Override
	public Map<String, Map<JobState, Long>> depths() {
		Map<String, Map<JobState, Long>> depths = new TreeMap<>();
		for (AdminStore.Depth depth : this.admin.depths()) {
			depths.computeIfAbsent(depth.topic(), (topic) -> new EnumMap<>(JobState.class))
				.put(depth.state(), depth.jobs());
		}
		return depths;
	}

	@Override
	public boolean retry(long jobId) {
		Optional<String> topic;
		try {
			topic = this.admin.retry(jobId);
		}
		catch (DuplicateKeyException ex) {
			throw new IllegalStateException("Job " + jobId
					+ " cannot run again now: another live job holds its unique key; cancel or wait for that one", ex);
		}
		topic.ifPresent((name) -> {
			logger.info("Retried job id={} topic={}", jobId, name);
			this.stores.jobs().notifyTopics(List.of(name));
		});
		return topic.isPresent();
	}

	@Override
	public boolean cancel(long jobId) {
		Optional<AdminStore.Cancelled> cancelled = this.admin.cancel(jobId, "Cancelled by an operator");
		cancelled.ifPresent((job) -> {
			boolean wasRunning = job.previousState() == JobState.RUNNING;
			if (wasRunning) {
				this.stores.jobs()
					.notifyChannel(this.stores.jobs().tableNames().jobCancelledChannel(), String.valueOf(jobId));
			}
			logger.info("Cancelled job id={} topic={} (it was {})", jobId, job.topic(), job.previousState().column());
			if (this.events.hasListeners()) {
				this.events.publish(
						new RunQueueEvent.JobCancelled(this.events.clock().instant(), jobId, job.topic(), wasRunning));
			}
		});
		return cancelled.isPresent();
	}

	@Override
	public boolean delete(long jobId) {
		boolean deleted = this.admin.delete(jobId);
		if (deleted) {
			logger.info("Deleted job id={}", jobId);
		}
		return deleted;
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
				this.stores.jobs().notifyTopics(List.of(job.topic()));
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

	@Override
	public void pause(String topic) {
		TopicSettings.requireValidName(topic);
		this.stores.topics().setPaused(topic, true);
		logger.info("Paused topic {} across the cluster", topic);
	}

	@Override
	public void resume(String topic) {
		TopicSettings.requireValidName(topic);
		this.stores.topics().setPaused(topic, false);
		this.stores.jobs().notifyTopics(List.of(topic));
		logger.info("Resumed topic {} across the cluster", topic);
	}

	@Override
	public List<String> pausedTopics() {
		return this.stores.topics().paused();
	}

	@Override
	public List<NodeRecord> nodes(Duration deadAfter) {
		return this.stores.nodes().list(deadAfter);
	}

}
