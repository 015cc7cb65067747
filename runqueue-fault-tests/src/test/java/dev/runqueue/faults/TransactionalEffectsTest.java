package dev.runqueue.faults;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.runqueue.faults.Ledger.Execution;
import dev.runqueue.job.JobState;
import dev.runqueue.store.JobRecord;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Proves <b>exactly-once database effects for transactional topics</b> when the node that
 * runs a job dies or freezes: the handler writes a row of its own in the transaction that
 * also records the job's success. Whether its node is killed with SIGKILL in the middle,
 * or frozen with SIGSTOP past its lease and let go after another node finished the job
 * (its handler then returns success although its run was cancelled), each job's effect is
 * committed exactly once: by the node whose result the job records.
 */
class TransactionalEffectsTest extends FaultScenario {

	private static final Logger logger = LoggerFactory.getLogger(TransactionalEffectsTest.class);

	private static final int JOBS = 2;

	// Longer than any fault takes to land, even on a loaded machine: the first run's
	// handler works until it is cancelled, and then returns success all the same.
	private static final long FIRST_RUN_MILLIS = 120_000;

	@Test
	void theEffectsOfAHandlerWhoseNodeWasKilledAreNeverCommitted() {
		NodeProcess doomed = startWithJobs("doomed");
		this.cluster.startOne(node("other"));

		doomed.kill();
		await("the other node finished the jobs")
			.atMost(LEASE.plus(SWEEP.multipliedBy(3)).plus(SWEEP).plus(POLL).plus(SLACK))
			.until(() -> this.ledger.countInState("succeeded") == JOBS);

		assertEachJobsEffectCommittedOnceBy("other");
	}

	@Test
	void theEffectsOfAHandlerWhoseNodeFrozePastItsLeaseAreRolledBack() {
		NodeProcess frozen = startWithJobs("frozen");
		this.cluster.startOne(node("other"));

		Instant frozenAt = this.ledger.now();
		frozen.pause();
		await("the other node finished the jobs, and the frozen node was frozen for twice its lease")
			.atMost(LEASE.plus(SWEEP.multipliedBy(3)).plus(SWEEP).plus(POLL).plus(SLACK))
			.until(() -> this.ledger.countInState("succeeded") == JOBS
					&& this.ledger.now().isAfter(frozenAt.plus(LEASE.multipliedBy(2))));
		frozen.resume();
		await("the resumed node's handlers returned").atMost(Duration.ofSeconds(60))
			.until(() -> this.ledger.executions()
				.stream()
				.filter((e) -> e.node().equals("frozen"))
				.allMatch(Execution::finished));
		frozen.terminate();
		frozen.awaitExit(Duration.ofSeconds(30));

		assertEachJobsEffectCommittedOnceBy("other");
		List<Execution> late = this.ledger.executions().stream().filter((e) -> e.node().equals("frozen")).toList();
		assertThat(late).hasSize(JOBS).allMatch(Execution::succeeded);
		logger.info(
				"transactional effects (SIGSTOP): the resumed node's handlers returned success ({}), their "
						+ "effects were rolled back; it reported {}",
				late.stream().map(Execution::note).toList(), frozen.stoppedLine());
	}

	private NodeProcess startWithJobs(String name) {
		NodeProcess node = this.cluster.startOne(node(name));
		for (int i = 0; i < JOBS; i++) {
			this.ledger.queue("t").add("t", Behavior.effect(FIRST_RUN_MILLIS).thenOnRerun(Behavior.effect(0)));
		}
		await("the jobs started on node " + name).atMost(Duration.ofSeconds(30))
			.until(() -> this.ledger.executions().size() == JOBS);
		// Each handler has written its effect (uncommitted, unless its transaction is
		// broken) before the fault.
		await("the effects are written").atMost(Duration.ofSeconds(30))
			.until(() -> uncommittedEffectsOf(name) + committedEffectsOf(name) >= JOBS);
		return node;
	}

	private void assertEachJobsEffectCommittedOnceBy(String node) {
		List<Map<String, Object>> effects = this.ledger.jdbc()
			.sql("SELECT job_id, node, execution FROM effects ORDER BY job_id")
			.query()
			.listOfRows();
		assertThat(effects).as("committed effects").hasSize(JOBS);
		for (Map<String, Object> effect : effects) {
			long id = ((Number) effect.get("job_id")).longValue();
			JobRecord job = this.ledger.job(id);
			assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
			assertThat(effect.get("node")).isEqualTo(node);
			assertThat(job.claimedBy()).isEqualTo(node);
			assertThat(job.result()).as("result of job %d", id)
				.contains("\"execution\": \"" + effect.get("execution") + "\"");
		}
		logger.info("transactional effects: {} jobs, each with exactly one committed effect, by node {}: {}", JOBS,
				node, effects);
	}

	// The node's open transactions that have written something: their rows are invisible
	// until they commit.
	private int uncommittedEffectsOf(String node) {
		return this.ledger.jdbc()
			.sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = :node AND state = "
					+ "'idle in transaction' AND backend_xid IS NOT NULL")
			.param("node", node)
			.query(Integer.class)
			.single();
	}

	private int committedEffectsOf(String node) {
		return this.ledger.jdbc()
			.sql("SELECT count(*) FROM effects WHERE node = :node")
			.param("node", node)
			.query(Integer.class)
			.single();
	}

	private NodeOptions node(String name) {
		return this.cluster.node(name)
			.concurrency(JOBS)
			.transactional(true)
			.lease(LEASE, HEARTBEAT)
			.poll(POLL)
			.maintenance(SWEEP, 3);
	}

}
