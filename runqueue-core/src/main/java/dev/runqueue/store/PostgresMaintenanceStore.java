package dev.runqueue.store;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import dev.runqueue.job.JobState;

import org.springframework.jdbc.core.simple.JdbcClient;

import static dev.runqueue.store.SqlValues.seconds;

/**
 * The {@link MaintenanceStore} on PostgreSQL.
 */
public class PostgresMaintenanceStore implements MaintenanceStore {

	private final JdbcClient jdbc;

	private final String promoteDue;

	private final String timeUntilNextScheduled;

	private final String rescueExpired;

	private final String pruneFinished;

	private final String releaseReadyDependents;

	private final String giveUpDependents;

	/**
	 * Creates a store.
	 * @param dataSource the data source
	 * @param tableNames where the tables are
	 */
	public PostgresMaintenanceStore(DataSource dataSource, TableNames tableNames) {
		this.jdbc = JdbcClient.create(dataSource);
		this.promoteDue = named(JobSql.PROMOTE_DUE, tableNames);
		this.timeUntilNextScheduled = named(JobSql.TIME_UNTIL_NEXT_SCHEDULED, tableNames);
		this.rescueExpired = named(JobSql.RESCUE_EXPIRED, tableNames);
		this.pruneFinished = named(JobSql.PRUNE_FINISHED, tableNames);
		this.releaseReadyDependents = named(JobSql.RELEASE_READY_DEPENDENTS, tableNames);
		this.giveUpDependents = named(JobSql.GIVE_UP_DEPENDENTS, tableNames);
	}

	private static String named(String sql, TableNames tableNames) {
		return sql.replace("{job}", tableNames.job());
	}

	@Override
	public List<String> promoteDue(int limit) {
		return this.jdbc.sql(this.promoteDue).param("limit", limit).query(String.class).list();
	}

	@Override
	public Optional<Duration> timeUntilNextScheduled() {
		return this.jdbc.sql(this.timeUntilNextScheduled)
			.query((rs, row) -> SqlValues.duration(rs, "seconds_until_due"))
			.optional();
	}

	@Override
	public List<RescuedJob> rescueExpired(int limit, int maxRescues) {
		return this.jdbc.sql(this.rescueExpired)
			.param("limit", limit)
			.param("max_rescues", maxRescues)
			.query((rs, row) -> new RescuedJob(rs.getLong("id"), rs.getString("topic"),
					JobState.ofColumn(rs.getString("state")), rs.getString("claimed_by"), rs.getInt("rescues")))
			.list();
	}

	@Override
	public int pruneFinished(JobState state, Duration retention, int limit) {
		if (!state.isFinished()) {
			throw new IllegalArgumentException("Only finished jobs are pruned, not " + state);
		}
		return this.jdbc.sql(this.pruneFinished)
			.param("state", state.column())
			.param("retention_seconds", seconds(retention))
			.param("limit", limit)
			.update();
	}

	@Override
	public List<Released> releaseReadyDependents() {
		return this.jdbc.sql(this.releaseReadyDependents)
			.query((rs, row) -> new Released(rs.getString("topic"), JobState.ofColumn(rs.getString("state"))))
			.list();
	}

	@Override
	public int giveUpDependents() {
		return this.jdbc.sql(this.giveUpDependents).update();
	}

}
