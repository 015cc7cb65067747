package dev.runqueue.store;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import dev.runqueue.job.JobState;
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
	void anInstallationOfVersion3WithJobsUpgradesAndItsJobsCarryOn() {
		TableNames names = new TableNames("upgraded", "runqueue_");
		SchemaMigrator migrator = new SchemaMigrator(postgres.dataSource(), names);
		migrator.configuration().target("3").load().migrate();
		JdbcClient jdbc = JdbcClient.create(postgres.dataSource());
		UUID token = UUID.randomUUID();
		long running = jdbc
			.sql("""
					INSERT INTO upgraded.runqueue_job (topic, state, payload, max_attempts, attempt, claimed_by, lease_token,
					                                   lease_expires_at, started_at)
					VALUES ('email', 'running', '{}', 3, 1, 'node-a', :token, now() + interval '1 hour', now())
					RETURNING id
					""")
			.param("token", token)
			.query(Long.class)
			.single();
		long dependent = jdbc.sql("""
				INSERT INTO upgraded.runqueue_job (topic, state, payload, max_attempts, depends_on)
				VALUES ('email', 'pending', '{}', 3, ARRAY[:running])
				RETURNING id
				""").param("running", running).query(Long.class).single();
		// Failed by hand while it ran: version 3 let it keep its token.
		long failedByHand = jdbc.sql("""
				INSERT INTO upgraded.runqueue_job (topic, state, payload, max_attempts, claimed_by, lease_token,
				                                   lease_expires_at, finished_at)
				VALUES ('email', 'failed', '{}', 3, 'node-a', gen_random_uuid(), now() + interval '1 hour', now())
				RETURNING id
				""").query(Long.class).single();

		assertThat(migrator.migrate().migrationsExecuted).isEqualTo(SchemaScript.migrations().size() - 3);

		assertThat(jdbc.sql("""
				SELECT convalidated
				FROM pg_constraint
				WHERE conrelid = CAST('upgraded.runqueue_job' AS regclass)
				  AND conname = 'runqueue_job_lease_token_check'
				""").query(Boolean.class).single()).isTrue();
		PostgresJobStore store = new PostgresJobStore(postgres.dataSource(), names);
		assertThat(store.find(failedByHand).orElseThrow().leaseToken()).isNull();
		assertThat(store.find(running).orElseThrow().leaseToken()).isEqualTo(token);
		assertThat(store.succeed(List.of(new Completion.Succeed(new LeaseRef(running, token), null))))
			.containsExactly(running);
		assertThat(store.find(dependent).orElseThrow().state()).isEqualTo(JobState.AVAILABLE);
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
