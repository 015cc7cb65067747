package dev.runqueue.job;

import java.time.Duration;
import java.util.Optional;

/**
 * What a running handler can learn about its job and do about its run. A handler method
 * receives it when it declares a parameter of this type.
 */
public interface JobContext {

	/**
	 * The job being run.
	 * @return the job
	 */
	Job job();

	/**
	 * The job's id.
	 * @return the id
	 */
	default long jobId() {
		return job().id();
	}

	/**
	 * This attempt's number, counting from 1.
	 * @return the attempt
	 */
	default int attempt() {
		return job().attempt();
	}

	/**
	 * The error of the previous failed attempt.
	 * @return the error, or empty on a first attempt or after a successful round
	 */
	default Optional<String> lastError() {
		return Optional.ofNullable(job().lastError());
	}

	/**
	 * Whether the run has been cancelled: the node is shutting down, the job timed out,
	 * or its lease was lost. A handler that loops should check this and return; its
	 * thread is also interrupted.
	 * @return {@code true} once cancelled
	 */
	boolean isCancelled();

	/**
	 * Extends the lease on the job, so that it is not taken back while the handler is
	 * still at work. Leases are renewed by the worker anyway; this is for a handler that
	 * wants a longer lease than the worker's.
	 * @param duration how long from now the lease lasts, by the database's clock
	 * @throws LeaseLostException if the node no longer holds the job
	 */
	void extendLease(Duration duration);

}
