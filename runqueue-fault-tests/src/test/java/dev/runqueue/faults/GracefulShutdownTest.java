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
 * Proves <b>graceful shutdown</b>: a node that gets SIGTERM while it runs long jobs lets
 * them run for its grace period, then releases them and interrupts their handlers. The
 * released jobs start on another node at once, long before the stopping node's leases on
 * them would have expired, and without losing an attempt: the next node runs them as
 * attempt 1.
 */
class GracefulShutdownTest extends FaultScenario {

	private static final Logger logger = LoggerFactory.getLogger(GracefulShutdownTest.class);

	// Long, so that a job that starts again before it expired was certainly released.
	private static final Duration LONG_LEASE = Duration.ofSeconds(30);

	private static final Duration SLOW_HEARTBEAT = Duration.ofSeconds(5);

	private static final Duration GRACE = Duration.ofMillis(500);

	private static final int JOBS = 3;

	@Test
	void jobsReleasedOnShutdownStartOnAnotherNodeAtOnceWithoutLosingAnAttempt() {
		NodeProcess leaving = this.cluster.startOne(node("leaving"));
		for (int i = 0; i < JOBS; i++) {
			this.ledger.queue("t").add("t", Behavior.interruptible(60_000).thenOnRerun(Behavior.ok()));
		}
		await("the jobs started on the leaving node").atMost(Duration.ofSeconds(30))
			.until(() -> this.ledger.executions().size() == JOBS);
		this.cluster.startOne(node("staying"));

		Map<Long, Instant> leases = this.ledger.leasesHeldBy("leaving");
		assertThat(leases).hasSize(JOBS);
		Instant terminatedAt = this.ledger.now();
		leaving.terminate();
		await("the released jobs succeeded on the staying node").atMost(GRACE.plus(POLL).plus(SLACK))
			.until(() -> this.ledger.countInState("succeeded") == JOBS);
		leaving.awaitExit(Duration.ofSeconds(30));

		logger.info("SIGTERM: node leaving reported {}", leaving.stoppedLine());
		assertThat(leaving.stoppedLine()).isNotNull();
		for (long id : leases.keySet()) {
			JobRecord job = this.ledger.job(id);
			assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
			assertThat(job.claimedBy()).isEqualTo("staying");
			assertThat(job.attempt()).as("attempts of job %d", id).isEqualTo(1);
			assertThat(job.rescues()).isZero();
			assertThat(job.errors()).isZero();
			List<Execution> executions = this.ledger.executionsOf(id);
			assertThat(executions).extracting(Execution::node).containsExactly("leaving", "staying");
			Execution released = executions.get(0);
			Execution rerun = executions.get(1);
			assertThat(released.outcome()).isEqualTo("interrupted");
			assertThat(released.note()).startsWith("cancelled=true");
			assertThat(rerun.attempt()).as("attempt of the rerun of job %d", id).isEqualTo(1);
			assertThat(rerun.succeeded()).isTrue();
			// Not before the grace period was over, and long before the lease would have
			// let anyone take the job back.
			assertThat(rerun.startedAt()).isAfterOrEqualTo(terminatedAt.plus(GRACE));
			assertThat(rerun.startedAt()).isBefore(leases.get(id));
			logger.info("SIGTERM: job {} started on node staying {} after the SIGTERM (grace {}), {} before "
					+ "node leaving's lease on it would have expired; its handler on node leaving was interrupted {} "
					+ "after the SIGTERM", id, Ledger.seconds(terminatedAt, rerun.startedAt()), GRACE,
					Ledger.seconds(rerun.startedAt(), leases.get(id)),
					Ledger.seconds(terminatedAt, released.finishedAt()));
		}
	}

	private NodeOptions node(String name) {
		return this.cluster.node(name).concurrency(JOBS).lease(LONG_LEASE, SLOW_HEARTBEAT).poll(POLL).grace(GRACE);
	}

}
