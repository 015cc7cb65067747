package dev.runqueue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

import dev.runqueue.event.EventPublisher;
import dev.runqueue.event.RunQueueEvent;
import dev.runqueue.job.JobInfo;
import dev.runqueue.job.JobState;
import dev.runqueue.schedule.RecurringJob;
import dev.runqueue.schedule.ScheduleFunction;
import dev.runqueue.schedule.ScheduleRecords;
import dev.runqueue.store.InsertedJob;
import dev.runqueue.store.JobInsert;
import dev.runqueue.store.JobStore;
import dev.runqueue.store.ScheduleStore;
import dev.runqueue.store.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The {@link RunQueue} on runqueue's stores: resolves each job against its topic's
 * defaults, writes its payload as JSON and checks its dependencies, all before anything
 * is written, so that bad input changes nothing.
 */
public class DefaultRunQueue implements RunQueue {

	private static final Logger logger = LoggerFactory.getLogger(DefaultRunQueue.class);

	// A duplicate's holder can finish between the insert and the look-up that names it;
	// then the key is free and the insert is tried again. Two more tries make a third
	// race all but impossible.
	private static final int INSERT_TRIES = 3;

	private final JobStore jobs;

	private final ScheduleStore schedules;

	private final Topics topics;

	private final JsonCodec json;

	private final Map<String, ScheduleFunction> scheduleFunctions;

	private final EventPublisher events;

	private final JobWaiter waiter;

	/**
	 * Creates a queue that adds jobs but not recurring jobs.
	 * @param jobs the job table
	 * @param topics the known topics
	 * @param json how payloads become JSON
	 */
	public DefaultRunQueue(JobStore jobs, Topics topics, JsonCodec json) {
		this.jobs = jobs;
		this.schedules = null;
		this.topics = topics;
		this.json = json;
		this.scheduleFunctions = Map.of();
		this.events = EventPublisher.none(Clock.systemUTC());
		this.waiter = null;
	}

	/**
	 * Creates a queue.
	 * @param stores the tables
	 * @param topics the known topics
	 * @param json how payloads become JSON
	 * @param scheduleFunctions the named schedule functions, for recurring jobs that use
	 * one
	 */
	public DefaultRunQueue(Stores stores, Topics topics, JsonCodec json,
			Map<String, ScheduleFunction> scheduleFunctions) {
		this(stores, topics, json, scheduleFunctions, EventPublisher.none(Clock.systemUTC()));
	}

	/**
	 * Creates a queue that publishes an event for each job it adds, once its transaction
	 * committed.
	 * @param stores the tables
	 * @param topics the known topics
	 * @param json how payloads become JSON
	 * @param scheduleFunctions the named schedule functions, for recurring jobs that use
	 * one
	 * @param events the publisher of events
	 */
	public DefaultRunQueue(Stores stores, Topics topics, JsonCodec json,
			Map<String, ScheduleFunction> scheduleFunctions, EventPublisher events) {
		this.jobs = stores.jobs();
		this.schedules = stores.schedules();
		this.topics = topics;
		this.json = json;
		this.scheduleFunctions = Map.copyOf(scheduleFunctions);
		this.events = events;
		this.waiter = new JobWaiter(stores.jobs(), stores.notifications(), JobWaiter.DEFAULT_RECHECK);
	}

	@Override
	public AddResult add(NewJob job) {
		Objects.requireNonNull(job, "job must not be null");
		TopicSettings topic = this.topics.get(job.topic());
		JobInsert row = resolve(job, topic);
		requireDependenciesExist(job);
		Integer maxWaiting = topic.flowControl().maxWaiting();
		if (maxWaiting == null) {
			return insert(row);
		}
		// Counting and adding under the topic's lock, which lasts until the caller's
		// transaction ends, so that concurrent adders are refused exactly at the limit.
		return this.jobs.inTransaction(() -> {
			this.jobs.lockTopic(topic.name());
			long waiting = this.jobs.countWaiting(topic.name());
			if (waiting >= maxWaiting) {
				logger.debug("Job refused: topic={} holds {} waiting jobs, its limit", topic.name(), waiting);
				return AddResult.refused(row.uniqueKey());
			}
			return insert(row);
		});
	}

	@Override
	public List<AddResult> addAll(Collection<NewJob> jobs) {
		Objects.requireNonNull(jobs, "jobs must not be null");
		List<NewJob> list = List.copyOf(jobs);
		boolean oneByOne = list.stream()
			.anyMatch((job) -> !job.dependsOn().isEmpty()
					|| this.topics.get(job.topic()).flowControl().maxWaiting() != null);
		if (oneByOne) {
			// Every job is checked before the first is written, so that one bad job adds
			// none.
			for (NewJob job : list) {
				resolve(job, this.topics.get(job.topic()));
				requireDependenciesExist(job);
			}
			return this.jobs.inTransaction(() -> list.stream().map(this::add).toList());
		}
		List<JobInsert> rows = list.stream().map((job) -> resolve(job, this.topics.get(job.topic()))).toList();
		Iterator<InsertedJob> inserted = this.jobs.insertAll(rows).iterator();
		InsertedJob next = inserted.hasNext() ? inserted.next() : null;
		List<AddResult> results = new ArrayList<>(rows.size());
		for (JobInsert row : rows) {
			if (next != null && Objects.equals(next.uniqueKey(), row.uniqueKey())) {
				results.add(AddResult.added(next.id(), row.uniqueKey()));
				published(next.id(), row.topic());
				next = inserted.hasNext() ? inserted.next() : null;
			}
			else {
				results.add(insert(row));
			}
		}
		logger.debug("Added jobs count={} duplicates={}", rows.size(),
				results.stream().filter(AddResult::duplicate).count());
		return results;
	}

	@Override
	public void schedule(RecurringJob job) {
		Objects.requireNonNull(job, "job must not be null");
		if (this.schedules == null) {
			throw new IllegalStateException("This RunQueue was made without a schedule store; make it with Stores");
		}
		this.topics.get(job.topic());
		String payload = payload(job.topic(), job.payload());
		Instant now = this.schedules.now();
		Instant start = (job.startAt() != null && job.startAt().isAfter(now)) ? job.startAt() : now;
		Instant first = job.schedule().first(start, this.scheduleFunctions);
		if (this.schedules.upsert(ScheduleRecords.toRecord(job, payload, first, ScheduleRecords.CODE))) {
			logger.info("Scheduled recurring job {} topic={} first={}", job.name(), job.topic(), first);
		}
	}

	@Override
	public boolean unschedule(String name) {
		if (this.schedules == null) {
			throw new IllegalStateException("This RunQueue was made without a schedule store; make it with Stores");
		}
		boolean deleted = this.schedules.delete(name);
		if (deleted) {
			logger.info("Removed recurring job {}", name);
		}
		return deleted;
	}

	@Override
	public Optional<JobInfo> find(long jobId) {
		return this.jobs.find(jobId).map(JobInfo::of);
	}

	@Override
	public CompletableFuture<JobInfo> whenFinished(long jobId) {
		if (this.waiter == null) {
			throw new IllegalStateException("This RunQueue was made without notifications; make it with Stores");
		}
		return this.waiter.whenFinished(jobId);
	}

	@Override
	public <T> T awaitResult(long jobId, Class<T> type, Duration timeout)
			throws TimeoutException, InterruptedException {
		JobInfo job = awaitFinished(jobId, timeout);
		if (job.state() != JobState.SUCCEEDED) {
			throw new JobFailedException(job);
		}
		return (job.result() != null) ? this.json.read(job.result(), type) : null;
	}

	// The event of an added job is published once the job is visible: after the caller's
	// transaction committed, and not at all if it rolls back.
	private void published(long jobId, String topic) {
		if (!this.events.hasListeners(RunQueueEvent.JobAdded.class)) {
			return;
		}
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

				@Override
				public void afterCommit() {
					publish(jobId, topic);
				}

			});
		}
		else {
			publish(jobId, topic);
		}
	}

	private void publish(long jobId, String topic) {
		this.events.publish(new RunQueueEvent.JobAdded(this.events.clock().instant(), jobId, topic));
	}

	private AddResult insert(JobInsert row) {
		for (int tries = 1;; tries++) {
			OptionalLong id = this.jobs.insert(row);
			if (id.isPresent()) {
				logger.debug("Added job id={} topic={}", id.getAsLong(), row.topic());
				published(id.getAsLong(), row.topic());
				return AddResult.added(id.getAsLong(), row.uniqueKey());
			}
			OptionalLong holder = this.jobs.findIdHoldingUniqueKey(row.uniqueKey());
			if (holder.isPresent()) {
				logger.debug("Job not added: topic={} uniqueKey={} is held by job id={}", row.topic(), row.uniqueKey(),
						holder.getAsLong());
				return AddResult.duplicate(holder.getAsLong(), row.uniqueKey());
			}
			if (tries == INSERT_TRIES) {
				throw new IllegalStateException("Could not add a job with unique key '" + row.uniqueKey()
						+ "': it was held, then free, " + INSERT_TRIES + " times in a row");
			}
		}
	}

	// Checked before any write, so that a missing job changes nothing, not even the
	// caller's transaction.
	private void requireDependenciesExist(NewJob job) {
		if (job.dependsOn().isEmpty()) {
			return;
		}
		List<Long> missing = this.jobs.findMissing(job.dependsOn());
		if (!missing.isEmpty()) {
			throw new IllegalArgumentException(
					"A job of topic '" + job.topic() + "' depends on jobs " + missing + ", which do not exist");
		}
	}

	private JobInsert resolve(NewJob job, TopicSettings topic) {
		JobDefaults defaults = topic.jobDefaults();
		String payload = payload(job.topic(), job.payload());
		int priority = (job.priority() != null) ? job.priority() : defaults.priority();
		Duration delay = (job.delay() != null) ? job.delay() : defaults.delay();
		String uniqueKey = (job.uniqueKey() != null) ? job.uniqueKey() : defaults.uniqueKey();
		String group = (job.group() != null) ? job.group() : defaults.group();
		int maxAttempts = (job.maxAttempts() != null) ? job.maxAttempts() : topic.retryPolicy().maxAttempts();
		DependencyFailure dependencyFailure = (job.dependencyFailure() != null) ? job.dependencyFailure()
				: defaults.dependencyFailure();
		return new JobInsert(topic.name(), payload, priority, job.runAt(), (job.runAt() != null) ? null : delay,
				uniqueKey, defaults.uniqueScope().column(), group, job.groupLimit(), maxAttempts, job.timeout(),
				job.dependsOn(), dependencyFailure.column());
	}

	private String payload(String topic, Object payload) {
		try {
			return this.json.write(payload);
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException("The payload for topic '" + topic + "' (a "
					+ payload.getClass().getName() + ") cannot be written as JSON: " + ex.getOriginalMessage(), ex);
		}
	}

}
