package dev.runqueue.faults;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.runqueue.DefaultRunQueue;
import dev.runqueue.NewJob;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Proves that claiming is <b>exclusive</b> under contention: three node processes drain
 * tens of thousands of no-op jobs together, and each job runs exactly once (one execution
 * per job in the ledger, every one successful, every job succeeded at its first attempt).
 */
@Tag("long")
class DrainTest extends FaultScenario {

	private static final Logger logger = LoggerFactory.getLogger(DrainTest.class);

	private static final int JOBS = 20_000;

	private static final int BATCH = 5_000;

	@Test
	void threeNodesDrainingTwentyThousandJobsRunEachExactlyOnce() {
		this.cluster.start(node("node-1"), node("node-2"), node("node-3"));
		DefaultRunQueue queue = this.ledger.queue("t");
		Instant start = this.ledger.now();
		for (int added = 0; added < JOBS; added += BATCH) {
			List<NewJob> batch = new ArrayList<>();
			for (int i = 0; i < BATCH; i++) {
				batch.add(NewJob.of("t", Behavior.ok()));
			}
			queue.addAll(batch);
		}
		Instant added = this.ledger.now();
		await("every job succeeded").atMost(Duration.ofMinutes(4))
			.pollInterval(Duration.ofSeconds(1))
			.until(() -> this.ledger.countInState("succeeded") == JOBS);
		Instant drained = this.ledger.jdbc()
			.sql("SELECT max(finished_at) FROM runqueue_job")
			.query((rs, row) -> Ledger.instant(rs, 1))
			.single();

		Map<String, Object> ledgerCounts = this.ledger.jdbc().sql("""
				SELECT count(*) AS executions, count(DISTINCT job_id) AS jobs,
				       count(*) FILTER (WHERE outcome = 'succeeded') AS succeeded,
				       count(*) FILTER (WHERE attempt <> 1) AS retries
				FROM ledger
				""").query().singleRow();
		assertThat(ledgerCounts).containsEntry("executions", (long) JOBS)
			.containsEntry("jobs", (long) JOBS)
			.containsEntry("succeeded", (long) JOBS)
			.containsEntry("retries", 0L);
		assertThat(this.ledger.jdbc()
			.sql("SELECT count(*) FROM runqueue_job WHERE state <> 'succeeded' OR attempt <> 1 OR runs <> 1")
			.query(Integer.class)
			.single()).isZero();
		assertThat(this.ledger.jdbc()
			.sql("SELECT count(*) FROM runqueue_job AS job LEFT JOIN ledger ON ledger.job_id = job.id "
					+ "WHERE ledger.job_id IS NULL")
			.query(Integer.class)
			.single()).isZero();
		List<String> shares = this.ledger.jdbc()
			.sql("SELECT node || ' ' || count(*) FROM ledger GROUP BY node ORDER BY node")
			.query(String.class)
			.list();
		Duration took = Duration.between(start, drained);
		logger.info(
				"drain: {} jobs added in {} ({} per addAll) and drained by 3 nodes in {} from the first add: "
						+ "{} jobs/s; shares {}",
				JOBS, Ledger.seconds(start, added), BATCH, Ledger.seconds(start, drained),
				Math.round(JOBS / (took.toNanos() / 1e9)), shares);
	}

	private NodeOptions node(String name) {
		return this.cluster.node(name).concurrency(8).pool(10, Duration.ofSeconds(10));
	}

}
