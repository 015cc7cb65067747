package dev.runqueue.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.runqueue.DefaultRunQueue;
import dev.runqueue.InvalidSettingException;
import dev.runqueue.JsonCodec;
import dev.runqueue.RunQueue;
import dev.runqueue.TestJobTable;
import dev.runqueue.TopicSettings;
import dev.runqueue.Topics;
import dev.runqueue.event.EventPublisher;
import dev.runqueue.job.JobResult;
import dev.runqueue.maintenance.MaintenanceSettings;
import dev.runqueue.store.PostgresJobStore;
import dev.runqueue.store.ScheduleRecord;
import dev.runqueue.store.Stores;
import dev.runqueue.store.TableNames;
import dev.runqueue.testpostgres.PostgresExtension;
import dev.runqueue.worker.Worker;
import dev.runqueue.worker.WorkerSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Recurring jobs: one job per occurrence across the cluster, limits, missed occurrences
 * after downtime, schedules declared in configuration, and named schedule functions.
 */
class RecurringJobTest {

	@RegisterExtension
	static final PostgresExtension postgres = new PostgresExtension();

	private static final Map<String, ScheduleFunction> FUNCTIONS = Map.of("every-300ms",
			(last) -> last.plusMillis(300));

	private final TopicSettings tick = TopicSettings.named("tick");

	private TestJobTable jobs;

	private Stores stores;

	private RunQueue runQueue;

	private final List<Worker> workers = new ArrayList<>();

	@BeforeEach
	void prepare() {
		this.jobs = TestJobTable.prepare(postgres.dataSource());
		this.jobs.jdbc().sql("TRUNCATE runqueue_schedule, runqueue_node, runqueue_leader").update();
		this.stores = Stores.postgres(postgres.dataSource(), TableNames.DEFAULT);
		this.runQueue = new DefaultRunQueue(this.stores, Topics.of(List.of(this.tick)), new JsonCodec(), FUNCTIONS);
	}

	@AfterEach
	void stopWorkers() {
		this.workers.forEach(Worker::stop);
	}

	@Test
	void eachCronOccurrenceRunsOnceWithThreeNodes() {
		startNodes(3);

		this.runQueue.schedule(RecurringJob.of("every-second", "tick", "x", Schedule.cron("* * * * * *")));

		await().atMost(Duration.ofSeconds(20)).until(() -> this.jobs.countInState("succeeded") >= 5);
		List<Instant> added = this.jobs.jdbc()
			.sql("SELECT created_at FROM runqueue_job WHERE topic = 'tick' ORDER BY created_at")
			.query((rs, row) -> rs.getObject(1, OffsetDateTime.class).toInstant())
			.list();
		for (int i = 1; i < added.size(); i++) {
			assertThat(Duration.between(added.get(i - 1), added.get(i))).as("one job per occurrence, a second apart")
				.isGreaterThan(Duration.ofMillis(500));
		}
		assertThat(schedule("every-second").runs()).isBetween(added.size(), added.size() + 1);
	}

	@Test
	void aFixedIntervalEndsAfterItsLimit() {
		startNodes(1);

		this.runQueue
			.schedule(RecurringJob.of("three-times", "tick", "x", Schedule.every(Duration.ofMillis(200))).limit(3));

		await().atMost(Duration.ofSeconds(20)).until(() -> schedule("three-times").nextRunAt() == null);
		await().during(Duration.ofMillis(600)).until(() -> this.jobs.count() == 3);
		assertThat(schedule("three-times").runs()).isEqualTo(3);
	}

	@Test
	void aNamedScheduleFunctionSaysWhenTheNextOccurrenceIs() {
		startNodes(1);

		this.runQueue.schedule(RecurringJob.of("by-function", "tick", "x", Schedule.function("every-300ms")).limit(4));

		await().atMost(Duration.ofSeconds(20)).until(() -> this.jobs.countInState("succeeded") == 4);
		List<Instant> added = this.jobs.jdbc()
			.sql("SELECT created_at FROM runqueue_job ORDER BY created_at")
			.query((rs, row) -> rs.getObject(1, OffsetDateTime.class).toInstant())
			.list();
		assertThat(Duration.between(added.get(0), added.get(3))).isGreaterThanOrEqualTo(Duration.ofMillis(850));
	}

	@Test
	void missedOccurrencesRunOnceNowAfterDowntime() {
		this.runQueue.schedule(RecurringJob.of("hourly", "tick", "x", Schedule.every(Duration.ofMinutes(10))));
		downFor("hourly", "3 hours 5 minutes");

		PeriodicEnqueuer.EnqueueResult result = enqueuer(List.of()).runOnce();

		assertThat(result.added()).isEqualTo(1);
		assertThat(this.jobs.count()).isEqualTo(1);
		ScheduleRecord after = schedule("hourly");
		assertThat(after.nextRunAt()).isAfter(this.stores.schedules().now())
			.isBefore(this.stores.schedules().now().plus(Duration.ofMinutes(10)));
	}

	@Test
	void missedOccurrencesAreSkippedWhenTheScheduleSaysSo() {
		this.runQueue.schedule(RecurringJob.of("hourly", "tick", "x", Schedule.every(Duration.ofMinutes(10)))
			.onMissed(MissedRuns.SKIP));
		downFor("hourly", "3 hours 5 minutes");

		PeriodicEnqueuer.EnqueueResult result = enqueuer(List.of()).runOnce();

		assertThat(result.added()).isZero();
		assertThat(this.jobs.count()).isZero();
		assertThat(schedule("hourly").nextRunAt()).isAfter(this.stores.schedules().now());
	}

	@Test
	void anOccurrenceThatIsMerelyLateStillRunsUnderSkip() {
		this.runQueue.schedule(
				RecurringJob.of("hourly", "tick", "x", Schedule.every(Duration.ofHours(1))).onMissed(MissedRuns.SKIP));
		downFor("hourly", "2 seconds");

		assertThat(enqueuer(List.of()).runOnce().added()).isEqualTo(1);
	}

	@Test
	void schedulesFromConfigurationAreAddedChangedAndRemovedWithoutCleanup() {
		this.runQueue.schedule(RecurringJob.of("from-code", "tick", "x", Schedule.every(Duration.ofHours(1))));
		RecurringJob hourly = RecurringJob.of("hourly", "tick", "x", Schedule.cron("0 0 * * * *"));
		RecurringJob daily = RecurringJob.of("daily", "tick", "x",
				Schedule.cron("0 0 3 * * *", ZoneId.of("Europe/Paris")));
		enqueuer(List.of(hourly, daily)).reconcile();
		this.jobs.jdbc().sql("UPDATE runqueue_schedule SET runs = 7 WHERE name = 'hourly'").update();
		Instant hourlyNext = schedule("hourly").nextRunAt();

		RecurringJob halfPast = RecurringJob.of("hourly", "tick", "x", Schedule.cron("0 30 * * * *"));
		enqueuer(List.of(halfPast)).reconcile();

		assertThat(this.stores.schedules().list()).extracting(ScheduleRecord::name)
			.containsExactlyInAnyOrder("hourly", "from-code");
		ScheduleRecord changed = schedule("hourly");
		assertThat(changed.cron()).isEqualTo("0 30 * * * *");
		assertThat(changed.runs()).isZero();
		assertThat(changed.nextRunAt()).isNotEqualTo(hourlyNext);
		assertThat(changed.nextRunAt().atZone(ZoneId.of("UTC")).getMinute()).isEqualTo(30);

		enqueuer(List.of(halfPast)).reconcile();
		assertThat(schedule("hourly").nextRunAt()).as("an unchanged definition keeps its progress")
			.isEqualTo(changed.nextRunAt());
	}

	@Test
	void schedulingAnUnchangedDefinitionAgainChangesNothing() {
		RecurringJob job = RecurringJob.of("hourly", "tick", "x", Schedule.every(Duration.ofHours(1)));
		this.runQueue.schedule(job);
		Instant next = schedule("hourly").nextRunAt();
		this.jobs.jdbc().sql("UPDATE runqueue_schedule SET runs = 4 WHERE name = 'hourly'").update();

		this.runQueue.schedule(job);

		assertThat(schedule("hourly").nextRunAt()).isEqualTo(next);
		assertThat(schedule("hourly").runs()).isEqualTo(4);
		assertThat(this.runQueue.unschedule("hourly")).isTrue();
		assertThat(this.stores.schedules().list()).isEmpty();
	}

	@Test
	void badDefinitionsAreRejectedWhereTheyAreMade() {
		assertThatExceptionOfType(InvalidSettingException.class).isThrownBy(() -> Schedule.cron("every minute"))
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo("cron"))
			.withMessageContaining("six fields");
		assertThatExceptionOfType(InvalidSettingException.class).isThrownBy(() -> Schedule.every(Duration.ZERO))
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo("every"));
		assertThatIllegalArgumentException().isThrownBy(
				() -> this.runQueue.schedule(RecurringJob.of("r", "no-such-topic", "x", Schedule.cron("0 0 * * * *"))))
			.withMessageContaining("Unknown topic 'no-such-topic'");
		assertThat(this.stores.schedules().list()).isEmpty();
	}

	private void downFor(String name, String interval) {
		this.jobs.jdbc()
			.sql("UPDATE runqueue_schedule SET next_run_at = now() - CAST(:interval AS interval) WHERE name = :name")
			.param("interval", interval)
			.param("name", name)
			.update();
	}

	private PeriodicEnqueuer enqueuer(List<RecurringJob> configured) {
		return new PeriodicEnqueuer(this.stores.schedules(), this.stores.jobs(), this.runQueue, new JsonCodec(),
				FUNCTIONS, configured, Duration.ofSeconds(30), Duration.ofSeconds(1), () -> true,
				EventPublisher.none(Clock.systemUTC()), "test-node");
	}

	private ScheduleRecord schedule(String name) {
		return this.stores.schedules()
			.list()
			.stream()
			.filter((schedule) -> schedule.name().equals(name))
			.findFirst()
			.orElseThrow();
	}

	private void startNodes(int count) {
		PostgresJobStore store = new PostgresJobStore(postgres.dataSource());
		for (int i = 0; i < count; i++) {
			Worker worker = Worker.builder(postgres.dataSource(), store)
				.settings(WorkerSettings.defaults().withNodeName("node-" + i).withPollInterval(Duration.ofMillis(100)))
				.maintenance(MaintenanceSettings.DEFAULT.withInterval(Duration.ofMillis(300)))
				.runQueue(this.runQueue)
				.scheduleFunctions(FUNCTIONS)
				.handler(this.tick, (job, context) -> JobResult.success())
				.build();
			this.workers.add(worker);
			worker.start();
		}
	}

}
