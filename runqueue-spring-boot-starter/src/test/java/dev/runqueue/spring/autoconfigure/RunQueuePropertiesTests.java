package dev.runqueue.spring.autoconfigure;

import dev.runqueue.DependencyFailure;
import dev.runqueue.ExecutionSettings;
import dev.runqueue.FlowControl;
import dev.runqueue.JobDefaults;
import dev.runqueue.JsonCodec;
import dev.runqueue.RateLimit;
import dev.runqueue.TopicSettings;
import dev.runqueue.UniqueScope;
import dev.runqueue.maintenance.MaintenanceSettings;
import dev.runqueue.retry.Backoff;
import dev.runqueue.schedule.MissedRuns;
import dev.runqueue.schedule.RecurringJob;
import dev.runqueue.schedule.Schedule;
import dev.runqueue.retry.RetryPolicy;
import dev.runqueue.store.TableNames;
import dev.runqueue.worker.WorkerSettings;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RunQueueProperties}: its defaults are the engine's, and a bad value fails
 * binding with the property's name.
 */
class RunQueuePropertiesTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withUserConfiguration(PropertiesOnly.class);

	@Test
	void defaultsAreTheEnginesDefaults() {
		RunQueueProperties properties = new RunQueueProperties();
		RunQueueProperties.Topic topic = new RunQueueProperties.Topic();
		TopicSettings engine = TopicSettings.named("t");

		assertThat(topic.toSettings("t")).isEqualTo(engine);
		assertThat(topic.getPriority()).isEqualTo(JobDefaults.DEFAULT_PRIORITY);
		assertThat(topic.getDelay()).isEqualTo(JobDefaults.DEFAULT.delay());
		assertThat(topic.getUniqueScope()).isEqualTo(UniqueScope.LIVE);
		assertThat(topic.getMaxAttempts()).isEqualTo(RetryPolicy.DEFAULT_MAX_ATTEMPTS);
		assertThat(topic.getBackoff().toBackoff()).isEqualTo(Backoff.DEFAULT);
		assertThat(topic.isFreshFirst()).isEqualTo(RetryPolicy.DEFAULT.freshFirst());
		assertThat(topic.getConcurrency()).isEqualTo(ExecutionSettings.DEFAULT_CONCURRENCY);
		assertThat(topic.getPrefetch()).isEqualTo(ExecutionSettings.DEFAULT_PREFETCH);
		assertThat(topic.getTimeout()).isEqualTo(ExecutionSettings.DEFAULT.timeout());
		assertThat(topic.getMaxTimeouts()).isEqualTo(RetryPolicy.DEFAULT_MAX_TIMEOUTS);
		assertThat(properties.getMaintenance().toSettings()).isEqualTo(MaintenanceSettings.DEFAULT);
		assertThat(engine.flowControl()).isEqualTo(FlowControl.NONE);
		assertThat(topic.getOnDependencyFailure()).isEqualTo(JobDefaults.DEFAULT.dependencyFailure());
		assertThat(topic.getQueue()).isEqualTo(ServedTopics.DEFAULT_QUEUE);
		assertThat(topic.toRecurringJob("t", new JsonCodec())).isNull();
		assertThat(topic.getSchedule().getMissed()).isEqualTo(MissedRuns.RUN_ONCE);
		assertThat(properties.getDatabase().toTableNames()).isEqualTo(TableNames.DEFAULT);
		WorkerSettings worker = properties.getWorker().toSettings(false);
		WorkerSettings defaults = WorkerSettings.defaults();
		assertThat(worker.pollInterval()).isEqualTo(defaults.pollInterval());
		assertThat(worker.leaseDuration()).isEqualTo(defaults.leaseDuration());
		assertThat(worker.heartbeatInterval()).isEqualTo(defaults.heartbeatInterval());
		assertThat(worker.shutdownGracePeriod()).isEqualTo(defaults.shutdownGracePeriod());
		assertThat(properties.isEnabled()).isTrue();
		assertThat(properties.getMigrations().isEnabled()).isTrue();
		assertThat(properties.getWorker().isEnabled()).isTrue();
		assertThat(properties.getEvents().isApplicationEvents()).isTrue();
		assertThat(properties.getMetrics().getDepthRefreshInterval()).isEqualTo(Duration.ofSeconds(10));
	}

	@Test
	void bindsTopicsFromProperties() {
		this.contextRunner
			.withPropertyValues("runqueue.topics.email.priority=5", "runqueue.topics.email.unique-scope=retained",
					"runqueue.topics.email.backoff.initial=250ms", "runqueue.topics.email.fresh-first=false",
					"runqueue.topics.email.transactional=true", "runqueue.topics.email.timeout=90s",
					"runqueue.topics.email.max-timeouts=5", "runqueue.topics.email.prefetch=0")
			.run((context) -> {
				TopicSettings email = context.getBean(RunQueueProperties.class)
					.getTopics()
					.get("email")
					.toSettings("email");
				assertThat(email.jobDefaults().priority()).isEqualTo(5);
				assertThat(email.execution().prefetch()).isZero();
				assertThat(email.jobDefaults().uniqueScope()).isEqualTo(UniqueScope.RETAINED);
				assertThat(email.retryPolicy().backoff().initial()).hasMillis(250);
				assertThat(email.retryPolicy().freshFirst()).isFalse();
				assertThat(email.execution().transactional()).isTrue();
				assertThat(email.execution().timeout()).hasSeconds(90);
				assertThat(email.retryPolicy().maxTimeouts()).isEqualTo(5);
			});
	}

	@Test
	void bindsFlowControlAndSchedulesFromProperties() {
		this.contextRunner.withPropertyValues("runqueue.topics.sync.fifo=true", "runqueue.topics.sync.max-waiting=100",
				"runqueue.topics.mail.max-running=4", "runqueue.topics.mail.group-concurrency=2",
				"runqueue.topics.mail.rate-limit.releases=10", "runqueue.topics.mail.rate-limit.period=1m",
				"runqueue.topics.mail.on-dependency-failure=fail", "runqueue.topics.ping.release-interval=250ms",
				"runqueue.topics.report.schedule.cron=0 0 2 * * *", "runqueue.topics.report.schedule.zone=Europe/Paris",
				"runqueue.topics.report.schedule.max-runs=3", "runqueue.topics.report.schedule.missed=skip",
				"runqueue.topics.report.schedule.payload={\"kind\": \"daily\"}")
			.run((context) -> {
				Map<String, RunQueueProperties.Topic> topics = context.getBean(RunQueueProperties.class).getTopics();
				assertThat(topics.get("sync").toSettings("sync").flowControl())
					.isEqualTo(FlowControl.NONE.asFifo().withMaxWaiting(100));
				TopicSettings mail = topics.get("mail").toSettings("mail");
				assertThat(mail.flowControl()).isEqualTo(FlowControl.NONE.withMaxRunning(4)
					.withGroupConcurrency(2)
					.withRateLimit(new RateLimit(10, Duration.ofMinutes(1))));
				assertThat(mail.jobDefaults().dependencyFailure()).isEqualTo(DependencyFailure.FAIL);
				assertThat(topics.get("ping").toSettings("ping").flowControl().rateLimit())
					.isEqualTo(RateLimit.oneEvery(Duration.ofMillis(250)));
				RecurringJob report = topics.get("report").toRecurringJob("report", new JsonCodec());
				assertThat(report.schedule()).isEqualTo(Schedule.cron("0 0 2 * * *", ZoneId.of("Europe/Paris")));
				assertThat(report.maxRuns()).isEqualTo(3);
				assertThat(report.missed()).isEqualTo(MissedRuns.SKIP);
				assertThat(report.payload()).hasToString("{\"kind\":\"daily\"}");
			});
	}

	@Test
	void aBadFlowControlOrScheduleFailsStartUpWithItsName() {
		assertFailsWith("runqueue.topics.email.max-waiting=0", "runqueue.topics.email.max-waiting",
				"must be at least 1");
		assertFailsWith(
				new String[] { "runqueue.topics.email.rate-limit.releases=0",
						"runqueue.topics.email.rate-limit.period=1s" },
				"runqueue.topics.email.rate-limit.releases", "must be at least 1");
		assertFailsWith("runqueue.topics.email.rate-limit.period=1s", "runqueue.topics.email.rate-limit.releases",
				"must be set with period");
		assertFailsWith("runqueue.topics.email.schedule.cron=every day", "runqueue.topics.email.schedule.cron",
				"six fields");
		assertFailsWith("runqueue.topics.email.schedule.every=0s", "runqueue.topics.email.schedule.every",
				"must be positive");
		assertFailsWith("runqueue.maintenance.retention.succeeded=-1s", "runqueue.maintenance.retention.succeeded",
				"must not be negative");
		this.contextRunner
			.withPropertyValues("runqueue.topics.email.schedule.cron=0 0 * * * *",
					"runqueue.topics.email.schedule.zone=Mars/Olympus")
			.run((context) -> assertThat(context.getStartupFailure()).hasStackTraceContaining("schedule.zone")
				.hasStackTraceContaining("time zone id"));
		this.contextRunner
			.withPropertyValues("runqueue.topics.email.schedule.every=1m",
					"runqueue.topics.email.schedule.payload={oops")
			.run((context) -> assertThat(context.getStartupFailure()).hasStackTraceContaining("schedule.payload")
				.hasStackTraceContaining("must be JSON"));
		this.contextRunner
			.withPropertyValues("runqueue.topics.email.release-interval=1s",
					"runqueue.topics.email.rate-limit.releases=5", "runqueue.topics.email.rate-limit.period=1s")
			.run((context) -> assertThat(context.getStartupFailure())
				.hasStackTraceContaining("topics[email].releaseInterval")
				.hasStackTraceContaining("cannot be set together with rate-limit"));
	}

	@Test
	void aTopicPropertyOutOfRangeFailsStartUpWithItsName() {
		assertFailsWith("runqueue.topics.email.max-attempts=0", "runqueue.topics.email.max-attempts",
				"must be at least 1");
		assertFailsWith("runqueue.topics.email.concurrency=-2", "runqueue.topics.email.concurrency",
				"must be at least 1");
		assertFailsWith("runqueue.topics.email.delay=-5s", "runqueue.topics.email.delay", "must not be negative");
	}

	@Test
	void aNestedBackoffPropertyOutOfRangeFailsStartUpWithItsName() {
		assertFailsWith("runqueue.topics.email.backoff.multiplier=0.5", "runqueue.topics.email.backoff.multiplier",
				"must be at least 1");
		assertFailsWith("runqueue.topics.email.backoff.jitter=2", "runqueue.topics.email.backoff.jitter",
				"must be between 0 and 1");
	}

	@Test
	void aWorkerOrDatabasePropertyOutOfRangeFailsStartUpWithItsName() {
		assertFailsWith("runqueue.worker.poll-interval=0s", "runqueue.worker.poll-interval", "must be positive");
		assertFailsWith("runqueue.worker.lease-duration=10ms", "runqueue.worker.lease-duration", "must be at least 1s");
		assertFailsWith("runqueue.database.table-prefix=Bad-Prefix", "runqueue.database.table-prefix",
				"lower-case SQL identifier");
		assertFailsWith("runqueue.worker.heartbeat-interval=20s", "runqueue.worker.heartbeat-interval",
				"must be at most half of leaseDuration");
		assertFailsWith("runqueue.maintenance.max-rescues=0", "runqueue.maintenance.max-rescues", "must be at least 1");
		assertFailsWith("runqueue.topics.email.timeout=0s", "runqueue.topics.email.timeout", "must be positive");
	}

	private void assertFailsWith(String property, String name, String rule) {
		assertFailsWith(new String[] { property }, name, rule);
	}

	private void assertFailsWith(String[] properties, String name, String rule) {
		this.contextRunner.withPropertyValues(properties).run((context) -> {
			assertThat(context).hasFailed();
			Throwable failure = context.getStartupFailure();
			while (failure != null && !(failure instanceof BindValidationException)) {
				failure = failure.getCause();
			}
			assertThat(failure).isNotNull();
			BindValidationException validation = (BindValidationException) failure;
			assertThat(validation.getValidationErrors()).singleElement().satisfies((error) -> {
				assertThat(error.getDefaultMessage()).contains(rule);
				assertThat(validation.getValidationErrors().getName()).hasToString("runqueue");
				assertThat(((org.springframework.validation.FieldError) error).getField())
					.satisfies((field) -> assertThat("runqueue." + kebab(field)).isEqualTo(name));
			});
		});
	}

	// topics[email].maxAttempts -> topics.email.max-attempts, as Spring Boot's failure
	// report names it.
	private static String kebab(String field) {
		return field.replaceAll("\\[([^\\]]+)\\]", ".$1").replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(RunQueueProperties.class)
	static class PropertiesOnly {

	}

}
