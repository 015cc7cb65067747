package dev.runqueue;

/**
 * What became of a job that was added: it was added with a new id; it was a duplicate of
 * a live job with the same unique key; or its topic holds as many waiting jobs as it may
 * and refused it (back pressure, which a web application can turn into a 503). Duplicates
 * and refusals are reported here rather than thrown, and change nothing else in the
 * caller's transaction.
 *
 * @param status whether the job was added
 * @param id the new job's id, for a duplicate the id of the job that holds the key, and 0
 * when refused
 * @param uniqueKey the job's unique key, or {@code null}
 */
public record AddResult(Status status, long id, String uniqueKey) {

	/**
	 * A job that was added.
	 * @param id its id
	 * @param uniqueKey its unique key, or {@code null}
	 * @return the result
	 */
	public static AddResult added(long id, String uniqueKey) {
		return new AddResult(Status.ADDED, id, uniqueKey);
	}

	/**
	 * A job that was not added because another holds its unique key.
	 * @param existingId the id of the job that holds the key
	 * @param uniqueKey the key
	 * @return the result
	 */
	public static AddResult duplicate(long existingId, String uniqueKey) {
		return new AddResult(Status.DUPLICATE, existingId, uniqueKey);
	}

	/**
	 * A job that was not added because its topic holds as many waiting jobs as it may.
	 * @param uniqueKey its unique key, or {@code null}
	 * @return the result
	 */
	public static AddResult refused(String uniqueKey) {
		return new AddResult(Status.REFUSED, 0, uniqueKey);
	}

	/**
	 * Whether a new job was added.
	 * @return {@code true} if it was
	 */
	public boolean added() {
		return this.status == Status.ADDED;
	}

	/**
	 * Whether the job was a duplicate of a live job with the same unique key.
	 * @return {@code true} if it was
	 */
	public boolean duplicate() {
		return this.status == Status.DUPLICATE;
	}

	/**
	 * Whether the job's topic refused it because it holds as many waiting jobs as it may.
	 * @return {@code true} if it did
	 */
	public boolean refused() {
		return this.status == Status.REFUSED;
	}

	/**
	 * Whether a job was added.
	 */
	public enum Status {

		/** A new job was added. */
		ADDED,

		/** Another job holds the unique key; nothing was added. */
		DUPLICATE,

		/** The topic holds as many waiting jobs as it may; nothing was added. */
		REFUSED

	}

}
