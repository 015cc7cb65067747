package dev.runqueue.support;

import java.time.Duration;

/**
 * A signal that a waiting thread can be woken by before its wait is over. Signals do not
 * queue up: a thousand signals while nobody waits wake the next wait once, which is what
 * debounces a burst of notifications.
 */
public final class Wakeup {

	// Written by any thread under this object's monitor, read by the waiting thread under
	// it.
	private boolean signaled;

	/**
	 * Wakes the waiting thread, or the next one to wait.
	 */
	public synchronized void signal() {
		this.signaled = true;
		notifyAll();
	}

	/**
	 * Waits until signaled or until the time is up, and clears the signal.
	 * @param timeout the longest wait
	 * @return whether a signal ended the wait
	 * @throws InterruptedException if the thread is interrupted
	 */
	public synchronized boolean await(Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!this.signaled) {
			long remaining = deadline - System.nanoTime();
			if (remaining <= 0) {
				break;
			}
			long millis = remaining / 1_000_000;
			int nanos = (int) (remaining % 1_000_000);
			wait(millis, nanos);
		}
		boolean wasSignaled = this.signaled;
		this.signaled = false;
		return wasSignaled;
	}

}
