package dev.runqueue;

import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import dev.runqueue.store.SchemaMigrator;
import dev.runqueue.store.TableNames;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Raw SQL on the job table for tests: set-up and what assertions read, on a connection of
 * its own so that nothing here goes through the code under test.
 */
public final class TestJobTable {

	private final JdbcClient jdbc;

	private final String table;

	private TestJobTable(DataSource dataSource, TableNames names) {
		this.jdbc = JdbcClient.create(dataSource);
		this.table = names.job();
	}

	/**
	 * Migrates the database and empties the job table.
	 * @param dataSource the test database
	 * @return the helper
	 */
	public static TestJobTable prepare(DataSource dataSource) {
		new SchemaMigrator(dataSource, TableNames.DEFAULT).migrate();
		TestJobTable jobs = new TestJobTable(dataSource, TableNames.DEFAULT);
		jobs.truncate();
		return jobs;
	}

	public void truncate() {
		this.jdbc.sql("TRUNCATE " + this.table).update();
	}

	public JdbcClient jdbc() {
		return this.jdbc;
	}

	public String state(long id) {
		return this.jdbc.sql("SELECT state FROM " + this.table + " WHERE id = :id")
			.param("id", id)
			.query(String.class)
			.single();
	}

	public Map<String, Object> row(long id) {
		return this.jdbc.sql("SELECT * FROM " + this.table + " WHERE id = :id").param("id", id).query().singleRow();
	}

	public int count() {
		return this.jdbc.sql("SELECT count(*) FROM " + this.table).query(Integer.class).single();
	}

	public int countInState(String state) {
		return this.jdbc.sql("SELECT count(*) FROM " + this.table + " WHERE state = :state")
			.param("state", state)
			.query(Integer.class)
			.single();
	}

	public List<String> states() {
		return this.jdbc.sql("SELECT state FROM " + this.table + " ORDER BY id").query(String.class).list();
	}

	/** Moves a job's run_at into the past, so that its time has come without waiting. */
	public void makeDue(long id) {
		this.jdbc.sql("UPDATE " + this.table + " SET run_at = now() - interval '1 second' WHERE id = :id")
			.param("id", id)
			.update();
	}

}
