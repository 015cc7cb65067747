package dev.runqueue.store;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

import javax.sql.DataSource;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.SqlArrayValue;

/**
 * The {@link NodeStore} on PostgreSQL.
 */
public class PostgresNodeStore implements NodeStore {

	private final JdbcClient jdbc;

	private final String register;

	private final String heartbeat;

	private final String markStopped;

	private final String list;

	private final String removeGone;

	private final String lead;

	private final String resign;

	/**
	 * Creates a store.
	 * @param dataSource the data source
	 * @param tableNames where the tables are
	 */
	public PostgresNodeStore(DataSource dataSource, TableNames tableNames) {
		this.jdbc = JdbcClient.create(dataSource);
		this.register = named(NodeSql.REGISTER, tableNames);
		this.heartbeat = named(NodeSql.HEARTBEAT, tableNames);
		this.markStopped = named(NodeSql.MARK_STOPPED, tableNames);
		this.list = named(NodeSql.LIST, tableNames);
		this.removeGone = named(NodeSql.REMOVE_GONE, tableNames);
		this.lead = named(NodeSql.LEAD, tableNames);
		this.resign = named(NodeSql.RESIGN, tableNames);
	}

	private static String named(String sql, TableNames tableNames) {
		return sql.replace("{node}", tableNames.node()).replace("{leader}", tableNames.leader());
	}

	@Override
	public void register(String name, String host, long pid, Collection<String> topics) {
		this.jdbc.sql(this.register)
			.param("name", name)
			.param("host", host)
			.param("pid", pid)
			.param("topics", new SqlArrayValue("text", topics.toArray()))
			.update();
	}

	@Override
	public boolean heartbeat(String name) {
		return this.jdbc.sql(this.heartbeat).param("name", name).update() == 1;
	}

	@Override
	public void markStopped(String name) {
		this.jdbc.sql(this.markStopped).param("name", name).update();
	}

	@Override
	public List<NodeRecord> list(Duration deadAfter) {
		return this.jdbc.sql(this.list)
			.param("dead_after_seconds", deadAfter.toNanos() / 1e9)
			.query(PostgresNodeStore::nodeRecord)
			.list();
	}

	private static NodeRecord nodeRecord(ResultSet rs, int row) throws SQLException {
		Array topics = rs.getArray("topics");
		return new NodeRecord(rs.getString("name"), rs.getString("host"), rs.getLong("pid"),
				Arrays.asList((String[]) topics.getArray()), instant(rs, "started_at"), instant(rs, "heartbeat_at"),
				instant(rs, "stopped_at"), rs.getBoolean("alive"), rs.getBoolean("leader"));
	}

	@Override
	public int removeGone(Duration retention) {
		return this.jdbc.sql(this.removeGone).param("retention_seconds", retention.toNanos() / 1e9).update();
	}

	@Override
	public boolean lead(String role, String node, Duration duration) {
		return !this.jdbc.sql(this.lead)
			.param("role", role)
			.param("node", node)
			.param("lease_seconds", duration.toNanos() / 1e9)
			.query(String.class)
			.list()
			.isEmpty();
	}

	@Override
	public void resign(String role, String node) {
		this.jdbc.sql(this.resign).param("role", role).param("node", node).update();
	}

	private static Instant instant(ResultSet rs, String column) throws SQLException {
		OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
		return (value != null) ? value.toInstant() : null;
	}

}
