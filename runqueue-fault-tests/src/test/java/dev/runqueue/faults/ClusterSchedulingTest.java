package dev.runqueue.faults;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import dev.runqueue.AddResult;
import dev.runqueue.NewJob;
import dev.runqueue.faults.Ledger.Execution;
import dev.runqueue.schedule.RecurringJob;
import dev.runqueue.schedule.Schedule;
import dev.runqueue.store.TableNames;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Proves the promises that hold across the cluster, not per node, with three node
 * processes on one database:
 * <ul>
 * <li><b>recurring jobs</b>: every node declares the same recurring jobs (a fixed
 * interval and a cron expression with seconds), and each occurrence is added once and
 * runs once, one occurrence per period of the schedule, on whichever node claims it;</li>
 * <li><b>group concurrency</b>: no group of a topic with a group limit ever runs more
 * jobs at once than the limit, counted over the handlers of every node by the database's
 * clock, and each group does run as many as the limit allows;</li>
 * <li><b>FIFO</b>: a FIFO topic runs one job at a time across the cluster, in insertion
 * order, and a head that fails holds the jobs behind it until its retry succeeds.</li>
 * </ul>
 */
class ClusterSchedulingTest extends FaultScenario {

	private static final Logger logger = LoggerFactory.getLogger(ClusterSchedulingTest.class);

	private static final Duration DONE_WITHIN = Duration.ofSeconds(60);

	// Recurring jobs: a fixed interval and a cron expression, each ending after a number
	// of runs, so that the test knows when the last occurrence was added.
	private static final Duration EVERY = Duration.ofMillis(400);

	private static final int EVERY_RUNS = 12;

	private static final String CRON = "* * * * * *";

	private static final Duration CRON_PERIOD = Duration.ofSeconds(1);

	private static final int CRON_RUNS = 5;

	// Longer than the interval, on nodes that run one job at a time: no node can keep up
	// with the occurrences alone.
	private static final long OCCURRENCE_MILLIS = 600;

	// Group concurrency.
	private static final int GROUP_LIMIT = 2;

	private static final List<String> GROUPS = List.of("a", "b", "c");

	private static final int GROUP_JOBS = 60;

	private static final long GROUP_JOB_MILLIS = 150;

	// FIFO.
	private static final int FIFO_JOBS = 12;

	private static final long FIFO_JOB_MILLIS = 100;

	@Test
	void eachOccurrenceOfARecurringJobIsAddedOnceAndRunsOnceAcrossTheCluster() {
		RecurringJob every = RecurringJob
			.of("every-400ms", "t", Behavior.sleep(OCCURRENCE_MILLIS).tagged("every"), Schedule.every(EVERY))
			.limit(EVERY_RUNS);
		RecurringJob cron = RecurringJob
			.of("cron-each-second", "t", Behavior.sleep(OCCURRENCE_MILLIS).tagged("cron"), Schedule.cron(CRON))
			.limit(CRON_RUNS);
		// Every node declares both: whichever leads adds the occurrences.
		this.cluster.start(scheduling("node-1", every, cron), scheduling("node-2", every, cron),
				scheduling("node-3", every, cron));
		await("the schedules were stored").atMost(Duration.ofSeconds(30)).until(() -> nextRunAt(every.name()) != null);
		// Every occurrence of a fixed interval lies on the grid of the first: any stored
		// next occurrence gives the grid. A cron expression of seconds in UTC is on the
		// grid of whole seconds.
		Instant everyGrid = nextRunAt(every.name());
		await("both schedules ended and no job is left to run").atMost(DONE_WITHIN)
			.pollInterval(Duration.ofMillis(200))
			.until(() -> endedSchedules() == 2 && unfinishedJobs() == 0);

		Occurrences ofEvery = occurrences(every, everyGrid, EVERY);
		Occurrences ofCron = occurrences(cron, Instant.EPOCH, CRON_PERIOD);
		Map<String, Long> nodes = new TreeMap<>();
		ofEvery.nodes().forEach((node, count) -> nodes.merge(node, count, Long::sum));
		ofCron.nodes().forEach((node, count) -> nodes.merge(node, count, Long::sum));
		logger.info("recurring jobs: occurrences run by node {}; leader at the end {}", nodes, this.ledger.leader());
		assertThat(nodes).as("nodes that ran occurrences").hasSizeGreaterThanOrEqualTo(2);
		assertThat(this.ledger.executions()).as("executions of every occurrence")
			.hasSize(EVERY_RUNS + CRON_RUNS)
			.allMatch(Execution::succeeded);
	}

	// The jobs a recurring job added, each for an occurrence: the job's run_at is the
	// database's time when the leader found the occurrence due, at or after it and before
	// the next one unless the leader was a whole period late, in which case the schedule
	// skips to the next occurrence after now. So each job lies in a period of its own,
	// later than the one before, and a period without a job is an occurrence skipped.
	private Occurrences occurrences(RecurringJob schedule, Instant grid, Duration period) {
		String tag = ((Behavior) schedule.payload()).tag();
		List<ScheduledJob> jobs = this.ledger.jdbc()
			.sql("SELECT id, run_at, state, attempt FROM runqueue_job WHERE payload->>'tag' = :tag ORDER BY id")
			.param("tag", tag)
			.query((rs, row) -> new ScheduledJob(rs.getLong("id"), Ledger.instant(rs, "run_at"), rs.getString("state"),
					rs.getInt("attempt")))
			.list();
		Map<String, Object> row = this.ledger.jdbc()
			.sql("SELECT runs, next_run_at FROM " + TableNames.DEFAULT.schedule() + " WHERE name = :name")
			.param("name", schedule.name())
			.query()
			.singleRow();
		assertThat(jobs).as("jobs added by schedule %s", schedule.name()).hasSizeGreaterThan(1);

		Map<Long, List<Execution>> executions = new LinkedHashMap<>();
		Map<String, Long> nodes = new TreeMap<>();
		List<Long> periods = new ArrayList<>();
		List<Duration> lags = new ArrayList<>();
		List<Duration> spacings = new ArrayList<>();
		for (ScheduledJob job : jobs) {
			List<Execution> runs = this.ledger.executionsOf(job.id());
			executions.put(job.id(), runs);
			runs.forEach((execution) -> nodes.merge(execution.node(), 1L, Long::sum));
			long index = Math.floorDiv(Duration.between(grid, job.runAt()).toNanos(), period.toNanos());
			periods.add(index);
			lags.add(Duration.between(grid.plus(period.multipliedBy(index)), job.runAt()));
			if (spacings.size() < periods.size() - 1) {
				spacings.add(Duration.between(jobs.get(periods.size() - 2).runAt(), job.runAt()));
			}
		}
		long covered = periods.get(periods.size() - 1) - periods.get(0) + 1;
		long skipped = covered - periods.stream().distinct().count();
		Instant first = jobs.get(0).runAt();
		Instant last = jobs.get(jobs.size() - 1).runAt();
		List<Duration> sortedSpacings = spacings.stream().sorted().toList();
		logger.info(
				"recurring job {} ({}): {} occurrences added in {} (expected {} at one per {}), {} skipped for a late "
						+ "leader; spacing min {}ms median {}ms max {}ms; added after its occurrence by at most {}ms; "
						+ "run by node {}",
				schedule.name(), schedule.schedule(), jobs.size(), Ledger.seconds(first, last),
				Ledger.seconds(Instant.EPOCH, Instant.EPOCH.plus(period.multipliedBy(jobs.size() - 1))), period,
				skipped, sortedSpacings.get(0).toMillis(), sortedSpacings.get(sortedSpacings.size() / 2).toMillis(),
				sortedSpacings.get(sortedSpacings.size() - 1).toMillis(),
				lags.stream().max(Comparator.naturalOrder()).orElseThrow().toMillis(), nodes);

		for (int i = 1; i < periods.size(); i++) {
			assertThat(periods.get(i))
				.as("period of occurrence job %d of %s (periods of all: %s): after the one before, never the same",
						jobs.get(i).id(), schedule.name(), periods)
				.isGreaterThan(periods.get(i - 1));
		}
		assertThat(jobs).as("jobs added by schedule %s", schedule.name()).hasSize(schedule.maxRuns());
		assertThat(row.get("runs")).as("runs counted by schedule %s", schedule.name()).isEqualTo(schedule.maxRuns());
		assertThat(row.get("next_run_at")).as("next occurrence of the ended schedule %s", schedule.name()).isNull();
		for (ScheduledJob job : jobs) {
			assertThat(executions.get(job.id())).as("executions of occurrence job %d of %s", job.id(), schedule.name())
				.hasSize(1)
				.allMatch(Execution::succeeded);
			assertThat(job.state()).as("state of job %d", job.id()).isEqualTo("succeeded");
			assertThat(job.attempt()).as("attempts of job %d", job.id()).isEqualTo(1);
		}
		// As many occurrences as periods went by: a loaded machine may make the leader a
		// whole period late now and then, not often.
		assertThat(skipped).as("occurrences skipped among %d periods (periods %s)", covered, periods)
			.isLessThanOrEqualTo(jobs.size() / 4);
		return new Occurrences(nodes);
	}

	@Test
	void noGroupRunsMoreJobsAtOnceThanItsLimitAcrossTheCluster() {
		this.cluster.start(grouped("node-1"), grouped("node-2"), grouped("node-3"));
		List<NewJob> jobs = new ArrayList<>();
		for (int i = 0; i < GROUP_JOBS; i++) {
			jobs.add(NewJob.of("t", Behavior.sleep(GROUP_JOB_MILLIS)).group(GROUPS.get(i % GROUPS.size())));
		}
		Instant start = this.ledger.now();
		this.ledger.queue("t").addAll(jobs);
		await("every job ran").atMost(DONE_WITHIN)
			.pollInterval(Duration.ofMillis(200))
			.until(() -> unfinishedJobs() == 0);
		Instant done = this.ledger.now();

		List<Execution> executions = this.ledger.executions();
		Map<Long, String> groupOf = new LinkedHashMap<>();
		this.ledger.jdbc().sql("SELECT id, group_key FROM runqueue_job ORDER BY id").query((rs) -> {
			groupOf.put(rs.getLong("id"), rs.getString("group_key"));
		});
		assertThat(groupOf).hasSize(GROUP_JOBS);
		assertThat(executions).as("executions").hasSize(GROUP_JOBS).allMatch(Execution::succeeded);
		assertThat(executions.stream().map(Execution::jobId).distinct()).as("jobs that ran")
			.containsExactlyInAnyOrderElementsOf(groupOf.keySet());
		assertThat(this.ledger.countInState("succeeded")).isEqualTo(GROUP_JOBS);

		Map<String, List<Execution>> byGroup = executions.stream()
			.collect(Collectors.groupingBy((execution) -> groupOf.get(execution.jobId()), TreeMap::new,
					Collectors.toList()));
		Map<String, Integer> peaks = new TreeMap<>();
		Map<String, Duration> atLimit = new TreeMap<>();
		byGroup.forEach((group, runs) -> {
			Overlap overlap = overlap(runs, GROUP_LIMIT);
			peaks.put(group, overlap.peak());
			atLimit.put(group, overlap.atLeast());
		});
		Overlap topic = overlap(executions, GROUP_LIMIT + 1);
		Map<String, Long> nodes = executions.stream()
			.collect(Collectors.groupingBy(Execution::node, TreeMap::new, Collectors.counting()));
		logger
			.info("group concurrency: {} jobs of {}ms in groups {} with a limit of {} per group ran in {} on 3 nodes of "
					+ "concurrency 4; peak per group {}, time each group ran at least {} at once {}; peak of the topic {}; "
					+ "jobs per node {}", GROUP_JOBS, GROUP_JOB_MILLIS, GROUPS, GROUP_LIMIT,
					Ledger.seconds(start, done), peaks, GROUP_LIMIT, atLimit, topic.peak(), nodes);
		assertThat(peaks).as("groups that ran").containsOnlyKeys(GROUPS);
		assertThat(peaks).as("most jobs of each group running at once, across the nodes")
			.allSatisfy(
					(group, peak) -> assertThat(peak).as("peak of group %s", group).isLessThanOrEqualTo(GROUP_LIMIT))
			.allSatisfy((group, peak) -> assertThat(peak).as("peak of group %s", group).isEqualTo(GROUP_LIMIT));
		assertThat(topic.peak()).as("most jobs of the topic running at once: the limit is per group")
			.isGreaterThan(GROUP_LIMIT);
		assertThat(nodes).as("nodes that ran jobs").hasSizeGreaterThanOrEqualTo(2);
	}

	@Test
	void aFifoTopicRunsOneJobAtATimeInInsertionOrderAndAFailedHeadHoldsTheRest() {
		this.cluster.start(fifo("node-1"), fifo("node-2"), fifo("node-3"));
		List<NewJob> jobs = new ArrayList<>();
		jobs.add(NewJob.of("t", Behavior.fail().thenOnRerun(Behavior.sleep(FIFO_JOB_MILLIS))));
		for (int i = 1; i < FIFO_JOBS; i++) {
			jobs.add(NewJob.of("t", Behavior.sleep(FIFO_JOB_MILLIS)));
		}
		Instant start = this.ledger.now();
		List<Long> ids = this.ledger.queue("t").addAll(jobs).stream().map(AddResult::id).toList();
		await("every job ran").atMost(DONE_WITHIN)
			.pollInterval(Duration.ofMillis(200))
			.until(() -> unfinishedJobs() == 0);
		Instant done = this.ledger.now();

		List<Execution> executions = this.ledger.executions();
		List<Long> successOrder = executions.stream()
			.filter(Execution::succeeded)
			.map(Execution::jobId)
			.collect(Collectors.toList());
		List<Execution> head = this.ledger.executionsOf(ids.get(0));
		List<String> handovers = new ArrayList<>();
		for (int i = 1; i < executions.size(); i++) {
			handovers.add(Ledger.seconds(executions.get(i - 1).finishedAt(), executions.get(i).startedAt()));
		}
		logger.info(
				"FIFO: {} jobs of {}ms ran in {} on 3 nodes, the head failing once: nodes in turn {}; "
						+ "from one job's end to the next one's start: {}",
				FIFO_JOBS, FIFO_JOB_MILLIS, Ledger.seconds(start, done),
				executions.stream().map((execution) -> execution.node() + "/" + execution.jobId()).toList(), handovers);
		assertThat(executions).as("executions, all ended").allMatch(Execution::finished);
		Instant headSucceeded = head.stream()
			.filter(Execution::succeeded)
			.map(Execution::finishedAt)
			.findFirst()
			.orElseThrow(() -> new AssertionError("The head never succeeded: " + head));
		List<String> overlaps = new ArrayList<>();
		for (int i = 1; i < executions.size(); i++) {
			Execution previous = executions.get(i - 1);
			Execution next = executions.get(i);
			if (next.startedAt().isBefore(previous.finishedAt())) {
				overlaps.add("job " + next.jobId() + " on " + next.node() + " started "
						+ Ledger.seconds(next.startedAt(), previous.finishedAt()) + " before job " + previous.jobId()
						+ " on " + previous.node() + " ended");
			}
		}
		SoftAssertions.assertSoftly((softly) -> {
			softly.assertThat(this.ledger.countInState("succeeded")).as("jobs that succeeded").isEqualTo(FIFO_JOBS);
			softly.assertThat(overlaps).as("executions of the topic that overlapped").isEmpty();
			softly.assertThat(successOrder).as("jobs in the order their successful runs started").isEqualTo(ids);
			softly.assertThat(executionsBefore(headSucceeded, ids.get(0)))
				.as("executions of other jobs that started before the head succeeded")
				.isEmpty();
			softly.assertThat(head)
				.as("executions of the head")
				.extracting(Execution::outcome)
				.containsExactly("failed", "succeeded");
			softly.assertThat(head).as("attempts of the head").extracting(Execution::attempt).containsExactly(1, 2);
			softly.assertThat(executions).as("executions: one per job, and the head's retry").hasSize(FIFO_JOBS + 1);
		});
	}

	private List<Execution> executionsBefore(Instant time, long except) {
		return this.ledger.executions()
			.stream()
			.filter((execution) -> execution.jobId() != except && execution.startedAt().isBefore(time))
			.toList();
	}

	// The most executions that ran at once, by their start and end in the ledger (an
	// execution that ends when another starts does not overlap it), and how long at least
	// so many ran at once.
	private static Overlap overlap(List<Execution> executions, int atLeast) {
		assertThat(executions).as("executions, all ended").allMatch(Execution::finished);
		List<Map.Entry<Instant, Integer>> events = new ArrayList<>();
		for (Execution execution : executions) {
			events.add(Map.entry(execution.startedAt(), 1));
			events.add(Map.entry(execution.finishedAt(), -1));
		}
		events.sort(Map.Entry.<Instant, Integer>comparingByKey().thenComparing(Map.Entry.comparingByValue()));
		int running = 0;
		int peak = 0;
		Duration atLeastFor = Duration.ZERO;
		Instant since = null;
		for (Map.Entry<Instant, Integer> event : events) {
			if (since != null) {
				atLeastFor = atLeastFor.plus(Duration.between(since, event.getKey()));
				since = null;
			}
			running += event.getValue();
			peak = Math.max(peak, running);
			if (running >= atLeast) {
				since = event.getKey();
			}
		}
		return new Overlap(peak, atLeastFor);
	}

	private Instant nextRunAt(String schedule) {
		return this.ledger.jdbc()
			.sql("SELECT next_run_at FROM " + TableNames.DEFAULT.schedule() + " WHERE name = :name")
			.param("name", schedule)
			.query((rs, row) -> Ledger.instant(rs, 1))
			.optional()
			.orElse(null);
	}

	private int endedSchedules() {
		return this.ledger.jdbc()
			.sql("SELECT count(*) FROM " + TableNames.DEFAULT.schedule() + " WHERE next_run_at IS NULL")
			.query(Integer.class)
			.single();
	}

	private int unfinishedJobs() {
		return this.ledger.jdbc()
			.sql("SELECT count(*) FROM runqueue_job WHERE state IN ('pending', 'scheduled', 'available', 'running')")
			.query(Integer.class)
			.single();
	}

	private NodeOptions scheduling(String name, RecurringJob... recurringJobs) {
		NodeOptions options = this.cluster.node(name).concurrency(1).poll(POLL);
		for (RecurringJob job : recurringJobs) {
			options = options.recurring(job);
		}
		return options;
	}

	private NodeOptions grouped(String name) {
		return this.cluster.node(name).concurrency(4).poll(POLL).groupConcurrency(GROUP_LIMIT);
	}

	private NodeOptions fifo(String name) {
		return this.cluster.node(name).concurrency(2).poll(POLL).fifo().backoff(Duration.ofMillis(200));
	}

	private record ScheduledJob(long id, Instant runAt, String state, int attempt) {

	}

	private record Occurrences(Map<String, Long> nodes) {

	}

	private record Overlap(int peak, Duration atLeast) {

	}

}
