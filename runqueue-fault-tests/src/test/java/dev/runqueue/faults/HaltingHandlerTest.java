package dev.runqueue.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.runqueue.faults.Ledger.Execution;
import dev.runqueue.job.JobState;
import dev.runqueue.store.JobRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Proves <b>at-least-once</b> and the <b>quarantine</b> of poison jobs when a handler
 * ends its JVM ({@code Runtime.halt}): the job is taken back once its lease expired and
 * runs on another node; and a job that halts every node that runs it is quarantined as
 * failed after as many rescues as the cluster allows, with the reason in its last error,
 * and does not run again.
 */
class HaltingHandlerTest extends FaultScenario {

	private static final Logger logger = LoggerFactory.getLogger(HaltingHandlerTest.class);

	private static final int MAX_RESCUES = 3;

	@Test
	void aJobWhoseHandlerHaltedItsNodeRunsAgainOnAnotherNode() {
		this.cluster.start(node("node-1"), node("node-2"));
		long id = this.ledger.queue("t").add("t", Behavior.halt().thenOnRerun(Behavior.ok())).id();

		await("a node halted").atMost(Duration.ofSeconds(30))
			.until(() -> this.cluster.nodes().stream().anyMatch((node) -> !node.isAlive()));
		NodeProcess halted = this.cluster.nodes().stream().filter((node) -> !node.isAlive()).findFirst().orElseThrow();
		NodeProcess survivor = this.cluster.nodes().stream().filter(NodeProcess::isAlive).findFirst().orElseThrow();
		assertThat(halted.awaitExit(Duration.ofSeconds(10))).isEqualTo(FaultHandler.HALT_STATUS);
		// The leader may have been the halted node.
		await("the job succeeded on the surviving node")
			.atMost(LEASE.plus(SWEEP.multipliedBy(3)).plus(SWEEP).plus(POLL).plus(SLACK))
			.until(() -> this.ledger.job(id).state() == JobState.SUCCEEDED);

		JobRecord job = this.ledger.job(id);
		assertThat(job.claimedBy()).isEqualTo(survivor.name());
		assertThat(job.rescues()).isEqualTo(1);
		assertThat(job.attempt()).isEqualTo(2);
		assertThat(job.lastError()).startsWith("The lease on this job expired on node " + halted.name());
		List<Execution> executions = this.ledger.executionsOf(id);
		assertThat(executions).extracting(Execution::node).containsExactly(halted.name(), survivor.name());
		assertThat(executions.get(0).finished()).isFalse();
		assertThat(executions.get(1).succeeded()).isTrue();
		assertThat(executions.get(1).attempt()).isEqualTo(2);
		logger.info("halt: job {} halted node {} and ran again on node {} {} later (lease {}, sweep {})", id,
				halted.name(), survivor.name(),
				Ledger.seconds(executions.get(0).startedAt(), executions.get(1).startedAt()), LEASE, SWEEP);
	}

	@Test
	@Tag("long")
	void aJobThatHaltsEveryNodeIsQuarantinedAfterMaxRescues() {
		// The bystander runs another topic: it stays up, leads, and takes the job back
		// after each death.
		this.cluster.startOne(node("bystander").topic("other"));
		long id = this.ledger.queue("t").add("t", Behavior.halt()).id();

		List<String> victims = new ArrayList<>();
		for (int i = 1; i <= MAX_RESCUES + 2 && this.ledger.job(id).state() != JobState.FAILED; i++) {
			NodeProcess victim = this.cluster.startOne(node("victim-" + i));
			victims.add(victim.name());
			await("the victim halted").atMost(Duration.ofSeconds(60))
				.until(() -> !victim.isAlive() || this.ledger.job(id).state() == JobState.FAILED);
			if (!victim.isAlive()) {
				assertThat(victim.awaitExit(Duration.ofSeconds(10))).isEqualTo(FaultHandler.HALT_STATUS);
				await("the job was taken back").atMost(LEASE.plus(SWEEP).plus(POLL).plus(SLACK))
					.until(() -> this.ledger.job(id).state() != JobState.RUNNING);
			}
		}

		JobRecord job = this.ledger.job(id);
		assertThat(job.state()).isEqualTo(JobState.FAILED);
		assertThat(job.rescues()).isEqualTo(MAX_RESCUES);
		assertThat(job.lastError()).isEqualTo("Quarantined: the lease on this job expired " + MAX_RESCUES
				+ " times (last on node victim-" + MAX_RESCUES + "); it may be killing its nodes");
		assertThat(victims).hasSize(MAX_RESCUES);
		List<Execution> executions = this.ledger.executionsOf(id);
		assertThat(executions).extracting(Execution::node).containsExactlyElementsOf(victims);
		assertThat(executions).noneMatch(Execution::finished);
		logger.info("halt: job {} halted {} nodes and was quarantined {} after its first run: {}", id, victims.size(),
				Ledger.seconds(executions.get(0).startedAt(), job.finishedAt()), job.lastError());

		// A healthy node runs the topic's other jobs, and never the quarantined one.
		this.cluster.startOne(node("healthy"));
		long other = this.ledger.queue("t").add("t", Behavior.ok()).id();
		await("the healthy node ran another job").atMost(Duration.ofSeconds(30))
			.until(() -> this.ledger.job(other).state() == JobState.SUCCEEDED);
		assertThat(this.ledger.job(other).claimedBy()).isEqualTo("healthy");
		assertThat(this.ledger.executionsOf(id)).hasSize(MAX_RESCUES);
		assertThat(this.ledger.job(id).state()).isEqualTo(JobState.FAILED);
	}

	private NodeOptions node(String name) {
		return this.cluster.node(name)
			.concurrency(2)
			.lease(LEASE, HEARTBEAT)
			.poll(POLL)
			.maintenance(SWEEP, MAX_RESCUES);
	}

}
