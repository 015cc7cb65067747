package dev.runqueue.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.runqueue.NewJob;
import dev.runqueue.testpostgres.PostgresExtension;
import dev.runqueue.testpostgres.TestDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Proves that nodes <b>recover alone</b> when their PostgreSQL restarts: the test owns an
 * embedded PostgreSQL, and restarts it (a fast shutdown, which ends every connection and
 * aborts every open transaction, a few seconds without a database, then a start on the
 * same data directory and port) while two node processes work through a backlog. The
 * nodes go on without a restart, nothing is lost and nothing is doubled: every job
 * succeeds, and no job has more than one execution that recorded success. The lease is
 * longer than the restart takes, so that no node has to give up a job it still runs.
 */
@Tag("long")
class DatabaseRestartTest {

	private static final Logger logger = LoggerFactory.getLogger(DatabaseRestartTest.class);

	private static final Duration LEASE = Duration.ofSeconds(15);

	private static final Duration HEARTBEAT = Duration.ofSeconds(1);

	private static final int JOBS = 600;

	private static final Duration OUTAGE = Duration.ofSeconds(3);

	@RegisterExtension
	static final PostgresExtension ledgerDatabase = new PostgresExtension();

	@TempDir
	Path dataDirectory;

	private int port;

	private EmbeddedPostgres postgres;

	private Ledger ledger;

	private Cluster cluster;

	@BeforeEach
	void startPostgres() throws IOException {
		this.port = freePort();
		this.postgres = start();
		String url = "jdbc:postgresql://127.0.0.1:" + this.port + "/postgres";
		// A connection per statement, so that the test's own reads need no pool that
		// survives the restart. The ledger stays up in the test's database meanwhile: the
		// handlers finish their jobs during the outage, and the nodes must keep their
		// outcomes until they can write them.
		this.ledger = Ledger.prepare(new SimpleDriverDataSource(new org.postgresql.Driver(), url, "postgres", ""),
				ledgerDatabase.dataSource());
		this.cluster = Cluster.on(url, "postgres", "");
	}

	@AfterEach
	void stopEverything() throws IOException {
		this.cluster.close();
		this.postgres.close();
	}

	@Test
	void nodesRecoverAloneWhenTheDatabaseRestartsAndNothingIsLostOrDoubled() throws IOException {
		List<NodeProcess> nodes = this.cluster.start(node("node-1"), node("node-2"));
		List<NewJob> jobs = new ArrayList<>();
		for (int i = 0; i < JOBS; i++) {
			jobs.add(NewJob.of("t", Behavior.sleep(100)));
		}
		this.ledger.queue("t").addAll(jobs);
		await("a quarter of the jobs succeeded").atMost(Duration.ofSeconds(60))
			.until(() -> this.ledger.countInState("succeeded") >= JOBS / 4);

		Instant stoppedAt = this.ledger.now();
		int runningAtStop = this.ledger.countInState("running");
		this.postgres.close();
		// The outage itself, not a wait for anything: the nodes find no database for this
		// long.
		pause(OUTAGE);
		this.postgres = start();
		Instant upAt = this.ledger.now();
		await("every job succeeded after the restart").atMost(Duration.ofSeconds(120))
			.until(() -> this.ledger.countInState("succeeded") == JOBS);

		assertThat(nodes).allMatch(NodeProcess::isAlive);
		assertThat(this.ledger.ledgerJdbc()
			.sql("SELECT count(*) FROM (SELECT job_id FROM ledger WHERE outcome = 'succeeded' GROUP BY job_id "
					+ "HAVING count(*) > 1) AS doubled")
			.query(Integer.class)
			.single()).as("jobs with more than one successful execution").isZero();
		assertThat(this.ledger.ledgerJdbc()
			.sql("SELECT count(DISTINCT job_id) FROM ledger WHERE outcome = 'succeeded'")
			.query(Integer.class)
			.single()).isEqualTo(JOBS);
		Instant firstCompletion = this.ledger.jdbc()
			.sql("SELECT min(finished_at) FROM runqueue_job WHERE finished_at > :since")
			.param("since", Ledger.timestamp(upAt))
			.query((rs, row) -> Ledger.instant(rs, 1))
			.single();
		logger.info("database restart: PostgreSQL was down {} (fast shutdown, {} kept down, start; {} jobs were "
				+ "running; lease {})", Ledger.seconds(stoppedAt, upAt), OUTAGE, runningAtStop, LEASE);
		logger.info("database restart: the first job completed {} after PostgreSQL was up again",
				Ledger.seconds(upAt, firstCompletion));
		for (NodeProcess node : nodes) {
			Instant firstStart = this.ledger.ledgerJdbc()
				.sql("SELECT min(started_at) FROM ledger WHERE node = :node AND started_at > :since")
				.param("node", node.name())
				.param("since", Ledger.timestamp(upAt))
				.query((rs, row) -> Ledger.instant(rs, 1))
				.single();
			logger.info("database restart: node {} started its first job {} after PostgreSQL was up again; its "
					+ "stats: {}", node.name(), Ledger.seconds(upAt, firstStart), node.lastStats());
		}
		int cutOff = this.ledger.ledgerJdbc()
			.sql("SELECT count(*) FROM ledger WHERE outcome IS DISTINCT FROM 'succeeded'")
			.query(Integer.class)
			.single();
		int rescued = this.ledger.jdbc()
			.sql("SELECT count(*) FROM runqueue_job WHERE rescues > 0")
			.query(Integer.class)
			.single();
		logger.info(
				"database restart: {} jobs succeeded, each with exactly one successful execution; {} "
						+ "executions were cut off; {} jobs were taken back after their leases expired",
				JOBS, cutOff, rescued);
	}

	private EmbeddedPostgres start() throws IOException {
		return EmbeddedPostgres.builder()
			.setDataDirectory(this.dataDirectory)
			.setCleanDataDirectory(false)
			.setPort(this.port)
			.start();
	}

	private NodeOptions node(String name) {
		TestDatabase ledger = ledgerDatabase.database();
		return this.cluster.node(name)
			.concurrency(4)
			.lease(LEASE, HEARTBEAT)
			.pool(10, Duration.ofSeconds(2))
			.ledger(ledger.jdbcUrl(), ledger.user(), ledger.password());
	}

	private static void pause(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
