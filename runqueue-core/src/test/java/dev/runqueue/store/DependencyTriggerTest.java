package dev.runqueue.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.runqueue.TestJobTable;
import dev.runqueue.job.JobState;
import dev.runqueue.testpostgres.PostgresExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job table's trigger on UPDATE and DELETE: jobs waiting for others are released or
 * given up by whatever statement finishes the others, those waiting for the others hear
 * of it, and statements that cannot finish a job pay nothing for it.
 */
class DependencyTriggerTest {

	@RegisterExtension
	static final PostgresExtension postgres = new PostgresExtension();

	private static final Duration LEASE = Duration.ofMinutes(5);

	private TestJobTable jobs;

	private PostgresJobStore store;

	private PostgresAdminStore admin;

	private PostgresMaintenanceStore maintenance;

	@BeforeEach
	void prepare() {
		this.jobs = TestJobTable.prepare(postgres.dataSource());
		this.store = new PostgresJobStore(postgres.dataSource());
		this.admin = new PostgresAdminStore(postgres.dataSource(), TableNames.DEFAULT);
		this.maintenance = new PostgresMaintenanceStore(postgres.dataSource(), TableNames.DEFAULT);
	}

	@Test
	void theStatementThatCompletesTheLastDependencyReleasesTheDependent() {
		long first = add();
		long second = add();
		long dependent = addAfter("cancel", first, second);
		List<ClaimedJob> claimed = this.store.claim("steps", 2, "node-a", LEASE);
		assertThat(this.jobs.state(dependent)).isEqualTo("pending");

		this.store.succeed(List.of(new Completion.Succeed(lease(claimed, first), null)));
		assertThat(this.jobs.state(dependent)).isEqualTo("pending");
		this.store.succeed(List.of(new Completion.Succeed(lease(claimed, second), null)));

		assertThat(this.jobs.state(dependent)).isEqualTo("available");
	}

	@Test
	void aDependencyThatFailsForGoodGivesItsDependentsUpAsEachOfThemSays() {
		long dependency = add();
		long cancelled = addAfter("cancel", dependency);
		long failed = addAfter("fail", dependency);
		ClaimedJob claimed = this.store.claim("steps", 1, "node-a", LEASE).get(0);

		this.store.fail(List.of(new Completion.Fail(claimed.lease(), "broken")));

		assertThat(this.jobs.state(cancelled)).isEqualTo("cancelled");
		assertThat(this.jobs.state(failed)).isEqualTo("failed");
		JobRecord record = this.store.find(cancelled).orElseThrow();
		assertThat(record.lastError()).contains("depends on failed").endsWith(": " + dependency);
		assertThat(record.finishedAt()).isNotNull();
	}

	@Test
	void aJobAddedAfterItsDependencyFailedIsGivenUpAtOnceAsItSays() {
		long dependency = add();
		long succeeded = add();
		ClaimedJob claimed = this.store.claim("steps", 1, "node-a", LEASE).get(0);
		this.store.fail(List.of(new Completion.Fail(claimed.lease(), "broken")));
		this.store.succeed(
				List.of(new Completion.Succeed(this.store.claim("steps", 1, "node-a", LEASE).get(0).lease(), null)));

		long cancelled = addAfter("cancel", succeeded, dependency);
		long failed = addAfter("fail", dependency);
		long runnable = addAfter("cancel", succeeded);

		assertThat(this.jobs.state(cancelled)).isEqualTo("cancelled");
		assertThat(this.jobs.state(failed)).isEqualTo("failed");
		assertThat(this.jobs.state(runnable)).isEqualTo("available");
		JobRecord record = this.store.find(cancelled).orElseThrow();
		assertThat(record.lastError()).isEqualTo("A job it depends on failed or was cancelled: " + dependency);
		assertThat(record.finishedAt()).isNotNull();
		assertThat(this.store.find(runnable).orElseThrow().lastError()).isNull();
	}

	@Test
	void theSweeperGivesUpAJobThatMissedItsDependencysEndAndNamesTheDependency() {
		long dependency = add();
		long dependent = addAfter("cancel", dependency);
		// As if the dependency had failed while the dependent's insert was not yet
		// committed: the trigger found no pending dependent then.
		this.jobs.jdbc()
			.sql("UPDATE runqueue_job SET state = 'failed', finished_at = now() WHERE id = :id")
			.param("id", dependency)
			.update();
		this.jobs.jdbc()
			.sql("UPDATE runqueue_job SET state = 'pending', last_error = NULL, finished_at = NULL WHERE id = :id")
			.param("id", dependent)
			.update();

		assertThat(this.maintenance.giveUpDependents()).isEqualTo(1);

		JobRecord record = this.store.find(dependent).orElseThrow();
		assertThat(record.state()).isEqualTo(JobState.CANCELLED);
		assertThat(record.lastError()).isEqualTo("A job it depends on failed or was cancelled: " + dependency);
	}

	@Test
	void cancellingADependencyGivesItsDependentsUp() {
		long dependency = add();
		long dependent = addAfter("cancel", dependency);

		this.admin.cancel(dependency, "not needed");

		assertThat(this.jobs.state(dependent)).isEqualTo("cancelled");
	}

	@Test
	void deletingSucceededDependenciesLeavesTheirDependentsWaitingForTheRest() {
		long done = add();
		long other = add();
		long dependent = addAfter("cancel", done, other);
		this.store.succeed(
				List.of(new Completion.Succeed(this.store.claim("steps", 1, "node-a", LEASE).get(0).lease(), null)));

		this.jobs.jdbc().sql("DELETE FROM runqueue_job WHERE id = :id").param("id", done).update();
		assertThat(this.jobs.state(dependent)).isEqualTo("pending");
		this.store.succeed(
				List.of(new Completion.Succeed(this.store.claim("steps", 1, "node-a", LEASE).get(0).lease(), null)));

		assertThat(this.jobs.state(other)).isEqualTo("succeeded");
		assertThat(this.jobs.state(dependent)).isEqualTo("available");
	}

	@Test
	void jobsFinishedTogetherAreAnnouncedInNotificationsOfAtMost500IdsAndOnlyWhenTheyFinish() throws Exception {
		List<JobInsert> many = new ArrayList<>();
		for (int i = 0; i < 1200; i++) {
			many.add(JobInsert.of("steps", "{}", 1000, null, null, null, "live", null, 3, null));
		}
		Set<Long> ids = new HashSet<>(this.store.insertAll(many).stream().map(InsertedJob::id).toList());
		try (Connection listener = DriverManager.getConnection(postgres.database().jdbcUrl(),
				postgres.database().user(), postgres.database().password())) {
			try (Statement statement = listener.createStatement()) {
				statement.execute("LISTEN runqueue_job_finished");
			}
			List<ClaimedJob> claimed = this.store.claim("steps", 1200, "node-a", LEASE);
			this.store.renewLeases(claimed.stream().map(ClaimedJob::lease).toList(), LEASE);
			assertThat(notifications(listener, 0)).as("claims and renewals finish nothing").isEmpty();

			this.store.succeed(claimed.stream().map((job) -> new Completion.Succeed(job.lease(), null)).toList());

			List<String> announced = notifications(listener, 3);
			assertThat(announced).hasSize(3)
				.allSatisfy((payload) -> assertThat(payload.split(",")).hasSizeLessThanOrEqualTo(500));
			assertThat(announced.stream().flatMap((payload) -> Arrays.stream(payload.split(","))).map(Long::valueOf))
				.containsExactlyInAnyOrderElementsOf(ids);
		}
	}

	// What the trigger costs where autovacuum is off or behind: statistics from a time
	// when many jobs were pending, none now.
	@Test
	void onlyStatementsThatFinishJobsLookForPendingOnesAndNeverByReadingTheWholeTable() {
		this.jobs.jdbc().sql("""
				INSERT INTO runqueue_job (topic, state, payload, max_attempts, depends_on)
				SELECT 'steps', 'pending', '{}', 3, ARRAY[0]
				FROM generate_series(1, 5000)
				""").update();
		this.jobs.jdbc().sql("ANALYZE runqueue_job").update();
		this.jobs.jdbc()
			.sql("UPDATE runqueue_job SET state = 'cancelled', finished_at = now() WHERE state = 'pending'")
			.update();
		for (int i = 0; i < 20; i++) {
			add();
		}

		// Counted within one transaction, which is never flushed to the statistics
		// midway.
		Map<String, Long> scans = this.store.inTransaction(() -> {
			Map<String, Long> start = scans();
			List<ClaimedJob> claimed = this.store.claim("steps", 20, "node-a", LEASE);
			this.store.renewLeases(claimed.stream().map(ClaimedJob::lease).toList(), LEASE);
			this.store.retry(List.of(new Completion.Retry(claimed.get(0).lease(), Duration.ZERO, "again", true)));
			this.store.snooze(List.of(new Completion.Snooze(claimed.get(1).lease(), Duration.ZERO)));
			this.store.release(List.of(claimed.get(2).lease()));
			this.store.extendLease(claimed.get(3).lease(), LEASE);
			Map<String, Long> finishing = scans();
			this.store.succeed(List.of(new Completion.Succeed(claimed.get(4).lease(), null)));
			this.store.fail(List.of(new Completion.Fail(claimed.get(5).lease(), "broken")));
			Map<String, Long> end = scans();
			return Map.of("tableReadsFinishingNothing", end(finishing, start, "seq_scan"),
					"pendingLookupsFinishingNothing", end(finishing, start, "pending_scans"), "tableReadsFinishing",
					end(end, finishing, "seq_scan"), "pendingLookupsFinishing", end(end, finishing, "pending_scans"));
		});

		assertThat(scans).containsEntry("tableReadsFinishingNothing", 0L)
			.containsEntry("pendingLookupsFinishingNothing", 0L)
			.containsEntry("tableReadsFinishing", 0L)
			.containsEntry("pendingLookupsFinishing", 2L);
	}

	private static long end(Map<String, Long> end, Map<String, Long> start, String counter) {
		return end.get(counter) - start.get(counter);
	}

	// This transaction's scans of the job table, and of the index of pending jobs.
	private Map<String, Long> scans() {
		return this.jobs.jdbc()
			.sql("""
					SELECT tables.seq_scan, tables.idx_scan, pg_stat_get_xact_numscans('runqueue_job_pending'::regclass)
					       AS pending_scans
					FROM pg_stat_xact_user_tables AS tables
					WHERE tables.relid = 'runqueue_job'::regclass
					""")
			.query((rs, row) -> Map.of("seq_scan", rs.getLong("seq_scan"), "idx_scan", rs.getLong("idx_scan"),
					"pending_scans", rs.getLong("pending_scans")))
			.single();
	}

	private long add() {
		return this.store.insert(JobInsert.of("steps", "{}", 1000, null, null, null, "live", null, 3, null))
			.getAsLong();
	}

	private long addAfter(String dependencyFailure, Long... dependencies) {
		return this.store
			.insert(new JobInsert("steps", "{}", 1000, null, null, null, "live", null, null, 3, null,
					List.of(dependencies), dependencyFailure))
			.getAsLong();
	}

	private static LeaseRef lease(List<ClaimedJob> claimed, long id) {
		return claimed.stream().filter((job) -> job.job().id() == id).findFirst().orElseThrow().lease();
	}

	private static List<String> notifications(Connection connection, int expected) throws Exception {
		PGConnection pg = connection.unwrap(PGConnection.class);
		List<String> payloads = new ArrayList<>();
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		do {
			PGNotification[] received = pg.getNotifications(200);
			if (received != null) {
				Arrays.stream(received).map(PGNotification::getParameter).forEach(payloads::add);
			}
		}
		while (payloads.size() < expected && System.nanoTime() < deadline);
		return payloads;
	}

}
