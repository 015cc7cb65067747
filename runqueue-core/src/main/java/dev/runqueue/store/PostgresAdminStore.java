package dev.runqueue.store;

import java.sql.Types;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import dev.runqueue.job.JobState;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The {@link AdminStore} on PostgreSQL.
 */
public class PostgresAdminStore implements AdminStore {

	private final JdbcClient jdbc;

	private final String disable;

	private final String enable;

	private final String purgeDisabled;

	private final String list;

	private final String depths;

	private final String retry;

	private final String cancel;

	private final String delete;

	/**
	 * Creates a store.
	 * @param dataSource the data source
	 * @param tableNames where the tables are
	 */
	public PostgresAdminStore(DataSource dataSource, TableNames tableNames) {
		this.jdbc = JdbcClient.create(dataSource);
		this.disable = JobSql.DISABLE.replace("{job}", tableNames.job());
		this.enable = JobSql.ENABLE.replace("{job}", tableNames.job());
		this.purgeDisabled = JobSql.PURGE_DISABLED.replace("{job}", tableNames.job());
		this.list = JobSql.LIST.replace("{job}", tableNames.job());
		this.depths = JobSql.DEPTHS.replace("{job}", tableNames.job());
		this.retry = JobSql.RETRY_FINISHED.replace("{job}", tableNames.job());
		this.cancel = JobSql.CANCEL.replace("{job}", tableNames.job());
		this.delete = JobSql.DELETE.replace("{job}", tableNames.job());
	}

	@Override
	public boolean disable(long id) {
		return this.jdbc.sql(this.disable).param("id", id).update() == 1;
	}

	@Override
	public Optional<MaintenanceStore.Released> enable(long id) {
		return this.jdbc.sql(this.enable)
			.param("id", id)
			.query((rs, row) -> new MaintenanceStore.Released(rs.getString("topic"),
					JobState.ofColumn(rs.getString("state"))))
			.optional();
	}

	@Override
	public int purgeDisabled(String topic, int limit) {
		return this.jdbc.sql(this.purgeDisabled).param("topic", topic).param("limit", limit).update();
	}

	@Override
	public List<JobRecord> list(JobFilter filter) {
		return this.jdbc.sql(this.list)
			.param("topic", filter.topic(), Types.VARCHAR)
			.param("states", SqlValues.array("text", filter.states()))
			.param("created_after", SqlValues.timestamp(filter.createdAfter()), Types.TIMESTAMP_WITH_TIMEZONE)
			.param("created_before", SqlValues.timestamp(filter.createdBefore()), Types.TIMESTAMP_WITH_TIMEZONE)
			.param("unique_key", filter.uniqueKey(), Types.VARCHAR)
			.param("group_key", filter.group(), Types.VARCHAR)
			.param("before_id", filter.beforeId(), Types.BIGINT)
			.param("limit", filter.limit())
			.query((rs, row) -> PostgresJobStore.jobRecord(rs))
			.list();
	}

	@Override
	public List<Depth> depths() {
		return this.jdbc.sql(this.depths)
			.query((rs, row) -> new Depth(rs.getString("topic"), JobState.ofColumn(rs.getString("state")),
					rs.getLong("jobs")))
			.list();
	}

	@Override
	public Optional<String> retry(long id) {
		return this.jdbc.sql(this.retry).param("id", id).query(String.class).optional();
	}

	@Override
	public Optional<Cancelled> cancel(long id, String reason) {
		return this.jdbc.sql(this.cancel)
			.param("id", id)
			.param("reason", reason, Types.VARCHAR)
			.query((rs, row) -> new Cancelled(JobState.ofColumn(rs.getString("previous_state")), rs.getString("topic")))
			.optional();
	}

	@Override
	public boolean delete(long id) {
		return this.jdbc.sql(this.delete).param("id", id).update() == 1;
	}

}
