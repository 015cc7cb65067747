package dev.runqueue.spring.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.runqueue.JobFailedException;
import dev.runqueue.NewJob;
import dev.runqueue.RunQueue;
import dev.runqueue.RunQueueAdmin;
import dev.runqueue.event.RunQueueEvent;
import dev.runqueue.event.RunQueueEventListener;
import dev.runqueue.job.JobInfo;
import dev.runqueue.job.JobState;
import dev.runqueue.spring.RunQueueJob;
import dev.runqueue.testpostgres.PostgresExtension;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * What an application sees of its queue through the starter: results and waiting, events
 * as listener beans and application events, Micrometer meters, the health indicator, the
 * {@code runqueue} endpoint and the test helper, in application contexts against a real
 * PostgreSQL.
 */
class RunQueueObservabilityTests {

	@RegisterExtension
	static final PostgresExtension postgres = new PostgresExtension();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class,
				RunQueueAutoConfiguration.class, RunQueueMetricsAutoConfiguration.class,
				RunQueueActuatorAutoConfiguration.class))
		.withPropertyValues(postgres.database().springDataSourcePropertyValues())
		.withPropertyValues("runqueue.worker.shutdown-grace-period=1s", "runqueue.worker.poll-interval=100ms",
				"runqueue.maintenance.interval=200ms", "runqueue.topics.boom.max-attempts=2",
				"runqueue.topics.boom.backoff.initial=10ms", "runqueue.topics.boom.backoff.jitter=0");

	// What an application with the actuator and Micrometer has.
	private static final AutoConfigurations METRICS = AutoConfigurations.of(ObservationAutoConfiguration.class,
			MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
			SimpleMetricsExportAutoConfiguration.class);

	@BeforeEach
	void startFromAnEmptySchema() {
		JdbcClient jdbc = JdbcClient.create(postgres.dataSource());
		jdbc.sql("DROP SCHEMA public CASCADE").update();
		jdbc.sql("CREATE SCHEMA public").update();
	}

	@Test
	void aCallerWaitsForTheResultOfAHandlerMethodOrItsFailure() {
		this.contextRunner.withUserConfiguration(Handlers.class).run((context) -> {
			RunQueue runQueue = context.getBean(RunQueue.class);
			long doubled = runQueue.add("double", 21).id();
			long failing = runQueue.add("boom", "x").id();

			assertThat(runQueue.awaitResult(doubled, Integer.class, Duration.ofSeconds(20))).isEqualTo(42);
			assertThatExceptionOfType(JobFailedException.class)
				.isThrownBy(() -> runQueue.awaitResult(failing, String.class, Duration.ofSeconds(20)))
				.withMessageContaining("no luck");
			JobInfo failed = runQueue.find(failing).orElseThrow();
			assertThat(failed.state()).isEqualTo(JobState.FAILED);
			assertThat(failed.errors()).isEqualTo(2);
			assertThat(failed.lastError()).contains("no luck");
			assertThat(failed.node()).isNotNull();
		});
	}

	@Test
	void eventsReachListenerBeansAndEventListenerMethods() {
		this.contextRunner.withUserConfiguration(Handlers.class, EventCollectors.class).run((context) -> {
			EventCollectors collectors = context.getBean(EventCollectors.class);
			RunQueue runQueue = context.getBean(RunQueue.class);
			long id = runQueue.add("double", 1).id();
			runQueue.awaitFinished(id, Duration.ofSeconds(20));

			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				assertThat(collectors.fromListenerBean).filteredOn(RunQueueEvent.JobSucceeded.class::isInstance)
					.extracting((event) -> ((RunQueueEvent.JobSucceeded) event).jobId())
					.containsExactly(id);
				assertThat(collectors.fromEventListenerMethod).filteredOn(RunQueueEvent.JobSucceeded.class::isInstance)
					.extracting((event) -> ((RunQueueEvent.JobSucceeded) event).jobId())
					.containsExactly(id);
			});
			assertThat(collectors.fromListenerBean).hasAtLeastOneElementOfType(RunQueueEvent.NodeStarted.class)
				.hasAtLeastOneElementOfType(RunQueueEvent.JobAdded.class)
				.hasAtLeastOneElementOfType(RunQueueEvent.JobClaimed.class);
		});
	}

	@Test
	void applicationEventsCanBeSwitchedOff() {
		this.contextRunner.withUserConfiguration(Handlers.class, EventCollectors.class)
			.withPropertyValues("runqueue.events.application-events=false")
			.run((context) -> {
				EventCollectors collectors = context.getBean(EventCollectors.class);
				RunQueue runQueue = context.getBean(RunQueue.class);
				runQueue.awaitFinished(runQueue.add("double", 1).id(), Duration.ofSeconds(20));

				await().atMost(Duration.ofSeconds(10))
					.until(() -> collectors.fromListenerBean.stream()
						.anyMatch(RunQueueEvent.JobSucceeded.class::isInstance));
				assertThat(collectors.fromEventListenerMethod).isEmpty();
			});
	}

	@Test
	void metersCountJobsByTopicAndTimeTheirWaitAndExecution() {
		this.contextRunner.withConfiguration(METRICS).withUserConfiguration(Handlers.class).run((context) -> {
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			RunQueue runQueue = context.getBean(RunQueue.class);
			List<Long> ids = runQueue
				.addAll(List.of(NewJob.of("double", 1), NewJob.of("double", 2), NewJob.of("double", 3)))
				.stream()
				.map((result) -> result.id())
				.toList();
			long failing = runQueue.add("boom", "x").id();
			for (long id : ids) {
				runQueue.awaitFinished(id, Duration.ofSeconds(20));
			}
			runQueue.awaitFinished(failing, Duration.ofSeconds(20));

			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				assertThat(count(meters, "runqueue.jobs.added", "double")).isEqualTo(3);
				assertThat(count(meters, "runqueue.jobs.added", "boom")).isEqualTo(1);
				assertThat(count(meters, "runqueue.jobs.started", "double")).isEqualTo(3);
				assertThat(count(meters, "runqueue.jobs.succeeded", "double")).isEqualTo(3);
				assertThat(count(meters, "runqueue.jobs.started", "boom")).isEqualTo(2);
				assertThat(count(meters, "runqueue.jobs.retried", "boom")).isEqualTo(1);
				assertThat(count(meters, "runqueue.jobs.failed", "boom")).isEqualTo(1);
				assertThat(meters.get("runqueue.jobs.wait").tag("topic", "double").timer().count()).isEqualTo(3);
				assertThat(meters.get("runqueue.job.execution")
					.tag("topic", "double")
					.tag("outcome", "success")
					.timer()
					.count()).isEqualTo(3);
			});
			assertThat(meters.find("runqueue.jobs.failed").tag("topic", "double").counter()).isNull();
		});
	}

	@Test
	void theDepthGaugeShowsLiveJobsByTopicAndState() {
		this.contextRunner.withConfiguration(METRICS)
			.withPropertyValues("runqueue.worker.enabled=false", "runqueue.metrics.depth-refresh-interval=100ms",
					"runqueue.topics.report.priority=5")
			.run((context) -> {
				MeterRegistry meters = context.getBean(MeterRegistry.class);
				RunQueue runQueue = context.getBean(RunQueue.class);
				runQueue.add("report", "a");
				runQueue.add("report", "b");
				runQueue.add(NewJob.of("report", "later").delay(Duration.ofHours(1)));

				await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
					assertThat(depth(meters, "report", "available")).isEqualTo(2);
					assertThat(depth(meters, "report", "scheduled")).isEqualTo(1);
				});
			});
	}

	@Test
	void aBadDepthRefreshIntervalFailsStartupWithThePropertysName() {
		this.contextRunner.withUserConfiguration(Handlers.class)
			.withPropertyValues("runqueue.metrics.depth-refresh-interval=1ms")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("metrics.depth-refresh-interval"));
	}

	@Test
	void healthIsUpWhileThisNodesWorkerRunsAndDownWhenItsHeartbeatIsStale() {
		this.contextRunner.withUserConfiguration(Handlers.class)
			.withPropertyValues("runqueue.worker.node-name=health-node", "runqueue.worker.heartbeat-interval=1m",
					"runqueue.worker.lease-duration=2m")
			.run((context) -> {
				RunQueueHealthIndicator health = context.getBean(RunQueueHealthIndicator.class);
				await().atMost(Duration.ofSeconds(10)).until(() -> health.health(true).getStatus().equals(Status.UP));
				Health up = health.health(true);
				assertThat(up.getDetails()).containsEntry("node", "health-node").containsKey("heartbeatAge");

				JdbcClient.create(postgres.dataSource())
					.sql("UPDATE runqueue_node SET heartbeat_at = now() - interval '5 minutes' WHERE name = 'health-node'")
					.update();
				Health stale = health.health(true);
				assertThat(stale.getStatus()).isEqualTo(Status.DOWN);
				assertThat(stale.getDetails()).containsKey("heartbeat");

				context.getBean(RunQueueLifecycle.class).stop();
				Health stopped = health.health(true);
				assertThat(stopped.getStatus()).isEqualTo(Status.DOWN);
				assertThat(stopped.getDetails()).containsEntry("worker", "not running");
			});
	}

	@Test
	void healthIsDownWhenTheDatabaseCannotBeReached() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class,
					RunQueueAutoConfiguration.class, RunQueueActuatorAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=jdbc:postgresql://127.0.0.1:1/nowhere?connectTimeout=1",
					"spring.datasource.hikari.initialization-fail-timeout=-1",
					"spring.datasource.hikari.connection-timeout=250", "runqueue.worker.enabled=false",
					"runqueue.migrations.enabled=false")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				Health health = context.getBean(RunQueueHealthIndicator.class).health(true);
				assertThat(health.getStatus()).isEqualTo(Status.DOWN);
				assertThat(health.getDetails()).containsKey("error");
			});
	}

	@Test
	void theHealthIndicatorCanBeSwitchedOff() {
		this.contextRunner.withUserConfiguration(Handlers.class)
			.withPropertyValues("management.health.runqueue.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(RunQueueHealthIndicator.class));
	}

	@Test
	void theEndpointShowsDepthsNodesAndPausedTopicsOnceExposed() {
		this.contextRunner.withUserConfiguration(Handlers.class)
			.run((context) -> assertThat(context).doesNotHaveBean(RunQueueEndpoint.class));
		this.contextRunner.withUserConfiguration(Handlers.class)
			.withPropertyValues("management.endpoints.web.exposure.include=runqueue",
					"runqueue.worker.node-name=endpoint-node")
			.run((context) -> {
				RunQueueEndpoint endpoint = context.getBean(RunQueueEndpoint.class);
				RunQueue runQueue = context.getBean(RunQueue.class);
				context.getBean(RunQueueAdmin.class).pause("double");
				runQueue.add("double", 1);
				runQueue.add("double", 2);

				RunQueueEndpoint.RunQueueStatus status = endpoint.status();
				assertThat(status.pausedTopics()).containsExactly("double");
				assertThat(status.depths()).containsKey("double");
				assertThat(status.depths().get("double")).containsEntry(JobState.AVAILABLE, 2L);
				assertThat(status.nodes()).anySatisfy((node) -> assertThat(node.name()).isEqualTo("endpoint-node"));
			});
	}

	@Test
	void theTesterRunsATopicsDueJobsOnTheTestsThread() {
		this.contextRunner.withUserConfiguration(Handlers.class)
			.withPropertyValues("runqueue.worker.enabled=false")
			.run((context) -> {
				RunQueue runQueue = context.getBean(RunQueue.class);
				RunQueueTester tester = context.getBean(RunQueueTester.class);
				Handlers handlers = context.getBean(Handlers.class);
				long first = runQueue.add("double", 5).id();
				runQueue.add("double", 6);
				runQueue.add(NewJob.of("double", 7).delay(Duration.ofHours(1)));

				assertThat(tester.runDueJobs("double")).isEqualTo(2);
				assertThat(handlers.doubled).containsExactlyInAnyOrder(5, 6);
				assertThat(runQueue.find(first).orElseThrow().result()).isEqualTo("10");
				assertThat(tester.runDueJobs("double")).isZero();
				assertThatIllegalArgumentException().isThrownBy(() -> tester.runDueJobs("nothing"))
					.withMessageContaining("'nothing'")
					.withMessageContaining("double");
			});
	}

	@Test
	void theTesterWaitsForTheWorkerToEmptyATopic() {
		this.contextRunner.withUserConfiguration(Handlers.class).run((context) -> {
			RunQueue runQueue = context.getBean(RunQueue.class);
			for (int i = 0; i < 5; i++) {
				runQueue.add("double", i);
			}
			context.getBean(RunQueueTester.class).awaitIdle("double", Duration.ofSeconds(20));
			assertThat(context.getBean(Handlers.class).doubled).hasSize(5);
		});
	}

	private static double count(MeterRegistry meters, String name, String topic) {
		var counter = meters.find(name).tag("topic", topic).counter();
		return (counter != null) ? counter.count() : 0;
	}

	private static double depth(MeterRegistry meters, String topic, String state) {
		var gauge = meters.find("runqueue.jobs.depth").tag("topic", topic).tag("state", state).gauge();
		return (gauge != null) ? gauge.value() : 0;
	}

	@Configuration(proxyBeanMethods = false)
	static class Handlers {

		final List<Integer> doubled = new CopyOnWriteArrayList<>();

		final AtomicInteger failures = new AtomicInteger();

		@RunQueueJob("double")
		int twice(int n) {
			this.doubled.add(n);
			return 2 * n;
		}

		@RunQueueJob("boom")
		void boom(String payload) {
			this.failures.incrementAndGet();
			throw new IllegalStateException("no luck");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class EventCollectors {

		final List<RunQueueEvent> fromListenerBean = new CopyOnWriteArrayList<>();

		final List<RunQueueEvent> fromEventListenerMethod = new CopyOnWriteArrayList<>();

		@Bean
		RunQueueEventListener collectingListener() {
			return this.fromListenerBean::add;
		}

		@EventListener
		void onRunQueueEvent(RunQueueEvent event) {
			this.fromEventListenerMethod.add(event);
		}

	}

}
