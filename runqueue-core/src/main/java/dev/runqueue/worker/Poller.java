package dev.runqueue.worker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import dev.runqueue.TopicSettings;
import dev.runqueue.event.EventPublisher;
import dev.runqueue.event.RunQueueEvent;
import dev.runqueue.job.JobHandler;
import dev.runqueue.store.ClaimedJob;
import dev.runqueue.store.JobStore;
import dev.runqueue.support.ServiceLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims the jobs of one topic for this node and hands each to the topic's executor,
 * whose threads (as many as the topic's concurrency) run them. It claims again at once
 * while claims come back full, and otherwise waits for a notification, room for a waiting
 * backlog, or the poll interval.
 * <p>
 * A job stays in flight from its claim until its handler has returned and its outcome is
 * written, so that a node whose writes fall behind claims less, and its leases are
 * renewed meanwhile. For topics of short jobs the poller claims ahead: besides a job per
 * thread, it holds as many claimed jobs as its handlers get through in a few claim round
 * trips (at most the topic's prefetch), so that the threads go on with the next job while
 * a claim is under way, and claims come in batches rather than a job at a time. A topic
 * of long jobs gets through few jobs in a round trip and so claims none ahead, leaving
 * its jobs to nodes with free threads.
 */
final class Poller {

	private static final Logger logger = LoggerFactory.getLogger(Poller.class);

	// How many claim round trips' worth of jobs the poller holds ahead: one for the claim
	// under way, one for the writes of outcomes, and as much again for variation.
	private static final int ROUND_TRIPS_AHEAD = 4;

	// Weight of the newest measurement in the moving averages of throughput and round
	// trip.
	private static final double SMOOTHING = 0.3;

	// Throughput is measured over windows of at least this long.
	private static final long MIN_WINDOW_NANOS = 20_000_000;

	private final TopicSettings topic;

	private final JobHandler handler;

	private final Executor executor;

	private final Shared shared;

	private final ServiceLoop loop;

	// The most jobs claimed ahead, 0 for topics whose flow control counts running jobs.
	private final int maxPrefetch;

	// Jobs claimed and not done (waiting for a thread, running, or with an outcome not
	// yet written): added by the poller thread when it claims, removed by whichever
	// thread ends the job's last hold, read by the worker's other threads.
	private final Map<Long, RunningJob> inFlight = new ConcurrentHashMap<>();

	// Jobs claimed whose handlers have not started: incremented by the poller thread,
	// decremented by the thread that takes the job.
	private final AtomicInteger waiting = new AtomicInteger();

	// Jobs taken by a thread since start, for the throughput.
	private final LongAdder taken = new LongAdder();

	// Whether jobs were left in the table at the last claim, so that room for more should
	// wake the poller. Written by the poller thread, read by job threads.
	private volatile boolean backlog;

	// Jobs claimed ahead of the threads, from the moving averages; written by the poller
	// thread, read by job threads.
	private volatile int prefetch;

	// Only the poller thread touches these.
	private double jobsPerNano;

	private double roundTripNanos;

	private long windowStart = System.nanoTime();

	private long windowTaken;

	Poller(TopicSettings topic, JobHandler handler, Executor executor, Shared shared) {
		this.topic = topic;
		this.handler = handler;
		this.executor = executor;
		this.shared = shared;
		this.maxPrefetch = topic.flowControl().limitsClaims() ? 0 : topic.execution().prefetch();
		this.loop = new ServiceLoop("runqueue-poller-" + topic.name(), this::step);
	}

	TopicSettings topic() {
		return this.topic;
	}

	void start() {
		this.loop.start();
	}

	/**
	 * Looks for jobs at once.
	 */
	void wake() {
		this.loop.wake();
	}

	/**
	 * Stops claiming; jobs in flight go on.
	 * @param timeout the longest wait for a claim under way
	 * @throws InterruptedException if interrupted while waiting
	 */
	void stopClaiming(Duration timeout) throws InterruptedException {
		this.loop.stop();
		this.loop.join(timeout);
	}

	/**
	 * The jobs claimed and not done.
	 * @return the jobs, live view
	 */
	Map<Long, RunningJob> inFlight() {
		return this.inFlight;
	}

	/**
	 * How many jobs this poller claims ahead of its threads now.
	 * @return the count
	 */
	int prefetch() {
		return this.prefetch;
	}

	private Duration step() {
		ClaimResult result = runOnce();
		if (result.rateWait() != null) {
			Duration wait = result.rateWait();
			return (wait.compareTo(this.shared.settings().pollInterval()) < 0) ? wait.plusMillis(1)
					: this.shared.settings().pollInterval();
		}
		if (result.requested() > 0 && result.claimed() == result.requested()) {
			return Duration.ZERO;
		}
		return this.shared.settings().pollInterval();
	}

	/**
	 * Claims as many jobs as there is room for, if there is room enough, and starts them.
	 * @return how many were asked for and how many came
	 */
	ClaimResult runOnce() {
		int free = room();
		if (!worthClaiming(free)) {
			// Set before looking again, so that a job done in between wakes the poller.
			this.backlog = true;
			free = room();
			if (!worthClaiming(free)) {
				return new ClaimResult(0, 0, null);
			}
		}
		long sentAt = this.shared.clock().millis();
		long sentNanos = System.nanoTime();
		List<ClaimedJob> claimed;
		Duration rateWait = null;
		if (this.topic.flowControl().limitsClaims()) {
			LimitedClaimer.Claim claim = this.shared.claimer()
				.claim(this.topic, free, this.shared.settings().nodeName(), this.shared.settings().leaseDuration());
			claimed = claim.jobs();
			rateWait = claim.rateWait();
		}
		else {
			claimed = this.shared.store()
				.claim(this.topic.name(), free, this.shared.settings().nodeName(),
						this.shared.settings().leaseDuration());
		}
		measure(System.nanoTime() - sentNanos);
		// The database set each lease to its now() plus the lease, and its now() came
		// after sentAt.
		long leaseTrustedUntil = sentAt
				+ this.shared.settings().leaseDuration().minus(this.shared.settings().leaseMargin()).toMillis();
		this.backlog = claimed.size() == free;
		for (ClaimedJob job : claimed) {
			Duration timeout = (job.timeout() != null) ? job.timeout() : this.topic.execution().timeout();
			long id = job.job().id();
			RunningJob running = new RunningJob(job, this.topic, this.shared.store(), this.shared.clock(),
					leaseTrustedUntil, timeout, () -> done(id));
			this.inFlight.put(id, running);
			this.waiting.incrementAndGet();
			try {
				this.executor.execute(() -> run(running));
			}
			catch (RejectedExecutionException ex) {
				// The worker is stopping; the job stays in flight and is released with
				// the others.
				logger.debug("Job id={} not started: the executor is shut down", id);
			}
		}
		if (!claimed.isEmpty()) {
			logger.debug("Claimed jobs topic={} requested={} claimed={}", this.topic.name(), free, claimed.size());
			publishClaimed(claimed);
		}
		return new ClaimResult(free, claimed.size(), rateWait);
	}

	// Room for claims: a job per thread, and the jobs to hold ahead, less those in
	// flight.
	private int room() {
		return this.topic.execution().concurrency() + this.prefetch - this.inFlight.size();
	}

	// A claim is worth its round trip when a thread would otherwise wait for one, or when
	// half the room is free, so that claims of short jobs come in batches.
	private boolean worthClaiming(int free) {
		if (free <= 0) {
			return false;
		}
		return this.waiting.get() == 0 || free >= (this.topic.execution().concurrency() + this.prefetch) / 2;
	}

	// Updates the moving averages of the claim's round trip and of the jobs the threads
	// take per nanosecond, and from them how many jobs to hold ahead: those the threads
	// get through in a few round trips.
	private void measure(long roundTrip) {
		if (this.maxPrefetch == 0) {
			return;
		}
		this.roundTripNanos = (this.roundTripNanos == 0) ? roundTrip
				: this.roundTripNanos + SMOOTHING * (roundTrip - this.roundTripNanos);
		long now = System.nanoTime();
		long window = now - this.windowStart;
		if (window >= MIN_WINDOW_NANOS) {
			long total = this.taken.sum();
			double rate = (double) (total - this.windowTaken) / window;
			this.jobsPerNano += SMOOTHING * (rate - this.jobsPerNano);
			this.windowStart = now;
			this.windowTaken = total;
		}
		this.prefetch = (int) Math.min(this.maxPrefetch,
				Math.floor(this.jobsPerNano * this.roundTripNanos * ROUND_TRIPS_AHEAD));
	}

	private void run(RunningJob running) {
		this.taken.increment();
		if (this.waiting.decrementAndGet() == 0 && this.backlog && worthClaiming(room())) {
			this.loop.wake();
		}
		try {
			this.shared.runner().run(running, this.topic, this.handler);
		}
		finally {
			running.done();
		}
	}

	// The job's last hold is over: it leaves the jobs in flight, and its room may be
	// worth a claim.
	private void done(long id) {
		this.inFlight.remove(id);
		if (this.backlog && worthClaiming(room())) {
			this.loop.wake();
		}
	}

	private void publishClaimed(List<ClaimedJob> claimed) {
		EventPublisher events = this.shared.events();
		if (!events.hasListeners()) {
			return;
		}
		Instant at = events.clock().instant();
		for (ClaimedJob job : claimed) {
			// Both times are the database's: the claim set the lease to its now() plus
			// the lease duration.
			Instant claimedAt = job.leaseExpiresAt().minus(this.shared.settings().leaseDuration());
			Duration waited = Duration.between(job.job().runAt(), claimedAt);
			events.publish(new RunQueueEvent.JobClaimed(at, this.shared.settings().nodeName(), job.job().id(),
					job.job().topic(), job.job().attempt(), waited.isNegative() ? Duration.ZERO : waited));
		}
	}

	/**
	 * What the pollers of a worker share.
	 *
	 * @param store the job table
	 * @param runner runs claimed jobs
	 * @param settings the worker's settings
	 * @param clock this node's clock
	 * @param claimer claims for limited topics
	 * @param events publishes events
	 */
	record Shared(JobStore store, JobRunner runner, WorkerSettings settings, Clock clock, LimitedClaimer claimer,
			EventPublisher events) {

	}

	/**
	 * What one claim did.
	 *
	 * @param requested how many jobs the poller had room for
	 * @param claimed how many it got
	 * @param rateWait when the topic's rate limit allows the next claim, if it held this
	 * one back
	 */
	record ClaimResult(int requested, int claimed, Duration rateWait) {

	}

}
