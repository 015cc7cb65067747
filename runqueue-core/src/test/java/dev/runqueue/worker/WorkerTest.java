package dev.runqueue.worker;

import java.time.Duration;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import dev.runqueue.DefaultRunQueue;
import dev.runqueue.JsonCodec;
import dev.runqueue.NewJob;
import dev.runqueue.TestJobTable;
import dev.runqueue.TopicSettings;
import dev.runqueue.Topics;
import dev.runqueue.job.JobHandler;
import dev.runqueue.job.JobResult;
import dev.runqueue.job.JobState;
import dev.runqueue.retry.Backoff;
import dev.runqueue.retry.RetryPolicy;
import dev.runqueue.store.JobRecord;
import dev.runqueue.store.PostgresJobStore;
import dev.runqueue.testpostgres.PostgresExtension;
import dev.runqueue.testpostgres.TestPostgres;
import dev.runqueue.testpostgres.TestDatabase;
import dev.runqueue.store.Stores;
import dev.runqueue.store.PostgresNotifications;
import dev.runqueue.event.EventPublisher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A {@link Worker} running real jobs against a real PostgreSQL.
 */
class WorkerTest {

	@RegisterExtension
	static final PostgresExtension postgres = new PostgresExtension();

	// Long enough that nothing in these tests is found by polling: jobs run because a
	// notification woke the worker, a finished job made room, or a scheduled job came
	// due.
	private static final Duration NO_POLLING = Duration.ofMinutes(10);

	private static final RetryPolicy FAST_RETRIES = new RetryPolicy(3, Backoff.fixed(Duration.ofMillis(10)), true, 3);

	private static DataSource otherNodeDataSource;

	private TestJobTable jobs;

	private PostgresJobStore store;

	private final List<Worker> workers = new ArrayList<>();

	@BeforeEach
	void prepare() {
		this.jobs = TestJobTable.prepare(postgres.dataSource());
		this.store = new PostgresJobStore(postgres.dataSource());
	}

	@AfterEach
	void stopWorkers() {
		this.workers.forEach(Worker::stop);
	}

	@Test
	void aJobAddedToAnIdleQueueRunsWithoutWaitingForAPoll() {
		List<String> payloads = Collections.synchronizedList(new ArrayList<>());
		TopicSettings topic = topic("email");
		start(Worker.builder(postgres.dataSource(), this.store).settings(settings()).handler(topic, (job, context) -> {
			payloads.add(job.payload());
			return JobResult.success();
		}));

		long id = queue(topic).add("email", Map.of("to", "a@example.com")).id();

		await().atMost(Duration.ofSeconds(10)).until(() -> state(id) == JobState.SUCCEEDED);
		assertThat(payloads).containsExactly("{\"to\": \"a@example.com\"}");
	}

	@Test
	void aFailingJobIsRetriedAndEachAttemptSeesThePreviousError() {
		List<String> lastErrors = Collections.synchronizedList(new ArrayList<>());
		TopicSettings topic = topic("flaky");
		start(Worker.builder(postgres.dataSource(), this.store).settings(settings()).handler(topic, (job, context) -> {
			lastErrors.add(context.lastError().orElse("none"));
			if (context.attempt() < 3) {
				throw new IllegalStateException("failure " + context.attempt());
			}
			return JobResult.success();
		}));

		long id = queue(topic).add("flaky", "x").id();

		await().atMost(Duration.ofSeconds(10)).until(() -> state(id) == JobState.SUCCEEDED);
		JobRecord job = this.store.find(id).orElseThrow();
		assertThat(job.attempt()).isEqualTo(3);
		assertThat(job.errors()).isEqualTo(2);
		assertThat(lastErrors).hasSize(3);
		assertThat(lastErrors.get(0)).isEqualTo("none");
		assertThat(lastErrors.get(1)).startsWith("java.lang.IllegalStateException: failure 1");
		assertThat(lastErrors.get(2)).startsWith("java.lang.IllegalStateException: failure 2");
	}

	@Test
	void aJobThatKeepsFailingFailsForGoodAfterItsAttempts() {
		AtomicInteger runs = new AtomicInteger();
		TopicSettings topic = topic("broken");
		start(Worker.builder(postgres.dataSource(), this.store).settings(settings()).handler(topic, (job, context) -> {
			runs.incrementAndGet();
			return JobResult.fail("still broken");
		}));

		long id = queue(topic).add("broken", "x").id();

		await().atMost(Duration.ofSeconds(10)).until(() -> state(id) == JobState.FAILED);
		JobRecord job = this.store.find(id).orElseThrow();
		assertThat(runs).hasValue(3);
		assertThat(job.attempt()).isEqualTo(3);
		assertThat(job.lastError()).isEqualTo("still broken");
		assertThat(job.finishedAt()).isNotNull();
	}

	@Test
	void aDiscardedJobFailsAtOnceWhateverAttemptsItHasLeft() {
		AtomicInteger runs = new AtomicInteger();
		TopicSettings topic = topic("hopeless");
		start(Worker.builder(postgres.dataSource(), this.store).settings(settings()).handler(topic, (job, context) -> {
			runs.incrementAndGet();
			return JobResult.discard("no such customer");
		}));

		long id = queue(topic).add("hopeless", "x").id();

		await().atMost(Duration.ofSeconds(10)).until(() -> state(id) == JobState.FAILED);
		assertThat(runs).hasValue(1);
		assertThat(this.store.find(id).orElseThrow().lastError()).isEqualTo("no such customer");
	}

	@Test
	void aJobThatReplacesItselfRunsInRoundsUntilItSucceeds() {
		JsonCodec json = new JsonCodec();
		List<Integer> counters = Collections.synchronizedList(new ArrayList<>());
		TopicSettings topic = topic("rounds");
		start(Worker.builder(postgres.dataSource(), this.store).settings(settings()).handler(topic, (job, context) -> {
			Counter counter = json.read(job.payload(), Counter.class);
			counters.add(counter.value());
			if (counter.value() >= 3) {
				return JobResult.success(counter);
			}
			return JobResult.replace(new Counter(counter.value() + 1));
		}));

		long id = queue(topic).add("rounds", new Counter(0)).id();

		await().atMost(Duration.ofSeconds(10)).until(() -> state(id) == JobState.SUCCEEDED);
		assertThat(counters).containsExactly(0, 1, 2, 3);
		JobRecord job = this.store.find(id).orElseThrow();
		assertThat(job.runs()).isEqualTo(4);
		assertThat(job.result()).isEqualTo("{\"value\": 3}");
	}

	@Test
	void aSnoozedJobRunsAgainWithoutUsingAnAttempt() {
		AtomicInteger runs = new AtomicInteger();
		TopicSettings topic = topic("patient");
		start(Worker.builder(postgres.dataSource(), this.store).settings(settings()).handler(topic, (job, context) -> {
			if (runs.incrementAndGet() < 3) {
				return JobResult.snooze(Duration.ofMillis(20));
			}
			return JobResult.success(context.attempt());
		}));

		long id = queue(topic).add(NewJob.of("patient", "x").maxAttempts(1)).id();

		await().atMost(Duration.ofSeconds(10)).until(() -> state(id) == JobState.SUCCEEDED);
		assertThat(runs).hasValue(3);
		assertThat(this.store.find(id).orElseThrow().result()).isEqualTo("1");
	}

	@Test
	void aDelayedJobRunsWhenItsTimeComes() {
		TopicSettings topic = topic("later");
		start(Worker.builder(postgres.dataSource(), this.store)
			.settings(settings())
			.handler(topic, (job, context) -> JobResult.success()));

		long id = queue(topic).add(NewJob.of("later", "x").delay(Duration.ofMillis(500))).id();

		assertThat(state(id)).isEqualTo(JobState.SCHEDULED);
		await().atMost(Duration.ofSeconds(10)).until(() -> state(id) == JobState.SUCCEEDED);
		JobRecord job = this.store.find(id).orElseThrow();
		assertThat(job.startedAt()).isAfterOrEqualTo(job.runAt());
	}

	@Test
	void aNodeRunsNoMoreJobsOfATopicAtOnceThanItsConcurrency() {
		AtomicInteger running = new AtomicInteger();
		AtomicInteger mostAtOnce = new AtomicInteger();
		TopicSettings topic = topic("bounded").withConcurrency(3);
		start(Worker.builder(postgres.dataSource(), this.store).settings(settings()).handler(topic, (job, context) -> {
			int now = running.incrementAndGet();
			mostAtOnce.accumulateAndGet(now, Math::max);
			Thread.sleep(30);
			running.decrementAndGet();
			return JobResult.success();
		}));
		List<NewJob> many = new ArrayList<>();
		for (int i = 0; i < 30; i++) {
			many.add(NewJob.of("bounded", i));
		}

		queue(topic).addAll(many);

		await().atMost(Duration.ofSeconds(20)).until(() -> this.jobs.countInState("succeeded") == 30);
		assertThat(mostAtOnce).hasValue(3);
	}

	@Test
	void aWorkerLeavesTopicsItHasNoHandlerForToOthers() {
		TopicSettings email = topic("email");
		TopicSettings other = topic("other");
		start(Worker.builder(postgres.dataSource(), this.store)
			.settings(settings().withPollInterval(Duration.ofMillis(50)))
			.handler(email, (job, context) -> JobResult.success()));
		DefaultRunQueue runQueue = new DefaultRunQueue(this.store, Topics.of(List.of(email, other)), new JsonCodec());

		long otherId = runQueue.add("other", "x").id();
		long emailId = runQueue.add("email", "x").id();

		await().atMost(Duration.ofSeconds(10)).until(() -> state(emailId) == JobState.SUCCEEDED);
		assertThat(state(otherId)).isEqualTo(JobState.AVAILABLE);
	}

	@Test
	void aTransactionalHandlersWorkCommitsWithTheJobsSuccess() {
		this.jobs.jdbc().sql("CREATE TABLE IF NOT EXISTS sent_mail (job_id bigint PRIMARY KEY)").update();
		this.jobs.jdbc().sql("TRUNCATE sent_mail").update();
		TopicSettings topic = topic("mail").withTransactional(true);
		AtomicInteger attempts = new AtomicInteger();
		start(Worker.builder(postgres.dataSource(), this.store)
			.settings(settings())
			.transactionManager(new DataSourceTransactionManager(postgres.dataSource()))
			.handler(topic, (job, context) -> {
				// On the worker's data source, so that it joins the handler's
				// transaction.
				JdbcClient.create(postgres.dataSource())
					.sql("INSERT INTO sent_mail (job_id) VALUES (:id)")
					.param("id", job.id())
					.update();
				if (attempts.incrementAndGet() == 1) {
					throw new IllegalStateException("the first attempt rolls back its insert");
				}
				return JobResult.success();
			}));

		long id = queue(topic).add("mail", "x").id();

		await().atMost(Duration.ofSeconds(10)).until(() -> state(id) == JobState.SUCCEEDED);
		assertThat(attempts).hasValue(2);
		assertThat(this.jobs.jdbc().sql("SELECT count(*) FROM sent_mail").query(Integer.class).single()).isEqualTo(1);
	}

	@Test
	void aTransactionalHandlerWhoseJobWasTakenFromItRollsBackItsWork() {
		this.jobs.jdbc().sql("CREATE TABLE IF NOT EXISTS sent_mail (job_id bigint PRIMARY KEY)").update();
		this.jobs.jdbc().sql("TRUNCATE sent_mail").update();
		TopicSettings topic = topic("mail").withTransactional(true);
		CountDownLatch ran = new CountDownLatch(1);
		Worker worker = start(Worker.builder(postgres.dataSource(), this.store)
			.settings(settings())
			.transactionManager(new DataSourceTransactionManager(postgres.dataSource()))
			.handler(topic, (job, context) -> {
				JdbcClient.create(postgres.dataSource())
					.sql("INSERT INTO sent_mail (job_id) VALUES (:id)")
					.param("id", job.id())
					.update();
				// Meanwhile the job is taken back and given to another node, with a new
				// lease token.
				otherNode().sql(
						"UPDATE runqueue_job SET lease_token = gen_random_uuid(), claimed_by = 'node-b' WHERE id = :id")
					.param("id", job.id())
					.update();
				ran.countDown();
				return JobResult.success();
			}));

		long id = queue(topic).add("mail", "x").id();

		await().atMost(Duration.ofSeconds(10)).until(() -> ran.getCount() == 0 && worker.staleWrites() == 1);
		assertThat(this.jobs.jdbc().sql("SELECT count(*) FROM sent_mail").query(Integer.class).single()).isZero();
		JobRecord job = this.store.find(id).orElseThrow();
		assertThat(job.state()).isEqualTo(JobState.RUNNING);
		assertThat(job.claimedBy()).isEqualTo("node-b");
	}

	@Test
	void anOutcomeForAJobTakenFromTheNodeIsCountedAsAStaleWriteAndChangesNothing() throws Exception {
		CountDownLatch taken = new CountDownLatch(1);
		TopicSettings topic = topic("slow");
		Worker worker = start(Worker.builder(postgres.dataSource(), this.store)
			.settings(settings())
			.handler(topic, (job, context) -> {
				otherNode().sql(
						"UPDATE runqueue_job SET lease_token = gen_random_uuid(), claimed_by = 'node-b' WHERE id = :id")
					.param("id", job.id())
					.update();
				taken.countDown();
				return JobResult.success("from the old owner");
			}));

		long id = queue(topic).add("slow", "x").id();

		assertThat(taken.await(10, TimeUnit.SECONDS)).isTrue();
		await().atMost(Duration.ofSeconds(10)).until(() -> worker.staleWrites() == 1);
		JobRecord job = this.store.find(id).orElseThrow();
		assertThat(job.state()).isEqualTo(JobState.RUNNING);
		assertThat(job.result()).isNull();
	}

	@Test
	void stoppingLetsRunningJobsFinishWithinTheGracePeriod() {
		CountDownLatch started = new CountDownLatch(1);
		TopicSettings topic = topic("short");
		Worker worker = start(Worker.builder(postgres.dataSource(), this.store)
			.settings(settings().withShutdownGracePeriod(Duration.ofSeconds(10)))
			.handler(topic, (job, context) -> {
				started.countDown();
				Thread.sleep(300);
				return JobResult.success();
			}));
		long id = queue(topic).add("short", "x").id();
		await().atMost(Duration.ofSeconds(10)).until(() -> started.getCount() == 0);

		worker.stop();

		assertThat(state(id)).isEqualTo(JobState.SUCCEEDED);
	}

	@Test
	void stoppingReleasesJobsStillRunningAfterTheGracePeriodWithoutLosingAnAttempt() {
		CountDownLatch started = new CountDownLatch(1);
		AtomicBoolean sawCancellation = new AtomicBoolean();
		TopicSettings topic = topic("long");
		Worker worker = start(Worker.builder(postgres.dataSource(), this.store)
			.settings(settings().withShutdownGracePeriod(Duration.ofMillis(200)))
			.handler(topic, (job, context) -> {
				started.countDown();
				try {
					Thread.sleep(60_000);
				}
				catch (InterruptedException ex) {
					sawCancellation.set(context.isCancelled());
				}
				return JobResult.success();
			}));
		long id = queue(topic).add("long", "x").id();
		await().atMost(Duration.ofSeconds(10)).until(() -> started.getCount() == 0);

		worker.stop();

		JobRecord job = this.store.find(id).orElseThrow();
		assertThat(job.state()).isEqualTo(JobState.AVAILABLE);
		assertThat(job.attempt()).isZero();
		await().atMost(Duration.ofSeconds(5)).untilTrue(sawCancellation);
		assertThat(state(id)).isEqualTo(JobState.AVAILABLE);
	}

	@Test
	void anotherWorkerTakesAReleasedJobAtOnce() {
		CountDownLatch started = new CountDownLatch(1);
		TopicSettings topic = topic("handover");
		Worker first = start(Worker.builder(postgres.dataSource(), this.store)
			.settings(settings().withNodeName("first").withShutdownGracePeriod(Duration.ZERO))
			.handler(topic, (job, context) -> {
				started.countDown();
				Thread.sleep(60_000);
				return JobResult.success("first");
			}));
		long id = queue(topic).add("handover", "x").id();
		await().atMost(Duration.ofSeconds(10)).until(() -> started.getCount() == 0);
		start(Worker.builder(postgres.dataSource(), new PostgresJobStore(postgres.database().newDataSource(3)))
			.settings(settings().withNodeName("second"))
			.handler(topic, (job, context) -> JobResult.success("second")));

		first.stop();

		await().atMost(Duration.ofSeconds(10)).until(() -> state(id) == JobState.SUCCEEDED);
		JobRecord job = this.store.find(id).orElseThrow();
		assertThat(job.result()).isEqualTo("\"second\"");
		assertThat(job.claimedBy()).isEqualTo("second");
		assertThat(job.attempt()).isEqualTo(1);
	}

	@Test
	void aJobHandlerThatThrowsAnErrorDoesNotKillTheWorker() {
		AtomicInteger runs = new AtomicInteger();
		TopicSettings topic = topic("fatal");
		JobHandler handler = (job, context) -> {
			if (runs.incrementAndGet() == 1) {
				throw new StackOverflowError("deep");
			}
			return JobResult.success();
		};
		start(Worker.builder(postgres.dataSource(), this.store).settings(settings()).handler(topic, handler));
		DefaultRunQueue runQueue = queue(topic);

		long first = runQueue.add(NewJob.of("fatal", 1).maxAttempts(1)).id();
		await().atMost(Duration.ofSeconds(10)).until(() -> state(first) == JobState.FAILED);
		long second = runQueue.add("fatal", 2).id();

		await().atMost(Duration.ofSeconds(10)).until(() -> state(second) == JobState.SUCCEEDED);
		assertThat(this.store.find(first).orElseThrow().lastError()).startsWith("java.lang.StackOverflowError: deep");
	}

	@Test
	void aJobAddedInTheWorkersJvmWakesItWithoutANotification() throws Exception {
		// The worker listens on another database, so no notification ever reaches it, and
		// it never polls: only the queue's event of the added job can wake it.
		try (TestDatabase elsewhere = TestPostgres.createDatabase()) {
			Stores stores = Stores.postgres(postgres.dataSource(), this.store);
			Stores deaf = new Stores(stores.jobs(), stores.maintenance(), stores.admin(), stores.topics(),
					stores.schedules(), stores.nodes(), new PostgresNotifications(elsewhere.dataSource()));
			EventPublisher events = EventPublisher.none(Clock.systemUTC());
			TopicSettings topic = topic("local");
			AtomicInteger runs = new AtomicInteger();
			Worker worker = start(Worker.builder(postgres.dataSource(), this.store)
				.stores(deaf)
				.events(events)
				.settings(settings())
				.handler(topic, (job, context) -> {
					runs.incrementAndGet();
					return JobResult.success();
				}));
			Thread.sleep(300);

			DefaultRunQueue otherPublisher = queue(topic);
			long unheard = otherPublisher.add("local", "a").id();
			await().during(Duration.ofMillis(500)).until(() -> state(unheard) == JobState.AVAILABLE);

			DefaultRunQueue samePublisher = new DefaultRunQueue(stores, Topics.of(List.of(topic)), new JsonCodec(),
					Map.of(), events);
			long heard = samePublisher.add("local", "b").id();
			await().atMost(Duration.ofSeconds(10)).until(() -> state(heard) == JobState.SUCCEEDED);
			worker.stop();
			deaf.notifications().close();
		}
	}

	private Worker start(Worker.Builder builder) {
		Worker worker = builder.build();
		this.workers.add(worker);
		worker.start();
		return worker;
	}

	// Another node's connection: never part of a handler's transaction.
	private static JdbcClient otherNode() {
		return JdbcClient.create(otherNodeDataSource());
	}

	private static synchronized DataSource otherNodeDataSource() {
		if (otherNodeDataSource == null) {
			otherNodeDataSource = postgres.database().newDataSource(2);
		}
		return otherNodeDataSource;
	}

	private DefaultRunQueue queue(TopicSettings topic) {
		return new DefaultRunQueue(this.store, Topics.of(List.of(topic)), new JsonCodec());
	}

	private JobState state(long id) {
		return this.store.find(id).orElseThrow().state();
	}

	private static TopicSettings topic(String name) {
		return TopicSettings.named(name).withRetryPolicy(FAST_RETRIES);
	}

	private static WorkerSettings settings() {
		return WorkerSettings.defaults().withPollInterval(NO_POLLING);
	}

	record Counter(int value) {

	}

}
