package dev.runqueue.testpostgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Entry point for tests: the server, found once per JVM, and fresh databases on it.
 * Databases created here are dropped when they are closed, and at the latest when the JVM
 * exits.
 */
public final class TestPostgres {

	private static final AtomicInteger counter = new AtomicInteger();

	private static final Set<String> created = ConcurrentHashMap.newKeySet();

	private static volatile PostgresServer server;

	private TestPostgres() {
	}

	/**
	 * The server tests run against; found and, if need be, started on the first call.
	 * @return the server
	 */
	public static PostgresServer server() {
		PostgresServer found = server;
		if (found == null) {
			synchronized (TestPostgres.class) {
				found = server;
				if (found == null) {
					found = PostgresServer.find(System.getenv());
					server = found;
					PostgresServer dropper = found;
					Runtime.getRuntime()
						.addShutdownHook(new Thread(() -> created.forEach((name) -> drop(dropper, name)),
								"runqueue-test-databases-drop"));
				}
			}
		}
		return found;
	}

	/**
	 * Creates an empty database on the server.
	 * @return the new database; close it to drop it
	 */
	public static TestDatabase createDatabase() {
		PostgresServer found = server();
		String name = "runqueue_test_" + ProcessHandle.current().pid() + "_" + counter.incrementAndGet();
		execute(found, "CREATE DATABASE " + name + " TEMPLATE template0");
		created.add(name);
		return new TestDatabase(found, name);
	}

	static void drop(PostgresServer found, String name) {
		if (created.remove(name)) {
			execute(found, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
		}
	}

	private static void execute(PostgresServer found, String sql) {
		Properties properties = new Properties();
		properties.setProperty("user", found.user());
		properties.setProperty("password", found.password());
		try (Connection connection = DriverManager.getConnection(found.adminUrl(), properties);
				Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not run '" + sql + "' on " + found.description(), ex);
		}
	}

}
