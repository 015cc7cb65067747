package dev.runqueue.spring.autoconfigure;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import dev.runqueue.RunQueue;
import dev.runqueue.RunQueueAdmin;
import dev.runqueue.job.JobState;
import dev.runqueue.schedule.ScheduleFunction;
import dev.runqueue.spring.RunQueueJob;
import dev.runqueue.store.JobStore;
import dev.runqueue.testpostgres.PostgresExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Recurring jobs declared under runqueue.topics, schedule function beans, nodes that
 * serve only some queues, and the admin bean, in application contexts against a real
 * PostgreSQL.
 */
class RunQueueSchedulingAndQueuesTests {

	@RegisterExtension
	static final PostgresExtension postgres = new PostgresExtension();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class,
				RunQueueAutoConfiguration.class))
		.withPropertyValues(postgres.database().springDataSourcePropertyValues())
		.withPropertyValues("runqueue.worker.shutdown-grace-period=1s", "runqueue.worker.poll-interval=100ms",
				"runqueue.maintenance.interval=200ms");

	@BeforeEach
	void startFromAnEmptySchema() {
		JdbcClient jdbc = JdbcClient.create(postgres.dataSource());
		jdbc.sql("DROP SCHEMA public CASCADE").update();
		jdbc.sql("CREATE SCHEMA public").update();
	}

	@Test
	void aTopicsScheduleInPropertiesRunsItsJobs() {
		this.contextRunner
			.withPropertyValues("runqueue.topics.tick.schedule.every=300ms",
					"runqueue.topics.tick.schedule.payload={\"n\": 1}")
			.withUserConfiguration(TickHandler.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				await().atMost(Duration.ofSeconds(20)).until(() -> context.getBean(TickHandler.class).ticks.get() >= 3);
			});
	}

	@Test
	void aScheduleFunctionIsABeanNamedAfterTheScheduleThatUsesIt() {
		this.contextRunner
			.withPropertyValues("runqueue.topics.tick.schedule.function=everyQuarterSecond",
					"runqueue.topics.tick.schedule.max-runs=2")
			.withUserConfiguration(TickHandler.class, QuarterSecond.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				await().atMost(Duration.ofSeconds(20)).until(() -> context.getBean(TickHandler.class).ticks.get() == 2);
				await().during(Duration.ofMillis(600)).until(() -> context.getBean(TickHandler.class).ticks.get() == 2);
			});
	}

	@Test
	void aNodeRunsOnlyTheTopicsOfTheQueuesItServes() {
		this.contextRunner
			.withPropertyValues("runqueue.worker.queues=critical", "runqueue.topics.alerts.queue=critical",
					"runqueue.topics.report.priority=5")
			.withUserConfiguration(AlertsAndEmail.class)
			.run((context) -> {
				assertThat(context).as("report has no handler but this node does not serve it").hasNotFailed();
				RunQueue runQueue = context.getBean(RunQueue.class);
				JobStore jobs = context.getBean(JobStore.class);

				long alert = runQueue.add("alerts", "disk full").id();
				long email = runQueue.add("email", "hello").id();
				long report = runQueue.add("report", "monthly").id();

				await().atMost(Duration.ofSeconds(10))
					.until(() -> jobs.find(alert).orElseThrow().state() == JobState.SUCCEEDED);
				assertThat(jobs.find(email).orElseThrow().state()).isEqualTo(JobState.AVAILABLE);
				assertThat(jobs.find(report).orElseThrow().state()).isEqualTo(JobState.AVAILABLE);
			});
	}

	@Test
	void anAdminIsConfiguredToDisableEnableAndPurgeJobs() {
		this.contextRunner.withPropertyValues("runqueue.worker.enabled=false", "runqueue.topics.report.priority=5")
			.run((context) -> {
				RunQueueAdmin admin = context.getBean(RunQueueAdmin.class);
				long id = context.getBean(RunQueue.class).add("report", "x").id();

				assertThat(admin.disable(id)).isTrue();
				assertThat(context.getBean(JobStore.class).find(id).orElseThrow().state()).isEqualTo(JobState.DISABLED);
				assertThat(admin.purgeDisabled("report")).isEqualTo(1);
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class TickHandler {

		final AtomicInteger ticks = new AtomicInteger();

		@RunQueueJob("tick")
		void tick() {
			this.ticks.incrementAndGet();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class QuarterSecond {

		@Bean
		ScheduleFunction everyQuarterSecond() {
			return (last) -> last.plusMillis(250);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class AlertsAndEmail {

		@RunQueueJob("alerts")
		void alert(String message) {
		}

		@RunQueueJob("email")
		void email(String message) {
		}

	}

}
