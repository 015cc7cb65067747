package dev.runqueue.worker;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import dev.runqueue.JsonCodec;
import dev.runqueue.TopicSettings;
import dev.runqueue.event.EventPublisher;
import dev.runqueue.job.JobHandler;
import dev.runqueue.store.ClaimedJob;
import dev.runqueue.store.Stores;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs a topic's due jobs on the calling thread, one at a time, with the same code that
 * runs them on a worker, and records their outcomes before it returns: for tests of an
 * application's handlers, which then assert on what the jobs did without waiting for a
 * worker. Jobs that a handler replaces or snoozes without a delay run again in the same
 * call; retries wait for their backoff as always.
 */
public final class InlineRunner {

	private static final Duration LEASE = Duration.ofMinutes(5);

	private final Stores stores;

	private final JobRunner runner;

	private final Completer completer;

	private final String node = "inline-" + UUID.randomUUID().toString().substring(0, 8);

	/**
	 * Creates a runner.
	 * @param stores the tables
	 * @param json how results and payloads become JSON
	 * @param transactionManager the transaction manager for transactional topics, or
	 * {@code null}
	 */
	public InlineRunner(Stores stores, JsonCodec json, PlatformTransactionManager transactionManager) {
		this.stores = stores;
		EventPublisher events = EventPublisher.none(Clock.systemUTC());
		this.completer = new Completer(stores.jobs(), (topics) -> {
		}, () -> {
		}, Set.of(), events, this.node);
		TransactionTemplate transactions = (transactionManager != null) ? new TransactionTemplate(transactionManager)
				: null;
		this.runner = new JobRunner(stores.jobs(), json, this.completer, transactions, ObservationRegistry.NOOP, events,
				this.node, (topic) -> {
				}, () -> {
				}, new LeaseLosses(events, this.node));
	}

	/**
	 * Runs the topic's jobs that are due now, and those they make due at once, until none
	 * is left or {@code maxJobs} ran.
	 * @param topic the topic
	 * @param handler its handler
	 * @param maxJobs the most jobs to run
	 * @return how many jobs ran
	 */
	public int runDue(TopicSettings topic, JobHandler handler, int maxJobs) {
		int ran = 0;
		while (ran < maxJobs) {
			this.stores.maintenance().promoteDue(1000);
			List<ClaimedJob> claimed = this.stores.jobs().claim(topic.name(), 1, this.node, LEASE);
			if (claimed.isEmpty()) {
				break;
			}
			ClaimedJob job = claimed.get(0);
			RunningJob running = new RunningJob(job, topic, this.stores.jobs(), Clock.systemUTC(), Long.MAX_VALUE, null,
					() -> {
					});
			this.runner.run(running, topic, handler);
			this.completer.runOnce();
			ran++;
		}
		return ran;
	}

}
