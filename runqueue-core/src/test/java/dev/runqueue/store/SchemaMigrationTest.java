package dev.runqueue.store;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import dev.runqueue.testpostgres.PostgresExtension;
import dev.runqueue.testpostgres.TestDatabase;
import dev.runqueue.testpostgres.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The schema, applied by {@link SchemaMigrator} and printed by {@link SchemaScript}.
 */
class SchemaMigrationTest {

	@RegisterExtension
	static final PostgresExtension postgres = new PostgresExtension();

	@Test
	void migratingTwiceAppliesEachMigrationOnce() {
		SchemaMigrator migrator = new SchemaMigrator(postgres.dataSource(), TableNames.DEFAULT);

		assertThat(migrator.migrate().migrationsExecuted).isEqualTo(SchemaScript.migrations().size());
		assertThat(migrator.migrate().migrationsExecuted).isZero();
	}

	@Test
	void migratesASchemaThatAlreadyHoldsTheApplicationsTables() {
		JdbcClient jdbc = JdbcClient.create(postgres.dataSource());
		jdbc.sql("CREATE SCHEMA app").update();
		jdbc.sql("CREATE TABLE app.customers (id bigint)").update();

		new SchemaMigrator(postgres.dataSource(), new TableNames("app", "runqueue_")).migrate();

		assertThat(jdbc.sql("SELECT to_regclass('app.runqueue_job') IS NOT NULL").query(Boolean.class).single())
			.isTrue();
		assertThat(
				jdbc.sql("SELECT version FROM app.runqueue_schema_history WHERE type = 'SQL' ORDER BY installed_rank")
					.query(String.class)
					.list())
			.startsWith("1");
	}

	@Test
	void theScriptCreatesTheSameWorkingSchemaAsTheMigrations() throws Exception {
		String script = SchemaScript.render(new TableNames("printed", "q_"));
		try (TestDatabase database = TestPostgres.createDatabase();
				Connection connection = database.dataSource().getConnection();
				Statement statement = connection.createStatement()) {
			statement.execute(script);

			PostgresJobStore store = new PostgresJobStore(database.dataSource(), new TableNames("printed", "q_"));
			long id = store.insert(JobInsert.of("email", "{}", 1000, null, null, "k", "live", null, 3, null))
				.getAsLong();
			assertThat(store.insert(JobInsert.of("email", "{}", 1000, null, null, "k", "live", null, 3, null)))
				.isEmpty();
			ClaimedJob claimed = store.claim("email", 1, "node", Duration.ofMinutes(1)).get(0);
			assertThat(store.succeed(List.of(new Completion.Succeed(claimed.lease(), null)))).containsExactly(id);
		}
		assertThat(script).contains("CREATE TABLE q_job").doesNotContain("${");
	}

}
