package dev.runqueue;

import java.util.Collection;
import java.util.List;

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
	 * key
	 * @throws IllegalArgumentException if the topic is unknown or the payload cannot be
	 * serialized; nothing is added
	 */
	default AddResult add(String topic, Object payload) {
		return add(NewJob.of(topic, payload));
	}

	/**
	 * Adds a job with its own options.
	 * @param job the job
	 * @return the new job's id, or the report that a live job holds its unique key
	 * @throws IllegalArgumentException if the topic is unknown or the payload cannot be
	 * serialized; nothing is added
	 */
	AddResult add(NewJob job);

	/**
	 * Adds many jobs in one round trip to the database.
	 * @param jobs the jobs
	 * @return one result per job, in the order of {@code jobs}
	 * @throws IllegalArgumentException if any topic is unknown or any payload cannot be
	 * serialized; nothing is added
	 */
	List<AddResult> addAll(Collection<NewJob> jobs);

}
