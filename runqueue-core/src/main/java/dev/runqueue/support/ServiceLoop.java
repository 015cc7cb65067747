package dev.runqueue.support;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import dev.runqueue.retry.Backoff;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A background thread that runs one step again and again: the step says how long to wait
 * before the next run, and anyone may cut the wait short with {@link #wake()}. A step
 * that throws does not end the loop: the first failure in a row is logged once as a
 * warning, the following ones at debug level, and the loop backs off with jitter until
 * the step works again, which is logged too. Written once here, so that no service has
 * its own.
 */
public final class ServiceLoop {

	private static final Logger logger = LoggerFactory.getLogger(ServiceLoop.class);

	private static final Backoff ERROR_BACKOFF = new Backoff(Duration.ofMillis(100), 2.0, Duration.ofSeconds(30), 0.3);

	private final String name;

	private final Step step;

	private final Wakeup wakeup = new Wakeup();

	// Written by start() and stop() on the caller's thread, read by the loop thread.
	private volatile boolean running;

	private Thread thread;

	/**
	 * Creates a loop; it does nothing until started.
	 * @param name the thread's name, also used in log messages
	 * @param step the step to run
	 */
	public ServiceLoop(String name, Step step) {
		this.name = name;
		this.step = step;
	}

	/**
	 * The loop's name.
	 * @return the name
	 */
	public String name() {
		return this.name;
	}

	/**
	 * Starts the thread.
	 */
	public synchronized void start() {
		if (this.thread != null) {
			throw new IllegalStateException(this.name + " is already started");
		}
		this.running = true;
		this.thread = new Thread(this::loop, this.name);
		this.thread.setDaemon(true);
		this.thread.start();
	}

	/**
	 * Ends the current wait, so that the step runs at once.
	 */
	public void wake() {
		this.wakeup.signal();
	}

	/**
	 * Asks the loop to end after the step that is running, if any.
	 */
	public void stop() {
		this.running = false;
		this.wakeup.signal();
	}

	/**
	 * Waits for the loop's thread to end.
	 * @param timeout the longest wait
	 * @return whether it ended
	 * @throws InterruptedException if the waiting thread is interrupted
	 */
	public boolean join(Duration timeout) throws InterruptedException {
		Thread running;
		synchronized (this) {
			running = this.thread;
		}
		if (running == null) {
			return true;
		}
		running.join(Math.max(1, timeout.toMillis()));
		return !running.isAlive();
	}

	/**
	 * Whether the loop has been started and not asked to stop.
	 * @return {@code true} while running
	 */
	public boolean isRunning() {
		return this.running;
	}

	private void loop() {
		int failures = 0;
		while (this.running) {
			Duration wait;
			try {
				wait = this.step.run();
				if (failures > 0) {
					logger.info("{} works again after {} failed attempts", this.name, failures);
					failures = 0;
				}
			}
			catch (InterruptedException ex) {
				if (!this.running) {
					break;
				}
				wait = Duration.ZERO;
			}
			catch (Throwable ex) {
				failures++;
				wait = ERROR_BACKOFF.delayAfter(failures, ThreadLocalRandom.current());
				if (failures == 1) {
					logger.warn("{} failed and backs off until it works again: {}", this.name, ex.toString());
					logger.debug("{} failure", this.name, ex);
				}
				else {
					logger.debug("{} failed again (failures={}, next try in {}ms): {}", this.name, failures,
							wait.toMillis(), ex.toString());
				}
			}
			try {
				if (this.running && !wait.isZero()) {
					this.wakeup.await(wait);
				}
			}
			catch (InterruptedException ex) {
				// stop() or a stray interrupt: the loop condition decides
			}
		}
	}

	/**
	 * One run of the loop's work.
	 */
	@FunctionalInterface
	public interface Step {

		/**
		 * Does the work once.
		 * @return how long to wait before the next run; {@link Duration#ZERO} to run
		 * again at once
		 * @throws Exception if the work failed; the loop backs off and tries again
		 */
		Duration run() throws Exception;

	}

}
