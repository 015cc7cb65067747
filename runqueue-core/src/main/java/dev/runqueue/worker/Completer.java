package dev.runqueue.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import dev.runqueue.event.EventPublisher;
import dev.runqueue.event.RunQueueEvent;
import dev.runqueue.job.Job;
import dev.runqueue.store.Completion;
import dev.runqueue.store.JobStore;
import dev.runqueue.store.LeaseRef;
import dev.runqueue.support.ServiceLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the outcomes of runs in the job table. Handlers hand their outcomes over and go
 * on; one thread writes whatever has gathered with one statement per kind of outcome, so
 * that a busy node writes hundreds of outcomes per statement and an idle one writes each
 * at once. Every write is fenced by the job's lease: an outcome for a job this node no
 * longer holds changes nothing and is counted as a stale write.
 */
final class Completer {

	private static final Logger logger = LoggerFactory.getLogger(Completer.class);

	private static final int MAX_BATCH = 1000;

	private static final Duration IDLE_WAIT = Duration.ofMillis(100);

	private final JobStore store;

	private final Consumer<Collection<String>> runnableAgain;

	private final Runnable scheduledLater;

	private final Set<String> limitedTopics;

	private final EventPublisher events;

	private final String node;

	private final BlockingQueue<Outcome> queue = new LinkedBlockingQueue<>();

	// Outcomes taken from the queue whose write failed; only the completer's thread (or
	// stop()) touches it.
	private final List<Outcome> pending = new ArrayList<>();

	private final AtomicLong staleWrites = new AtomicLong();

	private final ServiceLoop loop;

	/**
	 * Creates a completer.
	 * @param store the job table
	 * @param runnableAgain told of the topics of jobs that are runnable again at once
	 * after a write (a retry, replace or snooze without delay), so that this node's
	 * pollers look for them
	 * @param scheduledLater told when a write scheduled a job to run later, so that the
	 * promoter makes it runnable on time
	 * @param limitedTopics FIFO and limited topics: any outcome of theirs lets the next
	 * job start, so it wakes the topic's pollers on every node
	 */
	Completer(JobStore store, Consumer<Collection<String>> runnableAgain, Runnable scheduledLater,
			Set<String> limitedTopics, EventPublisher events, String node) {
		this.store = store;
		this.runnableAgain = runnableAgain;
		this.scheduledLater = scheduledLater;
		this.limitedTopics = Set.copyOf(limitedTopics);
		this.events = events;
		this.node = node;
		this.loop = new ServiceLoop("runqueue-completer", this::step);
	}

	void start() {
		this.loop.start();
	}

	/**
	 * Queues an outcome for writing.
	 * @param completion what to write
	 * @param job the job
	 * @param took how long its handler ran
	 * @param whenWritten run once the outcome is written or fenced off
	 */
	void submit(Completion completion, Job job, Duration took, Runnable whenWritten) {
		this.queue.add(new Outcome(completion, job, took, whenWritten));
	}

	/**
	 * Stops the thread, then writes whatever is still queued.
	 * @param timeout the longest wait for the thread
	 * @throws InterruptedException if interrupted while waiting
	 */
	void stop(Duration timeout) throws InterruptedException {
		this.loop.stop();
		this.loop.join(timeout);
		try {
			while (!this.pending.isEmpty() || !this.queue.isEmpty()) {
				runOnce();
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Could not record {} outcomes on shutdown; their jobs run again when their leases expire: {}",
					this.pending.size(), ex.toString());
		}
	}

	/**
	 * Counts an outcome that was written elsewhere (in a handler's transaction) and
	 * changed nothing.
	 * @param job the job
	 * @param lease the lease the write was fenced by
	 */
	void countStale(Job job, LeaseRef lease) {
		this.staleWrites.incrementAndGet();
		logger.debug("Outcome of job id={} not recorded: this node no longer holds its lease", lease.jobId());
		if (this.events.hasListeners()) {
			this.events
				.publish(new RunQueueEvent.LeaseLost(this.events.clock().instant(), this.node, job.id(), job.topic()));
		}
	}

	/**
	 * How many writes changed nothing because the node no longer held the job's lease.
	 * @return the count since start
	 */
	long staleWrites() {
		return this.staleWrites.get();
	}

	private Duration step() throws InterruptedException {
		if (this.pending.isEmpty()) {
			Outcome first = this.queue.poll(IDLE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
			if (first == null) {
				return Duration.ZERO;
			}
			this.pending.add(first);
		}
		runOnce();
		return Duration.ZERO;
	}

	/**
	 * Writes what is queued, in as few statements as there are kinds of outcome. Outcomes
	 * whose write fails stay for the next run.
	 * @return what was written
	 */
	CompletionResult runOnce() {
		this.queue.drainTo(this.pending, MAX_BATCH - this.pending.size());
		if (this.pending.isEmpty()) {
			return new CompletionResult(0, 0);
		}
		List<Outcome> batch = List.copyOf(this.pending);
		Set<Long> written = write(this.store, batch.stream().map(Outcome::completion).toList());
		this.pending.clear();
		Set<String> runnable = new LinkedHashSet<>();
		boolean scheduled = false;
		int stale = 0;
		for (Outcome outcome : batch) {
			long id = outcome.completion().lease().jobId();
			if (!written.contains(id)) {
				stale++;
				countStale(outcome.job(), outcome.completion().lease());
			}
			else {
				JobRunner.logFailure(outcome.job(), outcome.completion());
				if (this.events.hasListeners()) {
					this.events.publish(OutcomeEvents.of(outcome.completion(), outcome.job(), outcome.took(), this.node,
							this.events.clock()));
				}
				if (runnableAtOnce(outcome.completion()) || this.limitedTopics.contains(outcome.topic())) {
					runnable.add(outcome.topic());
				}
				if (scheduledLater(outcome.completion())) {
					scheduled = true;
				}
			}
		}
		if (!runnable.isEmpty()) {
			this.runnableAgain.accept(runnable);
			// A job of a FIFO or limited topic finished: the next may start, on any node.
			Set<String> limited = new LinkedHashSet<>(runnable);
			limited.retainAll(this.limitedTopics);
			this.store.notifyTopics(limited);
		}
		if (scheduled) {
			this.scheduledLater.run();
		}
		batch.forEach((outcome) -> outcome.whenWritten().run());
		return new CompletionResult(batch.size() - stale, stale);
	}

	/**
	 * Writes outcomes with one statement per kind, on the calling thread (and in its
	 * transaction, if any).
	 * @param store the job table
	 * @param completions the outcomes
	 * @return the ids of the jobs whose rows changed
	 */
	static Set<Long> write(JobStore store, List<Completion> completions) {
		List<Completion.Succeed> succeeded = new ArrayList<>();
		List<Completion.Retry> retried = new ArrayList<>();
		List<Completion.Fail> failed = new ArrayList<>();
		List<Completion.Replace> replaced = new ArrayList<>();
		List<Completion.Snooze> snoozed = new ArrayList<>();
		List<Completion.TimedOut> timedOut = new ArrayList<>();
		for (Completion completion : completions) {
			if (completion instanceof Completion.Succeed succeed) {
				succeeded.add(succeed);
			}
			else if (completion instanceof Completion.Retry retry) {
				retried.add(retry);
			}
			else if (completion instanceof Completion.Fail fail) {
				failed.add(fail);
			}
			else if (completion instanceof Completion.Replace replace) {
				replaced.add(replace);
			}
			else if (completion instanceof Completion.Snooze snooze) {
				snoozed.add(snooze);
			}
			else if (completion instanceof Completion.TimedOut timeout) {
				timedOut.add(timeout);
			}
		}
		Set<Long> written = new HashSet<>();
		written.addAll(store.succeed(succeeded));
		written.addAll(store.retry(retried));
		written.addAll(store.fail(failed));
		written.addAll(store.replace(replaced));
		written.addAll(store.snooze(snoozed));
		written.addAll(store.timeOut(timedOut));
		return written;
	}

	static boolean runnableAtOnce(Completion completion) {
		if (completion instanceof Completion.Retry retry) {
			return retry.delay().isZero();
		}
		if (completion instanceof Completion.Replace replace) {
			return replace.runAt() == null && replace.delay().isZero();
		}
		if (completion instanceof Completion.Snooze snooze) {
			return snooze.delay().isZero();
		}
		if (completion instanceof Completion.TimedOut timeout) {
			return timeout.retryDelay() != null && timeout.retryDelay().isZero();
		}
		return false;
	}

	/**
	 * Whether a written outcome put the job back to wait for a later time.
	 * @param completion the outcome
	 * @return {@code true} for a retry, replace or snooze with a delay or a time
	 */
	static boolean scheduledLater(Completion completion) {
		if (completion instanceof Completion.TimedOut timeout) {
			return timeout.retryDelay() != null && !timeout.retryDelay().isZero();
		}
		return (completion instanceof Completion.Retry || completion instanceof Completion.Replace
				|| completion instanceof Completion.Snooze) && !runnableAtOnce(completion);
	}

	private record Outcome(Completion completion, Job job, Duration took, Runnable whenWritten) {

		String topic() {
			return this.job.topic();
		}

	}

	/**
	 * What one run of the completer wrote.
	 *
	 * @param written outcomes recorded
	 * @param stale outcomes not recorded because the node no longer held the job
	 */
	record CompletionResult(int written, int stale) {

	}

}
