package dev.runqueue.store;

import java.util.Map;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/**
 * Applies runqueue's migrations with a Flyway instance of its own: its own history table,
 * never a {@code Flyway} bean, so that it never collides with the application's
 * migrations nor stops them. Needs {@code flyway-core} and
 * {@code flyway-database-postgresql} on the class path.
 */
public final class SchemaMigrator {

	/** Where the migrations are on the class path. */
	public static final String LOCATION = "classpath:" + SchemaScript.LOCATION;

	private final DataSource dataSource;

	private final TableNames tableNames;

	/**
	 * Creates a migrator.
	 * @param dataSource the data source to migrate
	 * @param tableNames where the tables go
	 */
	public SchemaMigrator(DataSource dataSource, TableNames tableNames) {
		this.dataSource = dataSource;
		this.tableNames = tableNames;
	}

	/**
	 * Applies the migrations that the database does not have yet. Several nodes starting
	 * at once are safe: Flyway takes a lock in the database for the duration.
	 * @return Flyway's account of what it did
	 */
	public MigrateResult migrate() {
		return configuration().load().migrate();
	}

	// Package-private for tests that stop at an earlier version, as an installation made
	// by an older runqueue has.
	FluentConfiguration configuration() {
		FluentConfiguration configuration = Flyway.configure(SchemaMigrator.class.getClassLoader())
			.dataSource(this.dataSource)
			.locations(LOCATION)
			.table(this.tableNames.schemaHistoryTable())
			.placeholders(Map.of(SchemaScript.TABLE_PREFIX_PLACEHOLDER, this.tableNames.prefix()))
			// The schema is usually the application's and holds its tables already.
			// Baselining at version 0 lets our history table start there without skipping
			// our V1, as baselining at Flyway's default 1 would.
			.baselineOnMigrate(true)
			.baselineVersion("0")
			.baselineDescription("runqueue baseline")
			.cleanDisabled(true);
		if (this.tableNames.schema() != null) {
			configuration.schemas(this.tableNames.schema()).defaultSchema(this.tableNames.schema()).createSchemas(true);
		}
		return configuration;
	}

}
