package dev.runqueue.store;

import java.util.regex.Pattern;

import dev.runqueue.InvalidSettingException;

/**
 * Where runqueue's tables are: an optional schema and a prefix for table names.
 *
 * @param schema the schema, or {@code null} for the connection's current schema
 * @param prefix the prefix of every table, function and notification channel name,
 * {@code runqueue_} by default
 */
public record TableNames(String schema, String prefix) {

	/** Default prefix. */
	public static final String DEFAULT_PREFIX = "runqueue_";

	// Lower case without quoting, so that names read the same in psql as in the code.
	private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*");

	private static final Pattern PREFIX = Pattern.compile("[a-z_][a-z0-9_]*|");

	// PostgreSQL truncates identifiers to 63 bytes; the longest name built from the
	// prefix (the constraint job_dependency_failure_check) adds 28 characters.
	private static final int MAX_PREFIX_LENGTH = 35;

	// Declared after the patterns, which the constructor uses.
	/** The defaults: the current schema and the prefix {@code runqueue_}. */
	public static final TableNames DEFAULT = new TableNames(null, DEFAULT_PREFIX);

	/**
	 * Checks the names.
	 * @throws InvalidSettingException naming the setting that is wrong
	 */
	public TableNames {
		InvalidSettingException.require(schema == null || IDENTIFIER.matcher(schema).matches(), "schema",
				"'" + schema + "'", "must be a lower-case SQL identifier (letters, digits and _)");
		InvalidSettingException.require(prefix != null && PREFIX.matcher(prefix).matches(), "tablePrefix",
				"'" + prefix + "'", "must be empty or a lower-case SQL identifier (letters, digits and _)");
		InvalidSettingException.require(prefix.length() <= MAX_PREFIX_LENGTH, "tablePrefix", "'" + prefix + "'",
				"must have at most " + MAX_PREFIX_LENGTH + " characters");
	}

	/**
	 * The job table, qualified with the schema when there is one.
	 * @return the table's name
	 */
	public String job() {
		return qualified("job");
	}

	/**
	 * The schedule table, qualified with the schema when there is one.
	 * @return the table's name
	 */
	public String schedule() {
		return qualified("schedule");
	}

	/**
	 * The topic table, qualified with the schema when there is one.
	 * @return the table's name
	 */
	public String topic() {
		return qualified("topic");
	}

	/**
	 * The node table, qualified with the schema when there is one.
	 * @return the table's name
	 */
	public String node() {
		return qualified("node");
	}

	/**
	 * The leader table, qualified with the schema when there is one.
	 * @return the table's name
	 */
	public String leader() {
		return qualified("leader");
	}

	/**
	 * The notification channel on which workers hear of added jobs.
	 * @return the channel's name
	 */
	public String jobAddedChannel() {
		return this.prefix + "job_added";
	}

	/**
	 * The notification channel on which workers hear that a job was added to run later.
	 * @return the channel's name
	 */
	public String jobScheduledChannel() {
		return this.prefix + "job_scheduled";
	}

	/**
	 * The notification channel on which those waiting for jobs hear which ones finished.
	 * @return the channel's name
	 */
	public String jobFinishedChannel() {
		return this.prefix + "job_finished";
	}

	/**
	 * The notification channel on which nodes hear that an operator cancelled a running
	 * job.
	 * @return the channel's name
	 */
	public String jobCancelledChannel() {
		return this.prefix + "job_cancelled";
	}

	/**
	 * The table in which runqueue's own Flyway records the migrations it applied.
	 * @return the table's name, without schema
	 */
	public String schemaHistoryTable() {
		return this.prefix + "schema_history";
	}

	private String qualified(String table) {
		return (this.schema != null) ? this.schema + "." + this.prefix + table : this.prefix + table;
	}

}
