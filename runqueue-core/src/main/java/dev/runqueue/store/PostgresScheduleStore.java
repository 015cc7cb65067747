package dev.runqueue.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import org.springframework.jdbc.core.simple.JdbcClient;

import static dev.runqueue.store.SqlValues.duration;
import static dev.runqueue.store.SqlValues.instant;
import static dev.runqueue.store.SqlValues.seconds;
import static dev.runqueue.store.SqlValues.timestamp;

/**
 * The {@link ScheduleStore} on PostgreSQL.
 */
public class PostgresScheduleStore implements ScheduleStore {

	private final JdbcClient jdbc;

	private final String list;

	private final String upsert;

	private final String delete;

	private final String lockDue;

	private final String advance;

	private final String timeUntilNextDue;

	/**
	 * Creates a store.
	 * @param dataSource the data source
	 * @param tableNames where the tables are
	 */
	public PostgresScheduleStore(DataSource dataSource, TableNames tableNames) {
		this.jdbc = JdbcClient.create(dataSource);
		this.list = named(ScheduleSql.LIST, tableNames);
		this.upsert = named(ScheduleSql.UPSERT, tableNames);
		this.delete = named(ScheduleSql.DELETE, tableNames);
		this.lockDue = named(ScheduleSql.LOCK_DUE, tableNames);
		this.advance = named(ScheduleSql.ADVANCE, tableNames);
		this.timeUntilNextDue = named(ScheduleSql.TIME_UNTIL_NEXT_DUE, tableNames);
	}

	private static String named(String sql, TableNames tableNames) {
		return sql.replace("{schedule}", tableNames.schedule());
	}

	@Override
	public Instant now() {
		return this.jdbc.sql(ScheduleSql.NOW).query((rs, row) -> instant(rs, "now")).single();
	}

	@Override
	public List<ScheduleRecord> list() {
		return this.jdbc.sql(this.list).query((rs, row) -> schedule(rs)).list();
	}

	@Override
	public boolean upsert(ScheduleRecord schedule) {
		return !this.jdbc.sql(this.upsert)
			.param("name", schedule.name())
			.param("topic", schedule.topic())
			.param("payload", schedule.payload())
			.param("cron", schedule.cron(), Types.VARCHAR)
			.param("zone", schedule.zone(), Types.VARCHAR)
			.param("every_seconds", seconds(schedule.every()), Types.DOUBLE)
			.param("function", schedule.function(), Types.VARCHAR)
			.param("start_at", timestamp(schedule.startAt()), Types.TIMESTAMP_WITH_TIMEZONE)
			.param("max_runs", schedule.maxRuns(), Types.INTEGER)
			.param("missed", schedule.missed())
			.param("source", schedule.source())
			.param("next_run_at", timestamp(schedule.nextRunAt()), Types.TIMESTAMP_WITH_TIMEZONE)
			.query(String.class)
			.list()
			.isEmpty();
	}

	@Override
	public boolean delete(String name) {
		return this.jdbc.sql(this.delete).param("name", name).update() == 1;
	}

	@Override
	public List<DueSchedule> lockDue(int limit) {
		return this.jdbc.sql(this.lockDue)
			.param("limit", limit)
			.query((rs, row) -> new DueSchedule(schedule(rs), instant(rs, "database_now")))
			.list();
	}

	@Override
	public boolean advance(String name, Instant nextRunAt, int added) {
		return this.jdbc.sql(this.advance)
			.param("name", name)
			.param("next_run_at", timestamp(nextRunAt), Types.TIMESTAMP_WITH_TIMEZONE)
			.param("added", added)
			.update() == 1;
	}

	@Override
	public Optional<Duration> timeUntilNextDue() {
		return this.jdbc.sql(this.timeUntilNextDue)
			.query((rs, row) -> duration(rs, "seconds_until_due"))
			.optional()
			.filter((untilDue) -> untilDue != null);
	}

	private static ScheduleRecord schedule(ResultSet rs) throws SQLException {
		return new ScheduleRecord(rs.getString("name"), rs.getString("topic"), rs.getString("payload"),
				rs.getString("cron"), rs.getString("zone"), duration(rs, "every_seconds"), rs.getString("function"),
				instant(rs, "start_at"), (Integer) rs.getObject("max_runs"), rs.getString("missed"),
				rs.getString("source"), rs.getInt("runs"), instant(rs, "next_run_at"), instant(rs, "last_run_at"));
	}

}
