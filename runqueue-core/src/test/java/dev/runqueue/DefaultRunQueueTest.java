package dev.runqueue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.runqueue.job.JobState;
import dev.runqueue.retry.RetryPolicy;
import dev.runqueue.store.JobRecord;
import dev.runqueue.store.PostgresJobStore;
import dev.runqueue.testpostgres.PostgresExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Adding jobs through {@link DefaultRunQueue}: defaults, options, duplicates, bad input
 * and transactions.
 */
class DefaultRunQueueTest {

	@RegisterExtension
	static final PostgresExtension postgres = new PostgresExtension();

	private TestJobTable jobs;

	private PostgresJobStore store;

	private DefaultRunQueue runQueue;

	@BeforeEach
	void prepare() {
		this.jobs = TestJobTable.prepare(postgres.dataSource());
		this.store = new PostgresJobStore(postgres.dataSource());
		TopicSettings email = TopicSettings.named("email");
		TopicSettings report = TopicSettings.named("report")
			.withJobDefaults(new JobDefaults(50, Duration.ofMinutes(10), null, UniqueScope.LIVE, "reports",
					DependencyFailure.CANCEL))
			.withRetryPolicy(RetryPolicy.DEFAULT.withMaxAttempts(2));
		TopicSettings nightly = TopicSettings.named("nightly")
			.withJobDefaults(JobDefaults.DEFAULT.withUniqueKey("nightly", UniqueScope.RETAINED));
		this.runQueue = new DefaultRunQueue(this.store, Topics.of(List.of(email, report, nightly)), new JsonCodec());
	}

	@Test
	void addWritesThePayloadAsJsonWithTheTopicsDefaults() {
		AddResult result = this.runQueue.add("email", new Message("a@example.com", "Hello"));

		assertThat(result.added()).isTrue();
		JobRecord job = this.store.find(result.id()).orElseThrow();
		assertThat(job.payload()).isEqualTo("{\"to\": \"a@example.com\", \"subject\": \"Hello\"}");
		assertThat(job.priority()).isEqualTo(JobDefaults.DEFAULT_PRIORITY);
		assertThat(job.maxAttempts()).isEqualTo(RetryPolicy.DEFAULT_MAX_ATTEMPTS);
		assertThat(job.state()).isEqualTo(JobState.AVAILABLE);
	}

	@Test
	void addTakesTopicDefaultsForPriorityDelayGroupAndAttempts() {
		AddResult result = this.runQueue.add("report", Map.of("month", 11));

		JobRecord job = this.store.find(result.id()).orElseThrow();
		assertThat(job.priority()).isEqualTo(50);
		assertThat(job.group()).isEqualTo("reports");
		assertThat(job.maxAttempts()).isEqualTo(2);
		assertThat(job.state()).isEqualTo(JobState.SCHEDULED);
		assertThat(Duration.between(job.createdAt(), job.runAt())).isEqualTo(Duration.ofMinutes(10));
	}

	@Test
	void optionsOfTheJobWinOverTheTopicsDefaults() {
		Instant at = Instant.now().plus(3, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MICROS);

		long delayed = this.runQueue
			.add(NewJob.of("report", "x").priority(7).group("vip").maxAttempts(9).delay(Duration.ofSeconds(30)))
			.id();
		long timed = this.runQueue.add(NewJob.of("report", "x").runAt(at)).id();
		long now = this.runQueue.add(NewJob.of("report", "x").runNow()).id();

		JobRecord delayedJob = this.store.find(delayed).orElseThrow();
		assertThat(delayedJob.priority()).isEqualTo(7);
		assertThat(delayedJob.group()).isEqualTo("vip");
		assertThat(delayedJob.maxAttempts()).isEqualTo(9);
		assertThat(Duration.between(delayedJob.createdAt(), delayedJob.runAt())).isEqualTo(Duration.ofSeconds(30));
		assertThat(this.store.find(timed).orElseThrow().runAt()).isEqualTo(at);
		assertThat(this.store.find(now).orElseThrow().state()).isEqualTo(JobState.AVAILABLE);
	}

	@Test
	void aDuplicateUniqueKeyIsReportedWithTheHoldersIdAndNotThrown() {
		AddResult first = this.runQueue.add(NewJob.of("email", "a").uniqueKey("welcome-42"));

		AddResult second = this.runQueue.add(NewJob.of("email", "b").uniqueKey("welcome-42"));

		assertThat(first.added()).isTrue();
		assertThat(second.duplicate()).isTrue();
		assertThat(second.id()).isEqualTo(first.id());
		assertThat(second.uniqueKey()).isEqualTo("welcome-42");
		assertThat(this.jobs.count()).isEqualTo(1);
	}

	@Test
	void aTopicsUniqueKeyMakesItASingleton() {
		AddResult first = this.runQueue.add("nightly", null);
		AddResult second = this.runQueue.add("nightly", null);

		assertThat(first.added()).isTrue();
		assertThat(second.duplicate()).isTrue();
		assertThat(first.uniqueKey()).isEqualTo("nightly");
	}

	@Test
	void addAllReportsEachJobInInputOrder() {
		this.runQueue.add(NewJob.of("email", "held").uniqueKey("k1"));

		List<AddResult> results = this.runQueue.addAll(List.of(NewJob.of("email", 1),
				NewJob.of("email", 2).uniqueKey("k1"), NewJob.of("report", 3).uniqueKey("k2"),
				NewJob.of("email", 4).uniqueKey("k2"), NewJob.of("email", 5)));

		assertThat(results).extracting(AddResult::status)
			.containsExactly(AddResult.Status.ADDED, AddResult.Status.DUPLICATE, AddResult.Status.ADDED,
					AddResult.Status.DUPLICATE, AddResult.Status.ADDED);
		assertThat(this.store.find(results.get(0).id()).orElseThrow().payload()).isEqualTo("1");
		assertThat(this.store.find(results.get(2).id()).orElseThrow().topic()).isEqualTo("report");
		assertThat(results.get(3).id()).isEqualTo(results.get(2).id());
		assertThat(this.store.find(results.get(4).id()).orElseThrow().payload()).isEqualTo("5");
		assertThat(this.jobs.count()).isEqualTo(4);
	}

	@Test
	void anUnknownTopicIsRejectedAndNothingIsAdded() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.runQueue.add("emial", "x"))
			.withMessageContaining("Unknown topic 'emial'")
			.withMessageContaining("[email, nightly, report]");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.runQueue.addAll(List.of(NewJob.of("email", "ok"), NewJob.of("emial", "x"))))
			.withMessageContaining("Unknown topic 'emial'");
		assertThat(this.jobs.count()).isZero();
	}

	@Test
	void aPayloadThatCannotBeWrittenAsJsonIsRejectedAndNothingIsAdded() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.runQueue.add("email", new Unwritable()))
			.withMessageContaining("payload for topic 'email'")
			.withMessageContaining(Unwritable.class.getName());
		assertThat(this.jobs.count()).isZero();
	}

	@Test
	void badOptionsAreRejectedWhereTheJobIsMade() {
		assertThatIllegalArgumentException().isThrownBy(() -> NewJob.of("email", "x").delay(Duration.ofSeconds(-1)))
			.withMessage("delay must not be negative, but was PT-1S");
		assertThatIllegalArgumentException().isThrownBy(() -> NewJob.of("email", "x").maxAttempts(0))
			.withMessage("maxAttempts must be at least 1, but was 0");
		assertThatIllegalArgumentException().isThrownBy(() -> NewJob.of(" ", "x"))
			.withMessage("name must not be blank, but was ' '");
	}

	@Test
	void manyThreadsAddingOneUniqueKeyWhileSomeRollBackLeaveExactlyOneLiveJob() throws Exception {
		TransactionTemplate transactions = new TransactionTemplate(
				new DataSourceTransactionManager(postgres.dataSource()));
		int threads = 8;
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		CountDownLatch start = new CountDownLatch(1);
		List<Future<AddResult>> futures = new ArrayList<>();
		for (int i = 0; i < threads * 4; i++) {
			boolean rollBack = i % 2 == 0;
			futures.add(pool.submit(() -> {
				start.await();
				return transactions.execute((status) -> {
					AddResult result = this.runQueue.add(NewJob.of("email", "x").uniqueKey("only-one"));
					if (rollBack) {
						status.setRollbackOnly();
					}
					return result;
				});
			}));
		}
		start.countDown();
		List<AddResult> results = new ArrayList<>();
		for (Future<AddResult> future : futures) {
			results.add(future.get());
		}
		pool.shutdown();

		assertThat(this.jobs.count()).isEqualTo(1);
		long committedId = this.store.findIdHoldingUniqueKey("only-one").getAsLong();
		assertThat(results).filteredOn(AddResult::duplicate)
			.allSatisfy((result) -> assertThat(result.id()).isPositive());
		assertThat(results).filteredOn(AddResult::added).extracting(AddResult::id).contains(committedId);
	}

	@Test
	void aJobAddedInATransactionThatRollsBackIsGone() {
		TransactionTemplate transactions = new TransactionTemplate(
				new DataSourceTransactionManager(postgres.dataSource()));

		transactions.executeWithoutResult((status) -> {
			this.runQueue.add("email", "rolled back");
			status.setRollbackOnly();
		});

		assertThat(this.jobs.count()).isZero();
	}

	@Test
	void aJobAddedInATransactionIsInvisibleToWorkersUntilItCommits() {
		TransactionTemplate transactions = new TransactionTemplate(
				new DataSourceTransactionManager(postgres.dataSource()));

		// A worker claims on connections of its own, never in the adding thread's
		// transaction.
		PostgresJobStore worker = new PostgresJobStore(postgres.database().newDataSource(2));

		long id = transactions.execute((status) -> {
			long added = this.runQueue.add("email", "committed").id();
			assertThat(worker.claim("email", 10, "node-a", Duration.ofMinutes(1))).isEmpty();
			return added;
		});

		assertThat(worker.claim("email", 10, "node-a", Duration.ofMinutes(1))).extracting((job) -> job.job().id())
			.containsExactly(id);
	}

	record Message(String to, String subject) {

	}

	static final class Unwritable {

		public Object getSelf() {
			return this;
		}

	}

}
