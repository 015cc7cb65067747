package dev.runqueue.worker;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.runqueue.AddResult;
import dev.runqueue.DefaultRunQueue;
import dev.runqueue.FlowControl;
import dev.runqueue.JsonCodec;
import dev.runqueue.NewJob;
import dev.runqueue.RateLimit;
import dev.runqueue.RunQueue;
import dev.runqueue.TestJobTable;
import dev.runqueue.TopicSettings;
import dev.runqueue.Topics;
import dev.runqueue.job.JobHandler;
import dev.runqueue.job.JobResult;
import dev.runqueue.job.JobState;
import dev.runqueue.retry.Backoff;
import dev.runqueue.retry.RetryPolicy;
import dev.runqueue.store.PostgresJobStore;
import dev.runqueue.store.Stores;
import dev.runqueue.store.TableNames;
import dev.runqueue.testpostgres.PostgresExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Flow control across the cluster, with three workers in this JVM playing three nodes:
 * group limits, FIFO topics, limits of running jobs, rate limits and back pressure.
 */
class FlowControlTest {

	@RegisterExtension
	static final PostgresExtension postgres = new PostgresExtension();

	private static final RetryPolicy FAST_RETRIES = new RetryPolicy(3, Backoff.fixed(Duration.ofMillis(50)), true, 3);

	private TestJobTable jobs;

	private PostgresJobStore store;

	private final List<Worker> workers = new ArrayList<>();

	private final ExecutionLedger ledger = new ExecutionLedger();

	@BeforeEach
	void prepare() {
		this.jobs = TestJobTable.prepare(postgres.dataSource());
		this.jobs.jdbc().sql("TRUNCATE runqueue_node, runqueue_leader, runqueue_topic").update();
		this.store = new PostgresJobStore(postgres.dataSource());
	}

	@AfterEach
	void stopWorkers() {
		this.workers.forEach(Worker::stop);
	}

	@Test
	void aGroupLimitOfTwoNeverHasThreeRunningAcrossNodesWhileOtherGroupsFlow() {
		TopicSettings topic = topic("per-tenant").withConcurrency(5)
			.withFlowControl(FlowControl.NONE.withGroupConcurrency(2));
		startNodes(3, topic, sleeping(100));
		List<NewJob> many = new ArrayList<>();
		for (int i = 0; i < 36; i++) {
			many.add(NewJob.of("per-tenant", i).group("tenant-" + (i % 3)));
		}

		queue(topic).addAll(many);

		await().atMost(Duration.ofSeconds(30)).until(() -> this.jobs.countInState("succeeded") == 36);
		assertThat(this.ledger.mostAtOnceByGroup()).containsOnlyKeys("tenant-0", "tenant-1", "tenant-2")
			.allSatisfy((group, most) -> assertThat(most).isEqualTo(2));
		assertThat(this.ledger.mostAtOnce()).as("the groups ran side by side").isGreaterThan(2);
	}

	@Test
	void aJobsOwnGroupLimitWinsOverItsTopics() {
		TopicSettings topic = topic("per-tenant").withConcurrency(5)
			.withFlowControl(FlowControl.NONE.withGroupConcurrency(3));
		startNodes(2, topic, sleeping(80));
		List<NewJob> many = new ArrayList<>();
		for (int i = 0; i < 12; i++) {
			many.add(NewJob.of("per-tenant", i).group("tenant-x", 1));
		}

		queue(topic).addAll(many);

		await().atMost(Duration.ofSeconds(30)).until(() -> this.jobs.countInState("succeeded") == 12);
		assertThat(this.ledger.mostAtOnceByGroup()).containsEntry("tenant-x", 1);
	}

	@Test
	void aFifoTopicRunsOneJobAtATimeInInsertionOrderAndARetryBlocksTheOnesBehindIt() {
		TopicSettings topic = topic("ledger-entries").withConcurrency(5).withFlowControl(FlowControl.NONE.asFifo());
		List<Long> attemptsOfFifth = new ArrayList<>();
		startNodes(3, topic, (job, context) -> {
			this.ledger.start(job.id(), null);
			try {
				Thread.sleep(20);
				if (job.payload().equals("5") && context.attempt() < 3) {
					synchronized (attemptsOfFifth) {
						attemptsOfFifth.add(job.id());
					}
					throw new IllegalStateException("the fifth entry fails twice");
				}
				return JobResult.success();
			}
			finally {
				this.ledger.finish(job.id(), null);
			}
		});
		List<NewJob> entries = new ArrayList<>();
		for (int i = 1; i <= 12; i++) {
			entries.add(NewJob.of("ledger-entries", i));
		}

		List<Long> ids = queue(topic).addAll(entries).stream().map(AddResult::id).toList();

		await().atMost(Duration.ofSeconds(30)).until(() -> this.jobs.countInState("succeeded") == 12);
		assertThat(this.ledger.mostAtOnce()).isEqualTo(1);
		List<Long> startOrder = this.ledger.started();
		assertThat(startOrder.stream().distinct().toList()).containsExactlyElementsOf(ids);
		assertThat(startOrder).hasSize(14);
		assertThat(attemptsOfFifth).hasSize(2);
	}

	@Test
	void aFifoJobThatFailsForGoodLetsTheNextOneRun() {
		TopicSettings topic = topic("strict").withFlowControl(FlowControl.NONE.asFifo())
			.withRetryPolicy(FAST_RETRIES.withMaxAttempts(2));
		startNodes(2, topic,
				(job, context) -> job.payload().equals("2") ? JobResult.fail("broken") : JobResult.success());

		List<Long> ids = queue(topic)
			.addAll(List.of(NewJob.of("strict", 1), NewJob.of("strict", 2), NewJob.of("strict", 3)))
			.stream()
			.map(AddResult::id)
			.toList();

		await().atMost(Duration.ofSeconds(20)).until(() -> state(ids.get(2)) == JobState.SUCCEEDED);
		assertThat(state(ids.get(1))).isEqualTo(JobState.FAILED);
		assertThat(this.store.find(ids.get(2)).orElseThrow().startedAt())
			.isAfter(this.store.find(ids.get(1)).orElseThrow().finishedAt());
	}

	@Test
	void aLimitOfRunningJobsHoldsAcrossNodes() {
		TopicSettings topic = topic("heavy").withConcurrency(5).withFlowControl(FlowControl.NONE.withMaxRunning(3));
		startNodes(3, topic, sleeping(100));
		List<NewJob> many = new ArrayList<>();
		for (int i = 0; i < 24; i++) {
			many.add(NewJob.of("heavy", i));
		}

		queue(topic).addAll(many);

		await().atMost(Duration.ofSeconds(30)).until(() -> this.jobs.countInState("succeeded") == 24);
		assertThat(this.ledger.mostAtOnce()).isEqualTo(3);
	}

	@Test
	void aRateLimitIsNeverExceededOverAnyWindowAcrossNodes() {
		TopicSettings topic = topic("throttled").withConcurrency(10)
			.withFlowControl(FlowControl.NONE.withRateLimit(new RateLimit(5, Duration.ofSeconds(1))));
		startNodes(3, topic, sleeping(1));
		List<NewJob> many = new ArrayList<>();
		for (int i = 0; i < 16; i++) {
			many.add(NewJob.of("throttled", i));
		}

		queue(topic).addAll(many);

		await().atMost(Duration.ofSeconds(30)).until(() -> this.jobs.countInState("succeeded") == 16);
		// The claim's now() is both the release the limit counts and the job's
		// started_at.
		List<Instant> releases = this.jobs.jdbc()
			.sql("SELECT started_at FROM runqueue_job WHERE topic = 'throttled' ORDER BY started_at")
			.query((rs, row) -> rs.getObject(1, java.time.OffsetDateTime.class).toInstant())
			.list();
		for (int i = 5; i < releases.size(); i++) {
			assertThat(Duration.between(releases.get(i - 5), releases.get(i)))
				.as("release %d comes a full window after release %d", i, i - 5)
				.isGreaterThanOrEqualTo(Duration.ofSeconds(1));
		}
	}

	@Test
	void aMinimumIntervalSpacesReleases() {
		TopicSettings topic = topic("spaced").withConcurrency(10)
			.withFlowControl(FlowControl.NONE.withRateLimit(RateLimit.oneEvery(Duration.ofMillis(200))));
		startNodes(2, topic, sleeping(1));
		List<NewJob> many = new ArrayList<>();
		for (int i = 0; i < 6; i++) {
			many.add(NewJob.of("spaced", i));
		}

		queue(topic).addAll(many);

		await().atMost(Duration.ofSeconds(20)).until(() -> this.jobs.countInState("succeeded") == 6);
		List<Instant> releases = this.jobs.jdbc()
			.sql("SELECT started_at FROM runqueue_job WHERE topic = 'spaced' ORDER BY started_at")
			.query((rs, row) -> rs.getObject(1, java.time.OffsetDateTime.class).toInstant())
			.list();
		for (int i = 1; i < releases.size(); i++) {
			assertThat(Duration.between(releases.get(i - 1), releases.get(i)))
				.isGreaterThanOrEqualTo(Duration.ofMillis(200));
		}
	}

	@Test
	void backPressureRefusesExactlyAtTheLimitUnderConcurrentAdds() throws Exception {
		TopicSettings topic = topic("bounded").withFlowControl(FlowControl.NONE.withMaxWaiting(37));
		RunQueue runQueue = queue(topic);
		ExecutorService pool = Executors.newFixedThreadPool(8);
		CountDownLatch start = new CountDownLatch(1);
		List<Future<AddResult>> futures = new ArrayList<>();
		for (int i = 0; i < 120; i++) {
			int n = i;
			futures.add(pool.submit(() -> {
				start.await();
				return runQueue.add("bounded", n);
			}));
		}
		start.countDown();
		List<AddResult> results = new ArrayList<>();
		for (Future<AddResult> future : futures) {
			results.add(future.get());
		}
		pool.shutdown();

		assertThat(results).filteredOn(AddResult::added).hasSize(37);
		assertThat(results).filteredOn(AddResult::refused).hasSize(83);
		assertThat(this.jobs.count()).isEqualTo(37);
	}

	@Test
	void aRefusalRollsBackNothingElseInTheCallersTransaction() {
		this.jobs.jdbc().sql("CREATE TABLE IF NOT EXISTS orders (id bigint)").update();
		this.jobs.jdbc().sql("TRUNCATE orders").update();
		TopicSettings topic = topic("bounded").withFlowControl(FlowControl.NONE.withMaxWaiting(1));
		RunQueue runQueue = queue(topic);
		runQueue.add("bounded", "fills the topic");
		TransactionTemplate transactions = new TransactionTemplate(
				new DataSourceTransactionManager(postgres.dataSource()));

		AddResult refused = transactions.execute((status) -> {
			org.springframework.jdbc.core.simple.JdbcClient.create(postgres.dataSource())
				.sql("INSERT INTO orders VALUES (1)")
				.update();
			return runQueue.add("bounded", "one too many");
		});

		assertThat(refused.refused()).isTrue();
		assertThat(this.jobs.jdbc().sql("SELECT count(*) FROM orders").query(Integer.class).single()).isEqualTo(1);
	}

	private void startNodes(int count, TopicSettings topic, JobHandler handler) {
		for (int i = 0; i < count; i++) {
			Worker worker = Worker.builder(postgres.dataSource(), this.store)
				.settings(WorkerSettings.defaults().withNodeName("node-" + i).withPollInterval(Duration.ofMillis(100)))
				.handler(topic, handler)
				.build();
			this.workers.add(worker);
			worker.start();
		}
	}

	private JobHandler sleeping(long millis) {
		return (job, context) -> {
			this.ledger.start(job.id(), job.group());
			try {
				Thread.sleep(millis);
				return JobResult.success();
			}
			finally {
				this.ledger.finish(job.id(), job.group());
			}
		};
	}

	private RunQueue queue(TopicSettings topic) {
		return new DefaultRunQueue(Stores.postgres(postgres.dataSource(), TableNames.DEFAULT),
				Topics.of(List.of(topic)), new JsonCodec(), Map.of());
	}

	private JobState state(long id) {
		return this.store.find(id).orElseThrow().state();
	}

	private static TopicSettings topic(String name) {
		return TopicSettings.named(name).withRetryPolicy(FAST_RETRIES);
	}

}
