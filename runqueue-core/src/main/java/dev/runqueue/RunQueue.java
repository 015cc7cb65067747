package dev.runqueue;

import java.util.Collection;
import java.util.List;

import dev.runqueue.schedule.RecurringJob;

/**
 * Adds jobs. Adding joins the caller's Spring-managed transaction when there is one: a
 * job added in a transaction that rolls back is gone with it, and no worker sees it
 * before the transaction commits. Without a transaction each call commits on its own.
 */
public interface RunQueue {

	/**
	 * Adds a job with the topic's defaults.
	 * @param topic the topic whose handler runs the job
	 * @param payload the payload, serialized to JSON; may be {@code null}
	 * @return the new job's id, or the report that a live job holds the topic's unique
	 * key, or that the topic refused the job
	 * @throws IllegalArgumentException if the topic is unknown or the payload cannot be
	 * serialized; nothing is added
	 */
	default AddResult add(String topic, Object payload) {
		return add(NewJob.of(topic, payload));
	}

	/**
	 * Adds a job with its own options.
	 * @param job the job
	 * @return the new job's id, or the report that a live job holds its unique key, or
	 * that its topic refused it
	 * @throws IllegalArgumentException if the topic is unknown, the payload cannot be
	 * serialized, or a job it depends on does not exist; nothing is added
	 */
	AddResult add(NewJob job);

	/**
	 * Adds many jobs in one round trip to the database (one per job when their topics
	 * limit waiting jobs or they depend on others).
	 * @param jobs the jobs
	 * @return one result per job, in the order of {@code jobs}
	 * @throws IllegalArgumentException if any topic is unknown or any payload cannot be
	 * serialized; nothing is added
	 */
	List<AddResult> addAll(Collection<NewJob> jobs);

	/**
	 * Starts a chain of jobs, each of which waits for the one before it to succeed:
	 * {@code runQueue.chain(first).then(second).then(third).add()}.
	 * @param first the first job
	 * @return the chain
	 */
	default JobChain chain(NewJob first) {
		return new JobChain(this, List.of(first));
	}

	/**
	 * Adds a recurring job, or replaces the one with the same name. Scheduling again an
	 * unchanged definition (as an application does at every start) changes nothing.
	 * @param job the recurring job
	 * @throws IllegalArgumentException if the topic is unknown or the payload cannot be
	 * serialized
	 */
	void schedule(RecurringJob job);

	/**
	 * Removes a recurring job; jobs it added already stay.
	 * @param name the recurring job's name
	 * @return whether it existed
	 */
	boolean unschedule(String name);

}
