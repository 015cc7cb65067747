package dev.runqueue.worker;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import dev.runqueue.store.JobStore;
import dev.runqueue.store.LeaseRef;
import dev.runqueue.store.NodeStore;
import dev.runqueue.support.ServiceLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's heartbeat: every interval it records that the node is alive and renews the
 * leases of every job the node runs, in one statement. A lease that is not renewed was
 * taken from the node (it expired, or the job was taken back): the job's handler is
 * interrupted and its outcome will not count. After a successful renewal the node trusts
 * each lease until, by its own clock, the lease could first expire, less a margin; the
 * {@link Watchdog} cancels jobs whose lease it no longer trusts when renewals fail.
 */
final class LeaseKeeper {

	private static final Logger logger = LoggerFactory.getLogger(LeaseKeeper.class);

	private final WorkerSettings settings;

	private final JobStore jobs;

	private final NodeStore nodes;

	private final Supplier<Collection<RunningJob>> inFlight;

	private final Runnable register;

	private final Clock clock;

	private final LeaseLosses leaseLosses;

	private final ServiceLoop loop;

	LeaseKeeper(WorkerSettings settings, JobStore jobs, NodeStore nodes, Supplier<Collection<RunningJob>> inFlight,
			Runnable register, Clock clock, LeaseLosses leaseLosses) {
		this.settings = settings;
		this.jobs = jobs;
		this.nodes = nodes;
		this.inFlight = inFlight;
		this.register = register;
		this.clock = clock;
		this.leaseLosses = leaseLosses;
		this.loop = new ServiceLoop("runqueue-heartbeat", this::step);
	}

	void start() {
		this.loop.start();
	}

	void stop(Duration timeout) throws InterruptedException {
		this.loop.stop();
		this.loop.join(timeout);
	}

	/**
	 * Renews the leases now rather than at the next interval, so that jobs this node no
	 * longer holds (cancelled while a notification could not reach it) are given up now.
	 */
	void wake() {
		this.loop.wake();
	}

	private Duration step() {
		runOnce();
		return this.settings.heartbeatInterval();
	}

	/**
	 * Records the heartbeat and renews every lease the node holds.
	 * @return how many leases were renewed and how many were lost
	 */
	RenewalResult runOnce() {
		long sentAt = this.clock.millis();
		if (!this.nodes.heartbeat(this.settings.nodeName())) {
			this.register.run();
			logger.info("Node {} registered again: its row was gone or marked stopped", this.settings.nodeName());
		}
		// Outcomes that wait to be written keep their leases too, so that a slow write
		// never lets another node run the job again.
		List<RunningJob> held = this.inFlight.get().stream().filter(RunningJob::holdsLease).toList();
		if (held.isEmpty()) {
			return new RenewalResult(0, 0);
		}
		Set<Long> renewed = this.jobs.renewLeases(held.stream().map(RunningJob::lease).toList(),
				this.settings.leaseDuration());
		long trustedUntil = sentAt + this.settings.leaseDuration().minus(this.settings.leaseMargin()).toMillis();
		// A lease not renewed may only have been busy: its row locked by another write,
		// such as this node's own outcome. It keeps the trust it had until the next
		// renewal.
		List<LeaseRef> skipped = held.stream()
			.filter((job) -> !renewed.contains(job.job().id()))
			.map(RunningJob::lease)
			.toList();
		Set<Long> busy = skipped.isEmpty() ? Set.of() : this.jobs.heldLeases(skipped);
		int lost = 0;
		for (RunningJob job : held) {
			if (renewed.contains(job.job().id())) {
				job.trustLeaseUntil(trustedUntil);
			}
			else if (busy.contains(job.job().id())) {
				logger.debug("Lease of job id={} not renewed this time: another write holds its row", job.job().id());
			}
			else if (this.leaseLosses.lose(job,
					"its lease could not be renewed: it expired or the job was taken back")) {
				lost++;
			}
		}
		return new RenewalResult(renewed.size(), lost);
	}

	/**
	 * What one renewal did.
	 *
	 * @param renewed leases renewed
	 * @param lost leases lost
	 */
	record RenewalResult(int renewed, int lost) {

	}

}
