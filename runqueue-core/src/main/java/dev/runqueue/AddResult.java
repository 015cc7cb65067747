package dev.runqueue;

/**
 * What became of a job that was added: it was added with a new id, or it was a duplicate
 * of a live job with the same unique key, which is reported here rather than thrown.
 *
 * @param status whether the job was added
 * @param id the new job's id, or for a duplicate the id of the job that holds the key
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
	 * Whether a job was added.
	 */
	public enum Status {

		/** A new job was added. */
		ADDED,

		/** Another job holds the unique key; nothing was added. */
		DUPLICATE

	}

}
