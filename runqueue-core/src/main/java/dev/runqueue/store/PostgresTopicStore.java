package dev.runqueue.store;

import java.time.Duration;
import java.util.List;

import javax.sql.DataSource;

import org.springframework.jdbc.core.simple.JdbcClient;

import static dev.runqueue.store.SqlValues.seconds;

/**
 * The {@link TopicStore} on PostgreSQL.
 */
public class PostgresTopicStore implements TopicStore {

	private final JdbcClient jdbc;

	private final String releasesInWindow;

	private final String recordReleases;

	private final String setPaused;

	private final String paused;

	/**
	 * Creates a store.
	 * @param dataSource the data source
	 * @param tableNames where the tables are
	 */
	public PostgresTopicStore(DataSource dataSource, TableNames tableNames) {
		this.jdbc = JdbcClient.create(dataSource);
		this.releasesInWindow = TopicSql.RELEASES_IN_WINDOW.replace("{topic}", tableNames.topic());
		this.recordReleases = TopicSql.RECORD_RELEASES.replace("{topic}", tableNames.topic());
		this.setPaused = TopicSql.SET_PAUSED.replace("{topic}", tableNames.topic());
		this.paused = TopicSql.PAUSED.replace("{topic}", tableNames.topic());
	}

	@Override
	public RateWindow releasesInWindow(String topic, Duration period) {
		return this.jdbc.sql(this.releasesInWindow)
			.param("topic", topic)
			.param("period_seconds", seconds(period))
			.query((rs, row) -> new RateWindow(rs.getInt("released"),
					SqlValues.duration(rs, "seconds_until_oldest_leaves")))
			.single();
	}

	@Override
	public void recordReleases(String topic, int count, Duration period) {
		this.jdbc.sql(this.recordReleases)
			.param("topic", topic)
			.param("count", count)
			.param("period_seconds", seconds(period))
			.update();
	}

	@Override
	public void setPaused(String topic, boolean paused) {
		this.jdbc.sql(this.setPaused).param("topic", topic).param("paused", paused).update();
	}

	@Override
	public List<String> paused() {
		return this.jdbc.sql(this.paused).query(String.class).list();
	}

}
