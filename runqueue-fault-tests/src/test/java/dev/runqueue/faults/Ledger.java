package dev.runqueue.faults;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import dev.runqueue.DefaultRunQueue;
import dev.runqueue.JsonCodec;
import dev.runqueue.TopicSettings;
import dev.runqueue.Topics;
import dev.runqueue.store.JobRecord;
import dev.runqueue.store.PostgresJobStore;
import dev.runqueue.store.SchemaMigrator;
import dev.runqueue.store.TableNames;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The execution ledger and the job table, read by the tests on connections of their own.
 * The nodes' handlers write the ledger ({@link FaultHandler}): one row per execution,
 * stamped with the database's clock when it starts and when it ends. The ledger is in the
 * jobs' database, or, for a test that takes that database away, in another database on
 * the same machine, whose clock is the same. Every time here is a database's, so that it
 * compares with the job table's.
 */
final class Ledger {

	private final JdbcClient jobs;

	private final JdbcClient ledger;

	private final PostgresJobStore store;

	private Ledger(DataSource jobs, DataSource ledger) {
		this.jobs = JdbcClient.create(jobs);
		this.ledger = JdbcClient.create(ledger);
		this.store = new PostgresJobStore(jobs);
	}

	/**
	 * Creates runqueue's tables, the ledger, and the orders and effects tables if need
	 * be, all in one database, and empties them (the schedules too).
	 * @param dataSource the database
	 * @return the ledger
	 */
	static Ledger prepare(DataSource dataSource) {
		return prepare(dataSource, dataSource);
	}

	/**
	 * Creates runqueue's tables, the orders and effects tables in one database and the
	 * ledger in another, if need be, and empties them.
	 * @param jobs the jobs' database
	 * @param ledger the ledger's database
	 * @return the ledger
	 */
	static Ledger prepare(DataSource jobs, DataSource ledger) {
		new SchemaMigrator(jobs, TableNames.DEFAULT).migrate();
		JdbcClient jobsJdbc = JdbcClient.create(jobs);
		JdbcClient ledgerJdbc = JdbcClient.create(ledger);
		ledgerJdbc.sql("""
				CREATE TABLE IF NOT EXISTS ledger (
				    execution   uuid PRIMARY KEY,
				    job_id      bigint NOT NULL,
				    node        text NOT NULL,
				    attempt     integer NOT NULL,
				    started_at  timestamptz NOT NULL,
				    finished_at timestamptz,
				    outcome     text,
				    note        text
				)
				""").update();
		ledgerJdbc.sql("CREATE INDEX IF NOT EXISTS ledger_job_id ON ledger (job_id)").update();
		ledgerJdbc.sql("TRUNCATE ledger").update();
		jobsJdbc.sql("CREATE TABLE IF NOT EXISTS orders (id bigint PRIMARY KEY, item text NOT NULL)").update();
		jobsJdbc.sql(
				"CREATE TABLE IF NOT EXISTS effects (job_id bigint NOT NULL, node text NOT NULL, execution uuid NOT NULL)")
			.update();
		jobsJdbc
			.sql("TRUNCATE orders, effects, runqueue_job, runqueue_node, runqueue_leader, "
					+ TableNames.DEFAULT.schedule())
			.update();
		return new Ledger(jobs, ledger);
	}

	/**
	 * SQL on the jobs' database; on the ledger too when it is in the same database.
	 * @return the client
	 */
	JdbcClient jdbc() {
		return this.jobs;
	}

	/**
	 * SQL on the ledger's database.
	 * @return the client
	 */
	JdbcClient ledgerJdbc() {
		return this.ledger;
	}

	/**
	 * A queue that adds jobs of the given topics, each with its defaults, on the jobs'
	 * database.
	 * @param topics the topics
	 * @return the queue
	 */
	DefaultRunQueue queue(String... topics) {
		return queue(this.store, topics);
	}

	/**
	 * A queue that adds jobs of the given topics, each with its defaults, on any data
	 * source.
	 * @param dataSource the data source, whose Spring-managed transactions adding joins
	 * @param topics the topics
	 * @return the queue
	 */
	static DefaultRunQueue queue(DataSource dataSource, String... topics) {
		return queue(new PostgresJobStore(dataSource), topics);
	}

	private static DefaultRunQueue queue(PostgresJobStore store, String... topics) {
		return new DefaultRunQueue(store, Topics.of(Arrays.stream(topics).map(TopicSettings::named).toList()),
				new JsonCodec());
	}

	/**
	 * A job's row.
	 * @param id the job
	 * @return the row
	 */
	JobRecord job(long id) {
		return this.store.find(id).orElseThrow();
	}

	/**
	 * The database's clock.
	 * @return now, by the database
	 */
	Instant now() {
		return this.jobs.sql("SELECT clock_timestamp()").query((rs, row) -> instant(rs, 1)).single();
	}

	/**
	 * Every execution, in the order they started.
	 * @return the executions
	 */
	List<Execution> executions() {
		return this.ledger.sql("SELECT * FROM ledger ORDER BY started_at, execution").query(Ledger::execution).list();
	}

	/**
	 * The executions of one job, in the order they started.
	 * @param jobId the job
	 * @return the executions
	 */
	List<Execution> executionsOf(long jobId) {
		return this.ledger.sql("SELECT * FROM ledger WHERE job_id = :id ORDER BY started_at, execution")
			.param("id", jobId)
			.query(Ledger::execution)
			.list();
	}

	/**
	 * The jobs a node holds now, with their leases' expiry, by the database.
	 * @param node the node
	 * @return job id to lease expiry
	 */
	Map<Long, Instant> leasesHeldBy(String node) {
		Map<Long, Instant> leases = new LinkedHashMap<>();
		this.jobs
			.sql("SELECT id, lease_expires_at FROM runqueue_job WHERE state = 'running' AND claimed_by = :node "
					+ "ORDER BY id")
			.param("node", node)
			.query((rs) -> {
				leases.put(rs.getLong("id"), instant(rs, 2));
			});
		return leases;
	}

	/**
	 * How many jobs are in a state.
	 * @param state the state
	 * @return the count
	 */
	int countInState(String state) {
		return this.jobs.sql("SELECT count(*) FROM runqueue_job WHERE state = :state")
			.param("state", state)
			.query(Integer.class)
			.single();
	}

	/**
	 * The node that leads the cluster's maintenance.
	 * @return its name, or {@code null}
	 */
	String leader() {
		return this.jobs.sql("SELECT node FROM runqueue_leader WHERE role = 'maintenance' AND expires_at > now()")
			.query(String.class)
			.optional()
			.orElse(null);
	}

	private static Execution execution(ResultSet rs, int row) throws SQLException {
		return new Execution(rs.getObject("execution", UUID.class), rs.getLong("job_id"), rs.getString("node"),
				rs.getInt("attempt"), instant(rs, "started_at"), instant(rs, "finished_at"), rs.getString("outcome"),
				rs.getString("note"));
	}

	/**
	 * An instant as a parameter for a {@code timestamptz} column.
	 * @param instant the instant
	 * @return the parameter
	 */
	static OffsetDateTime timestamp(Instant instant) {
		return instant.atOffset(ZoneOffset.UTC);
	}

	static Instant instant(ResultSet rs, String column) throws SQLException {
		OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
		return (value != null) ? value.toInstant() : null;
	}

	static Instant instant(ResultSet rs, int column) throws SQLException {
		OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
		return (value != null) ? value.toInstant() : null;
	}

	/**
	 * Seconds between two instants, for the log.
	 * @param from the start
	 * @param to the end
	 * @return the seconds, with millisecond precision
	 */
	static String seconds(Instant from, Instant to) {
		return String.format("%.3fs", Duration.between(from, to).toNanos() / 1e9);
	}

	/**
	 * One execution of a job's handler.
	 *
	 * @param id the execution's id
	 * @param jobId the job
	 * @param node the node it ran on
	 * @param attempt the attempt the handler was told
	 * @param startedAt when it started
	 * @param finishedAt when it ended, or {@code null} if it never did (its node died, or
	 * it still runs)
	 * @param outcome how it ended: {@code succeeded}, {@code failed},
	 * {@code interrupted}, {@code cancelled}, {@code abandoned}, or {@code null}
	 * @param note what the handler noted
	 */
	record Execution(UUID id, long jobId, String node, int attempt, Instant startedAt, Instant finishedAt,
			String outcome, String note) {

		boolean succeeded() {
			return "succeeded".equals(this.outcome);
		}

		boolean finished() {
			return this.finishedAt != null;
		}

	}

}
