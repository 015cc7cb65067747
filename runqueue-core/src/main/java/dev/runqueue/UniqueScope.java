package dev.runqueue;

/**
 * How long a job's unique key keeps other jobs with the same key from being added.
 */
public enum UniqueScope {

	/**
	 * While the job is scheduled, available or running; once it has finished, the key is
	 * free again.
	 */
	LIVE("live"),

	/** As long as the job is kept, finished or not: until it is pruned or deleted. */
	RETAINED("retained");

	private final String column;

	UniqueScope(String column) {
		this.column = column;
	}

	/**
	 * The value stored in the job table.
	 * @return the column value
	 */
	public String column() {
		return this.column;
	}

}
