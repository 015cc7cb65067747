package dev.runqueue.store;

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

}
