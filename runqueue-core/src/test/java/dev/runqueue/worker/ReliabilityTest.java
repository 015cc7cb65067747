package dev.runqueue.worker;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

import dev.runqueue.DefaultRunQueue;
import dev.runqueue.JsonCodec;
import dev.runqueue.MutableClock;
import dev.runqueue.NewJob;
import dev.runqueue.TestJobTable;
import dev.runqueue.TopicSettings;
import dev.runqueue.Topics;
import dev.runqueue.job.JobResult;
import dev.runqueue.job.JobState;
import dev.runqueue.maintenance.MaintenanceSettings;
import dev.runqueue.retry.Backoff;
import dev.runqueue.retry.RetryPolicy;
import dev.runqueue.store.JobRecord;
import dev.runqueue.store.JobStore;
import dev.runqueue.store.LeaseRef;
import dev.runqueue.store.NodeRecord;
import dev.runqueue.store.PostgresJobStore;
import dev.runqueue.store.PostgresNodeStore;
import dev.runqueue.store.TableNames;
import dev.runqueue.testpostgres.PostgresExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * Leases, rescues, timeouts, self-fencing and the cluster view, with workers in this JVM
 * against a real PostgreSQL. The same promises with real processes and real faults are
 * proven in runqueue-fault-tests.
 */
class ReliabilityTest {

	@RegisterExtension
	static final PostgresExtension postgres = new PostgresExtension();

	private static final RetryPolicy FAST_RETRIES = new RetryPolicy(3, Backoff.fixed(Duration.ofMillis(10)), true, 2);

	private static final MaintenanceSettings FAST_MAINTENANCE = MaintenanceSettings.DEFAULT
		.withInterval(Duration.ofMillis(200));

	private static DataSource otherNode;

	private TestJobTable jobs;

	private PostgresJobStore store;

	private final List<Worker> workers = new ArrayList<>();

	@BeforeEach
	void prepare() {
		this.jobs = TestJobTable.prepare(postgres.dataSource());
		this.jobs.jdbc().sql("TRUNCATE runqueue_node, runqueue_leader").update();
		this.store = new PostgresJobStore(postgres.dataSource());
	}

	@AfterEach
	void stopWorkers() {
		this.workers.forEach(Worker::stop);
	}

	@Test
	void aJobThatRunsLongerThanItsLeaseKeepsItWhileItsNodeRenewsIt() {
		TopicSettings topic = topic("long");
		Worker worker = start(Worker.builder(postgres.dataSource(), this.store)
			.settings(settings("node-a").withLease(Duration.ofSeconds(1), Duration.ofMillis(250)))
			.maintenance(FAST_MAINTENANCE)
			.handler(topic, (job, context) -> {
				Thread.sleep(3000);
				return JobResult.success();
			}));

		long id = queue(topic).add("long", "x").id();

		await().atMost(Duration.ofSeconds(20)).until(() -> state(id) == JobState.SUCCEEDED);
		JobRecord job = this.store.find(id).orElseThrow();
		assertThat(job.attempt()).isEqualTo(1);
		assertThat(job.rescues()).isZero();
		assertThat(worker.leaseLosses()).isZero();
	}

	@Test
	void aLeaseWhoseRowAnotherWriteHoldsDuringARenewalIsKeptNotLost() throws Exception {
		TopicSettings topic = topic("busy-row");
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch finish = new CountDownLatch(1);
		Worker worker = start(Worker.builder(postgres.dataSource(), this.store)
			.settings(settings("node-a").withLease(Duration.ofSeconds(3), Duration.ofMillis(200)))
			.maintenance(FAST_MAINTENANCE)
			.handler(topic, (job, context) -> {
				started.countDown();
				finish.await();
				return JobResult.success();
			}));
		long id = queue(topic).add("busy-row", "x").id();
		assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();

		// Another write locks the job's row across several heartbeats, well within the
		// lease: the renewals skip the row and must not take it for a lost lease.
		try (Connection other = postgres.dataSource().getConnection()) {
			other.setAutoCommit(false);
			try (Statement lock = other.createStatement()) {
				lock.execute("SELECT id FROM runqueue_job WHERE id = " + id + " FOR UPDATE");
			}
			Thread.sleep(900);
			other.rollback();
		}
		finish.countDown();

		await().atMost(Duration.ofSeconds(20)).until(() -> state(id) == JobState.SUCCEEDED);
		assertThat(worker.leaseLosses()).isZero();
		assertThat(worker.staleWrites()).isZero();
		assertThat(this.store.find(id).orElseThrow().attempt()).isEqualTo(1);
	}

	@Test
	void theLeaderTakesBackTheJobsOfANodeThatDiedAndAnotherNodeRunsThem() {
		TopicSettings topic = topic("orphans");
		long id = queue(topic).add("orphans", "x").id();
		// A node claims the job and dies: it never renews or finishes.
		this.store.claim("orphans", 1, "dead-node", Duration.ofMillis(300));
		AtomicReference<String> seenError = new AtomicReference<>();
		start(Worker.builder(postgres.dataSource(), this.store)
			.settings(settings("node-a"))
			.maintenance(FAST_MAINTENANCE)
			.handler(topic, (job, context) -> {
				seenError.set(context.lastError().orElse(null));
				return JobResult.success();
			}));

		await().atMost(Duration.ofSeconds(10)).until(() -> state(id) == JobState.SUCCEEDED);
		JobRecord job = this.store.find(id).orElseThrow();
		assertThat(job.attempt()).as("the dead node's attempt stays counted").isEqualTo(2);
		assertThat(job.rescues()).isEqualTo(1);
		assertThat(job.claimedBy()).isEqualTo("node-a");
		assertThat(seenError.get()).contains("expired on node dead-node");
	}

	@Test
	void aJobTakenFromItsNodeHasItsHandlerInterruptedAndItsOutcomeDropped() throws Exception {
		TopicSettings topic = topic("taken");
		CountDownLatch started = new CountDownLatch(1);
		AtomicBoolean interrupted = new AtomicBoolean();
		Worker worker = start(Worker.builder(postgres.dataSource(), this.store)
			.settings(settings("node-a").withLease(Duration.ofSeconds(10), Duration.ofMillis(200)))
			.handler(topic, (job, context) -> {
				started.countDown();
				try {
					Thread.sleep(30_000);
				}
				catch (InterruptedException ex) {
					interrupted.set(context.isCancelled());
				}
				return JobResult.success("from the node that lost it");
			}));
		long id = queue(topic).add("taken", "x").id();
		assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

		// Another node takes the job over: its token changes, and the next renewal finds
		// it gone.
		otherNode().sql("UPDATE runqueue_job SET lease_token = gen_random_uuid(), claimed_by = 'node-b' WHERE id = :id")
			.param("id", id)
			.update();

		await().atMost(Duration.ofSeconds(10)).untilTrue(interrupted);
		assertThat(worker.leaseLosses()).isEqualTo(1);
		JobRecord job = this.store.find(id).orElseThrow();
		assertThat(job.state()).isEqualTo(JobState.RUNNING);
		assertThat(job.claimedBy()).isEqualTo("node-b");
		assertThat(job.result()).isNull();
	}

	@Test
	void aNodeThatCannotRenewItsLeasesCancelsItsJobsBeforeTheyExpireAndWritesNothing() throws Exception {
		TopicSettings topic = topic("fenced");
		MutableClock clock = new MutableClock();
		RenewalFailingStore failingStore = new RenewalFailingStore(this.store);
		CountDownLatch started = new CountDownLatch(1);
		AtomicReference<Instant> cancelledAt = new AtomicReference<>();
		Worker worker = start(Worker.builder(postgres.dataSource(), failingStore)
			.settings(settings("node-a").withLease(Duration.ofSeconds(30), Duration.ofSeconds(10)))
			.clock(clock)
			.handler(topic, (job, context) -> {
				started.countDown();
				try {
					Thread.sleep(60_000);
				}
				catch (InterruptedException ex) {
					cancelledAt.set(databaseNow());
				}
				return JobResult.success("after the lease was lost");
			}));
		long id = queue(topic).add("fenced", "x").id();
		assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

		// The database becomes unreachable for renewals, and the node's clock runs past
		// the lease.
		failingStore.failRenewals.set(true);
		clock.advance(Duration.ofSeconds(31));

		await().atMost(Duration.ofSeconds(10)).until(() -> cancelledAt.get() != null);
		JobRecord job = this.store.find(id).orElseThrow();
		assertThat(cancelledAt.get()).as("cancelled while the lease in the database still held")
			.isBefore(job.leaseExpiresAt());
		assertThat(worker.leaseLosses()).isEqualTo(1);
		await().during(Duration.ofMillis(500)).until(() -> state(id) == JobState.RUNNING);
		assertThat(this.store.find(id).orElseThrow().result()).isNull();
	}

	@Test
	void aHandlerThatRunsPastItsTimeoutIsCancelledAndTimeoutsHaveTheirOwnLimit() {
		TopicSettings topic = topic("slow").withTimeout(Duration.ofMillis(300));
		List<Boolean> cancellations = Collections.synchronizedList(new ArrayList<>());
		start(Worker.builder(postgres.dataSource(), this.store)
			.settings(settings("node-a"))
			.handler(topic, (job, context) -> {
				try {
					Thread.sleep(30_000);
				}
				catch (InterruptedException ex) {
					cancellations.add(context.isCancelled());
				}
				return JobResult.success();
			}));

		// One attempt only: timeouts do not use attempts, so the job still times out
		// twice (its topic's limit).
		long id = queue(topic).add(NewJob.of("slow", "x").maxAttempts(1)).id();

		await().atMost(Duration.ofSeconds(10)).until(() -> state(id) == JobState.FAILED);
		JobRecord job = this.store.find(id).orElseThrow();
		assertThat(job.timeouts()).isEqualTo(2);
		assertThat(job.lastError()).startsWith("Timed out after PT0.3S").contains("timeout 2 of at most 2");
		await().atMost(Duration.ofSeconds(5)).until(() -> cancellations.size() == 2);
		assertThat(cancellations).containsOnly(true);
	}

	@Test
	void aHandlerThatIgnoresItsTimeoutIsRecordedAsTimedOutWhileItHangsAndItsLateResultIsDropped() {
		TopicSettings topic = topic("hangs").withTimeout(Duration.ofMillis(300))
			.withRetryPolicy(FAST_RETRIES.withMaxTimeouts(1));
		CountDownLatch release = new CountDownLatch(1);
		AtomicBoolean returned = new AtomicBoolean();
		start(Worker.builder(postgres.dataSource(), this.store)
			.settings(settings("node-a"))
			.handler(topic, (job, context) -> {
				while (release.getCount() > 0) {
					// Busy and deaf to interrupts, like a handler stuck in a loop.
					Thread.onSpinWait();
				}
				returned.set(true);
				return JobResult.success("too late");
			}));

		long id = queue(topic).add("hangs", "x").id();

		await().atMost(Duration.ofSeconds(10)).until(() -> state(id) == JobState.FAILED);
		assertThat(returned).isFalse();
		release.countDown();
		await().atMost(Duration.ofSeconds(5)).untilTrue(returned);
		await().during(Duration.ofMillis(300)).until(() -> state(id) == JobState.FAILED);
		assertThat(this.store.find(id).orElseThrow().result()).isNull();
	}

	@Test
	void aJobsOwnTimeoutWinsOverItsTopics() {
		TopicSettings topic = topic("own-timeout").withTimeout(Duration.ofMinutes(10))
			.withRetryPolicy(FAST_RETRIES.withMaxTimeouts(1));
		start(Worker.builder(postgres.dataSource(), this.store)
			.settings(settings("node-a"))
			.handler(topic, (job, context) -> {
				Thread.sleep(30_000);
				return JobResult.success();
			}));

		long id = queue(topic).add(NewJob.of("own-timeout", "x").timeout(Duration.ofMillis(200))).id();

		await().atMost(Duration.ofSeconds(10)).until(() -> state(id) == JobState.FAILED);
		assertThat(this.store.find(id).orElseThrow().lastError()).startsWith("Timed out after PT0.2S");
	}

	@Test
	void nodesRegisterOneLeadsAndAnotherTakesOverWhenTheLeaderStops() {
		TopicSettings topic = topic("email");
		PostgresNodeStore nodes = new PostgresNodeStore(postgres.dataSource(), TableNames.DEFAULT);
		Worker a = start(Worker.builder(postgres.dataSource(), this.store)
			.settings(settings("node-a"))
			.maintenance(FAST_MAINTENANCE)
			.handler(topic, (job, context) -> JobResult.success()));
		await().atMost(Duration.ofSeconds(10)).until(a::isLeader);
		Worker b = start(Worker.builder(postgres.dataSource(), this.store)
			.settings(settings("node-b"))
			.maintenance(FAST_MAINTENANCE)
			.handler(topic, (job, context) -> JobResult.success()));

		assertThat(nodes.list(Duration.ofSeconds(30)))
			.extracting(NodeRecord::name, NodeRecord::alive, NodeRecord::leader)
			.containsExactlyInAnyOrder(tuple("node-a", true, true), tuple("node-b", true, false));

		a.stop();

		await().atMost(Duration.ofSeconds(10)).until(b::isLeader);
		assertThat(nodes.list(Duration.ofSeconds(30))).filteredOn((node) -> node.name().equals("node-a"))
			.singleElement()
			.satisfies((node) -> {
				assertThat(node.alive()).isFalse();
				assertThat(node.stoppedAt()).isNotNull();
			});
	}

	@Test
	void aNodeWhoseClockIsHoursOffRunsJobsOnTheDatabasesTime() {
		TopicSettings topic = topic("skewed");
		Clock twoHoursAhead = Clock.offset(Clock.systemUTC(), Duration.ofHours(2));
		Worker worker = start(Worker.builder(postgres.dataSource(), this.store)
			.settings(settings("skewed-node").withLease(Duration.ofSeconds(4), Duration.ofSeconds(1)))
			.clock(twoHoursAhead)
			.handler(topic, (job, context) -> {
				Thread.sleep(1500);
				return JobResult.success();
			}));

		long id = queue(topic).add(NewJob.of("skewed", "x").delay(Duration.ofMillis(500))).id();

		await().atMost(Duration.ofSeconds(15)).until(() -> state(id) == JobState.SUCCEEDED);
		JobRecord job = this.store.find(id).orElseThrow();
		assertThat(Duration.between(job.createdAt(), job.startedAt())).isBetween(Duration.ofMillis(500),
				Duration.ofSeconds(10));
		assertThat(worker.leaseLosses()).isZero();
	}

	private Instant databaseNow() {
		return otherNode().sql("SELECT clock_timestamp()")
			.query((rs, row) -> rs.getObject(1, OffsetDateTime.class).toInstant())
			.single();
	}

	private static synchronized JdbcClient otherNode() {
		if (otherNode == null) {
			otherNode = postgres.database().newDataSource(2);
		}
		return JdbcClient.create(otherNode);
	}

	private Worker start(Worker.Builder builder) {
		Worker worker = builder.build();
		this.workers.add(worker);
		worker.start();
		return worker;
	}

	private DefaultRunQueue queue(TopicSettings topic) {
		return new DefaultRunQueue(this.store, Topics.of(List.of(topic)), new JsonCodec());
	}

	private JobState state(long id) {
		return this.store.find(id).orElseThrow().state();
	}

	private static TopicSettings topic(String name) {
		return TopicSettings.named(name).withRetryPolicy(FAST_RETRIES);
	}

	private static WorkerSettings settings(String nodeName) {
		return WorkerSettings.defaults().withNodeName(nodeName).withPollInterval(Duration.ofMillis(200));
	}

	/**
	 * The real store, except that lease renewals fail on demand, as when the database is
	 * out of reach.
	 */
	static final class RenewalFailingStore extends PostgresJobStore {

		final AtomicBoolean failRenewals = new AtomicBoolean();

		RenewalFailingStore(JobStore store) {
			super(postgres.dataSource(), store.tableNames());
		}

		@Override
		public Set<Long> renewLeases(Collection<LeaseRef> leases, Duration duration) {
			if (this.failRenewals.get()) {
				throw new DataAccessResourceFailureException("database out of reach");
			}
			return super.renewLeases(leases, duration);
		}

	}

}
