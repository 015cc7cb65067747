package dev.runqueue;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.runqueue.event.EventPublisher;
import dev.runqueue.event.RunQueueEvent;
import dev.runqueue.job.JobInfo;
import dev.runqueue.job.JobResult;
import dev.runqueue.job.JobState;
import dev.runqueue.retry.Backoff;
import dev.runqueue.retry.RetryPolicy;
import dev.runqueue.store.NodeRecord;
import dev.runqueue.store.Stores;
import dev.runqueue.store.TableNames;
import dev.runqueue.testpostgres.PostgresExtension;
import dev.runqueue.worker.InlineRunner;
import dev.runqueue.worker.Worker;
import dev.runqueue.worker.WorkerSettings;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Run state, waiting for results, events, observations, the admin API and the inline
 * runner, against a real PostgreSQL.
 */
class ResultsEventsAndAdminTest {

	@RegisterExtension
	static final PostgresExtension postgres = new PostgresExtension();

	private static final RetryPolicy FAST_RETRIES = new RetryPolicy(2, Backoff.fixed(Duration.ofMillis(10)), true, 3);

	private final TopicSettings work = TopicSettings.named("work").withRetryPolicy(FAST_RETRIES);

	private TestJobTable jobs;

	private Stores stores;

	private EventPublisher events;

	private DefaultRunQueue runQueue;

	private DefaultRunQueueAdmin admin;

	private final List<Worker> workers = new ArrayList<>();

	private final List<RunQueueEvent> received = Collections.synchronizedList(new ArrayList<>());

	@BeforeEach
	void prepare() {
		this.jobs = TestJobTable.prepare(postgres.dataSource());
		this.jobs.jdbc().sql("TRUNCATE runqueue_node, runqueue_leader, runqueue_topic").update();
		this.stores = Stores.postgres(postgres.dataSource(), TableNames.DEFAULT);
		this.events = new EventPublisher(Clock.systemUTC());
		this.events.addListener(this.received::add);
		this.runQueue = new DefaultRunQueue(this.stores, Topics.of(List.of(this.work)), new JsonCodec(), Map.of(),
				this.events);
		this.admin = new DefaultRunQueueAdmin(this.stores, this.events);
	}

	@AfterEach
	void stop() {
		this.workers.forEach(Worker::stop);
		this.events.close();
		this.stores.close();
	}

	@Test
	void theRunStateShowsCountersNodeTimesAndTheLastError() {
		startWorker("node-a", (job, context) -> {
			if (context.attempt() == 1) {
				throw new IllegalStateException("first attempt fails");
			}
			return JobResult.success(new Answer(42));
		});

		long id = this.runQueue.add("work", "question").id();

		await().atMost(Duration.ofSeconds(10)).until(() -> this.runQueue.find(id).orElseThrow().isFinished());
		JobInfo job = this.runQueue.find(id).orElseThrow();
		assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
		assertThat(job.attempt()).isEqualTo(2);
		assertThat(job.errors()).isEqualTo(1);
		assertThat(job.runs()).isEqualTo(1);
		assertThat(job.node()).isEqualTo("node-a");
		assertThat(job.lastError()).startsWith("java.lang.IllegalStateException: first attempt fails");
		assertThat(job.result()).isEqualTo("{\"value\": 42}");
		assertThat(job.startedAt()).isAfterOrEqualTo(job.createdAt());
		assertThat(job.finishedAt()).isAfterOrEqualTo(job.startedAt());
		assertThat(this.runQueue.find(424242)).isEmpty();
	}

	@Test
	void aCallerWaitsForAResultAndIsWokenByTheDatabasesNotification() throws Exception {
		// A waiter that reads the job only when told, so that only the notification can
		// complete the future.
		JobWaiter waiter = new JobWaiter(this.stores.jobs(), this.stores.notifications(), Duration.ofHours(1));
		CountDownLatch release = new CountDownLatch(1);
		startWorker("node-a", (job, context) -> {
			release.await(10, TimeUnit.SECONDS);
			return JobResult.success(new Answer(7));
		});
		long id = this.runQueue.add("work", "question").id();
		CompletableFuture<JobInfo> finished = waiter.whenFinished(id);
		Thread.sleep(300);
		assertThat(finished).isNotDone();

		release.countDown();

		JobInfo job = finished.get(10, TimeUnit.SECONDS);
		assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
		assertThat(this.runQueue.awaitResult(id, Answer.class, Duration.ofSeconds(5))).isEqualTo(new Answer(7));
	}

	@Test
	void waitingForAJobThatFinishedAlreadyReturnsAtOnce() throws Exception {
		startWorker("node-a", (job, context) -> JobResult.success("done"));
		long id = this.runQueue.add("work", "x").id();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.runQueue.find(id).orElseThrow().isFinished());

		assertThat(this.runQueue.awaitResult(id, String.class, Duration.ofSeconds(5))).isEqualTo("done");
	}

	@Test
	void waitingForAJobThatFailsThrowsWithItsErrorAndWaitingTooLongTimesOut() {
		startWorker("node-a", (job, context) -> job.payload().equals("\"slow\"") ? JobResult.snooze(Duration.ofHours(1))
				: JobResult.discard("no such account"));
		long failing = this.runQueue.add("work", "broken").id();
		long slow = this.runQueue.add("work", "slow").id();

		assertThatExceptionOfType(JobFailedException.class)
			.isThrownBy(() -> this.runQueue.awaitResult(failing, String.class, Duration.ofSeconds(10)))
			.withMessageContaining("failed: no such account")
			.satisfies((ex) -> assertThat(ex.job().id()).isEqualTo(failing));
		assertThatExceptionOfType(TimeoutException.class)
			.isThrownBy(() -> this.runQueue.awaitFinished(slow, Duration.ofMillis(500)));
	}

	@Test
	void eventsTellWhatHappenedToNodesAndJobs() {
		startWorker("node-a", (job, context) -> {
			if (job.payload().equals("\"flaky\"") && context.attempt() == 1) {
				throw new IllegalStateException("once");
			}
			return job.payload().equals("\"hopeless\"") ? JobResult.discard("no") : JobResult.success();
		});

		long fine = this.runQueue.add("work", "fine").id();
		long flaky = this.runQueue.add("work", "flaky").id();
		long hopeless = this.runQueue.add("work", "hopeless").id();

		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.received.stream().filter(RunQueueEvent.JobFailed.class::isInstance).count() == 1
					&& this.received.stream().filter(RunQueueEvent.JobSucceeded.class::isInstance).count() == 2);
		this.workers.get(0).stop();
		await().atMost(Duration.ofSeconds(5))
			.until(() -> this.received.stream().anyMatch(RunQueueEvent.NodeStopped.class::isInstance));
		assertThat(this.received).filteredOn(RunQueueEvent.NodeStarted.class::isInstance).hasSize(1);
		assertThat(this.received).filteredOn(RunQueueEvent.JobAdded.class::isInstance)
			.extracting((event) -> ((RunQueueEvent.JobAdded) event).jobId())
			.containsExactly(fine, flaky, hopeless);
		assertThat(this.received).filteredOn(RunQueueEvent.JobClaimed.class::isInstance).hasSize(4);
		assertThat(this.received).filteredOn(RunQueueEvent.JobRetried.class::isInstance)
			.singleElement()
			.satisfies((event) -> {
				RunQueueEvent.JobRetried retried = (RunQueueEvent.JobRetried) event;
				assertThat(retried.jobId()).isEqualTo(flaky);
				assertThat(retried.error()).isEqualTo("java.lang.IllegalStateException: once");
				assertThat(retried.node()).isEqualTo("node-a");
			});
		assertThat(this.received).filteredOn(RunQueueEvent.JobFailed.class::isInstance)
			.singleElement()
			.satisfies((event) -> assertThat(((RunQueueEvent.JobFailed) event).error()).isEqualTo("no"));
	}

	@Test
	void aJobAddedInATransactionThatRollsBackPublishesNothing() {
		TransactionTemplate transactions = new TransactionTemplate(
				new DataSourceTransactionManager(postgres.dataSource()));

		transactions.executeWithoutResult((status) -> {
			this.runQueue.add("work", "rolled back");
			status.setRollbackOnly();
		});
		long committed = transactions.execute((status) -> this.runQueue.add("work", "committed").id());

		await().atMost(Duration.ofSeconds(5)).until(() -> !this.received.isEmpty());
		assertThat(this.received).extracting((event) -> ((RunQueueEvent.JobAdded) event).jobId())
			.containsExactly(committed);
	}

	@Test
	void aSlowListenerNeverSlowsTheWorkers() {
		CountDownLatch listenerBlocked = new CountDownLatch(1);
		this.events.addListener((event) -> {
			try {
				listenerBlocked.await(30, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		startWorker("node-a", (job, context) -> JobResult.success());
		List<NewJob> many = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			many.add(NewJob.of("work", i));
		}

		this.runQueue.addAll(many);

		await().atMost(Duration.ofSeconds(20)).until(() -> this.jobs.countInState("succeeded") == 200);
		listenerBlocked.countDown();
	}

	@Test
	void eachHandlerRunIsAnObservationWithItsTopicAndOutcome() {
		List<Observation.Context> observed = Collections.synchronizedList(new ArrayList<>());
		ObservationRegistry registry = ObservationRegistry.create();
		registry.observationConfig().observationHandler(new ObservationHandler<>() {

			@Override
			public void onStop(Observation.Context context) {
				observed.add(context);
			}

			@Override
			public boolean supportsContext(Observation.Context context) {
				return true;
			}

		});
		Worker worker = Worker.builder(postgres.dataSource(), this.stores.jobs())
			.stores(this.stores)
			.settings(settings("node-a"))
			.observations(registry)
			.handler(this.work,
					(job, context) -> job.payload().equals("\"bad\"") ? JobResult.fail("bad") : JobResult.success())
			.build();
		this.workers.add(worker);
		worker.start();

		this.runQueue.add(NewJob.of("work", "good"));
		this.runQueue.add(NewJob.of("work", "bad").maxAttempts(1));

		await().atMost(Duration.ofSeconds(10)).until(() -> observed.size() == 2);
		assertThat(observed).allSatisfy((context) -> {
			assertThat(context.getName()).isEqualTo("runqueue.job.execution");
			assertThat(context.getLowCardinalityKeyValue("topic").getValue()).isEqualTo("work");
		});
		assertThat(observed).extracting((context) -> context.getLowCardinalityKeyValue("outcome").getValue())
			.containsExactlyInAnyOrder("success", "failure");
	}

	@Test
	void theAdminListsAndFiltersJobsAPageAtATime() {
		List<Long> ids = new ArrayList<>();
		for (int i = 0; i < 7; i++) {
			ids.add(this.runQueue.add(NewJob.of("work", i).group((i % 2 == 0) ? "even" : "odd")).id());
		}
		this.runQueue.add(NewJob.of("work", "keyed").uniqueKey("the-key"));

		JobPage first = this.admin.list(JobQuery.all().topic("work").group("even").limit(2));
		JobPage second = this.admin
			.list(JobQuery.all().topic("work").group("even").limit(2).before(first.nextBeforeId()));

		assertThat(first.jobs()).extracting(JobInfo::id).containsExactly(ids.get(6), ids.get(4));
		assertThat(second.jobs()).extracting(JobInfo::id).containsExactly(ids.get(2), ids.get(0));
		assertThat(second.nextBeforeId()).isNull();
		assertThat(this.admin.list(JobQuery.all().uniqueKey("the-key")).jobs()).singleElement()
			.satisfies((job) -> assertThat(job.payload()).isEqualTo("\"keyed\""));
		assertThat(this.admin.list(JobQuery.all().states(JobState.SUCCEEDED)).jobs()).isEmpty();
		assertThat(this.admin.depths()).containsEntry("work", Map.of(JobState.AVAILABLE, 8L));
	}

	@Test
	void theAdminRetriesAFailedJob() {
		AtomicBoolean fixed = new AtomicBoolean();
		startWorker("node-a", (job, context) -> fixed.get() ? JobResult.success() : JobResult.discard("not yet"));
		long id = this.runQueue.add("work", "x").id();
		await().atMost(Duration.ofSeconds(10)).until(() -> state(id) == JobState.FAILED);

		fixed.set(true);
		assertThat(this.admin.retry(id)).isTrue();

		await().atMost(Duration.ofSeconds(10)).until(() -> state(id) == JobState.SUCCEEDED);
		assertThat(this.runQueue.find(id).orElseThrow().errors()).isEqualTo(1);
		assertThat(this.admin.retry(id)).as("a succeeded job is not retried").isFalse();
	}

	@Test
	void cancellingARunningJobInterruptsItsHandlerAndFencesItsOutcomeOff() throws Exception {
		CountDownLatch started = new CountDownLatch(1);
		AtomicBoolean sawCancellation = new AtomicBoolean();
		startWorker("node-a", (job, context) -> {
			started.countDown();
			try {
				Thread.sleep(30_000);
			}
			catch (InterruptedException ex) {
				sawCancellation.set(context.isCancelled());
			}
			return JobResult.success("too late");
		});
		long id = this.runQueue.add("work", "x").id();
		assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

		assertThat(this.admin.cancel(id)).isTrue();

		await().atMost(Duration.ofSeconds(10)).untilTrue(sawCancellation);
		await().during(Duration.ofMillis(300)).until(() -> state(id) == JobState.CANCELLED);
		assertThat(this.runQueue.find(id).orElseThrow().result()).isNull();
		assertThat(this.received)
			.anySatisfy((event) -> assertThat(event).isInstanceOf(RunQueueEvent.JobCancelled.class));
	}

	@Test
	void theAdminCancelsAndDeletesWaitingJobs() {
		long cancelled = this.runQueue.add(NewJob.of("work", "a").delay(Duration.ofHours(1))).id();
		long deleted = this.runQueue.add(NewJob.of("work", "b").delay(Duration.ofHours(1))).id();

		assertThat(this.admin.cancel(cancelled)).isTrue();
		assertThat(this.admin.delete(deleted)).isTrue();

		assertThat(state(cancelled)).isEqualTo(JobState.CANCELLED);
		assertThat(this.runQueue.find(deleted)).isEmpty();
		assertThat(this.admin.cancel(cancelled)).as("a finished job is not cancelled").isFalse();
	}

	@Test
	void aPausedTopicIsNotRunOnAnyNodeUntilItIsResumed() {
		startWorker("node-a", (job, context) -> JobResult.success());
		startWorker("node-b", (job, context) -> JobResult.success());
		this.admin.pause("work");

		long id = this.runQueue.add("work", "x").id();

		await().during(Duration.ofMillis(800))
			.atMost(Duration.ofSeconds(2))
			.until(() -> state(id) == JobState.AVAILABLE);
		assertThat(this.admin.pausedTopics()).containsExactly("work");
		this.admin.resume("work");
		await().atMost(Duration.ofSeconds(10)).until(() -> state(id) == JobState.SUCCEEDED);
		assertThat(this.admin.pausedTopics()).isEmpty();
		assertThat(this.admin.nodes(Duration.ofSeconds(30))).extracting(NodeRecord::name)
			.containsExactlyInAnyOrder("node-a", "node-b");
	}

	@Test
	void theInlineRunnerRunsDueJobsOnTheCallingThreadIncludingTheRoundsTheyAdd() {
		List<String> threads = Collections.synchronizedList(new ArrayList<>());
		InlineRunner inline = new InlineRunner(this.stores, new JsonCodec(), null);
		long rounds = this.runQueue.add("work", 0).id();
		long later = this.runQueue.add(NewJob.of("work", 100).delay(Duration.ofHours(1))).id();

		int ran = inline.runDue(this.work, (job, context) -> {
			threads.add(Thread.currentThread().getName());
			int round = Integer.parseInt(job.payload());
			return (round < 2) ? JobResult.replace(round + 1) : JobResult.success();
		}, 100);

		assertThat(ran).isEqualTo(3);
		assertThat(threads).containsOnly(Thread.currentThread().getName());
		assertThat(state(rounds)).isEqualTo(JobState.SUCCEEDED);
		assertThat(state(later)).isEqualTo(JobState.SCHEDULED);
	}

	private JobState state(long id) {
		return this.runQueue.find(id).orElseThrow().state();
	}

	private void startWorker(String node, dev.runqueue.job.JobHandler handler) {
		Worker worker = Worker.builder(postgres.dataSource(), this.stores.jobs())
			.stores(this.stores)
			.events(this.events)
			.settings(settings(node))
			.handler(this.work, handler)
			.build();
		this.workers.add(worker);
		worker.start();
	}

	private static WorkerSettings settings(String node) {
		return WorkerSettings.defaults().withNodeName(node).withPollInterval(Duration.ofMillis(100));
	}

	record Answer(int value) {

	}

}
