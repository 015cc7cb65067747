package dev.runqueue.benchmarks;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.runqueue.store.SchemaMigrator;
import dev.runqueue.store.TableNames;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The run's own database, created next to the one the configuration names and dropped at
 * the end (also on Ctrl-C), with runqueue's tables in it, and the connections to it.
 */
final class BenchDatabase implements AutoCloseable {

	/** The job table, as runqueue's migrations name it by default. */
	static final String JOB = TableNames.DEFAULT.job();

	private final BenchConfig config;

	private final String name;

	private final String url;

	private final List<HikariDataSource> pools = new ArrayList<>();

	private final HikariDataSource main;

	private final JdbcClient jdbc;

	private final Thread dropOnExit;

	private boolean dropped;

	private BenchDatabase(BenchConfig config, String name) {
		this.config = config;
		this.name = name;
		this.url = withDatabase(config.url(), name);
		this.dropOnExit = new Thread(this::drop, "runqueue-bench-drop-database");
		Runtime.getRuntime().addShutdownHook(this.dropOnExit);
		this.main = pool("rq-bench-main", 6, 2);
		this.jdbc = JdbcClient.create(this.main);
	}

	/**
	 * Creates a fresh database and applies runqueue's migrations to it.
	 * @param config where the server is
	 * @return the database
	 */
	static BenchDatabase create(BenchConfig config) {
		String name = "runqueue_bench_" + ProcessHandle.current().pid() + "_" + (System.currentTimeMillis() / 1000);
		execute(config, config.url(), "CREATE DATABASE " + name + " TEMPLATE template0");
		BenchDatabase database = new BenchDatabase(config, name);
		try {
			new SchemaMigrator(database.main, TableNames.DEFAULT).migrate();
		}
		catch (RuntimeException ex) {
			database.close();
			throw ex;
		}
		return database;
	}

	String name() {
		return this.name;
	}

	String url() {
		return this.url;
	}

	/**
	 * The pool the benchmark itself uses, for preparing tables and reading results.
	 * @return the data source
	 */
	DataSource dataSource() {
		return this.main;
	}

	JdbcClient jdbc() {
		return this.jdbc;
	}

	/**
	 * A new pool, closed at the end at the latest, whose connections show the given
	 * application name in {@code pg_stat_activity}.
	 * @param applicationName the name
	 * @param size the number of connections, all opened at once
	 * @return the pool
	 */
	HikariDataSource pool(String applicationName, int size) {
		return pool(applicationName, size, size);
	}

	synchronized HikariDataSource pool(String applicationName, int size, int minimumIdle) {
		HikariConfig hikari = new HikariConfig();
		hikari.setJdbcUrl(this.url);
		hikari.setUsername(this.config.user());
		hikari.setPassword(this.config.password());
		hikari.setMaximumPoolSize(size);
		hikari.setMinimumIdle(minimumIdle);
		hikari.setPoolName(applicationName);
		hikari.addDataSourceProperty("ApplicationName", applicationName);
		HikariDataSource pool = new HikariDataSource(hikari);
		this.pools.add(pool);
		return pool;
	}

	/**
	 * Waits until a pool has opened all its connections, so that opening them is not
	 * measured.
	 * @param pool the pool
	 */
	static void awaitFilled(HikariDataSource pool) {
		long deadline = System.nanoTime() + 10_000_000_000L;
		while (pool.getHikariPoolMXBean() == null
				|| pool.getHikariPoolMXBean().getTotalConnections() < pool.getMinimumIdle()) {
			if (System.nanoTime() > deadline) {
				return;
			}
			sleep(10);
		}
	}

	synchronized void closePool(HikariDataSource pool) {
		pool.close();
		this.pools.remove(pool);
	}

	/**
	 * A connection of its own, outside any pool, in auto-commit mode.
	 * @param applicationName the name it shows in {@code pg_stat_activity}
	 * @return the connection
	 * @throws SQLException if it cannot be opened
	 */
	Connection connect(String applicationName) throws SQLException {
		Properties properties = credentials(this.config);
		properties.setProperty("ApplicationName", applicationName);
		return DriverManager.getConnection(this.url, properties);
	}

	/**
	 * Runs a statement on a connection of its own, which hands its table statistics in
	 * before it closes, so that a TRUNCATE's reset of the row counts cannot arrive after
	 * a later VACUUM's.
	 * @param sql the statement
	 */
	void execute(String sql) {
		try (Connection connection = connect("rq-bench-admin"); Statement statement = connection.createStatement()) {
			statement.execute(sql);
			flushStatistics(statement);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not run " + sql + ": " + ex.getMessage(), ex);
		}
	}

	private static void flushStatistics(Statement statement) {
		try {
			// PostgreSQL 15 and later; older servers hand them in when the backend exits.
			statement.execute("SELECT pg_stat_force_next_flush()");
		}
		catch (SQLException ex) {
			// an older server
		}
	}

	long count(String sql) {
		return this.jdbc.sql(sql).query(Long.class).single();
	}

	/**
	 * Empties the job table; the job ids go on from where they were.
	 */
	void truncateJobs() {
		execute("TRUNCATE " + JOB);
	}

	/**
	 * Empties the job table and fills it with runnable jobs in one statement, with the
	 * values runqueue gives a job added with the topic's defaults, then vacuums and
	 * analyzes it, so that every measurement starts from the same table.
	 * @param topic the jobs' topic
	 * @param count how many
	 * @param priority their priority
	 * @param maxAttempts their attempts
	 */
	void refillJobs(String topic, int count, int priority, int maxAttempts) {
		truncateJobs();
		this.jdbc
			.sql("INSERT INTO " + JOB + " (topic, state, payload, priority, run_at, unique_scope, max_attempts,"
					+ " dependency_failure) SELECT :topic, 'available', jsonb_build_object('n', n), :priority, now(),"
					+ " 'live', :max_attempts, 'cancel' FROM generate_series(1, :count) AS n")
			.param("topic", topic)
			.param("priority", priority)
			.param("max_attempts", maxAttempts)
			.param("count", count)
			.update();
		vacuumAnalyze();
	}

	void vacuumAnalyze() {
		execute("VACUUM ANALYZE " + JOB);
	}

	/**
	 * The job table's size and what PostgreSQL's statistics say about its rows.
	 * @return the figures by name
	 */
	Map<String, Object> jobTableStats() {
		Map<String, Object> stats = new LinkedHashMap<>();
		// On a connection of its own that hands its statistics in at once: the statistics
		// are read before its own count(*), which shows in the next reading.
		try (Connection connection = connect("rq-bench-admin"); Statement statement = connection.createStatement()) {
			try (ResultSet rs = statement.executeQuery("SELECT n_live_tup, n_dead_tup, n_tup_ins, n_tup_upd,"
					+ " n_tup_hot_upd, n_tup_del, seq_scan, seq_tup_read, coalesce(idx_scan, 0) AS idx_scan,"
					+ " autovacuum_count, vacuum_count FROM pg_stat_user_tables WHERE relid = '" + JOB
					+ "'::regclass")) {
				rs.next();
				stats.put("liveTuples", rs.getLong("n_live_tup"));
				stats.put("deadTuples", rs.getLong("n_dead_tup"));
				stats.put("inserted", rs.getLong("n_tup_ins"));
				stats.put("updated", rs.getLong("n_tup_upd"));
				stats.put("hotUpdated", rs.getLong("n_tup_hot_upd"));
				stats.put("deleted", rs.getLong("n_tup_del"));
				stats.put("seqScans", rs.getLong("seq_scan"));
				stats.put("seqTuplesRead", rs.getLong("seq_tup_read"));
				stats.put("indexScans", rs.getLong("idx_scan"));
				stats.put("autovacuums", rs.getLong("autovacuum_count"));
				stats.put("vacuums", rs.getLong("vacuum_count"));
			}
			try (ResultSet rs = statement.executeQuery(
					"SELECT count(*) AS rows, pg_total_relation_size('" + JOB + "') AS total_bytes, pg_relation_size('"
							+ JOB + "') AS heap_bytes, pg_indexes_size('" + JOB + "') AS index_bytes FROM " + JOB)) {
				rs.next();
				stats.put("rows", rs.getLong("rows"));
				stats.put("totalBytes", rs.getLong("total_bytes"));
				stats.put("heapBytes", rs.getLong("heap_bytes"));
				stats.put("indexBytes", rs.getLong("index_bytes"));
			}
			flushStatistics(statement);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not read the job table's statistics: " + ex.getMessage(), ex);
		}
		return stats;
	}

	/**
	 * The server's version and the settings that the figures depend on most.
	 * @return the settings by name
	 */
	Map<String, Object> serverSettings() {
		Map<String, Object> settings = new LinkedHashMap<>();
		settings.put("version", this.jdbc.sql("SELECT version()").query(String.class).single());
		this.jdbc
			.sql("SELECT name, setting, unit FROM pg_settings WHERE name IN ('server_version', 'max_connections',"
					+ " 'shared_buffers', 'synchronous_commit', 'fsync', 'wal_sync_method', 'autovacuum', 'jit',"
					+ " 'max_worker_processes') ORDER BY name")
			.query((ResultSet rs) -> {
				String unit = rs.getString("unit");
				settings.put(rs.getString("name"), rs.getString("setting") + ((unit != null) ? " " + unit : ""));
			});
		return settings;
	}

	@Override
	public void close() {
		drop();
		try {
			Runtime.getRuntime().removeShutdownHook(this.dropOnExit);
		}
		catch (IllegalStateException ex) {
			// the JVM is exiting already
		}
	}

	private synchronized void drop() {
		if (this.dropped) {
			return;
		}
		this.dropped = true;
		this.pools.forEach(HikariDataSource::close);
		this.pools.clear();
		try {
			execute(this.config, this.config.url(), "DROP DATABASE IF EXISTS " + this.name + " WITH (FORCE)");
		}
		catch (RuntimeException ex) {
			System.err.println("Could not drop the benchmark database " + this.name + ": " + ex.getMessage());
		}
	}

	private static void execute(BenchConfig config, String url, String sql) {
		try (Connection connection = DriverManager.getConnection(url, credentials(config));
				Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not run '" + sql + "' on " + url + ": " + ex.getMessage(), ex);
		}
	}

	private static Properties credentials(BenchConfig config) {
		Properties properties = new Properties();
		properties.setProperty("user", config.user());
		properties.setProperty("password", config.password());
		properties.setProperty("ApplicationName", "rq-bench-admin");
		return properties;
	}

	/**
	 * The URL with another database: {@code jdbc:postgresql://host:port/db?params}.
	 * @param url the URL
	 * @param database the database
	 * @return the new URL
	 */
	static String withDatabase(String url, String database) {
		String prefix = "jdbc:postgresql://";
		if (!url.startsWith(prefix)) {
			throw new IllegalArgumentException("Expected a URL jdbc:postgresql://host[:port][/database], not " + url);
		}
		int query = url.indexOf('?');
		String params = (query < 0) ? "" : url.substring(query);
		String base = (query < 0) ? url : url.substring(0, query);
		int slash = base.indexOf('/', prefix.length());
		String hosts = (slash < 0) ? base : base.substring(0, slash);
		return hosts + "/" + database + params;
	}

	static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted", ex);
		}
	}

}
