package dev.runqueue.worker;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.runqueue.DefaultRunQueue;
import dev.runqueue.JsonCodec;
import dev.runqueue.NewJob;
import dev.runqueue.TestJobTable;
import dev.runqueue.TopicSettings;
import dev.runqueue.Topics;
import dev.runqueue.job.JobResult;
import dev.runqueue.store.JobStore;
import dev.runqueue.store.PostgresJobStore;
import dev.runqueue.testpostgres.PostgresExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Claiming ahead: a node holds claimed jobs beyond its threads only for topics of short
 * jobs, never starts them once it stops or loses their leases, and keeps the leases of
 * outcomes that wait to be written.
 */
class ClaimAheadTest {

	@RegisterExtension
	static final PostgresExtension postgres = new PostgresExtension();

	private TestJobTable jobs;

	private PostgresJobStore store;

	private final List<Worker> workers = new ArrayList<>();

	@BeforeEach
	void prepare() {
		this.jobs = TestJobTable.prepare(postgres.dataSource());
		this.store = new PostgresJobStore(postgres.dataSource());
	}

	@AfterEach
	void stopWorkers() {
		this.workers.forEach(Worker::stop);
	}

	@Test
	void aTopicOfShortJobsIsClaimedAheadAndEachJobRunsOnce() {
		TopicSettings topic = TopicSettings.named("short").withConcurrency(1).withPrefetch(50);
		Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
		addMany(topic, "short", 3000);
		Worker worker = start(Worker.builder(postgres.dataSource(), this.store)
			.settings(WorkerSettings.defaults())
			.handler(topic, (job, context) -> {
				runs.computeIfAbsent(job.id(), (id) -> new AtomicInteger()).incrementAndGet();
				return JobResult.success();
			}));
		AtomicInteger mostClaimedAhead = new AtomicInteger();

		await().atMost(Duration.ofSeconds(60)).until(() -> {
			mostClaimedAhead.accumulateAndGet(worker.prefetch("short"), Math::max);
			return this.jobs.countInState("succeeded") == 3000;
		});

		assertThat(mostClaimedAhead.get()).as("jobs claimed ahead").isBetween(1, 50);
		assertThat(runs).hasSize(3000);
		assertThat(runs.values()).allSatisfy((count) -> assertThat(count.get()).isEqualTo(1));
	}

	@Test
	void aTopicOfLongJobsIsNotClaimedAheadSoOtherNodesGetItsJobs() {
		TopicSettings topic = TopicSettings.named("long").withConcurrency(1).withPrefetch(50);
		Map<String, AtomicInteger> byNode = new ConcurrentHashMap<>();
		AtomicInteger mostRunning = new AtomicInteger();
		for (String node : List.of("node-a", "node-b")) {
			start(Worker.builder(postgres.dataSource(), this.store)
				.settings(WorkerSettings.defaults().withNodeName(node))
				.handler(topic, (job, context) -> {
					byNode.computeIfAbsent(node, (name) -> new AtomicInteger()).incrementAndGet();
					Thread.sleep(100);
					return JobResult.success();
				}));
		}
		addMany(topic, "long", 12);

		await().atMost(Duration.ofSeconds(30)).until(() -> {
			mostRunning.accumulateAndGet(this.jobs.countInState("running"), Math::max);
			return this.jobs.countInState("succeeded") == 12;
		});

		assertThat(mostRunning.get()).as("jobs running at once on two nodes of one thread each").isLessThanOrEqualTo(2);
		assertThat(byNode.get("node-a").get()).isGreaterThan(2);
		assertThat(byNode.get("node-b").get()).isGreaterThan(2);
	}

	@Test
	void jobsClaimedAheadAreReleasedAtOnceOnShutdownWithoutStarting() throws Exception {
		TopicSettings topic = TopicSettings.named("mixed").withConcurrency(1).withPrefetch(50);
		CountDownLatch slowStarted = new CountDownLatch(1);
		DefaultRunQueue queue = queue(topic);
		List<NewJob> fast = new ArrayList<>();
		for (int i = 0; i < 2000; i++) {
			fast.add(NewJob.of("mixed", "fast").priority(1));
		}
		queue.addAll(fast);
		List<NewJob> slow = new ArrayList<>();
		for (int i = 0; i < 40; i++) {
			slow.add(NewJob.of("mixed", "slow").priority(2));
		}
		List<Long> slowIds = queue.addAll(slow).stream().map((result) -> result.id()).toList();
		Map<Long, Boolean> started = new ConcurrentHashMap<>();
		Worker worker = start(Worker.builder(postgres.dataSource(), this.store)
			.settings(WorkerSettings.defaults().withShutdownGracePeriod(Duration.ofSeconds(2)))
			.handler(topic, (job, context) -> {
				if (job.payload().contains("slow")) {
					started.put(job.id(), true);
					slowStarted.countDown();
					// Finishes well within the grace period, which would leave the thread
					// free for the jobs claimed ahead if they were not released.
					Thread.sleep(300);
				}
				return JobResult.success();
			}));
		assertThat(slowStarted.await(60, TimeUnit.SECONDS)).isTrue();
		int claimedAhead = this.jobs.countInState("running") - 1;

		worker.stop();

		assertThat(claimedAhead).as("slow jobs claimed ahead behind the running one").isPositive();
		assertThat(started).as("slow jobs started").hasSize(1);
		long first = started.keySet().iterator().next();
		assertThat(this.jobs.state(first)).isEqualTo("succeeded");
		assertThat(this.jobs.countInState("succeeded")).isEqualTo(2001);
		for (long id : slowIds) {
			if (id != first) {
				assertThat(this.jobs.state(id)).isEqualTo("available");
				assertThat(this.store.find(id).orElseThrow().attempt()).as("attempt of released job %d", id).isZero();
			}
		}
	}

	@Test
	void outcomesThatWaitToBeWrittenKeepTheirLeases() {
		TopicSettings topic = TopicSettings.named("slow-writes").withConcurrency(2);
		JobStore slowWrites = delayingSucceed(this.store, Duration.ofMillis(1500));
		Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
		addMany(topic, "slow-writes", 10);
		Worker worker = start(Worker.builder(postgres.dataSource(), slowWrites)
			.settings(WorkerSettings.defaults().withLease(Duration.ofMillis(1000), Duration.ofMillis(200)))
			.maintenance(dev.runqueue.maintenance.MaintenanceSettings.DEFAULT.withInterval(Duration.ofMillis(200)))
			.handler(topic, (job, context) -> {
				runs.computeIfAbsent(job.id(), (id) -> new AtomicInteger()).incrementAndGet();
				return JobResult.success();
			}));

		await().atMost(Duration.ofSeconds(60)).until(() -> this.jobs.countInState("succeeded") == 10);

		assertThat(runs.values()).allSatisfy((count) -> assertThat(count.get()).isEqualTo(1));
		assertThat(worker.staleWrites()).isZero();
		assertThat(this.jobs.jdbc().sql("SELECT sum(rescues) FROM runqueue_job").query(Long.class).single()).isZero();
	}

	private void addMany(TopicSettings topic, String name, int count) {
		List<NewJob> batch = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			batch.add(NewJob.of(name, i));
		}
		queue(topic).addAll(batch);
	}

	// The job table, with writes of successes that take longer than a lease.
	private static JobStore delayingSucceed(JobStore store, Duration delay) {
		return (JobStore) Proxy.newProxyInstance(ClaimAheadTest.class.getClassLoader(),
				new Class<?>[] { JobStore.class }, (proxy, method, arguments) -> {
					if (method.getName().equals("succeed")) {
						Thread.sleep(delay.toMillis());
					}
					try {
						return method.invoke(store, arguments);
					}
					catch (InvocationTargetException ex) {
						throw ex.getCause();
					}
				});
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

}
