package dev.runqueue.worker;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.runqueue.store.Completion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the jobs this node runs, by this node's clock and without touching the
 * database, so that it works when the database does not: a handler that runs past its
 * timeout is cancelled and its attempt recorded as timed out; a job whose lease the node
 * can no longer trust (renewals failed, or the process was frozen) is cancelled and its
 * outcome given up, before another node may take the job back.
 */
final class Watchdog {

	private static final Logger logger = LoggerFactory.getLogger(Watchdog.class);

	private static final Duration TICK = Duration.ofMillis(100);

	private final Supplier<Collection<RunningJob>> inFlight;

	private final Completer completer;

	private final Clock clock;

	private final String nodeName;

	private final LeaseLosses leaseLosses;

	private ScheduledExecutorService executor;

	Watchdog(Supplier<Collection<RunningJob>> inFlight, Completer completer, Clock clock, String nodeName,
			LeaseLosses leaseLosses) {
		this.inFlight = inFlight;
		this.completer = completer;
		this.clock = clock;
		this.nodeName = nodeName;
		this.leaseLosses = leaseLosses;
	}

	synchronized void start() {
		this.executor = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "runqueue-watchdog");
			thread.setDaemon(true);
			return thread;
		});
		this.executor.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
	}

	synchronized void stop() {
		if (this.executor != null) {
			this.executor.shutdownNow();
			this.executor = null;
		}
	}

	private void tick() {
		try {
			runOnce();
		}
		catch (RuntimeException ex) {
			// A scheduled task that throws is never run again; the watchdog must outlive
			// any one bad job.
			logger.warn("The watchdog failed on one of its checks and goes on: {}", ex.toString(), ex);
		}
	}

	/**
	 * Checks every job this node runs against its timeout and its lease.
	 * @return how many jobs timed out and how many leases were given up
	 */
	WatchResult runOnce() {
		long now = this.clock.millis();
		int timedOut = 0;
		int lost = 0;
		for (RunningJob job : this.inFlight.get()) {
			if (job.settlement() != null) {
				continue;
			}
			if (now >= job.timesOutAt()) {
				if (timeOut(job)) {
					timedOut++;
				}
			}
			else if (now >= job.leaseTrustedUntil()) {
				if (this.leaseLosses.lose(job, "its lease could not be renewed in time and may have expired")) {
					lost++;
				}
			}
		}
		return new WatchResult(timedOut, lost);
	}

	private boolean timeOut(RunningJob job) {
		if (!job.settle(RunningJob.Settlement.TIMED_OUT)) {
			return false;
		}
		job.cancel();
		int timeouts = job.claimed().timeouts() + 1;
		Optional<Duration> retry = job.topic().retryPolicy().timeoutRetryDelay(timeouts, ThreadLocalRandom.current());
		String error = "Timed out after " + job.timeout() + " on node " + this.nodeName + " (timeout " + timeouts
				+ " of at most " + job.topic().retryPolicy().maxTimeouts() + ")";
		job.hold();
		this.completer.submit(new Completion.TimedOut(job.lease(), retry.orElse(null), error), job.job(), job.timeout(),
				job::done);
		if (retry.isPresent()) {
			logger.info("Job id={} topic={} timed out after {} and is cancelled; retry in {}ms", job.job().id(),
					job.job().topic(), job.timeout(), retry.get().toMillis());
		}
		else {
			logger.warn("Job id={} topic={} timed out after {} and is cancelled; it failed for good after {} timeouts",
					job.job().id(), job.job().topic(), job.timeout(), timeouts);
		}
		return true;
	}

	/**
	 * What one check did.
	 *
	 * @param timedOut jobs cancelled for running past their timeouts
	 * @param leasesLost jobs given up because their leases could not be trusted
	 */
	record WatchResult(int timedOut, int leasesLost) {

	}

}
