package dev.runqueue.faults;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.runqueue.NewJob;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Proves that a node <b>recovers alone</b> when the database drops its connections: while
 * two node processes work through a backlog, every connection of one of them is
 * terminated with {@code pg_terminate_backend}, three times over. The node goes on
 * without a restart, nothing is lost and nothing is doubled: every job succeeds, and no
 * job has more than one execution that recorded success.
 */
class TerminatedConnectionsTest extends FaultScenario {

	private static final Logger logger = LoggerFactory.getLogger(TerminatedConnectionsTest.class);

	private static final int JOBS = 1500;

	private static final int ROUNDS = 3;

	@Test
	void aNodeWhoseConnectionsAreTerminatedRecoversAloneAndNothingIsLostOrDoubled() {
		List<NodeProcess> nodes = this.cluster.start(this.cluster.node("victim"), this.cluster.node("other"));
		NodeProcess victim = nodes.get(0);
		List<NewJob> jobs = new ArrayList<>();
		for (int i = 0; i < JOBS; i++) {
			jobs.add(NewJob.of("t", Behavior.sleep(20)));
		}
		this.ledger.queue("t").addAll(jobs);

		Instant since = this.ledger.now();
		for (int round = 1; round <= ROUNDS; round++) {
			Instant previous = since;
			await("the victim completed jobs").atMost(Duration.ofSeconds(60))
				.until(() -> completedBy("victim", previous) >= 20);
			Instant terminatedAt = this.ledger.now();
			int terminated = terminateConnectionsOf("victim");
			assertThat(terminated).as("connections of the victim").isPositive();
			// A job claimed after the termination and completed: the node got new
			// connections for claiming, renewing and completing.
			await("the victim claimed and completed a job after its connections were terminated")
				.atMost(Duration.ofSeconds(60))
				.until(() -> completedBy("victim", terminatedAt) > 0);
			Instant recovered = firstCompletionBy("victim", terminatedAt);
			logger.info(
					"pg_terminate_backend: round {}: {} connections of node victim terminated; a job it claimed "
							+ "afterwards completed {} later, without a restart",
					round, terminated, Ledger.seconds(terminatedAt, recovered));
			since = terminatedAt;
		}
		await("every job succeeded").atMost(Duration.ofSeconds(120))
			.until(() -> this.ledger.countInState("succeeded") == JOBS);

		assertThat(victim.isAlive()).isTrue();
		assertThat(doubledSuccesses()).as("jobs with more than one successful execution").isZero();
		assertThat(this.ledger.jdbc()
			.sql("SELECT count(DISTINCT job_id) FROM ledger WHERE outcome = 'succeeded'")
			.query(Integer.class)
			.single()).isEqualTo(JOBS);
		int cutOff = this.ledger.jdbc()
			.sql("SELECT count(*) FROM ledger WHERE outcome IS DISTINCT FROM 'succeeded'")
			.query(Integer.class)
			.single();
		logger.info("pg_terminate_backend: {} jobs succeeded, each with exactly one successful execution; {} "
				+ "executions were cut off; victim's last stats: {}", JOBS, cutOff, victim.lastStats());
	}

	private int terminateConnectionsOf(String node) {
		return this.ledger.jdbc()
			.sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
					+ "WHERE application_name = :node AND datname = current_database()")
			.param("node", node)
			.query(Integer.class)
			.single();
	}

	// Jobs the node claimed after a time and completed.
	private int completedBy(String node, Instant since) {
		return this.ledger.jdbc()
			.sql("SELECT count(*) FROM runqueue_job WHERE claimed_by = :node AND state = 'succeeded' "
					+ "AND started_at > :since")
			.param("node", node)
			.param("since", Ledger.timestamp(since))
			.query(Integer.class)
			.single();
	}

	private Instant firstCompletionBy(String node, Instant since) {
		return this.ledger.jdbc()
			.sql("SELECT min(finished_at) FROM runqueue_job WHERE claimed_by = :node AND state = 'succeeded' "
					+ "AND started_at > :since")
			.param("node", node)
			.param("since", Ledger.timestamp(since))
			.query((rs, row) -> Ledger.instant(rs, 1))
			.single();
	}

	private int doubledSuccesses() {
		return this.ledger.jdbc()
			.sql("SELECT count(*) FROM (SELECT job_id FROM ledger WHERE outcome = 'succeeded' GROUP BY job_id "
					+ "HAVING count(*) > 1) AS doubled")
			.query(Integer.class)
			.single();
	}

}
