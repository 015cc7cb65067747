package dev.runqueue.faults;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.runqueue.DefaultRunQueue;
import dev.runqueue.faults.Ledger.Execution;
import dev.runqueue.job.JobState;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Proves that a node starts a handler only under a lease it still holds, so that no two
 * executions of a job overlap while a lease holds: a claim whose answer reaches its node
 * only after the lease was taken back and the job given to another node never runs its
 * handler there.
 * <p>
 * The claim is made late on purpose: the test locks the job table while it adds the jobs,
 * waits until the node's claim is queued behind that lock, freezes the node with SIGSTOP,
 * and commits. The claim then takes the jobs for the frozen node, whose leases expire;
 * the other node takes them back and runs them; and only then does the frozen node resume
 * and read its claim's answer.
 */
class StaleClaimTest extends FaultScenario {

	private static final Logger logger = LoggerFactory.getLogger(StaleClaimTest.class);

	private static final int JOBS = 2;

	@Test
	void aClaimAnsweredAfterItsLeaseWasTakenBackNeverStartsItsHandler() throws Exception {
		NodeProcess stale = this.cluster.startOne(node("stale"));
		try (Connection lock = postgres.dataSource().getConnection()) {
			lock.setAutoCommit(false);
			try (Statement statement = lock.createStatement()) {
				statement.execute("LOCK TABLE runqueue_job IN EXCLUSIVE MODE");
			}
			DefaultRunQueue queue = Ledger.queue(new SingleConnectionDataSource(lock, true), "t");
			for (int i = 0; i < JOBS; i++) {
				queue.add("t", Behavior.interruptible(3000));
			}
			await("the node's claim waits for the lock").atMost(Duration.ofSeconds(30))
				.until(() -> claimsWaitingForALock("stale") > 0);
			stale.pause();
			lock.commit();
		}
		await("the frozen node's claim took the jobs").atMost(Duration.ofSeconds(30))
			.until(() -> this.ledger.leasesHeldBy("stale").size() == JOBS);
		Instant claimedAt = this.ledger.now();
		this.cluster.startOne(node("other"));
		await("the other node took the jobs back and started them")
			.atMost(LEASE.plus(SWEEP.multipliedBy(3)).plus(SWEEP).plus(POLL).plus(SLACK))
			.until(() -> this.ledger.executions().stream().filter((e) -> e.node().equals("other")).count() == JOBS);
		Instant resumedAt = this.ledger.now();
		stale.resume();
		await("the other node finished the jobs").atMost(Duration.ofSeconds(30))
			.until(() -> this.ledger.countInState("succeeded") == JOBS);
		// Whatever the resumed node was to do with its claim, it did by the time it
		// stopped.
		stale.terminate();
		stale.awaitExit(Duration.ofSeconds(30));

		List<Execution> executions = this.ledger.executions();
		logger.info(
				"stale claim: the frozen node's claim took {} jobs, the other node started them {} later; "
						+ "after SIGCONT the stale node reported {}; executions: {}",
				JOBS, Ledger.seconds(claimedAt, executions.get(0).startedAt()), stale.stoppedLine(), executions);
		for (Execution execution : executions) {
			assertThat(this.ledger.job(execution.jobId()).state()).isEqualTo(JobState.SUCCEEDED);
			assertThat(this.ledger.job(execution.jobId()).claimedBy()).isEqualTo("other");
		}
		assertThat(executions.stream().filter((execution) -> execution.node().equals("stale")))
			.as("handlers the stale node started, after SIGCONT at %s, on claims whose leases the other node had "
					+ "taken back", resumedAt)
			.isEmpty();
	}

	private int claimsWaitingForALock(String node) {
		return this.ledger.jdbc()
			.sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = :node AND wait_event_type = 'Lock' "
					+ "AND query LIKE '%claimable%'")
			.param("node", node)
			.query(Integer.class)
			.single();
	}

	private NodeOptions node(String name) {
		return this.cluster.node(name).concurrency(JOBS).lease(LEASE, HEARTBEAT).poll(POLL).maintenance(SWEEP, 3);
	}

}
