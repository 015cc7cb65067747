package dev.runqueue.worker;

import java.time.Duration;
import java.util.List;

import dev.runqueue.FlowControl;
import dev.runqueue.RateLimit;
import dev.runqueue.TopicSettings;
import dev.runqueue.store.ClaimedJob;
import dev.runqueue.store.JobStore;
import dev.runqueue.store.TopicStore;

/**
 * Claims the jobs of topics whose limits hold across the cluster: FIFO topics, limits of
 * running jobs for the topic and per group, and rate limits. Claimers of such a topic
 * take turns, under a lock on the topic that lasts for one transaction, so that each
 * counts what the others claimed before it: the count and the claim see the same state.
 * The limits are decided here; the store only runs the statements.
 */
final class LimitedClaimer {

	// How many runnable jobs a group-limited claim ranks. Beyond it, jobs wait until the
	// lookahead moves.
	static final int GROUP_LOOKAHEAD = 1000;

	private final JobStore jobs;

	private final TopicStore topics;

	LimitedClaimer(JobStore jobs, TopicStore topics) {
		this.jobs = jobs;
		this.topics = topics;
	}

	/**
	 * Claims as many jobs as the topic's limits and the free slots allow.
	 * @param topic the topic
	 * @param free the node's free slots for the topic
	 * @param node the node's name
	 * @param lease the lease
	 * @return the claimed jobs, and when a rate limit allows the next claim if it held
	 * this one back
	 */
	Claim claim(TopicSettings topic, int free, String node, Duration lease) {
		FlowControl flow = topic.flowControl();
		return this.jobs.inTransaction(() -> {
			this.jobs.lockTopic(topic.name());
			int limit = flow.fifo() ? Math.min(free, 1) : free;
			if (flow.maxRunning() != null) {
				limit = (int) Math.min(limit, flow.maxRunning() - this.jobs.countRunning(topic.name()));
			}
			Duration rateWait = null;
			RateLimit rate = flow.rateLimit();
			if (rate != null && limit > 0) {
				TopicStore.RateWindow window = this.topics.releasesInWindow(topic.name(), rate.period());
				int allowed = rate.releases() - window.released();
				if (allowed < limit) {
					// The next release is allowed when the oldest in the window leaves
					// it; with none in the window, the releases about to be made are the
					// oldest.
					rateWait = (window.released() > 0) ? window.untilOldestLeaves() : rate.period();
					limit = Math.max(allowed, 0);
				}
			}
			if (limit <= 0) {
				return new Claim(List.of(), rateWait);
			}
			List<ClaimedJob> claimed;
			if (flow.fifo()) {
				claimed = this.jobs.claimFifoHead(topic.name(), node, lease);
			}
			else if (flow.groupConcurrency() != null) {
				claimed = this.jobs.claimWithinGroupLimits(topic.name(), limit, flow.groupConcurrency(),
						GROUP_LOOKAHEAD, node, lease);
			}
			else {
				claimed = this.jobs.claim(topic.name(), limit, node, lease);
			}
			if (rate != null && !claimed.isEmpty()) {
				this.topics.recordReleases(topic.name(), claimed.size(), rate.period());
			}
			return new Claim(claimed, rateWait);
		});
	}

	/**
	 * What a limited claim got.
	 *
	 * @param jobs the claimed jobs
	 * @param rateWait when a rate limit allows the next claim, if it held this one back;
	 * otherwise {@code null}
	 */
	record Claim(List<ClaimedJob> jobs, Duration rateWait) {

	}

}
