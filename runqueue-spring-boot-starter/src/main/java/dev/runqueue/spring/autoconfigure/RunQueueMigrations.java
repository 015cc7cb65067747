package dev.runqueue.spring.autoconfigure;

import javax.sql.DataSource;

import dev.runqueue.store.SchemaMigrator;
import dev.runqueue.store.TableNames;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.InitializingBean;

/**
 * Applies runqueue's migrations when the bean is created, with a Flyway of its own and
 * its own history table. It runs after the application's own database initialization (its
 * Flyway, Liquibase or scripts), so that the application's Flyway never finds runqueue's
 * tables in a schema it has not seen before.
 */
public class RunQueueMigrations implements InitializingBean {

	private static final Logger logger = LoggerFactory.getLogger(RunQueueMigrations.class);

	private final DataSource dataSource;

	private final TableNames tableNames;

	RunQueueMigrations(DataSource dataSource, TableNames tableNames) {
		this.dataSource = dataSource;
		this.tableNames = tableNames;
	}

	@Override
	public void afterPropertiesSet() {
		MigrateResult result = new SchemaMigrator(this.dataSource, this.tableNames).migrate();
		if (result.migrationsExecuted > 0) {
			logger.info("runqueue schema migrated to version {} ({} migrations applied, history in {})",
					result.targetSchemaVersion, result.migrationsExecuted, this.tableNames.schemaHistoryTable());
		}
	}

}
