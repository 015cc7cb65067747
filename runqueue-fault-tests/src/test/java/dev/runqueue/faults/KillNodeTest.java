package dev.runqueue.faults;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import dev.runqueue.NewJob;
import dev.runqueue.faults.Ledger.Execution;
import dev.runqueue.job.JobState;
import dev.runqueue.store.JobRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Proves <b>at-least-once with leases</b> when a node dies without a word: of three node
 * processes, one (the maintenance leader, or a follower) is killed with SIGKILL while it
 * runs jobs. No job is lost: every job the dead node held is taken back once its lease
 * expired and runs again on another node, within the lease, the leader's failover (when
 * the leader died), a maintenance sweep and a poll, plus slack for a loaded machine; and
 * every job succeeds. No two executions of a job overlap while a lease holds: a job's
 * next execution starts only after the dead node's lease on it expired, by the database's
 * clock.
 */
class KillNodeTest extends FaultScenario {

	private static final Logger logger = LoggerFactory.getLogger(KillNodeTest.class);

	private static final int JOBS = 36;

	@ParameterizedTest(name = "kill -9 the {0}")
	@ValueSource(strings = { "leader", "follower" })
	void theJobsOfAKilledNodeRunAgainOnOtherNodesOnceTheirLeasesExpired(String role) {
		List<NodeProcess> nodes = this.cluster.start(node("node-1"), node("node-2"), node("node-3"));
		await("a leader was elected").atMost(Duration.ofSeconds(30)).until(() -> this.ledger.leader() != null);
		List<NewJob> jobs = new ArrayList<>();
		for (int i = 0; i < JOBS; i++) {
			jobs.add(NewJob.of("t", Behavior.sleep(1500)));
		}
		this.ledger.queue("t").addAll(jobs);
		String leader = this.ledger.leader();
		NodeProcess victim = nodes.stream()
			.filter((node) -> node.name().equals(leader) == role.equals("leader"))
			.findFirst()
			.orElseThrow();
		await("the victim runs two jobs").atMost(Duration.ofSeconds(60))
			.until(() -> runningExecutions(victim.name()) >= 2);

		Map<Long, Instant> heldBeforeKill = this.ledger.leasesHeldBy(victim.name());
		Instant beforeKill = this.ledger.now();
		victim.kill();
		await("the killed node's connections are gone").atMost(Duration.ofSeconds(30))
			.until(() -> backends(victim.name()) == 0);
		// The dead node writes nothing any more: what it still holds, it held when it
		// died, with these leases.
		Map<Long, Instant> heldAtDeath = this.ledger.leasesHeldBy(victim.name());
		Map<Long, Instant> leaseOf = new HashMap<>(heldBeforeKill);
		leaseOf.putAll(heldAtDeath);
		Set<Long> orphans = new TreeSet<>(heldAtDeath.keySet());
		// On a loaded machine the leader may have taken jobs back before the dead node's
		// connections were gone: the executions it never finished name them too.
		this.ledger.executions()
			.stream()
			.filter((execution) -> execution.node().equals(victim.name()) && execution.finishedAt() == null)
			.filter((execution) -> leaseOf.containsKey(execution.jobId()))
			.forEach((execution) -> orphans.add(execution.jobId()));
		logger.info("Killed {} ({}) holding jobs {}; leader was {}", victim, role, orphans, leader);
		assertThat(orphans).as("jobs the killed node held").isNotEmpty();

		boolean leaderDied = victim.name().equals(leader);
		Duration bound = LEASE.plus(leaderDied ? SWEEP.multipliedBy(3) : Duration.ZERO)
			.plus(SWEEP)
			.plus(POLL)
			.plus(SLACK);
		await("every job of the killed node ran again on another node").atMost(bound)
			.until(() -> orphans.stream().allMatch((id) -> rerun(id, victim.name(), beforeKill) != null));
		await("every job succeeded").atMost(Duration.ofSeconds(60))
			.until(() -> this.ledger.countInState("succeeded") == JOBS);

		Duration slowest = Duration.ZERO;
		for (long id : orphans) {
			Execution rerun = rerun(id, victim.name(), beforeKill);
			Duration recovery = Duration.between(beforeKill, rerun.startedAt());
			slowest = (recovery.compareTo(slowest) > 0) ? recovery : slowest;
			logger.info(
					"kill -9 recovery ({}): job {} ran again on {} {} after the kill; its lease had expired {} "
							+ "after the kill (lease {}, sweep {}, poll {}, leader lease {})",
					role, id, rerun.node(), Ledger.seconds(beforeKill, rerun.startedAt()),
					Ledger.seconds(beforeKill, leaseOf.get(id)), LEASE, SWEEP, POLL,
					leaderDied ? SWEEP.multipliedBy(3) : "not lost");
			assertThat(rerun.startedAt()).as("rerun of job %d starts after the dead node's lease expired", id)
				.isAfterOrEqualTo(leaseOf.get(id));
			assertThat(recovery).as("recovery of job %d", id).isLessThanOrEqualTo(bound);
		}
		logger.info("kill -9 recovery ({}): slowest {}s over {} jobs taken back; bound {}", role,
				slowest.toMillis() / 1000.0, orphans.size(), bound);

		Map<Long, List<Execution>> executions = byJob(this.ledger.executions());
		assertThat(executions).hasSize(JOBS);
		for (long id : executions.keySet()) {
			JobRecord job = this.ledger.job(id);
			assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
			assertThat(job.claimedBy()).isNotEqualTo(victim.name());
			assertThat(job.rescues()).as("rescues of job %d", id).isEqualTo(orphans.contains(id) ? 1 : 0);
			assertNoOverlap(executions.get(id), leaseOf);
		}
		List<Execution> cutOff = this.ledger.executions()
			.stream()
			.filter((execution) -> execution.node().equals(victim.name()) && !execution.finished())
			.toList();
		assertThat(cutOff).isNotEmpty();
		assertThat(cutOff).allSatisfy((execution) -> assertThat(orphans).contains(execution.jobId()));
	}

	// A job's executions, in the order they started: each starts after the one before
	// ended, or, when that one was cut off by the kill, after the dead node's lease on
	// the job expired.
	private static void assertNoOverlap(List<Execution> executions, Map<Long, Instant> leaseOf) {
		for (int i = 1; i < executions.size(); i++) {
			Execution previous = executions.get(i - 1);
			Execution next = executions.get(i);
			Instant free = previous.finished() ? previous.finishedAt() : leaseOf.get(previous.jobId());
			assertThat(free).as("end of the lease under which %s ran", previous).isNotNull();
			assertThat(next.startedAt()).as("start of %s after %s", next, previous).isAfterOrEqualTo(free);
		}
	}

	private Execution rerun(long jobId, String deadNode, Instant killedAfter) {
		return this.ledger.executionsOf(jobId)
			.stream()
			.filter((execution) -> !execution.node().equals(deadNode) && execution.startedAt().isAfter(killedAfter))
			.findFirst()
			.orElse(null);
	}

	private int runningExecutions(String node) {
		return this.ledger.jdbc()
			.sql("SELECT count(*) FROM ledger WHERE node = :node AND finished_at IS NULL")
			.param("node", node)
			.query(Integer.class)
			.single();
	}

	private int backends(String node) {
		return this.ledger.jdbc()
			.sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = :node")
			.param("node", node)
			.query(Integer.class)
			.single();
	}

	private static Map<Long, List<Execution>> byJob(List<Execution> executions) {
		return executions.stream()
			.collect(Collectors.groupingBy(Execution::jobId, LinkedHashMap::new, Collectors.toList()));
	}

	private NodeOptions node(String name) {
		return this.cluster.node(name).concurrency(3).lease(LEASE, HEARTBEAT).poll(POLL).maintenance(SWEEP, 3);
	}

}
