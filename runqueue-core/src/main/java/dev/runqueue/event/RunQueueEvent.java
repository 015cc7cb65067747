package dev.runqueue.event;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * Something that happened to a node or a job. Each event says when it happened, by the
 * publishing node's clock.
 */
public sealed interface RunQueueEvent {

	/**
	 * When it happened.
	 * @return the time
	 */
	Instant at();

	/**
	 * A node started running jobs.
	 *
	 * @param at when
	 * @param node the node's name
	 * @param topics the topics it runs
	 */
	record NodeStarted(Instant at, String node, Set<String> topics) implements RunQueueEvent {

	}

	/**
	 * A node stopped running jobs.
	 *
	 * @param at when
	 * @param node the node's name
	 * @param released the jobs it released to other nodes because they ran past the grace
	 * period
	 */
	record NodeStopped(Instant at, String node, int released) implements RunQueueEvent {

	}

	/**
	 * A job was added; published after the adding transaction committed.
	 *
	 * @param at when
	 * @param jobId the job
	 * @param topic its topic
	 */
	record JobAdded(Instant at, long jobId, String topic) implements RunQueueEvent {

	}

	/**
	 * A node claimed a job to run it.
	 *
	 * @param at when
	 * @param node the node
	 * @param jobId the job
	 * @param topic its topic
	 * @param attempt the attempt, counting from 1
	 * @param waited how long the job was runnable before it was claimed, by the
	 * database's clock
	 */
	record JobClaimed(Instant at, String node, long jobId, String topic, int attempt,
			Duration waited) implements RunQueueEvent {

	}

	/**
	 * A job's handler succeeded and its success was recorded.
	 *
	 * @param at when
	 * @param node the node that ran it
	 * @param jobId the job
	 * @param topic its topic
	 * @param attempt the attempt
	 * @param took how long the handler ran
	 * @param finished whether the job finished; {@code false} when it replaced itself
	 * with another round
	 */
	record JobSucceeded(Instant at, String node, long jobId, String topic, int attempt, Duration took,
			boolean finished) implements RunQueueEvent {

	}

	/**
	 * A job's attempt failed or timed out, and the job runs again later.
	 *
	 * @param at when
	 * @param node the node that ran it
	 * @param jobId the job
	 * @param topic its topic
	 * @param attempt the attempt that failed
	 * @param error why
	 * @param retryIn how long until it runs again
	 * @param timedOut whether the attempt timed out
	 */
	record JobRetried(Instant at, String node, long jobId, String topic, int attempt, String error, Duration retryIn,
			boolean timedOut) implements RunQueueEvent {

	}

	/**
	 * A job failed for good on a node.
	 *
	 * @param at when
	 * @param node the node that ran it
	 * @param jobId the job
	 * @param topic its topic
	 * @param attempt the last attempt
	 * @param error why
	 */
	record JobFailed(Instant at, String node, long jobId, String topic, int attempt,
			String error) implements RunQueueEvent {

	}

	/**
	 * A job runs again later without using an attempt, as its handler asked.
	 *
	 * @param at when
	 * @param node the node that ran it
	 * @param jobId the job
	 * @param topic its topic
	 */
	record JobSnoozed(Instant at, String node, long jobId, String topic) implements RunQueueEvent {

	}

	/**
	 * The leader took back a job whose lease expired on another node.
	 *
	 * @param at when
	 * @param node the leader
	 * @param jobId the job
	 * @param topic its topic
	 * @param fromNode the node whose lease expired
	 * @param failed whether the job failed for good (quarantined, or without attempts
	 * left)
	 */
	record JobRescued(Instant at, String node, long jobId, String topic, String fromNode,
			boolean failed) implements RunQueueEvent {

	}

	/**
	 * A node gave up a job because it no longer held its lease: its outcome was not
	 * recorded.
	 *
	 * @param at when
	 * @param node the node
	 * @param jobId the job
	 * @param topic its topic
	 */
	record LeaseLost(Instant at, String node, long jobId, String topic) implements RunQueueEvent {

	}

	/**
	 * The leader added the job of a recurring job's occurrence.
	 *
	 * @param at when
	 * @param node the leader
	 * @param schedule the recurring job's name
	 * @param topic the topic
	 * @param jobId the added job
	 */
	record JobScheduled(Instant at, String node, String schedule, String topic, long jobId) implements RunQueueEvent {

	}

	/**
	 * An operator cancelled a job.
	 *
	 * @param at when
	 * @param jobId the job
	 * @param topic its topic
	 * @param wasRunning whether it was running
	 */
	record JobCancelled(Instant at, long jobId, String topic, boolean wasRunning) implements RunQueueEvent {

	}

}
