package dev.runqueue.worker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

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
 * Claims the jobs of one topic for this node, never more than it has free slots for, and
 * hands each to the topic's executor. It claims again at once while claims come back
 * full, and otherwise waits for a notification, a finished job that leaves room for a
 * waiting backlog, or the poll interval.
 */
final class Poller {

	private static final Logger logger = LoggerFactory.getLogger(Poller.class);

	private final TopicSettings topic;

	private final JobHandler handler;

	private final Executor executor;

	private final Shared shared;

	private final ServiceLoop loop;

	// Jobs claimed and not finished: added by the poller thread when it claims, removed
	// by the job's thread when its handler has returned, read by the worker on shutdown.
	private final Map<Long, RunningJob> inFlight = new ConcurrentHashMap<>();

	// Whether jobs were left in the table at the last claim, so that a finishing job
	// should wake the poller.
	// Written by the poller thread, read by job threads.
	private volatile boolean backlog;

	Poller(TopicSettings topic, JobHandler handler, Executor executor, Shared shared) {
		this.topic = topic;
		this.handler = handler;
		this.executor = executor;
		this.shared = shared;
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
	 * The jobs claimed and not finished.
	 * @return the jobs, live view
	 */
	Map<Long, RunningJob> inFlight() {
		return this.inFlight;
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
	 * Claims as many jobs as there are free slots and starts them.
	 * @return how many were asked for and how many came
	 */
	ClaimResult runOnce() {
		int free = this.topic.execution().concurrency() - this.inFlight.size();
		if (free <= 0) {
			this.backlog = true;
			return new ClaimResult(0, 0, null);
		}
		long sentAt = this.shared.clock().millis();
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
		// The database set each lease to its now() plus the lease, and its now() came
		// after sentAt.
		long leaseTrustedUntil = sentAt
				+ this.shared.settings().leaseDuration().minus(this.shared.settings().leaseMargin()).toMillis();
		this.backlog = claimed.size() == free;
		for (ClaimedJob job : claimed) {
			Duration timeout = (job.timeout() != null) ? job.timeout() : this.topic.execution().timeout();
			RunningJob running = new RunningJob(job, this.topic, this.shared.store(), this.shared.clock(),
					leaseTrustedUntil, timeout);
			this.inFlight.put(job.job().id(), running);
			try {
				this.executor.execute(() -> run(running));
			}
			catch (RejectedExecutionException ex) {
				// The worker is stopping; the job stays in flight and is released with
				// the others.
				logger.debug("Job id={} not started: the executor is shut down", job.job().id());
			}
		}
		if (!claimed.isEmpty()) {
			logger.debug("Claimed jobs topic={} requested={} claimed={}", this.topic.name(), free, claimed.size());
			publishClaimed(claimed);
		}
		return new ClaimResult(free, claimed.size(), rateWait);
	}

	private void run(RunningJob running) {
		try {
			this.shared.runner().run(running, this.topic, this.handler);
		}
		finally {
			this.inFlight.remove(running.job().id());
			if (this.backlog) {
				this.loop.wake();
			}
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
