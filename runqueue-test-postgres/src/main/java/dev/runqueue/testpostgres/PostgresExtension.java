package dev.runqueue.testpostgres;

import javax.sql.DataSource;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives a test class a fresh database of its own: register it as a static field with
 * {@code @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();}.
 */
public final class PostgresExtension implements BeforeAllCallback, AfterAllCallback {

	private TestDatabase database;

	@Override
	public void beforeAll(ExtensionContext context) {
		this.database = TestPostgres.createDatabase();
	}

	@Override
	public void afterAll(ExtensionContext context) {
		if (this.database != null) {
			this.database.close();
			this.database = null;
		}
	}

	/**
	 * The database of the running test class.
	 * @return the database
	 */
	public TestDatabase database() {
		if (this.database == null) {
			throw new IllegalStateException("PostgresExtension must be registered as a static field");
		}
		return this.database;
	}

	/**
	 * Shortcut for {@code database().dataSource()}.
	 * @return the shared data source of the database
	 */
	public DataSource dataSource() {
		return database().dataSource();
	}

}
