package dev.runqueue.spring.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.runqueue.AddResult;
import dev.runqueue.JsonCodec;
import dev.runqueue.NewJob;
import dev.runqueue.RunQueue;
import dev.runqueue.TopicSettings;
import dev.runqueue.job.JobContext;
import dev.runqueue.job.JobResult;
import dev.runqueue.job.JobState;
import dev.runqueue.schedule.RecurringJob;
import dev.runqueue.spring.RunQueueCustomizer;
import dev.runqueue.spring.RunQueueJob;
import dev.runqueue.store.JobRecord;
import dev.runqueue.store.JobStore;
import dev.runqueue.testpostgres.PostgresExtension;
import dev.runqueue.worker.WorkerSettings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link RunQueueAutoConfiguration} in application contexts against a real PostgreSQL:
 * what it configures, when it backs off, and jobs run by annotated handlers.
 */
class RunQueueAutoConfigurationTests {

	@RegisterExtension
	static final PostgresExtension postgres = new PostgresExtension();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
				DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
				JacksonAutoConfiguration.class, RunQueueAutoConfiguration.class))
		.withPropertyValues(postgres.database().springDataSourcePropertyValues())
		.withPropertyValues("runqueue.worker.shutdown-grace-period=1s");

	@BeforeEach
	void startFromAnEmptySchema() {
		JdbcClient jdbc = JdbcClient.create(postgres.dataSource());
		jdbc.sql("DROP SCHEMA public CASCADE").update();
		jdbc.sql("CREATE SCHEMA public").update();
		jdbc.sql("DROP SCHEMA IF EXISTS jobs_here CASCADE").update();
	}

	@Test
	void backsOffWithoutADataSource() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(RunQueueAutoConfiguration.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(RunQueue.class));
	}

	@Test
	void backsOffWhenDisabled() {
		this.contextRunner.withPropertyValues("runqueue.enabled=false")
			.withUserConfiguration(EmailHandler.class)
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(RunQueue.class)
				.doesNotHaveBean(RunQueueLifecycle.class)
				.doesNotHaveBean(RunQueueMigrations.class));
	}

	@Test
	void configuresTheQueueTheStoreTheMigrationsAndTheWorker() {
		this.contextRunner.withUserConfiguration(EmailHandler.class)
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(RunQueue.class)
				.hasSingleBean(JobStore.class)
				.hasSingleBean(RunQueueMigrations.class)
				.hasSingleBean(RunQueueLifecycle.class)
				.hasSingleBean(JsonCodec.class));
	}

	@Test
	void backsOffWhenTheUserDefinesARunQueue() {
		this.contextRunner.withUserConfiguration(EmailHandler.class, CustomRunQueue.class)
			.run((context) -> assertThat(context).hasNotFailed()
				.getBean(RunQueue.class)
				.isSameAs(context.getBean(CustomRunQueue.class).runQueue));
	}

	@Test
	void appliesTheMigrationsWithAHistoryTableOfItsOwn() {
		this.contextRunner.withUserConfiguration(EmailHandler.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(tableExists("runqueue_job")).isTrue();
			assertThat(tableExists("runqueue_schema_history")).isTrue();
			assertThat(tableExists("flyway_schema_history")).isFalse();
		});
	}

	@Test
	void doesNotMigrateWhenMigrationsAreDisabled() {
		this.contextRunner.withPropertyValues("runqueue.migrations.enabled=false", "runqueue.worker.enabled=false")
			.withUserConfiguration(EmailHandler.class)
			.run((context) -> {
				assertThat(context).hasNotFailed().doesNotHaveBean(RunQueueMigrations.class);
				assertThat(tableExists("runqueue_job")).isFalse();
			});
	}

	@Test
	void aWorkerWithoutItsTablesFailsStartUpSayingHowToCreateThem() {
		this.contextRunner.withPropertyValues("runqueue.migrations.enabled=false")
			.withUserConfiguration(EmailHandler.class)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("runqueue_node"));
		this.contextRunner.withPropertyValues("runqueue.migrations.enabled=false")
			.withUserConfiguration(EmailHandler.class)
			.run((context) -> assertThat(context.getStartupFailure())
				.hasStackTraceContaining("runqueue could not register node")
				.hasStackTraceContaining("runqueue.migrations.enabled=false"));
	}

	@Test
	void usesTheConfiguredSchemaAndTablePrefix() {
		this.contextRunner
			.withPropertyValues("runqueue.database.schema=jobs_here", "runqueue.database.table-prefix=rq_")
			.withUserConfiguration(EmailHandler.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				long id = context.getBean(RunQueue.class).add("email", new Email("a@example.com")).id();
				await().atMost(Duration.ofSeconds(10))
					.until(() -> "succeeded".equals(JdbcClient.create(postgres.dataSource())
						.sql("SELECT state FROM jobs_here.rq_job WHERE id = :id")
						.param("id", id)
						.query(String.class)
						.single()));
				assertThat(tableExists("runqueue_job")).isFalse();
			});
	}

	@Test
	void runsJobsWithAnAnnotatedMethodThatBindsThePayloadAndGetsTheContext() {
		this.contextRunner.withUserConfiguration(EmailHandler.class).run((context) -> {
			assertThat(context).hasNotFailed();
			EmailHandler handler = context.getBean(EmailHandler.class);

			long id = context.getBean(RunQueue.class).add("email", new Email("a@example.com")).id();

			await().atMost(Duration.ofSeconds(10)).until(() -> state(context, id) == JobState.SUCCEEDED);
			assertThat(handler.received).containsExactly(new Email("a@example.com"));
			assertThat(handler.contexts).singleElement().satisfies((job) -> {
				assertThat(job.jobId()).isEqualTo(id);
				assertThat(job.attempt()).isEqualTo(1);
			});
		});
	}

	@Test
	void bindsPayloadsToJsonNodesAndStringsAndRunsMethodsWithoutParameters() {
		this.contextRunner.withUserConfiguration(VariousHandlers.class).run((context) -> {
			assertThat(context).hasNotFailed();
			RunQueue runQueue = context.getBean(RunQueue.class);
			VariousHandlers handlers = context.getBean(VariousHandlers.class);

			long tree = runQueue.add("tree", new Email("b@example.com")).id();
			long text = runQueue.add("text", "hello").id();
			long none = runQueue.add("none", null).id();

			await().atMost(Duration.ofSeconds(10))
				.until(() -> List.of(tree, text, none)
					.stream()
					.allMatch((id) -> state(context, id) == JobState.SUCCEEDED));
			assertThat(handlers.calls).containsExactlyInAnyOrder("tree:b@example.com", "text:hello", "none");
			assertThat(record(context, text).result()).isEqualTo("\"HELLO\"");
		});
	}

	@Test
	void aMethodThatReturnsAJobResultDecidesTheOutcome() {
		this.contextRunner.withUserConfiguration(VariousHandlers.class).run((context) -> {
			long id = context.getBean(RunQueue.class).add("decides", 3).id();

			await().atMost(Duration.ofSeconds(10)).until(() -> state(context, id) == JobState.FAILED);
			assertThat(record(context, id).lastError()).isEqualTo("three is not allowed");
			assertThat(record(context, id).attempt()).isEqualTo(1);
		});
	}

	@Test
	void aPayloadThatNoLongerBindsFailsItsJobWithTheReasonAndOtherJobsGoOn() {
		this.contextRunner.withUserConfiguration(EmailHandler.class).run((context) -> {
			RunQueue runQueue = context.getBean(RunQueue.class);

			long bad = runQueue.add("email", List.of(1, 2, 3)).id();
			long good = runQueue.add("email", new Email("c@example.com")).id();

			await().atMost(Duration.ofSeconds(10))
				.until(() -> state(context, bad) == JobState.FAILED && state(context, good) == JobState.SUCCEEDED);
			assertThat(record(context, bad).lastError())
				.startsWith("The payload does not bind to " + Email.class.getName())
				.contains("Method 'send' of bean");
		});
	}

	@Test
	void findsHandlersBehindAopProxies() {
		this.contextRunner.withUserConfiguration(ProxiedHandlers.class).run((context) -> {
			assertThat(context).hasNotFailed();
			RunQueue runQueue = context.getBean(RunQueue.class);

			long classProxied = runQueue.add("class-proxied", "x").id();
			long interfaceProxied = runQueue.add("interface-proxied", "y").id();

			await().atMost(Duration.ofSeconds(10))
				.until(() -> state(context, classProxied) == JobState.SUCCEEDED
						&& state(context, interfaceProxied) == JobState.SUCCEEDED);
			assertThat(ProxiedHandlers.calls).contains("class:x", "interface:y");
		});
	}

	@Test
	void aJobAddedInATransactionThatRollsBackIsGone() {
		this.contextRunner.withUserConfiguration(EmailHandler.class).run((context) -> {
			TransactionTemplate transactions = new TransactionTemplate(
					context.getBean(org.springframework.transaction.PlatformTransactionManager.class));
			RunQueue runQueue = context.getBean(RunQueue.class);

			transactions.executeWithoutResult((status) -> {
				runQueue.add("email", new Email("rolled@example.com"));
				status.setRollbackOnly();
			});

			assertThat(JdbcClient.create(postgres.dataSource())
				.sql("SELECT count(*) FROM runqueue_job")
				.query(Integer.class)
				.single()).isZero();
		});
	}

	@Test
	void topicPropertiesBecomeTheDefaultsOfItsJobs() {
		this.contextRunner
			.withPropertyValues("runqueue.topics.email.priority=7", "runqueue.topics.email.max-attempts=2",
					"runqueue.topics.email.group=mail", "runqueue.topics.email.delay=1h",
					"runqueue.topics.email.unique-key=the-one")
			.withUserConfiguration(EmailHandler.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				RunQueue runQueue = context.getBean(RunQueue.class);

				AddResult first = runQueue.add("email", new Email("a@example.com"));
				AddResult second = runQueue.add("email", new Email("b@example.com"));

				JobRecord job = record(context, first.id());
				assertThat(job.priority()).isEqualTo(7);
				assertThat(job.maxAttempts()).isEqualTo(2);
				assertThat(job.group()).isEqualTo("mail");
				assertThat(job.state()).isEqualTo(JobState.SCHEDULED);
				assertThat(second.duplicate()).isTrue();
				assertThat(second.id()).isEqualTo(first.id());
			});
	}

	@Test
	void customizersAdjustTopicAndWorkerSettings() {
		this.contextRunner.withUserConfiguration(EmailHandler.class, Customized.class).run((context) -> {
			assertThat(context).hasNotFailed();
			long id = context.getBean(RunQueue.class).add("email", new Email("a@example.com")).id();

			assertThat(record(context, id).priority()).isEqualTo(3);
			await().atMost(Duration.ofSeconds(10)).until(() -> state(context, id) == JobState.SUCCEEDED);
			assertThat(record(context, id).claimedBy()).isEqualTo("customized-node");
		});
	}

	@Test
	void aNodeWithItsWorkerDisabledOnlyAddsJobsAndNeedsNoHandlers() {
		this.contextRunner.withPropertyValues("runqueue.worker.enabled=false", "runqueue.topics.report.priority=5")
			.run((context) -> {
				assertThat(context).hasNotFailed().doesNotHaveBean(RunQueueLifecycle.class);
				long id = context.getBean(RunQueue.class).add("report", "x").id();

				assertThat(record(context, id).state()).isEqualTo(JobState.AVAILABLE);
			});
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21)
	void runsHandlersOnVirtualThreadsWhenSpringIsConfiguredForThem() {
		this.contextRunner.withPropertyValues("spring.threads.virtual.enabled=true")
			.withUserConfiguration(ThreadRecorder.class)
			.run((context) -> {
				long id = context.getBean(RunQueue.class).add("thread", "x").id();

				await().atMost(Duration.ofSeconds(10)).until(() -> state(context, id) == JobState.SUCCEEDED);
				assertThat(context.getBean(ThreadRecorder.class).virtual).containsExactly(true);
			});
	}

	@Test
	void runsHandlersOnPlatformThreadsByDefault() {
		this.contextRunner.withUserConfiguration(ThreadRecorder.class).run((context) -> {
			long id = context.getBean(RunQueue.class).add("thread", "x").id();

			await().atMost(Duration.ofSeconds(10)).until(() -> state(context, id) == JobState.SUCCEEDED);
			assertThat(context.getBean(ThreadRecorder.class).virtual).containsExactly(false);
		});
	}

	private static JobState state(AssertableApplicationContext context, long id) {
		return record(context, id).state();
	}

	private static JobRecord record(AssertableApplicationContext context, long id) {
		return context.getBean(JobStore.class).find(id).orElseThrow();
	}

	private static boolean tableExists(String name) {
		return JdbcClient.create(postgres.dataSource())
			.sql("SELECT to_regclass(:name) IS NOT NULL")
			.param("name", name)
			.query(Boolean.class)
			.single();
	}

	record Email(String to) {

	}

	@Configuration(proxyBeanMethods = false)
	static class EmailHandler {

		final List<Email> received = new CopyOnWriteArrayList<>();

		final List<JobContext> contexts = new CopyOnWriteArrayList<>();

		@RunQueueJob("email")
		void send(Email email, JobContext context) {
			this.received.add(email);
			this.contexts.add(context);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class VariousHandlers {

		final List<String> calls = new CopyOnWriteArrayList<>();

		@RunQueueJob("tree")
		void tree(JsonNode payload) {
			this.calls.add("tree:" + payload.get("to").asString());
		}

		@RunQueueJob(topic = "text")
		String text(String payload) {
			this.calls.add("text:" + payload);
			return payload.toUpperCase();
		}

		@RunQueueJob("none")
		void none() {
			this.calls.add("none");
		}

		@RunQueueJob("decides")
		JobResult decides(int value) {
			return (value == 3) ? JobResult.discard("three is not allowed") : JobResult.success();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ProxiedHandlers {

		static final List<String> calls = new CopyOnWriteArrayList<>();

		@Bean
		Object classProxiedHandler() {
			ProxyFactory factory = new ProxyFactory(new ClassHandler());
			factory.setProxyTargetClass(true);
			return factory.getProxy();
		}

		@Bean
		Greeter interfaceProxiedHandler() {
			ProxyFactory factory = new ProxyFactory(new InterfaceHandler());
			factory.addInterface(Greeter.class);
			return (Greeter) factory.getProxy();
		}

		static class ClassHandler {

			@RunQueueJob("class-proxied")
			public void handle(String payload) {
				calls.add("class:" + payload);
			}

		}

		interface Greeter {

			void greet(String payload);

		}

		static class InterfaceHandler implements Greeter {

			@Override
			@RunQueueJob("interface-proxied")
			public void greet(String payload) {
				calls.add("interface:" + payload);
			}

		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomRunQueue {

		// Any implementation will do: the starter must not configure its own.
		final RunQueue runQueue = (RunQueue) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
				new Class<?>[] { RunQueue.class }, (proxy, method, arguments) -> {
					throw new UnsupportedOperationException(method.getName());
				});

		@Bean
		RunQueue customRunQueue() {
			return this.runQueue;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Customized {

		@Bean
		RunQueueCustomizer runQueueCustomizer() {
			return new RunQueueCustomizer() {

				@Override
				public TopicSettings customizeTopic(TopicSettings topic) {
					return topic.withJobDefaults(topic.jobDefaults().withPriority(3));
				}

				@Override
				public WorkerSettings customizeWorker(WorkerSettings worker) {
					return worker.withNodeName("customized-node");
				}

			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ThreadRecorder {

		final List<Boolean> virtual = new CopyOnWriteArrayList<>();

		@RunQueueJob("thread")
		void record(String payload) throws Exception {
			this.virtual.add(isVirtual(Thread.currentThread()));
		}

		// Thread.isVirtual() exists from JDK 21; the tests compile for 17.
		private static boolean isVirtual(Thread thread) throws Exception {
			try {
				return (Boolean) Thread.class.getMethod("isVirtual").invoke(thread);
			}
			catch (NoSuchMethodException ex) {
				return false;
			}
		}

	}

}
