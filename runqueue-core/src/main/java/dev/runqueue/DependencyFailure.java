package dev.runqueue;

/**
 * What becomes of a job when a job it depends on fails for good, is cancelled or is
 * deleted.
 */
public enum DependencyFailure {

	/** The dependent job is cancelled. */
	CANCEL("cancel"),

	/** The dependent job fails. */
	FAIL("fail");

	private final String column;

	DependencyFailure(String column) {
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
