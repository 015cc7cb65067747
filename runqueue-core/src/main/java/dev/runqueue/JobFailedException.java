package dev.runqueue;

import dev.runqueue.job.JobInfo;

/**
 * A job that somebody waited for failed or was cancelled instead of succeeding.
 */
public class JobFailedException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final transient JobInfo job;

	/**
	 * Creates the exception.
	 * @param job the job as it finished
	 */
	public JobFailedException(JobInfo job) {
		super("Job " + job.id() + " of topic '" + job.topic() + "' " + job.state().column()
				+ ((job.lastError() != null) ? ": " + firstLine(job.lastError()) : ""));
		this.job = job;
	}

	/**
	 * The job as it finished, with its last error.
	 * @return the job
	 */
	public JobInfo job() {
		return this.job;
	}

	private static String firstLine(String text) {
		int newline = text.indexOf('\n');
		return (newline < 0) ? text : text.substring(0, newline);
	}

}
