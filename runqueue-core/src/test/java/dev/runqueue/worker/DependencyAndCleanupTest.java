package dev.runqueue.worker;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.runqueue.AddResult;
import dev.runqueue.DefaultRunQueue;
import dev.runqueue.DefaultRunQueueAdmin;
import dev.runqueue.DependencyFailure;
import dev.runqueue.JsonCodec;
import dev.runqueue.NewJob;
import dev.runqueue.RunQueue;
import dev.runqueue.TestJobTable;
import dev.runqueue.TopicSettings;
import dev.runqueue.Topics;
import dev.runqueue.event.EventPublisher;
import dev.runqueue.job.JobHandler;
import dev.runqueue.job.JobResult;
import dev.runqueue.job.JobState;
import dev.runqueue.maintenance.DependencySweeper;
import dev.runqueue.maintenance.Pruner;
import dev.runqueue.maintenance.Retention;
import dev.runqueue.retry.Backoff;
import dev.runqueue.retry.RetryPolicy;
import dev.runqueue.store.JobRecord;
import dev.runqueue.store.PostgresJobStore;
import dev.runqueue.store.Stores;
import dev.runqueue.store.TableNames;
import dev.runqueue.testpostgres.PostgresExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Jobs that wait for others, disabled and purged jobs, and pruning, against a real
 * PostgreSQL.
 */
class DependencyAndCleanupTest {

	@RegisterExtension
	static final PostgresExtension postgres = new PostgresExtension();

	private static final RetryPolicy ONE_ATTEMPT = new RetryPolicy(1, Backoff.fixed(Duration.ofMillis(10)), true, 3);

	private final TopicSettings steps = TopicSettings.named("steps").withRetryPolicy(ONE_ATTEMPT);

	private TestJobTable jobs;

	private Stores stores;

	private RunQueue runQueue;

	private final List<Worker> workers = new ArrayList<>();

	private final ExecutionLedger ledger = new ExecutionLedger();

	@BeforeEach
	void prepare() {
		this.jobs = TestJobTable.prepare(postgres.dataSource());
		this.stores = Stores.postgres(postgres.dataSource(), TableNames.DEFAULT);
		this.runQueue = new DefaultRunQueue(this.stores, Topics.of(List.of(this.steps)), new JsonCodec(), Map.of());
	}

	@AfterEach
	void stopWorkers() {
		this.workers.forEach(Worker::stop);
	}

	@Test
	void aChainRunsEachJobAfterTheOneBeforeSucceeded() {
		startWorkers(2, (job, context) -> {
			this.ledger.start(job.id(), null);
			Thread.sleep(50);
			this.ledger.finish(job.id(), null);
			return JobResult.success();
		});

		List<AddResult> chain = this.runQueue.chain(NewJob.of("steps", "a"))
			.then(NewJob.of("steps", "b"))
			.then(NewJob.of("steps", "c"))
			.then(NewJob.of("steps", "d"))
			.add();

		List<Long> ids = chain.stream().map(AddResult::id).toList();
		assertThat(state(ids.get(1))).isEqualTo(JobState.PENDING);
		await().atMost(Duration.ofSeconds(20)).until(() -> state(ids.get(3)) == JobState.SUCCEEDED);
		assertThat(this.ledger.started()).containsExactlyElementsOf(ids);
		assertThat(this.ledger.mostAtOnce()).isEqualTo(1);
	}

	@Test
	void aJobWaitsForAllItsDependencies() {
		startWorkers(1, (job, context) -> {
			this.ledger.start(job.id(), null);
			this.ledger.finish(job.id(), null);
			return JobResult.success();
		});
		long first = this.runQueue.add(NewJob.of("steps", "first").delay(Duration.ofMillis(300))).id();
		long second = this.runQueue.add(NewJob.of("steps", "second").delay(Duration.ofMillis(600))).id();

		long joined = this.runQueue.add(NewJob.of("steps", "joined").after(first, second)).id();

		await().atMost(Duration.ofSeconds(20)).until(() -> state(joined) == JobState.SUCCEEDED);
		assertThat(this.ledger.started()).containsExactly(first, second, joined);
	}

	@Test
	void whenADependencyFailsForGoodTheRestOfTheChainIsCancelled() {
		startWorkers(1,
				(job, context) -> job.payload().equals("\"a\"") ? JobResult.fail("a is broken") : JobResult.success());

		List<Long> ids = this.runQueue.chain(NewJob.of("steps", "a"))
			.then(NewJob.of("steps", "b"))
			.then(NewJob.of("steps", "c"))
			.add()
			.stream()
			.map(AddResult::id)
			.toList();

		await().atMost(Duration.ofSeconds(20)).until(() -> state(ids.get(2)) == JobState.CANCELLED);
		assertThat(state(ids.get(0))).isEqualTo(JobState.FAILED);
		JobRecord b = record(ids.get(1));
		assertThat(b.state()).isEqualTo(JobState.CANCELLED);
		assertThat(b.lastError()).contains("depends on failed").contains(String.valueOf(ids.get(0)));
		assertThat(b.finishedAt()).isNotNull();
	}

	@Test
	void aDependentCanBeFailedInsteadOfCancelled() {
		startWorkers(1, (job, context) -> JobResult.fail("broken"));
		long a = this.runQueue.add("steps", "a").id();

		long b = this.runQueue.add(NewJob.of("steps", "b").after(a).onDependencyFailure(DependencyFailure.FAIL)).id();

		await().atMost(Duration.ofSeconds(20)).until(() -> state(b) == JobState.FAILED);
		assertThat(record(b).attempt()).as("never ran").isZero();
	}

	@Test
	void aJobAddedAfterItsDependencySucceededRunsAtOnce() {
		startWorkers(1, (job, context) -> JobResult.success());
		long a = this.runQueue.add("steps", "a").id();
		await().atMost(Duration.ofSeconds(20)).until(() -> state(a) == JobState.SUCCEEDED);

		long b = this.runQueue.add(NewJob.of("steps", "b").after(a)).id();

		await().atMost(Duration.ofSeconds(5)).until(() -> state(b) == JobState.SUCCEEDED);
	}

	@Test
	void aDependencyThatDoesNotExistIsRejectedAndNothingIsAdded() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.runQueue.add(NewJob.of("steps", "orphan").after(424242)))
			.withMessageContaining("depends on jobs [424242], which do not exist");
		assertThat(this.jobs.count()).isZero();
	}

	@Test
	void deletingAnUnfinishedDependencyGivesItsDependentsUp() {
		long a = this.runQueue.add(NewJob.of("steps", "a").delay(Duration.ofHours(1))).id();
		long b = this.runQueue.add(NewJob.of("steps", "b").after(a)).id();

		this.jobs.jdbc().sql("DELETE FROM runqueue_job WHERE id = :id").param("id", a).update();

		assertThat(state(b)).isEqualTo(JobState.CANCELLED);
	}

	@Test
	void theSweepReleasesADependentThatMissedItsDependencysEnd() {
		long a = this.runQueue.add(NewJob.of("steps", "a").delay(Duration.ofHours(1))).id();
		long b = this.runQueue.add(NewJob.of("steps", "b").after(a)).id();
		// As if a finished while b was being added: the trigger ran before b was visible.
		this.jobs.jdbc().sql("ALTER TABLE runqueue_job DISABLE TRIGGER runqueue_job_changed_on_update").update();
		try {
			this.jobs.jdbc().sql("UPDATE runqueue_job SET state = 'succeeded' WHERE id = :id").param("id", a).update();
		}
		finally {
			this.jobs.jdbc().sql("ALTER TABLE runqueue_job ENABLE TRIGGER runqueue_job_changed_on_update").update();
		}
		assertThat(state(b)).isEqualTo(JobState.PENDING);

		DependencySweeper.SweepResult result = new DependencySweeper(this.stores.maintenance(), this.stores.jobs())
			.runOnce();

		assertThat(result.released()).isEqualTo(1);
		assertThat(state(b)).isEqualTo(JobState.AVAILABLE);
	}

	@Test
	void aDisabledJobIsKeptButNotRunUntilItIsEnabledAndPurgeDeletesDisabledJobs() {
		DefaultRunQueueAdmin admin = new DefaultRunQueueAdmin(this.stores, EventPublisher.none(Clock.systemUTC()));
		long kept = this.runQueue.add(NewJob.of("steps", "kept").delay(Duration.ofMillis(200))).id();
		long purged = this.runQueue.add(NewJob.of("steps", "purged").delay(Duration.ofMillis(200))).id();
		assertThat(admin.disable(kept)).isTrue();
		assertThat(admin.disable(purged)).isTrue();
		startWorkers(1, (job, context) -> JobResult.success());

		await().during(Duration.ofMillis(800))
			.atMost(Duration.ofSeconds(2))
			.until(() -> state(kept) == JobState.DISABLED);
		assertThat(admin.enable(kept)).isTrue();
		await().atMost(Duration.ofSeconds(10)).until(() -> state(kept) == JobState.SUCCEEDED);

		assertThat(admin.purgeDisabled("steps")).isEqualTo(1);
		assertThat(this.stores.jobs().find(purged)).isEmpty();
		assertThat(admin.disable(kept)).as("a finished job cannot be disabled").isFalse();
	}

	@Test
	void prunerDeletesFinishedJobsWhoseRetentionIsOverAndKeepsTheRest() {
		long oldSucceeded = finished("succeeded", "2 hours");
		long newSucceeded = finished("succeeded", "10 minutes");
		long oldFailed = finished("failed", "2 hours");
		long oldCancelled = finished("cancelled", "3 hours");
		long waiting = this.runQueue.add(NewJob.of("steps", "waiting").delay(Duration.ofHours(1))).id();

		Pruner.PruneResult result = new Pruner(this.stores.maintenance(),
				new Retention(Duration.ofHours(1), Duration.ofDays(1), Duration.ofHours(1)))
			.runOnce();

		assertThat(result).isEqualTo(new Pruner.PruneResult(1, 0, 1));
		assertThat(this.stores.jobs().find(oldSucceeded)).isEmpty();
		assertThat(this.stores.jobs().find(oldCancelled)).isEmpty();
		assertThat(this.stores.jobs().find(newSucceeded)).isPresent();
		assertThat(this.stores.jobs().find(oldFailed)).isPresent();
		assertThat(this.stores.jobs().find(waiting)).isPresent();
	}

	@Test
	void prunerWorksOffALargeBacklogInBatches() {
		this.jobs.jdbc().sql("""
				INSERT INTO runqueue_job (topic, state, payload, max_attempts, finished_at)
				SELECT 'steps', 'succeeded', '{}', 1, now() - interval '2 days'
				FROM generate_series(1, 2500)
				""").update();

		Pruner.PruneResult result = new Pruner(this.stores.maintenance(), Retention.DEFAULT).runOnce();

		assertThat(result.succeeded()).isEqualTo(2500);
		assertThat(this.jobs.count()).isZero();
	}

	private long finished(String state, String ago) {
		return this.jobs.jdbc()
			.sql("INSERT INTO runqueue_job (topic, state, payload, max_attempts, finished_at) "
					+ "VALUES ('steps', :state, '{}', 1, now() - CAST(:ago AS interval)) RETURNING id")
			.param("state", state)
			.param("ago", ago)
			.query(Long.class)
			.single();
	}

	private void startWorkers(int count, JobHandler handler) {
		PostgresJobStore store = new PostgresJobStore(postgres.dataSource());
		for (int i = 0; i < count; i++) {
			Worker worker = Worker.builder(postgres.dataSource(), store)
				.settings(WorkerSettings.defaults().withNodeName("node-" + i).withPollInterval(Duration.ofMillis(100)))
				.handler(this.steps, handler)
				.build();
			this.workers.add(worker);
			worker.start();
		}
	}

	private JobState state(long id) {
		return record(id).state();
	}

	private JobRecord record(long id) {
		return this.stores.jobs().find(id).orElseThrow();
	}

}
