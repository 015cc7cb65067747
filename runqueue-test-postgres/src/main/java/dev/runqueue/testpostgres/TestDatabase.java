package dev.runqueue.testpostgres;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * One database of the test server, for one test class. Closing it closes its pools and
 * drops it.
 */
public final class TestDatabase implements AutoCloseable {

	private final PostgresServer server;

	private final String name;

	private final List<HikariDataSource> pools = new ArrayList<>();

	private HikariDataSource dataSource;

	TestDatabase(PostgresServer server, String name) {
		this.server = server;
		this.name = name;
	}

	/**
	 * The database name.
	 * @return the name
	 */
	public String name() {
		return this.name;
	}

	/**
	 * The JDBC URL of this database.
	 * @return the URL
	 */
	public String jdbcUrl() {
		return this.server.urlOf(this.name);
	}

	/**
	 * The user name.
	 * @return the user
	 */
	public String user() {
		return this.server.user();
	}

	/**
	 * The password.
	 * @return the password, empty for trust authentication
	 */
	public String password() {
		return this.server.password();
	}

	/**
	 * The Spring Boot properties that point an application at this database.
	 * @return {@code spring.datasource.url}, {@code .username} and {@code .password} with
	 * their values
	 */
	public Map<String, String> springDataSourceProperties() {
		Map<String, String> properties = new LinkedHashMap<>();
		properties.put("spring.datasource.url", jdbcUrl());
		properties.put("spring.datasource.username", user());
		properties.put("spring.datasource.password", password());
		return properties;
	}

	/**
	 * {@link #springDataSourceProperties()} as {@code name=value} pairs, as
	 * {@code withPropertyValues} takes them.
	 * @return the pairs
	 */
	public String[] springDataSourcePropertyValues() {
		return springDataSourceProperties().entrySet()
			.stream()
			.map((entry) -> entry.getKey() + "=" + entry.getValue())
			.toArray(String[]::new);
	}

	/**
	 * A shared pool of up to 10 connections to this database.
	 * @return the data source
	 */
	public synchronized DataSource dataSource() {
		if (this.dataSource == null) {
			this.dataSource = newDataSource(10);
		}
		return this.dataSource;
	}

	/**
	 * A new pool of its own, for tests that play several nodes; closed with the database.
	 * @param maximumPoolSize the pool size
	 * @return the data source
	 */
	public synchronized HikariDataSource newDataSource(int maximumPoolSize) {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(jdbcUrl());
		config.setUsername(user());
		config.setPassword(password());
		config.setMaximumPoolSize(maximumPoolSize);
		config.setPoolName(this.name + "-" + (this.pools.size() + 1));
		HikariDataSource pool = new HikariDataSource(config);
		this.pools.add(pool);
		return pool;
	}

	@Override
	public synchronized void close() {
		this.pools.forEach(HikariDataSource::close);
		this.pools.clear();
		this.dataSource = null;
		TestPostgres.drop(this.server, this.name);
	}

}
