package dev.runqueue.maintenance;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.runqueue.store.JobStore;
import dev.runqueue.store.MaintenanceStore;
import dev.runqueue.support.ServiceLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes scheduled jobs runnable when their time comes (delayed jobs and retries waiting
 * out their backoff), and notifies the workers of every node of the topics that have
 * work. It sleeps until the next scheduled job is due, by the database's clock, but never
 * longer than its interval, so that jobs scheduled meanwhile by other nodes are seen.
 * Every node runs one; SKIP LOCKED keeps them from doing the same rows twice.
 */
public final class DuePromoter {

	private static final Logger logger = LoggerFactory.getLogger(DuePromoter.class);

	private static final int BATCH = 1000;

	private final MaintenanceStore store;

	private final JobStore jobs;

	private final Duration interval;

	private final ServiceLoop loop;

	/**
	 * Creates a promoter.
	 * @param store the job table's maintenance statements
	 * @param jobs the job table, to wake the workers of promoted jobs
	 * @param interval the longest sleep between two looks
	 */
	public DuePromoter(MaintenanceStore store, JobStore jobs, Duration interval) {
		this.store = store;
		this.jobs = jobs;
		this.interval = interval;
		this.loop = new ServiceLoop("runqueue-promoter", this::step);
	}

	/**
	 * Starts promoting in the background.
	 */
	public void start() {
		this.loop.start();
	}

	/**
	 * Looks at once: a job was scheduled that may be due before the promoter would
	 * otherwise wake.
	 */
	public void wake() {
		this.loop.wake();
	}

	/**
	 * Stops promoting.
	 * @param timeout the longest wait for a run under way
	 * @throws InterruptedException if interrupted while waiting
	 */
	public void stop(Duration timeout) throws InterruptedException {
		this.loop.stop();
		this.loop.join(timeout);
	}

	private Duration step() {
		return runOnce().nextRunIn();
	}

	/**
	 * Promotes the jobs that are due, notifies their topics, and finds out when the next
	 * is due.
	 * @return how many were promoted, and how long until the next look
	 */
	public PromotionResult runOnce() {
		List<String> topics = this.store.promoteDue(BATCH);
		if (!topics.isEmpty()) {
			Set<String> distinct = new LinkedHashSet<>(topics);
			this.jobs.notifyTopics(distinct);
			logger.debug("Scheduled jobs made runnable count={} topics={}", topics.size(), distinct);
		}
		if (topics.size() == BATCH) {
			return new PromotionResult(topics.size(), Duration.ZERO);
		}
		Optional<Duration> untilNext = this.store.timeUntilNextScheduled();
		Duration wait = untilNext.map(this::clamp).orElse(this.interval);
		return new PromotionResult(topics.size(), wait);
	}

	private Duration clamp(Duration untilNext) {
		if (untilNext.isNegative() || untilNext.isZero()) {
			// Due already but locked by another promoter, or due this very instant: look
			// again shortly.
			return Duration.ofMillis(10);
		}
		return (untilNext.compareTo(this.interval) < 0) ? untilNext : this.interval;
	}

	/**
	 * What one run did.
	 *
	 * @param promoted how many jobs became runnable
	 * @param nextRunIn how long until the next run
	 */
	public record PromotionResult(int promoted, Duration nextRunIn) {

	}

}
