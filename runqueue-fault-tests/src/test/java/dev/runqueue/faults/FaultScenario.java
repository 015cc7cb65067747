package dev.runqueue.faults;

import java.time.Duration;

import dev.runqueue.testpostgres.PostgresExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a fault scenario starts from: a database of its own for the test class, and for
 * each test an empty execution ledger and a cluster of node processes, stopped after the
 * test. Also the timings most scenarios run their nodes with, short enough that a dead
 * node's jobs come back within seconds.
 */
abstract class FaultScenario {

	@RegisterExtension
	static final PostgresExtension postgres = new PostgresExtension();

	/** The lease of a claimed job. */
	static final Duration LEASE = Duration.ofSeconds(2);

	/** How often a node renews its leases. */
	static final Duration HEARTBEAT = Duration.ofMillis(500);

	/** How often the leader takes back expired jobs. */
	static final Duration SWEEP = Duration.ofMillis(500);

	/** How often an idle node polls for jobs. */
	static final Duration POLL = Duration.ofMillis(200);

	/** Room in every wait for a loaded 2-core machine that runs several node JVMs. */
	static final Duration SLACK = Duration.ofSeconds(15);

	Ledger ledger;

	Cluster cluster;

	@BeforeEach
	void prepareLedgerAndCluster() {
		this.ledger = Ledger.prepare(postgres.dataSource());
		this.cluster = Cluster.on(postgres.database());
	}

	@AfterEach
	void stopNodes() {
		this.cluster.close();
	}

}
