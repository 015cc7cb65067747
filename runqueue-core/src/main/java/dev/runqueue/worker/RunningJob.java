package dev.runqueue.worker;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.runqueue.TopicSettings;
import dev.runqueue.job.Job;
import dev.runqueue.job.JobContext;
import dev.runqueue.job.LeaseLostException;
import dev.runqueue.store.ClaimedJob;
import dev.runqueue.store.JobStore;
import dev.runqueue.store.LeaseRef;

/**
 * A job this node has claimed and not finished: waiting for its thread, or running. It is
 * the handler's {@link JobContext}, and the handle by which the worker cancels the run.
 * It also keeps, by this node's clock, until when the node may trust its lease and when
 * the handler's time is up; the watchdog compares both with the clock. Exactly one
 * outcome is recorded for a claim: whoever settles the run first (the runner with the
 * handler's result, the watchdog with a timeout, the lease keeper or the watchdog with a
 * lost lease) decides it.
 */
final class RunningJob implements JobContext {

	private final ClaimedJob claimed;

	private final TopicSettings topic;

	private final JobStore store;

	private final Clock clock;

	private final Duration timeout;

	// Written by the lease keeper after each renewal and by extendLease, read by the
	// watchdog.
	private volatile long leaseTrustedUntil;

	// Written by enter() on the job's thread, read by the watchdog; Long.MAX_VALUE until
	// the handler starts.
	private volatile long timesOutAt = Long.MAX_VALUE;

	// Set once, by whoever settles the run first; read by all.
	private final AtomicReference<Settlement> settlement = new AtomicReference<>();

	// The thread running the handler, set and cleared by that thread and read by cancel()
	// from any thread, all under this object's monitor, so that an interrupt never
	// reaches a thread that has moved on to other work.
	private Thread thread;

	// Written by cancel() from any thread, read by the handler's thread.
	private volatile boolean cancelled;

	// Whether the handler started, under this object's monitor.
	private boolean entered;

	// What keeps the job in flight on this node: its turn on a handler thread, and an
	// outcome handed to the completer and not yet written. Once both are over, the job
	// leaves the node's jobs in flight (whenDone).
	private final AtomicInteger holds = new AtomicInteger(1);

	private final Runnable whenDone;

	/**
	 * Creates a running job.
	 * @param claimed the claimed job
	 * @param topic the job's topic
	 * @param store the job table
	 * @param clock this node's clock
	 * @param leaseTrustedUntil until when, by the clock, the lease certainly holds
	 * @param timeout how long the handler may run, or {@code null} for no limit
	 * @param whenDone run once the job's turn on a thread and its outcome's write are
	 * over
	 */
	RunningJob(ClaimedJob claimed, TopicSettings topic, JobStore store, Clock clock, long leaseTrustedUntil,
			Duration timeout, Runnable whenDone) {
		this.claimed = claimed;
		this.topic = topic;
		this.store = store;
		this.clock = clock;
		this.leaseTrustedUntil = leaseTrustedUntil;
		this.timeout = timeout;
		this.whenDone = whenDone;
	}

	@Override
	public Job job() {
		return this.claimed.job();
	}

	ClaimedJob claimed() {
		return this.claimed;
	}

	TopicSettings topic() {
		return this.topic;
	}

	LeaseRef lease() {
		return this.claimed.lease();
	}

	Duration timeout() {
		return this.timeout;
	}

	@Override
	public boolean isCancelled() {
		return this.cancelled;
	}

	@Override
	public void extendLease(Duration duration) {
		long sentAt = this.clock.millis();
		if (!this.store.extendLease(this.claimed.lease(), duration)) {
			throw new LeaseLostException(this.claimed.job().id());
		}
		trustLeaseUntil(sentAt + duration.toMillis());
	}

	/**
	 * Records that the lease was renewed: it holds at least until {@code until}, by this
	 * node's clock.
	 * @param until the time in clock milliseconds
	 */
	void trustLeaseUntil(long until) {
		this.leaseTrustedUntil = Math.max(this.leaseTrustedUntil, until);
	}

	long leaseTrustedUntil() {
		return this.leaseTrustedUntil;
	}

	long timesOutAt() {
		return this.timesOutAt;
	}

	/**
	 * Marks the start of the handler on the current thread, and starts its timeout,
	 * unless the run may not start: it was decided already (given up, released or
	 * cancelled while it waited for a thread), or the lease can no longer be trusted,
	 * since another node may be running the job by now.
	 * @return whether the handler may start
	 */
	synchronized boolean enter() {
		if (this.settlement.get() != null || this.clock.millis() >= this.leaseTrustedUntil) {
			return false;
		}
		this.entered = true;
		this.thread = Thread.currentThread();
		if (this.timeout != null) {
			this.timesOutAt = this.clock.millis() + this.timeout.toMillis();
		}
		if (this.cancelled) {
			this.thread.interrupt();
		}
		return true;
	}

	/**
	 * Releases the job if its handler has not started, so that it never does: for jobs
	 * claimed ahead that wait for a thread when the node stops.
	 * @return whether the job was waiting and is now released
	 */
	synchronized boolean releaseIfWaiting() {
		return !this.entered && settle(Settlement.RELEASED);
	}

	/**
	 * Whether this node still holds the job's lease and should renew it: the run is
	 * undecided, or its outcome waits to be written.
	 * @return {@code true} if the lease should be renewed
	 */
	boolean holdsLease() {
		Settlement settled = this.settlement.get();
		return settled == null || settled == Settlement.COMPLETED || settled == Settlement.TIMED_OUT;
	}

	/**
	 * Whether the handler has not started yet.
	 * @return {@code true} while the job waits for a thread
	 */
	synchronized boolean isWaiting() {
		return !this.entered;
	}

	/**
	 * Takes a hold for an outcome handed to the completer; {@link #done()} gives it back
	 * once the outcome is written or fenced off.
	 */
	void hold() {
		this.holds.incrementAndGet();
	}

	/**
	 * Gives a hold back: the job's turn on a thread is over, or its outcome was written.
	 */
	void done() {
		if (this.holds.decrementAndGet() == 0) {
			this.whenDone.run();
		}
	}

	/**
	 * Marks the end of the handler, and clears an interrupt meant for it from the thread.
	 */
	synchronized void exit() {
		this.thread = null;
		Thread.interrupted();
	}

	/**
	 * Cancels the run: the handler sees {@link #isCancelled()} and its thread is
	 * interrupted.
	 */
	synchronized void cancel() {
		this.cancelled = true;
		if (this.thread != null) {
			this.thread.interrupt();
		}
	}

	/**
	 * Decides the run's outcome, unless it was decided already.
	 * @param how how the run ended
	 * @return whether this call decided it
	 */
	boolean settle(Settlement how) {
		return this.settlement.compareAndSet(null, how);
	}

	/**
	 * How the run was decided.
	 * @return the settlement, or {@code null} while undecided
	 */
	Settlement settlement() {
		return this.settlement.get();
	}

	/**
	 * How a run's outcome was decided.
	 */
	enum Settlement {

		/** The handler returned or threw, and its outcome is recorded. */
		COMPLETED,

		/** The handler ran past its timeout. */
		TIMED_OUT,

		/**
		 * This node lost the lease: it could not renew it in time, or the job was taken
		 * from it.
		 */
		LEASE_LOST,

		/** The node released the job on shutdown. */
		RELEASED,

		/** An operator cancelled the job. */
		CANCELLED

	}

}
