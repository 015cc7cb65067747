package dev.runqueue.spring.autoconfigure;

import java.time.Duration;
import java.util.List;

import dev.runqueue.RunQueue;
import dev.runqueue.job.JobState;
import dev.runqueue.spring.RunQueueJob;
import dev.runqueue.store.JobStore;
import dev.runqueue.store.SchemaScript;
import dev.runqueue.testpostgres.PostgresExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The application's own Flyway migrations keep working beside runqueue's, which never
 * register a Flyway bean.
 */
class RunQueueFlywayTests {

	@RegisterExtension
	static final PostgresExtension postgres = new PostgresExtension();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, FlywayAutoConfiguration.class,
				JacksonAutoConfiguration.class, RunQueueAutoConfiguration.class))
		.withPropertyValues(postgres.database().springDataSourcePropertyValues())
		.withPropertyValues("spring.flyway.locations=classpath:db/app-migration",
				"runqueue.worker.shutdown-grace-period=1s")
		.withUserConfiguration(EchoHandler.class);

	private final JdbcClient jdbc = JdbcClient.create(postgres.dataSource());

	@BeforeEach
	void startFromAnEmptySchema() {
		this.jdbc.sql("DROP SCHEMA public CASCADE").update();
		this.jdbc.sql("CREATE SCHEMA public").update();
	}

	@Test
	void bothMigrationsRunOnAnEmptySchemaEachWithItsOwnHistory() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed().hasSingleBean(org.flywaydb.core.Flyway.class);
			assertThat(appliedVersions("flyway_schema_history")).containsExactly("1", "2");
			assertThat(appliedVersions("runqueue_schema_history")).isEqualTo(SchemaScript.versions());
			assertThat(columns("orders")).contains("state");
			assertJobsRun(context.getBean(RunQueue.class), context.getBean(JobStore.class));
		});
	}

	@Test
	void theApplicationsMigrationsRunFirstEvenWhenOneOfItsBeansNeedsTheRunQueueEarly() {
		// User configuration is created before auto-configuration; without the dependency
		// on database initialization, runqueue's tables would land in the empty schema
		// first and the application's Flyway would refuse the schema as non-empty.
		this.contextRunner.withUserConfiguration(EarlyUser.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(appliedVersions("flyway_schema_history")).containsExactly("1", "2");
			assertThat(appliedVersions("runqueue_schema_history")).isEqualTo(SchemaScript.versions());
		});
	}

	@Test
	void bothMigrationsRunWhenTheApplicationAlreadyHasTablesOfItsOwn() {
		this.jdbc.sql("CREATE TABLE legacy (id bigint)").update();

		this.contextRunner
			.withPropertyValues("spring.flyway.baseline-on-migrate=true", "spring.flyway.baseline-version=0")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(appliedVersions("runqueue_schema_history")).isEqualTo(SchemaScript.versions());
				assertThat(appliedVersions("flyway_schema_history")).contains("1", "2");
			});
	}

	@Test
	void aLaterStartWithANewApplicationMigrationAppliesItAndLeavesRunQueuesAlone() {
		this.contextRunner.withPropertyValues("spring.flyway.target=1")
			.run((context) -> assertThat(context).hasNotFailed());

		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(appliedVersions("flyway_schema_history")).containsExactly("1", "2");
			assertThat(appliedVersions("runqueue_schema_history")).isEqualTo(SchemaScript.versions());
		});
	}

	private void assertJobsRun(RunQueue runQueue, JobStore store) {
		long id = runQueue.add("echo", "x").id();
		await().atMost(Duration.ofSeconds(10)).until(() -> store.find(id).orElseThrow().state() == JobState.SUCCEEDED);
	}

	private List<String> appliedVersions(String historyTable) {
		return this.jdbc
			.sql("SELECT version FROM " + historyTable
					+ " WHERE success AND type <> 'BASELINE' ORDER BY installed_rank")
			.query(String.class)
			.list();
	}

	private List<String> columns(String table) {
		return this.jdbc.sql("SELECT column_name FROM information_schema.columns WHERE table_name = :table")
			.param("table", table)
			.query(String.class)
			.list();
	}

	@Configuration(proxyBeanMethods = false)
	static class EarlyUser {

		@Bean
		OrderService orderService(RunQueue runQueue) {
			return new OrderService(runQueue);
		}

	}

	record OrderService(RunQueue runQueue) {

	}

	@Configuration(proxyBeanMethods = false)
	static class EchoHandler {

		@RunQueueJob("echo")
		String echo(String payload) {
			return payload;
		}

	}

}
