package dev.runqueue.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.runqueue.NewJob;
import dev.runqueue.faults.Ledger.Execution;
import dev.runqueue.job.JobState;
import dev.runqueue.store.JobRecord;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Proves <b>timeouts</b> against a handler that hangs and ignores interrupts: each
 * attempt is recorded as timed out when the topic's timeout is up, while the handler
 * still hangs; the job is retried, and fails for good after the topic's number of
 * timeouts with a "Timed out" last error. The node goes on running the topic's other
 * jobs.
 */
class HangingHandlerTest extends FaultScenario {

	private static final Logger logger = LoggerFactory.getLogger(HangingHandlerTest.class);

	private static final Duration TIMEOUT = Duration.ofSeconds(1);

	private static final int MAX_TIMEOUTS = 3;

	// More than the handlers that will hang, so that slots are left for other jobs.
	private static final int CONCURRENCY = MAX_TIMEOUTS + 2;

	@Test
	void aHangingHandlerTimesOutUntilItsJobFailsWhileTheNodeRunsOtherJobs() {
		NodeProcess node = this.cluster.startOne(this.cluster.node("node")
			.concurrency(CONCURRENCY)
			.timeout(TIMEOUT, MAX_TIMEOUTS)
			.backoff(Duration.ofMillis(200)));
		long id = this.ledger.queue("t").add("t", Behavior.hang()).id();

		await("the first attempt timed out").atMost(Duration.ofSeconds(30))
			.until(() -> this.ledger.job(id).timeouts() >= 1);
		JobRecord afterFirst = this.ledger.job(id);
		List<Execution> hanging = this.ledger.executionsOf(id);
		assertThat(hanging.get(0).finished()).as("the first execution still hangs").isFalse();
		assertThat(afterFirst.lastError()).startsWith("Timed out after " + TIMEOUT + " on node node (timeout ");
		if (afterFirst.timeouts() < MAX_TIMEOUTS) {
			assertThat(afterFirst.state()).isNotEqualTo(JobState.FAILED);
		}

		await("the job failed for good").atMost(Duration.ofSeconds(30))
			.until(() -> this.ledger.job(id).state() == JobState.FAILED);
		JobRecord job = this.ledger.job(id);
		assertThat(job.timeouts()).isEqualTo(MAX_TIMEOUTS);
		assertThat(job.lastError()).startsWith("Timed out after " + TIMEOUT + " on node node (timeout " + MAX_TIMEOUTS
				+ " of at most " + MAX_TIMEOUTS + ")");
		List<Execution> executions = this.ledger.executionsOf(id);
		assertThat(executions).hasSize(MAX_TIMEOUTS);
		assertThat(executions).as("every execution still hangs").noneMatch(Execution::finished);
		Execution last = executions.get(executions.size() - 1);
		logger.info(
				"timeout: job {} timed out {} times and failed for good {} after its last execution started "
						+ "(timeout {}); its {} handlers still hang",
				id, job.timeouts(), Ledger.seconds(last.startedAt(), job.finishedAt()), TIMEOUT, executions.size());

		// The hanging handlers still hold their threads; the node's other slots run the
		// topic's other jobs.
		List<NewJob> others = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			others.add(NewJob.of("t", Behavior.sleep(50)));
		}
		this.ledger.queue("t").addAll(others);
		await("the other jobs succeeded").atMost(Duration.ofSeconds(30))
			.until(() -> this.ledger.countInState("succeeded") == others.size());
		assertThat(node.isAlive()).isTrue();
		assertThat(this.ledger.executionsOf(id)).hasSize(MAX_TIMEOUTS).noneMatch(Execution::finished);
		assertThat(this.ledger.job(id).state()).isEqualTo(JobState.FAILED);
	}

}
