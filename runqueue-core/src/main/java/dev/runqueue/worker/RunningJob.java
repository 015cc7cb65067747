package dev.runqueue.worker;

import java.time.Duration;

import dev.runqueue.job.Job;
import dev.runqueue.job.JobContext;
import dev.runqueue.job.LeaseLostException;
import dev.runqueue.store.ClaimedJob;
import dev.runqueue.store.JobStore;
import dev.runqueue.store.LeaseRef;

/**
 * A job this node has claimed and not finished: waiting for its thread, or running. It is
 * the handler's {@link JobContext}, and the handle by which the worker cancels the run.
 */
final class RunningJob implements JobContext {

	private final ClaimedJob claimed;

	private final JobStore store;

	// The thread running the handler, set and cleared by that thread and read by cancel()
	// from any thread, all
	// under this object's monitor, so that an interrupt never reaches a thread that has
	// moved on to other work.
	private Thread thread;

	// Written by cancel() from any thread, read by the handler's thread.
	private volatile boolean cancelled;

	RunningJob(ClaimedJob claimed, JobStore store) {
		this.claimed = claimed;
		this.store = store;
	}

	@Override
	public Job job() {
		return this.claimed.job();
	}

	LeaseRef lease() {
		return this.claimed.lease();
	}

	@Override
	public boolean isCancelled() {
		return this.cancelled;
	}

	@Override
	public void extendLease(Duration duration) {
		if (!this.store.extendLease(this.claimed.lease(), duration)) {
			throw new LeaseLostException(this.claimed.job().id());
		}
	}

	/**
	 * Marks the start of the handler on the current thread.
	 */
	synchronized void enter() {
		this.thread = Thread.currentThread();
		if (this.cancelled) {
			this.thread.interrupt();
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

}
