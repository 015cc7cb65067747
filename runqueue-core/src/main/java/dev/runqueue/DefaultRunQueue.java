package dev.runqueue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

import dev.runqueue.store.InsertedJob;
import dev.runqueue.store.JobInsert;
import dev.runqueue.store.JobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;

/**
 * The {@link RunQueue} on a {@link JobStore}: resolves each job against its topic's
 * defaults, writes its payload as JSON, and inserts it, all before anything reaches the
 * database, so that bad input changes nothing.
 */
public class DefaultRunQueue implements RunQueue {

	private static final Logger logger = LoggerFactory.getLogger(DefaultRunQueue.class);

	// A duplicate's holder can finish between the insert and the look-up that names it;
	// then the key is free and
	// the insert is tried again. Two more tries make a third race all but impossible.
	private static final int INSERT_TRIES = 3;

	private final JobStore store;

	private final Topics topics;

	private final JsonCodec json;

	/**
	 * Creates a queue.
	 * @param store the job table
	 * @param topics the known topics
	 * @param json how payloads become JSON
	 */
	public DefaultRunQueue(JobStore store, Topics topics, JsonCodec json) {
		this.store = store;
		this.topics = topics;
		this.json = json;
	}

	@Override
	public AddResult add(NewJob job) {
		Objects.requireNonNull(job, "job must not be null");
		return insert(resolve(job));
	}

	@Override
	public List<AddResult> addAll(Collection<NewJob> jobs) {
		Objects.requireNonNull(jobs, "jobs must not be null");
		List<JobInsert> rows = jobs.stream().map(this::resolve).toList();
		Iterator<InsertedJob> inserted = this.store.insertAll(rows).iterator();
		InsertedJob next = inserted.hasNext() ? inserted.next() : null;
		List<AddResult> results = new ArrayList<>(rows.size());
		for (JobInsert row : rows) {
			if (next != null && Objects.equals(next.uniqueKey(), row.uniqueKey())) {
				results.add(AddResult.added(next.id(), row.uniqueKey()));
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

	private AddResult insert(JobInsert row) {
		for (int tries = 1;; tries++) {
			OptionalLong id = this.store.insert(row);
			if (id.isPresent()) {
				logger.debug("Added job id={} topic={}", id.getAsLong(), row.topic());
				return AddResult.added(id.getAsLong(), row.uniqueKey());
			}
			OptionalLong holder = this.store.findIdHoldingUniqueKey(row.uniqueKey());
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

	private JobInsert resolve(NewJob job) {
		TopicSettings topic = this.topics.get(job.topic());
		JobDefaults defaults = topic.jobDefaults();
		String payload = payload(job);
		int priority = (job.priority() != null) ? job.priority() : defaults.priority();
		Duration delay = (job.delay() != null) ? job.delay() : defaults.delay();
		String uniqueKey = (job.uniqueKey() != null) ? job.uniqueKey() : defaults.uniqueKey();
		String group = (job.group() != null) ? job.group() : defaults.group();
		int maxAttempts = (job.maxAttempts() != null) ? job.maxAttempts() : topic.retryPolicy().maxAttempts();
		return new JobInsert(topic.name(), payload, priority, job.runAt(), (job.runAt() != null) ? null : delay,
				uniqueKey, defaults.uniqueScope().column(), group, maxAttempts, job.timeout());
	}

	private String payload(NewJob job) {
		try {
			return this.json.write(job.payload());
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException("The payload for topic '" + job.topic() + "' (a "
					+ job.payload().getClass().getName() + ") cannot be written as JSON: " + ex.getOriginalMessage(),
					ex);
		}
	}

}
