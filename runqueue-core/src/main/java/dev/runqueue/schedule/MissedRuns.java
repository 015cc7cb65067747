package dev.runqueue.schedule;

/**
 * What a schedule does about occurrences missed while the cluster was down (or its leader
 * could not add them on time): an occurrence counts as missed when it is later than the
 * leader's lease, the longest a change of leader can delay it.
 */
public enum MissedRuns {

	/** Run once now for all the missed occurrences, then go on with the next. */
	RUN_ONCE("run-once"),

	/** Skip the missed occurrences and go on with the next. */
	SKIP("skip");

	private final String column;

	MissedRuns(String column) {
		this.column = column;
	}

	/**
	 * The value stored in the schedule table.
	 * @return the column value
	 */
	public String column() {
		return this.column;
	}

	/**
	 * The policy stored as a column value.
	 * @param column the value
	 * @return the policy
	 */
	public static MissedRuns ofColumn(String column) {
		return RUN_ONCE.column.equals(column) ? RUN_ONCE : SKIP;
	}

}
