package dev.runqueue.job;

/**
 * The node no longer holds a job's lease: the job was taken back (its lease expired, or
 * it was cancelled), and another node may run it. Nothing this node writes for the job
 * counts any more.
 */
public class LeaseLostException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates the exception.
	 * @param jobId the job
	 */
	public LeaseLostException(long jobId) {
		super("This node no longer holds the lease on job " + jobId + "; another node may run it");
	}

}
