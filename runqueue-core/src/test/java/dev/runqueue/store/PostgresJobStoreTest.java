package dev.runqueue.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.runqueue.TestJobTable;
import dev.runqueue.job.JobState;
import dev.runqueue.testpostgres.PostgresExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import org.springframework.dao.DataIntegrityViolationException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Every statement of {@link PostgresJobStore}, against a real PostgreSQL.
 */
class PostgresJobStoreTest {

	@RegisterExtension
	static final PostgresExtension postgres = new PostgresExtension();

	private static final Duration LEASE = Duration.ofMinutes(5);

	private PostgresJobStore store;

	private PostgresMaintenanceStore maintenance;

	private TestJobTable jobs;

	@BeforeEach
	void prepare() {
		this.jobs = TestJobTable.prepare(postgres.dataSource());
		this.store = new PostgresJobStore(postgres.dataSource());
		this.maintenance = new PostgresMaintenanceStore(postgres.dataSource(), TableNames.DEFAULT);
	}

	@Test
	void insertAddsAnAvailableJobWhenItHasNoDelay() {
		long id = this.store.insert(job("email")).getAsLong();

		JobRecord record = this.store.find(id).orElseThrow();
		assertThat(record.state()).isEqualTo(JobState.AVAILABLE);
		assertThat(record.topic()).isEqualTo("email");
		assertThat(record.payload()).isEqualTo("{\"to\": \"a@example.com\"}");
		assertThat(record.priority()).isEqualTo(1000);
		assertThat(record.maxAttempts()).isEqualTo(3);
		assertThat(record.attempt()).isZero();
		assertThat(record.runAt()).isBeforeOrEqualTo(record.createdAt().plusMillis(1));
	}

	@Test
	void insertSchedulesAJobWithADelayByTheDatabaseClock() {
		long id = this.store.insert(job("email", 1000, null, Duration.ofHours(1), null)).getAsLong();

		JobRecord record = this.store.find(id).orElseThrow();
		assertThat(record.state()).isEqualTo(JobState.SCHEDULED);
		assertThat(Duration.between(record.createdAt(), record.runAt())).isEqualTo(Duration.ofHours(1));
	}

	@Test
	void insertKeepsAnExplicitRunAt() {
		Instant past = Instant.now().minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.MICROS);
		Instant future = Instant.now().plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.MICROS);

		long due = this.store.insert(job("email", 1000, past, null, null)).getAsLong();
		long later = this.store.insert(job("email", 1000, future, null, null)).getAsLong();

		assertThat(this.store.find(due).orElseThrow().runAt()).isEqualTo(past);
		assertThat(this.store.find(due).orElseThrow().state()).isEqualTo(JobState.AVAILABLE);
		assertThat(this.store.find(later).orElseThrow().runAt()).isEqualTo(future);
		assertThat(this.store.find(later).orElseThrow().state()).isEqualTo(JobState.SCHEDULED);
	}

	@Test
	void insertLeavesOutAJobWhoseUniqueKeyIsHeldByALiveJob() {
		long first = this.store.insert(job("email", 1000, null, null, "welcome-1")).getAsLong();

		OptionalLong second = this.store.insert(job("email", 1000, null, null, "welcome-1"));

		assertThat(second).isEmpty();
		assertThat(this.store.findIdHoldingUniqueKey("welcome-1")).hasValue(first);
		assertThat(this.jobs.count()).isEqualTo(1);
	}

	@Test
	void liveUniqueKeyIsFreeAgainOnceItsJobHasFinished() {
		long first = this.store.insert(job("email", 1000, null, null, "welcome-1")).getAsLong();
		ClaimedJob claimed = this.store.claim("email", 1, "node-a", LEASE).get(0);
		this.store.succeed(List.of(new Completion.Succeed(claimed.lease(), null)));

		assertThat(this.store.findIdHoldingUniqueKey("welcome-1")).isEmpty();
		OptionalLong second = this.store.insert(job("email", 1000, null, null, "welcome-1"));

		assertThat(second).isPresent();
		assertThat(second.getAsLong()).isNotEqualTo(first);
	}

	@Test
	void retainedUniqueKeyBlocksAfterItsJobHasFinished() {
		JobInsert retained = JobInsert.of("email", "{}", 1000, null, null, "once", "retained", null, 3, null);
		long first = this.store.insert(retained).getAsLong();
		ClaimedJob claimed = this.store.claim("email", 1, "node-a", LEASE).get(0);
		this.store.succeed(List.of(new Completion.Succeed(claimed.lease(), null)));

		assertThat(this.store.insert(retained)).isEmpty();
		assertThat(this.store.findIdHoldingUniqueKey("once")).hasValue(first);
	}

	@Test
	void insertAllReturnsInsertedJobsInInputOrderWithoutDuplicates() {
		long existing = this.store.insert(job("email", 1000, null, null, "taken")).getAsLong();
		List<JobInsert> input = List.of(job("email"), job("email", 1000, null, null, "taken"),
				job("email", 1000, null, null, "fresh"), job("email", 1000, null, null, "fresh"), job("report"));

		List<InsertedJob> inserted = this.store.insertAll(input);

		assertThat(inserted).extracting(InsertedJob::uniqueKey).containsExactly(null, "fresh", null);
		assertThat(inserted).extracting(InsertedJob::id).isSorted().doesNotContain(existing);
		assertThat(this.store.find(inserted.get(2).id()).orElseThrow().topic()).isEqualTo("report");
		assertThat(this.jobs.count()).isEqualTo(4);
	}

	@Test
	void insertAllTakesDelaysAndTimesPerJob() {
		Instant future = Instant.now().plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.MICROS);
		List<InsertedJob> inserted = this.store.insertAll(List.of(job("email", 5, null, Duration.ofMinutes(1), null),
				job("email", 7, future, null, null), job("email", 9, null, Duration.ZERO, null)));

		JobRecord delayed = this.store.find(inserted.get(0).id()).orElseThrow();
		assertThat(delayed.state()).isEqualTo(JobState.SCHEDULED);
		assertThat(Duration.between(delayed.createdAt(), delayed.runAt())).isEqualTo(Duration.ofMinutes(1));
		assertThat(delayed.priority()).isEqualTo(5);
		assertThat(this.store.find(inserted.get(1).id()).orElseThrow().runAt()).isEqualTo(future);
		assertThat(this.store.find(inserted.get(2).id()).orElseThrow().state()).isEqualTo(JobState.AVAILABLE);
	}

	@Test
	void insertAllOfJobsThatDifferInTheirPayloadsOnlyStoresEachWithTheSharedColumnsInInputOrder() {
		Instant at = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MICROS);
		List<JobInsert> input = new ArrayList<>();
		for (int i = 0; i < 50; i++) {
			input.add(new JobInsert("report", "{\"n\": " + i + "}", 7, at, null, null, "retained", "tenant-1", 2, 4,
					Duration.ofSeconds(90), List.of(), "fail"));
		}

		List<InsertedJob> inserted = this.store.insertAll(input);

		assertThat(inserted).hasSize(50).extracting(InsertedJob::id).isSorted();
		for (int i = 0; i < 50; i++) {
			JobRecord record = this.store.find(inserted.get(i).id()).orElseThrow();
			assertThat(record.payload()).isEqualTo("{\"n\": " + i + "}");
			assertThat(record)
				.extracting(JobRecord::topic, JobRecord::state, JobRecord::priority, JobRecord::runAt,
						JobRecord::uniqueKey, JobRecord::uniqueScope, JobRecord::group, JobRecord::groupLimit,
						JobRecord::maxAttempts, JobRecord::timeout, JobRecord::dependencyFailure)
				.containsExactly("report", JobState.SCHEDULED, 7, at, null, "retained", "tenant-1", 2, 4,
						Duration.ofSeconds(90), "fail");
		}
	}

	@Test
	void insertAllOfJobsWithoutUniqueKeysThatDifferInMoreThanTheirPayloadsStoresEachAsGiven() {
		List<JobInsert> input = List.of(
				new JobInsert("email", "{\"n\": 0}", 5, null, Duration.ofMinutes(5), null, "live", "a", 1, 3, null,
						List.of(), "cancel"),
				new JobInsert("report", "{\"n\": 1}", 6, null, null, null, "retained", null, null, 4,
						Duration.ofSeconds(30), List.of(), "fail"));

		List<InsertedJob> inserted = this.store.insertAll(input);

		JobRecord first = this.store.find(inserted.get(0).id()).orElseThrow();
		JobRecord second = this.store.find(inserted.get(1).id()).orElseThrow();
		assertThat(first)
			.extracting(JobRecord::topic, JobRecord::payload, JobRecord::state, JobRecord::priority,
					JobRecord::uniqueScope, JobRecord::group, JobRecord::groupLimit, JobRecord::maxAttempts,
					JobRecord::timeout, JobRecord::dependencyFailure)
			.containsExactly("email", "{\"n\": 0}", JobState.SCHEDULED, 5, "live", "a", 1, 3, null, "cancel");
		assertThat(second)
			.extracting(JobRecord::topic, JobRecord::payload, JobRecord::state, JobRecord::priority,
					JobRecord::uniqueScope, JobRecord::group, JobRecord::groupLimit, JobRecord::maxAttempts,
					JobRecord::timeout, JobRecord::dependencyFailure)
			.containsExactly("report", "{\"n\": 1}", JobState.AVAILABLE, 6, "retained", null, null, 4,
					Duration.ofSeconds(30), "fail");
	}

	@Test
	void claimTakesRunnableJobsOfItsTopicInPriorityThenRunAtThenInsertionOrder() {
		Instant now = Instant.now();
		long late = this.store.insert(job("email", 10, now.minusSeconds(10), null, null)).getAsLong();
		long early = this.store.insert(job("email", 10, now.minusSeconds(20), null, null)).getAsLong();
		long urgent = this.store.insert(job("email", 1, now.minusSeconds(5), null, null)).getAsLong();
		long sameTimeFirst = this.store.insert(job("email", 20, now.minusSeconds(30), null, null)).getAsLong();
		long sameTimeSecond = this.store.insert(job("email", 20, now.minusSeconds(30), null, null)).getAsLong();
		this.store.insert(job("report"));
		this.store.insert(job("email", 0, null, Duration.ofHours(1), null));

		List<ClaimedJob> claimed = this.store.claim("email", 10, "node-a", LEASE);

		assertThat(claimed).extracting((job) -> job.job().id())
			.containsExactly(urgent, early, late, sameTimeFirst, sameTimeSecond);
	}

	@Test
	void claimPutsRetriedJobsAfterFreshOnesOfTheSamePriority() {
		long retried = this.store.insert(job("email")).getAsLong();
		ClaimedJob first = this.store.claim("email", 1, "node-a", LEASE).get(0);
		this.store.retry(List.of(new Completion.Retry(first.lease(), Duration.ZERO, "boom", true)));
		long fresh = this.store.insert(job("email")).getAsLong();

		List<ClaimedJob> claimed = this.store.claim("email", 10, "node-a", LEASE);

		assertThat(claimed).extracting((job) -> job.job().id()).containsExactly(fresh, retried);
	}

	@Test
	void claimMarksJobsRunningWithALeaseAndCountsTheAttempt() {
		long id = this.store.insert(job("email")).getAsLong();

		ClaimedJob claimed = this.store.claim("email", 5, "node-a", Duration.ofSeconds(30)).get(0);

		JobRecord record = this.store.find(id).orElseThrow();
		assertThat(record.state()).isEqualTo(JobState.RUNNING);
		assertThat(record.attempt()).isEqualTo(1);
		assertThat(claimed.job().attempt()).isEqualTo(1);
		assertThat(record.claimedBy()).isEqualTo("node-a");
		assertThat(record.leaseToken()).isEqualTo(claimed.lease().token());
		assertThat(Duration.between(record.startedAt(), record.leaseExpiresAt())).isEqualTo(Duration.ofSeconds(30));
		assertThat(this.store.claim("email", 5, "node-b", LEASE)).isEmpty();
	}

	@Test
	void claimNeverReturnsMoreThanItsLimit() {
		for (int i = 0; i < 10; i++) {
			this.store.insert(job("email"));
		}

		assertThat(this.store.claim("email", 3, "node-a", LEASE)).hasSize(3);
		assertThat(this.jobs.countInState("running")).isEqualTo(3);
	}

	@Test
	void concurrentClaimersSkipLockedRowsAndNeverTakeAJobTwice() throws Exception {
		List<JobInsert> many = new ArrayList<>();
		for (int i = 0; i < 2000; i++) {
			many.add(job("email"));
		}
		this.store.insertAll(many);
		int claimers = 8;
		ExecutorService pool = Executors.newFixedThreadPool(claimers);
		CountDownLatch start = new CountDownLatch(1);
		ConcurrentLinkedQueue<Long> claimedIds = new ConcurrentLinkedQueue<>();
		List<Future<?>> futures = new ArrayList<>();
		for (int c = 0; c < claimers; c++) {
			String node = "node-" + c;
			futures.add(pool.submit(() -> {
				start.await();
				List<ClaimedJob> batch;
				do {
					batch = this.store.claim("email", 7, node, LEASE);
					batch.forEach((job) -> claimedIds.add(job.job().id()));
				}
				while (!batch.isEmpty());
				return null;
			}));
		}
		start.countDown();
		for (Future<?> future : futures) {
			future.get();
		}
		pool.shutdown();

		assertThat(claimedIds).hasSize(2000).doesNotHaveDuplicates();
		assertThat(this.jobs.countInState("running")).isEqualTo(2000);
	}

	@Test
	void succeedRecordsTheResultOnlyForTheCurrentLease() {
		long id = this.store.insert(job("email")).getAsLong();
		ClaimedJob claimed = this.store.claim("email", 1, "node-a", LEASE).get(0);
		LeaseRef stale = new LeaseRef(id, UUID.randomUUID());

		Set<Long> staleWrite = this.store.succeed(List.of(new Completion.Succeed(stale, "{\"sent\": false}")));
		Set<Long> written = this.store.succeed(List.of(new Completion.Succeed(claimed.lease(), "{\"sent\": true}")));

		assertThat(staleWrite).isEmpty();
		assertThat(written).containsExactly(id);
		JobRecord record = this.store.find(id).orElseThrow();
		assertThat(record.state()).isEqualTo(JobState.SUCCEEDED);
		assertThat(record.result()).isEqualTo("{\"sent\": true}");
		assertThat(record.runs()).isEqualTo(1);
		assertThat(record.finishedAt()).isNotNull();
		assertThat(record.leaseToken()).isNull();
	}

	@Test
	void aNodeThatLostItsJobCannotOverwriteTheNewOwnersResult() {
		long id = this.store.insert(job("email")).getAsLong();
		ClaimedJob first = this.store.claim("email", 1, "node-a", LEASE).get(0);
		// The job is taken back (as the rescuer or a release would) and claimed by
		// another node.
		this.store.release(List.of(first.lease()));
		ClaimedJob second = this.store.claim("email", 1, "node-b", LEASE).get(0);
		this.store.succeed(List.of(new Completion.Succeed(second.lease(), "\"from b\"")));

		assertThat(this.store.succeed(List.of(new Completion.Succeed(first.lease(), "\"from a\"")))).isEmpty();
		assertThat(this.store.fail(List.of(new Completion.Fail(first.lease(), "from a")))).isEmpty();
		assertThat(this.store.retry(List.of(new Completion.Retry(first.lease(), Duration.ZERO, "a", true)))).isEmpty();
		assertThat(this.store.replace(List.of(new Completion.Replace(first.lease(), "{}", Duration.ZERO, null))))
			.isEmpty();
		assertThat(this.store.snooze(List.of(new Completion.Snooze(first.lease(), Duration.ZERO)))).isEmpty();
		assertThat(this.store.release(List.of(first.lease()))).isEmpty();
		assertThat(this.store.extendLease(first.lease(), LEASE)).isFalse();

		JobRecord record = this.store.find(id).orElseThrow();
		assertThat(record.state()).isEqualTo(JobState.SUCCEEDED);
		assertThat(record.result()).isEqualTo("\"from b\"");
		assertThat(record.claimedBy()).isEqualTo("node-b");
	}

	// What lets the writes of a lease's holder name the token without the state.
	@Test
	void onlyRunningJobsHoldALeaseToken() {
		long id = this.store.insert(job("email")).getAsLong();
		String setToken = "UPDATE runqueue_job SET lease_token = gen_random_uuid(), "
				+ "lease_expires_at = now() + interval '1 minute' WHERE id = :id";

		assertThatExceptionOfType(DataIntegrityViolationException.class)
			.isThrownBy(() -> this.jobs.jdbc().sql(setToken).param("id", id).update())
			.withMessageContaining("runqueue_job_lease_token_check");
		this.store.claim("email", 1, "node-a", LEASE);
		assertThatExceptionOfType(DataIntegrityViolationException.class)
			.isThrownBy(() -> this.jobs.jdbc()
				.sql("UPDATE runqueue_job SET state = 'succeeded', finished_at = now() WHERE id = :id")
				.param("id", id)
				.update())
			.withMessageContaining("runqueue_job_lease_token_check");
		assertThatExceptionOfType(DataIntegrityViolationException.class).isThrownBy(() -> this.jobs.jdbc()
			.sql("UPDATE runqueue_job SET lease_token = NULL WHERE id = :id")
			.param("id", id)
			.update());
		assertThat(this.jobs.state(id)).isEqualTo("running");
	}

	@Test
	void retryWithADelaySchedulesTheJobAndKeepsTheError() {
		long id = this.store.insert(job("email")).getAsLong();
		ClaimedJob claimed = this.store.claim("email", 1, "node-a", LEASE).get(0);

		this.store.retry(List.of(new Completion.Retry(claimed.lease(), Duration.ofMinutes(2), "smtp down", true)));

		JobRecord record = this.store.find(id).orElseThrow();
		assertThat(record.state()).isEqualTo(JobState.SCHEDULED);
		assertThat(record.lastError()).isEqualTo("smtp down");
		assertThat(record.errors()).isEqualTo(1);
		assertThat(record.attempt()).isEqualTo(1);
		assertThat(record.retried()).isTrue();
		assertThat(record.runAt()).isAfter(record.startedAt().plus(Duration.ofSeconds(119)));
		assertThat(record.leaseToken()).isNull();
	}

	@Test
	void failFinishesTheJobWithItsError() {
		long id = this.store.insert(job("email")).getAsLong();
		ClaimedJob claimed = this.store.claim("email", 1, "node-a", LEASE).get(0);

		this.store.fail(List.of(new Completion.Fail(claimed.lease(), "no such user")));

		JobRecord record = this.store.find(id).orElseThrow();
		assertThat(record.state()).isEqualTo(JobState.FAILED);
		assertThat(record.lastError()).isEqualTo("no such user");
		assertThat(record.errors()).isEqualTo(1);
		assertThat(record.finishedAt()).isNotNull();
	}

	@Test
	void replaceStartsANewRoundWithANewPayloadAndFreshAttempts() {
		long id = this.store.insert(job("email")).getAsLong();
		ClaimedJob first = this.store.claim("email", 1, "node-a", LEASE).get(0);
		this.store.retry(List.of(new Completion.Retry(first.lease(), Duration.ZERO, "once", true)));
		ClaimedJob second = this.store.claim("email", 1, "node-a", LEASE).get(0);

		this.store.replace(List.of(new Completion.Replace(second.lease(), "{\"counter\": 2}", Duration.ZERO, null)));

		JobRecord record = this.store.find(id).orElseThrow();
		assertThat(record.state()).isEqualTo(JobState.AVAILABLE);
		assertThat(record.payload()).isEqualTo("{\"counter\": 2}");
		assertThat(record.attempt()).isZero();
		assertThat(record.runs()).isEqualTo(1);
		assertThat(record.lastError()).isNull();
		assertThat(record.retried()).isFalse();
	}

	@Test
	void replaceAtATimeSchedulesTheNextRound() {
		Instant at = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MICROS);
		long id = this.store.insert(job("email")).getAsLong();
		ClaimedJob claimed = this.store.claim("email", 1, "node-a", LEASE).get(0);

		this.store.replace(List.of(new Completion.Replace(claimed.lease(), "{}", null, at)));

		JobRecord record = this.store.find(id).orElseThrow();
		assertThat(record.state()).isEqualTo(JobState.SCHEDULED);
		assertThat(record.runAt()).isEqualTo(at);
	}

	@Test
	void snoozeGivesTheAttemptBack() {
		long id = this.store.insert(job("email")).getAsLong();
		ClaimedJob claimed = this.store.claim("email", 1, "node-a", LEASE).get(0);

		this.store.snooze(List.of(new Completion.Snooze(claimed.lease(), Duration.ofSeconds(30))));

		JobRecord record = this.store.find(id).orElseThrow();
		assertThat(record.state()).isEqualTo(JobState.SCHEDULED);
		assertThat(record.attempt()).isZero();
		assertThat(record.errors()).isZero();
		assertThat(Duration.between(record.startedAt(), record.runAt())).isGreaterThanOrEqualTo(Duration.ofSeconds(30));
	}

	@Test
	void releaseMakesTheJobRunnableAtOnceWithItsAttemptBack() {
		long id = this.store.insert(job("email")).getAsLong();
		ClaimedJob claimed = this.store.claim("email", 1, "node-a", LEASE).get(0);

		List<String> topics = this.store.release(List.of(claimed.lease()));

		assertThat(topics).containsExactly("email");
		JobRecord record = this.store.find(id).orElseThrow();
		assertThat(record.state()).isEqualTo(JobState.AVAILABLE);
		assertThat(record.attempt()).isZero();
		assertThat(this.store.claim("email", 1, "node-b", LEASE)).hasSize(1);
	}

	@Test
	void extendLeaseMovesTheExpiryForTheHolderOnly() {
		long id = this.store.insert(job("email")).getAsLong();
		ClaimedJob claimed = this.store.claim("email", 1, "node-a", Duration.ofSeconds(10)).get(0);

		assertThat(this.store.extendLease(claimed.lease(), Duration.ofHours(1))).isTrue();

		JobRecord record = this.store.find(id).orElseThrow();
		assertThat(Duration.between(record.startedAt(), record.leaseExpiresAt()))
			.isGreaterThanOrEqualTo(Duration.ofHours(1));
	}

	@Test
	void renewLeasesAndHeldLeasesCountOnlyLeasesThatAreHeldAndUnexpired() {
		long held = this.store.insert(job("email")).getAsLong();
		long expired = this.store.insert(job("email")).getAsLong();
		long takenBack = this.store.insert(job("email")).getAsLong();
		List<ClaimedJob> claimed = this.store.claim("email", 3, "node-a", Duration.ofSeconds(10));
		expireLease(expired);
		this.jobs.jdbc()
			.sql("UPDATE runqueue_job SET lease_token = gen_random_uuid() WHERE id = :id")
			.param("id", takenBack)
			.update();

		Set<Long> renewed = this.store.renewLeases(claimed.stream().map(ClaimedJob::lease).toList(),
				Duration.ofMinutes(10));

		assertThat(renewed).containsExactly(held);
		assertThat(this.store.heldLeases(claimed.stream().map(ClaimedJob::lease).toList())).containsExactly(held);
		JobRecord record = this.store.find(held).orElseThrow();
		assertThat(Duration.between(record.startedAt(), record.leaseExpiresAt()))
			.isGreaterThanOrEqualTo(Duration.ofMinutes(10));
	}

	@Test
	void renewalSkipsARowAnotherWriteHoldsAndHeldLeasesStillCountsIt() throws Exception {
		long busy = this.store.insert(job("email")).getAsLong();
		long free = this.store.insert(job("email")).getAsLong();
		List<ClaimedJob> claimed = this.store.claim("email", 2, "node-a", Duration.ofSeconds(10));
		List<LeaseRef> leases = claimed.stream().map(ClaimedJob::lease).toList();
		Instant busyExpiry = this.store.find(busy).orElseThrow().leaseExpiresAt();
		ExecutorService renewing = Executors.newSingleThreadExecutor();
		// Another write (an outcome being written, say) holds the row until it commits.
		try (Connection other = postgres.dataSource().getConnection()) {
			other.setAutoCommit(false);
			try (Statement lock = other.createStatement()) {
				lock.execute("SELECT id FROM runqueue_job WHERE id = " + busy + " FOR UPDATE");
			}
			try {
				Future<Set<Long>> renewal = renewing
					.submit(() -> this.store.renewLeases(leases, Duration.ofMinutes(10)));

				// A renewal that waited for the row would wait until the other write
				// ends, and two such writes can deadlock.
				assertThat(renewal.get(30, TimeUnit.SECONDS)).containsExactly(free);
				assertThat(this.store.heldLeases(leases)).containsExactlyInAnyOrder(busy, free);
			}
			finally {
				other.rollback();
			}
		}
		finally {
			renewing.shutdownNow();
		}
		assertThat(this.store.find(busy).orElseThrow().leaseExpiresAt()).isEqualTo(busyExpiry);
		JobRecord renewed = this.store.find(free).orElseThrow();
		assertThat(Duration.between(renewed.startedAt(), renewed.leaseExpiresAt()))
			.isGreaterThanOrEqualTo(Duration.ofMinutes(10));
	}

	@Test
	void aWriteAfterTheLeaseExpiredChangesNothingEvenBeforeTheJobIsTakenBack() {
		long id = this.store.insert(job("email")).getAsLong();
		ClaimedJob claimed = this.store.claim("email", 1, "node-a", LEASE).get(0);
		expireLease(id);

		assertThat(this.store.succeed(List.of(new Completion.Succeed(claimed.lease(), null)))).isEmpty();
		assertThat(this.store.extendLease(claimed.lease(), LEASE)).isFalse();
		assertThat(this.store.find(id).orElseThrow().state()).isEqualTo(JobState.RUNNING);
	}

	@Test
	void rescueTakesBackJobsWhoseLeasesExpiredAndKeepsTheirAttemptCounted() {
		long expired = this.store.insert(job("email")).getAsLong();
		long live = this.store.insert(job("email")).getAsLong();
		this.store.claim("email", 2, "node-a", LEASE);
		expireLease(expired);

		List<RescuedJob> rescued = this.maintenance.rescueExpired(100, 3);

		assertThat(rescued).containsExactly(new RescuedJob(expired, "email", JobState.AVAILABLE, "node-a", 1));
		JobRecord record = this.store.find(expired).orElseThrow();
		assertThat(record.state()).isEqualTo(JobState.AVAILABLE);
		assertThat(record.attempt()).isEqualTo(1);
		assertThat(record.rescues()).isEqualTo(1);
		assertThat(record.lastError()).contains("expired on node node-a");
		assertThat(record.leaseToken()).isNull();
		assertThat(this.store.find(live).orElseThrow().state()).isEqualTo(JobState.RUNNING);
		assertThat(this.store.claim("email", 1, "node-b", LEASE).get(0).job().attempt()).isEqualTo(2);
	}

	@Test
	void aJobTakenBackTooOftenIsQuarantinedAsFailed() {
		long id = this.store.insert(job("email")).getAsLong();
		for (int rescue = 1; rescue <= 2; rescue++) {
			this.store.claim("email", 1, "node-" + rescue, LEASE);
			expireLease(id);
			assertThat(this.maintenance.rescueExpired(100, 3)).singleElement()
				.satisfies((job) -> assertThat(job.state()).isEqualTo(JobState.AVAILABLE));
		}
		this.jobs.jdbc().sql("UPDATE runqueue_job SET max_attempts = 10 WHERE id = :id").param("id", id).update();
		this.store.claim("email", 1, "node-3", LEASE);
		expireLease(id);

		List<RescuedJob> third = this.maintenance.rescueExpired(100, 3);

		assertThat(third).singleElement().satisfies((job) -> assertThat(job.state()).isEqualTo(JobState.FAILED));
		JobRecord record = this.store.find(id).orElseThrow();
		assertThat(record.lastError()).startsWith("Quarantined").contains("3 times").contains("node-3");
		assertThat(record.finishedAt()).isNotNull();
	}

	@Test
	void aJobTakenBackWithoutAttemptsLeftFailsForGood() {
		long id = this.store.insert(JobInsert.of("email", "{}", 1000, null, null, null, "live", null, 1, null))
			.getAsLong();
		this.store.claim("email", 1, "node-a", LEASE);
		expireLease(id);

		assertThat(this.maintenance.rescueExpired(100, 3)).singleElement()
			.satisfies((job) -> assertThat(job.state()).isEqualTo(JobState.FAILED));
	}

	@Test
	void timeOutRetriesWithoutUsingAnAttemptOrFailsForGood() {
		long retried = this.store.insert(job("email")).getAsLong();
		long failed = this.store.insert(job("email")).getAsLong();
		List<ClaimedJob> claimed = this.store.claim("email", 2, "node-a", LEASE);
		LeaseRef retriedLease = claimed.stream()
			.filter((c) -> c.job().id() == retried)
			.findFirst()
			.orElseThrow()
			.lease();
		LeaseRef failedLease = claimed.stream().filter((c) -> c.job().id() == failed).findFirst().orElseThrow().lease();

		Set<Long> written = this.store.timeOut(List.of(new Completion.TimedOut(retriedLease, Duration.ZERO, "slow"),
				new Completion.TimedOut(failedLease, null, "too slow")));

		assertThat(written).containsExactlyInAnyOrder(retried, failed);
		JobRecord again = this.store.find(retried).orElseThrow();
		assertThat(again.state()).isEqualTo(JobState.AVAILABLE);
		assertThat(again.attempt()).isZero();
		assertThat(again.timeouts()).isEqualTo(1);
		assertThat(again.lastError()).isEqualTo("slow");
		JobRecord gone = this.store.find(failed).orElseThrow();
		assertThat(gone.state()).isEqualTo(JobState.FAILED);
		assertThat(gone.timeouts()).isEqualTo(1);
		assertThat(gone.finishedAt()).isNotNull();
	}

	@Test
	void aJobsOwnTimeoutIsStoredAndClaimed() {
		long id = this.store
			.insert(JobInsert.of("email", "{}", 1000, null, null, null, "live", null, 3, Duration.ofMillis(1500)))
			.getAsLong();

		ClaimedJob claimed = this.store.claim("email", 1, "node-a", LEASE).get(0);

		assertThat(claimed.timeout()).isEqualTo(Duration.ofMillis(1500));
		assertThat(this.store.find(id).orElseThrow().timeout()).isEqualTo(Duration.ofMillis(1500));
	}

	@Test
	void promoteDueMakesScheduledJobsRunnableWhenTheirTimeHasCome() {
		long due = this.store.insert(job("email", 1000, null, Duration.ofHours(1), null)).getAsLong();
		long notYet = this.store.insert(job("report", 1000, null, Duration.ofHours(2), null)).getAsLong();
		this.jobs.makeDue(due);

		List<String> topics = this.maintenance.promoteDue(100);

		assertThat(topics).containsExactly("email");
		assertThat(this.jobs.state(due)).isEqualTo("available");
		assertThat(this.jobs.state(notYet)).isEqualTo("scheduled");
		assertThat(this.maintenance.timeUntilNextScheduled())
			.hasValueSatisfying((until) -> assertThat(until).isGreaterThan(Duration.ofMinutes(119))
				.isLessThanOrEqualTo(Duration.ofHours(2)));
	}

	@Test
	void timeUntilNextScheduledIsEmptyWithoutScheduledJobs() {
		this.store.insert(job("email"));

		assertThat(this.maintenance.timeUntilNextScheduled()).isEmpty();
	}

	@Test
	void insertNotifiesListenersOfTopicsWithRunnableJobsOnly() throws Exception {
		try (Connection listener = ownConnection()) {
			listen(listener);

			this.store.insert(job("email"));
			this.store.insert(job("later", 1000, null, Duration.ofHours(1), null));
			this.store.insertAll(List.of(job("report"), job("report"), job("audit")));

			assertThat(notifiedTopics(listener, 3)).containsExactlyInAnyOrder("email", "report", "audit");
		}
	}

	@Test
	void notifyTopicsReachesListeners() throws Exception {
		try (Connection listener = ownConnection()) {
			listen(listener);

			this.store.notifyTopics(List.of("email", "report"));

			assertThat(notifiedTopics(listener, 2)).containsExactlyInAnyOrder("email", "report");
		}
	}

	@Test
	void storeWorksOnTablesInAnotherSchemaWithAnotherPrefix() {
		TableNames names = new TableNames("jobs_elsewhere", "q_");
		new SchemaMigrator(postgres.dataSource(), names).migrate();
		PostgresJobStore elsewhere = new PostgresJobStore(postgres.dataSource(), names);

		long id = elsewhere.insert(job("email")).getAsLong();
		ClaimedJob claimed = elsewhere.claim("email", 1, "node-a", LEASE).get(0);
		elsewhere.succeed(List.of(new Completion.Succeed(claimed.lease(), null)));

		assertThat(elsewhere.find(id).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
		assertThat(this.jobs.count()).isZero();
		assertThat(this.jobs.jdbc().sql("SELECT count(*) FROM jobs_elsewhere.q_job").query(Integer.class).single())
			.isEqualTo(1);
	}

	private void expireLease(long id) {
		this.jobs.jdbc()
			.sql("UPDATE runqueue_job SET lease_expires_at = now() - interval '1 second' WHERE id = :id")
			.param("id", id)
			.update();
	}

	// Not from the pool: a pooled connection keeps listening after it is returned, and
	// would hear earlier tests.
	private static Connection ownConnection() throws Exception {
		return DriverManager.getConnection(postgres.database().jdbcUrl(), postgres.database().user(),
				postgres.database().password());
	}

	private static void listen(Connection connection) throws Exception {
		try (Statement statement = connection.createStatement()) {
			statement.execute("LISTEN runqueue_job_added");
		}
	}

	private static List<String> notifiedTopics(Connection connection, int expected) throws Exception {
		PGConnection pg = connection.unwrap(PGConnection.class);
		List<String> topics = new ArrayList<>();
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (topics.size() < expected && System.nanoTime() < deadline) {
			PGNotification[] notifications = pg.getNotifications(200);
			if (notifications != null) {
				for (PGNotification notification : notifications) {
					topics.add(notification.getParameter());
				}
			}
		}
		// Anything else sent would have arrived with these; look once more for strays.
		PGNotification[] more = pg.getNotifications(200);
		if (more != null) {
			for (PGNotification notification : more) {
				topics.add(notification.getParameter());
			}
		}
		return Collections.unmodifiableList(topics);
	}

	private static JobInsert job(String topic) {
		return job(topic, 1000, null, null, null);
	}

	private static JobInsert job(String topic, int priority, Instant runAt, Duration delay, String uniqueKey) {
		return JobInsert.of(topic, "{\"to\": \"a@example.com\"}", priority, runAt, delay, uniqueKey, "live", null, 3,
				null);
	}

}
