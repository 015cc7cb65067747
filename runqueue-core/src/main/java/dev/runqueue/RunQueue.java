package dev.runqueue;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.runqueue.job.JobInfo;
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

	/**
	 * A job's run state: its state, counters, node, times, last error and result.
	 * @param jobId the job
	 * @return the run state, or empty if there is no such job (it may have been pruned)
	 */
	Optional<JobInfo> find(long jobId);

	/**
	 * A future that completes when a job has finished (succeeded, failed or been
	 * cancelled), woken by the database's notification rather than by polling in a loop.
	 * It completes with {@link NoSuchElementException} if the job does not exist.
	 * @param jobId the job
	 * @return the future of the job's final run state
	 */
	CompletableFuture<JobInfo> whenFinished(long jobId);

	/**
	 * Waits until a job has finished.
	 * @param jobId the job
	 * @param timeout the longest wait
	 * @return the job's final run state
	 * @throws TimeoutException if it has not finished in time
	 * @throws InterruptedException if the waiting thread is interrupted
	 */
	default JobInfo awaitFinished(long jobId, Duration timeout) throws TimeoutException, InterruptedException {
		CompletableFuture<JobInfo> finished = whenFinished(jobId);
		try {
			return finished.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (ExecutionException ex) {
			throw (ex.getCause() instanceof RuntimeException runtime) ? runtime : new IllegalStateException(ex);
		}
	}

	/**
	 * Waits until a job has succeeded, and reads its result.
	 * @param jobId the job
	 * @param type the type of the result (what the handler returned)
	 * @param timeout the longest wait
	 * @param <T> the type
	 * @return the result, or {@code null} if the handler returned none
	 * @throws JobFailedException if the job failed or was cancelled
	 * @throws TimeoutException if it has not finished in time
	 * @throws InterruptedException if the waiting thread is interrupted
	 */
	<T> T awaitResult(long jobId, Class<T> type, Duration timeout) throws TimeoutException, InterruptedException;

}
