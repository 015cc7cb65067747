package dev.runqueue.job;

/**
 * Runs the jobs of a topic. A handler that returns normally decides the job's outcome
 * with its {@link JobResult}; one that throws has failed, and the job is retried until it
 * has used its attempts.
 */
@FunctionalInterface
public interface JobHandler {

	/**
	 * Runs one job.
	 * @param job the job
	 * @param context what the handler can learn about the run and do about it
	 * @return the outcome, {@link JobResult#success()} in the common case
	 * @throws Exception to fail the attempt
	 */
	JobResult handle(Job job, JobContext context) throws Exception;

}
