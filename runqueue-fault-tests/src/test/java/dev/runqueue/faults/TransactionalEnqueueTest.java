package dev.runqueue.faults;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import com.zaxxer.hikari.HikariDataSource;
import dev.runqueue.DefaultRunQueue;
import dev.runqueue.faults.Ledger.Execution;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Proves <b>transactional enqueue</b> under load: threads of this JVM run transactions
 * that each store an order and add a job for it, then wait a little before they commit,
 * and half of them roll back; two node processes run the jobs meanwhile. The jobs that
 * run are exactly those of the committed transactions, each once, and none runs before
 * its transaction committed: each handler finds its order's row, on a connection of its
 * own.
 */
class TransactionalEnqueueTest extends FaultScenario {

	private static final Logger logger = LoggerFactory.getLogger(TransactionalEnqueueTest.class);

	private static final int THREADS = 4;

	private static final int TRANSACTIONS_PER_THREAD = 50;

	// Between adding the job and committing: a worker that saw the job before the commit
	// would have it long before.
	private static final long BEFORE_COMMIT_MILLIS = 50;

	@Test
	void theJobsThatRunAreExactlyThoseOfCommittedTransactionsAndNoneRunsBeforeItsCommit() throws Exception {
		this.cluster.start(this.cluster.node("node-1"), this.cluster.node("node-2"));
		HikariDataSource application = postgres.database().newDataSource(THREADS + 2);
		DefaultRunQueue queue = Ledger.queue(application, "t");
		TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(application));
		JdbcClient jdbc = JdbcClient.create(application);
		Set<Long> committedJobs = ConcurrentHashMap.newKeySet();
		Set<Long> committedOrders = ConcurrentHashMap.newKeySet();
		Set<Long> rolledBackJobs = ConcurrentHashMap.newKeySet();

		Instant start = this.ledger.now();
		ExecutorService threads = Executors.newFixedThreadPool(THREADS);
		try {
			List<Future<?>> producers = new ArrayList<>();
			for (int t = 0; t < THREADS; t++) {
				int thread = t;
				producers.add(threads.submit(() -> {
					for (int i = 0; i < TRANSACTIONS_PER_THREAD; i++) {
						long orderId = thread * 100_000L + i;
						boolean commit = i % 2 == 0;
						long jobId = transactions.execute((status) -> {
							jdbc.sql("INSERT INTO orders (id, item) VALUES (:id, 'book')")
								.param("id", orderId)
								.update();
							long id = queue.add("t", Behavior.checkOrder(orderId)).id();
							pause(BEFORE_COMMIT_MILLIS);
							if (!commit) {
								status.setRollbackOnly();
							}
							return id;
						});
						(commit ? committedJobs : rolledBackJobs).add(jobId);
						if (commit) {
							committedOrders.add(orderId);
						}
					}
					return null;
				}));
			}
			for (Future<?> producer : producers) {
				producer.get();
			}
		}
		finally {
			threads.shutdownNow();
		}
		Instant produced = this.ledger.now();
		await("no job left to run").atMost(Duration.ofSeconds(60))
			.until(() -> this.ledger.countInState("succeeded") >= committedJobs.size() && unfinishedJobs() == 0);

		int total = THREADS * TRANSACTIONS_PER_THREAD;
		List<Execution> executions = this.ledger.executions();
		Map<Long, List<Execution>> byJob = executions.stream().collect(Collectors.groupingBy(Execution::jobId));
		List<Execution> early = executions.stream()
			.filter((execution) -> committedJobs.contains(execution.jobId()) && !"visible".equals(execution.note()))
			.toList();
		List<Execution> rolledBackButRan = executions.stream()
			.filter((execution) -> rolledBackJobs.contains(execution.jobId()))
			.toList();
		SoftAssertions.assertSoftly((softly) -> {
			softly.assertThat(committedJobs).hasSize(total / 2);
			softly.assertThat(rolledBackJobs).hasSize(total / 2);
			softly.assertThat(early)
				.as("executions of committed jobs that started before their transaction committed")
				.isEmpty();
			softly.assertThat(rolledBackButRan).as("executions of jobs whose transaction rolled back").isEmpty();
			softly.assertThat(new TreeSet<>(byJob.keySet()))
				.as("jobs that ran")
				.isEqualTo(new TreeSet<>(committedJobs));
			softly.assertThat(byJob.values())
				.as("executions of each job")
				.allSatisfy((runs) -> assertThat(runs).hasSize(1));
			softly.assertThat(executions).as("executions that succeeded").allMatch(Execution::succeeded);
			softly
				.assertThat(
						new TreeSet<>(this.ledger.jdbc().sql("SELECT id FROM runqueue_job").query(Long.class).list()))
				.as("jobs kept")
				.isEqualTo(new TreeSet<>(committedJobs));
			softly.assertThat(new TreeSet<>(this.ledger.jdbc().sql("SELECT id FROM orders").query(Long.class).list()))
				.as("orders kept")
				.isEqualTo(new TreeSet<>(committedOrders));
		});
		List<Duration> pickUps = this.ledger.jdbc()
			.sql("SELECT extract(epoch FROM ledger.started_at - job.created_at) FROM ledger "
					+ "JOIN runqueue_job AS job ON job.id = ledger.job_id ORDER BY 1")
			.query(Double.class)
			.list()
			.stream()
			.map((seconds) -> Duration.ofNanos((long) (seconds * 1e9)))
			.toList();
		logger.info(
				"transactional enqueue: {} transactions by {} threads in {} ({} committed, {} rolled back); "
						+ "the {} jobs of committed transactions ran once each, all finding their order",
				total, THREADS, Ledger.seconds(start, produced), committedJobs.size(), rolledBackJobs.size(),
				executions.size());
		logger.info(
				"transactional enqueue: from a job's insert (its transaction then waited {}ms to commit) to its "
						+ "start: median {}ms, slowest {}ms",
				BEFORE_COMMIT_MILLIS, pickUps.get(pickUps.size() / 2).toMillis(),
				pickUps.get(pickUps.size() - 1).toMillis());
	}

	private int unfinishedJobs() {
		return this.ledger.jdbc()
			.sql("SELECT count(*) FROM runqueue_job WHERE state IN ('scheduled', 'available', 'running')")
			.query(Integer.class)
			.single();
	}

	private static void pause(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
