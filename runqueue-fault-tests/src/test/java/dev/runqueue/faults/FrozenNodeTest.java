package dev.runqueue.faults;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.runqueue.faults.Ledger.Execution;
import dev.runqueue.job.JobState;
import dev.runqueue.store.JobRecord;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Proves <b>leases and fencing</b> against a node that comes back from the dead: a node
 * is frozen with SIGSTOP for longer than its lease while it runs jobs, another node takes
 * the jobs over and finishes them, and then the frozen node is let go with SIGCONT. Its
 * late lease renewals and late outcomes change nothing: every job keeps the other node's
 * result, and each job ran to success exactly once (counting the executions that recorded
 * success); the resumed node gives its jobs up (its handlers are interrupted) instead of
 * finishing them.
 */
class FrozenNodeTest extends FaultScenario {

	private static final Logger logger = LoggerFactory.getLogger(FrozenNodeTest.class);

	// Long enough that the frozen node's handlers are still at work when it resumes, even
	// on a loaded machine.
	private static final long FIRST_RUN_MILLIS = 60_000;

	@Test
	void aNodeFrozenPastItsLeaseChangesNothingWhenItResumes() {
		NodeProcess frozen = this.cluster.startOne(node("frozen"));
		Behavior longThenShort = Behavior.interruptible(FIRST_RUN_MILLIS).thenOnRerun(Behavior.ok());
		List<Long> ids = List.of(this.ledger.queue("t").add("t", longThenShort).id(),
				this.ledger.queue("t").add("t", longThenShort).id());
		await("both jobs started on the node to freeze").atMost(Duration.ofSeconds(30))
			.until(() -> this.ledger.executions().stream().filter((e) -> e.node().equals("frozen")).count() == 2);
		NodeProcess other = this.cluster.startOne(node("other"));

		Instant frozenAt = this.ledger.now();
		frozen.pause();
		Duration bound = LEASE.plus(SWEEP.multipliedBy(3)).plus(SWEEP).plus(POLL).plus(SLACK);
		// Frozen until the other node has finished the jobs, and for twice the lease at
		// least.
		await("the other node finished the frozen node's jobs").atMost(bound)
			.until(() -> this.ledger.countInState("succeeded") == 2
					&& this.ledger.now().isAfter(frozenAt.plus(LEASE.multipliedBy(2))));
		Map<Long, JobRecord> beforeResume = ids.stream().collect(Collectors.toMap((id) -> id, this.ledger::job));
		Instant resumedAt = this.ledger.now();
		frozen.resume();
		await("the resumed node's handlers ended").atMost(Duration.ofSeconds(90))
			.until(() -> this.ledger.executions()
				.stream()
				.filter((e) -> e.node().equals("frozen"))
				.allMatch(Execution::finished));
		// Whatever the resumed node still had to write, it wrote by the time it stopped.
		frozen.terminate();
		frozen.awaitExit(Duration.ofSeconds(60));

		assertThat(Duration.between(frozenAt, resumedAt)).as("time frozen").isGreaterThan(LEASE.multipliedBy(2));
		logger.info("SIGSTOP: node frozen froze {} with jobs {} (lease {}, heartbeat {})",
				Ledger.seconds(frozenAt, resumedAt), ids, LEASE, HEARTBEAT);
		for (long id : ids) {
			JobRecord job = this.ledger.job(id);
			assertThat(job).as("job %d after the frozen node resumed and stopped", id).isEqualTo(beforeResume.get(id));
			assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
			assertThat(job.claimedBy()).isEqualTo("other");
			assertThat(job.result()).contains("\"node\": \"other\"");
			List<Execution> executions = this.ledger.executionsOf(id);
			assertThat(executions).extracting(Execution::node).containsExactly("frozen", "other");
			assertThat(executions.stream().filter(Execution::succeeded)).as("successful executions of job %d", id)
				.singleElement()
				.extracting(Execution::node)
				.isEqualTo("other");
			Execution late = executions.get(0);
			Execution rerun = executions.get(1);
			assertThat(late.outcome()).isEqualTo("interrupted");
			assertThat(late.finishedAt()).isAfterOrEqualTo(resumedAt);
			logger.info(
					"SIGSTOP: job {} ran again on node other {} after the freeze; after SIGCONT the frozen "
							+ "node's handler gave up {} later ({})",
					id, Ledger.seconds(frozenAt, rerun.startedAt()), Ledger.seconds(resumedAt, late.finishedAt()),
					late.note());
		}
		logger.info("SIGSTOP: the resumed node reported on stopping: {}", frozen.stoppedLine());
		assertThat(frozen.stoppedLine()).contains("leaseLosses=2");
		assertThat(other.isAlive()).isTrue();
	}

	private NodeOptions node(String name) {
		return this.cluster.node(name).concurrency(2).lease(LEASE, HEARTBEAT).poll(POLL).maintenance(SWEEP, 3);
	}

}
