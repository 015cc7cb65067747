package dev.runqueue.job;

import java.util.Arrays;

/**
 * The states of a job, as stored in the job table.
 */
public enum JobState {

	/** Waiting for the jobs it depends on to succeed. */
	PENDING("pending"),

	/** Waiting for its time: added with a delay, or waiting to be retried. */
	SCHEDULED("scheduled"),

	/** Runnable, waiting for a worker. */
	AVAILABLE("available"),

	/** Claimed by a worker that holds its lease. */
	RUNNING("running"),

	/** Finished: its handler succeeded. */
	SUCCEEDED("succeeded"),

	/** Finished: its attempts are used up, or its handler gave up on it. */
	FAILED("failed"),

	/** Finished: cancelled before it succeeded. */
	CANCELLED("cancelled"),

	/** Kept, but not run until it is enabled again; purging deletes it. */
	DISABLED("disabled");

	private final String column;

	JobState(String column) {
		this.column = column;
	}

	/**
	 * The value stored in the job table.
	 * @return the column value
	 */
	public String column() {
		return this.column;
	}

	/**
	 * Whether the job has finished and will not run again by itself.
	 * @return {@code true} for succeeded, failed and cancelled
	 */
	public boolean isFinished() {
		return this == SUCCEEDED || this == FAILED || this == CANCELLED;
	}

	/**
	 * The state stored as a column value.
	 * @param column the column value
	 * @return the state
	 */
	public static JobState ofColumn(String column) {
		return Arrays.stream(values())
			.filter((state) -> state.column.equals(column))
			.findFirst()
			.orElseThrow(() -> new IllegalArgumentException("Unknown job state '" + column + "'"));
	}

}
