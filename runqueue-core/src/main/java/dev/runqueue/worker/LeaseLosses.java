package dev.runqueue.worker;

import java.util.concurrent.atomic.LongAdder;

import dev.runqueue.event.EventPublisher;
import dev.runqueue.event.RunQueueEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives jobs up when this node no longer holds their leases, and counts it: the handler
 * is interrupted and whatever it returns is not recorded.
 */
final class LeaseLosses {

	private static final Logger logger = LoggerFactory.getLogger(LeaseLosses.class);

	private final LongAdder count = new LongAdder();

	private final EventPublisher events;

	private final String node;

	LeaseLosses(EventPublisher events, String node) {
		this.events = events;
		this.node = node;
	}

	/**
	 * Gives a job up.
	 * @param job the job
	 * @param why why the lease is lost, for the log
	 * @return whether the job was given up by this call, rather than finished or given up
	 * before
	 */
	boolean lose(RunningJob job, String why) {
		if (!job.settle(RunningJob.Settlement.LEASE_LOST)) {
			return false;
		}
		job.cancel();
		this.count.increment();
		logger
			.warn("Job id={} topic={} is no longer held by this node ({}); its handler is interrupted and its outcome "
					+ "will not be recorded", job.job().id(), job.job().topic(), why);
		if (this.events.hasListeners()) {
			this.events.publish(new RunQueueEvent.LeaseLost(this.events.clock().instant(), this.node, job.job().id(),
					job.job().topic()));
		}
		return true;
	}

	long count() {
		return this.count.sum();
	}

}
