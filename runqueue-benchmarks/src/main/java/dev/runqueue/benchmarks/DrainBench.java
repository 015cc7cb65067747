package dev.runqueue.benchmarks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.runqueue.AddResult;
import dev.runqueue.DefaultRunQueue;
import dev.runqueue.JsonCodec;
import dev.runqueue.NewJob;
import dev.runqueue.RunQueue;
import dev.runqueue.TopicSettings;
import dev.runqueue.Topics;
import dev.runqueue.job.JobHandler;
import dev.runqueue.job.JobResult;
import dev.runqueue.store.Stores;
import dev.runqueue.store.TableNames;
import dev.runqueue.worker.Worker;
import dev.runqueue.worker.WorkerSettings;

/**
 * Drains a queue of no-op jobs with runqueue's {@link Worker}: one or several nodes in
 * this JVM, each with a pool of its own and its own node name, as separate processes
 * would have. Every job must run exactly once: the handler counts its runs per job id,
 * and the job table must hold every job as succeeded after one attempt.
 */
final class DrainBench {

	static final String TOPIC = "bench";

	private static final int NODE_POOL_SIZE = 8;

	private static final long HANDLER_TIMEOUT_SECONDS = 900;

	private final BenchDatabase database;

	private final StatementProfiler profiler;

	private int runs;

	DrainBench(BenchDatabase database, boolean profile) {
		this.database = database;
		this.profiler = profile ? new StatementProfiler() : null;
	}

	/**
	 * Adds the jobs, then drains them and checks that each ran once.
	 * @param nodes how many workers
	 * @param concurrency each worker's concurrency for the topic
	 * @param jobs how many jobs
	 * @return the figures
	 */
	Result run(int nodes, int concurrency, int jobs) {
		this.runs++;
		this.database.truncateJobs();
		long firstId = Long.MAX_VALUE;
		long lastId = Long.MIN_VALUE;
		// Added on connections that are closed afterwards, so that their backends hand in
		// their statistics before the table's are read.
		HikariDataSource adder = this.database.pool("rq-bench-adder", 2);
		try {
			RunQueue runQueue = new DefaultRunQueue(Stores.postgres(adder, TableNames.DEFAULT),
					Topics.of(List.of(TopicSettings.named(TOPIC))), new JsonCodec(), Map.of());
			for (int added = 0; added < jobs; added += EnqueueBench.CHUNK) {
				List<NewJob> chunk = new ArrayList<>();
				for (int i = added; i < Math.min(jobs, added + EnqueueBench.CHUNK); i++) {
					chunk.add(NewJob.of(TOPIC, Map.of("n", i)));
				}
				for (AddResult result : runQueue.addAll(chunk)) {
					firstId = Math.min(firstId, result.id());
					lastId = Math.max(lastId, result.id());
				}
			}
		}
		finally {
			this.database.closePool(adder);
		}
		if (lastId - firstId + 1 != jobs) {
			throw new IllegalStateException(
					"Expected " + jobs + " consecutive job ids, got " + firstId + ".." + lastId);
		}
		this.database.vacuumAnalyze();

		Ledger ledger = new Ledger(firstId, jobs);
		TopicSettings topic = TopicSettings.named(TOPIC).withConcurrency(concurrency);
		List<HikariDataSource> pools = new ArrayList<>();
		List<Worker> workers = new ArrayList<>();
		List<Stores> nodeStores = new ArrayList<>();
		for (int node = 1; node <= nodes; node++) {
			HikariDataSource pool = this.database.pool("rq-bench-node-" + node, NODE_POOL_SIZE);
			pools.add(pool);
			DataSource dataSource = (this.profiler != null) ? this.profiler.wrap(pool) : pool;
			Stores stores = Stores.postgres(dataSource, TableNames.DEFAULT);
			nodeStores.add(stores);
			String name = "bench-" + ProcessHandle.current().pid() + "-run" + this.runs + "-node" + node;
			workers.add(Worker.builder(dataSource, stores.jobs())
				.stores(stores)
				.settings(WorkerSettings.defaults().withNodeName(name))
				.handler(topic, ledger)
				.build());
		}
		pools.forEach(BenchDatabase::awaitFilled);
		Map<String, Object> before = this.database.jobTableStats();
		if (this.profiler != null) {
			this.profiler.reset();
		}

		ResourceMeter meter = ResourceMeter.start(this.database);
		RunningSampler running = new RunningSampler(this.database);
		long start = System.nanoTime();
		boolean allRan;
		long handlersDone;
		long end;
		int polls = 0;
		ResourceMeter.Usage usage;
		long peakRunning;
		List<Map<String, Object>> profile;
		try {
			workers.forEach(Worker::start);
			allRan = ledger.await(HANDLER_TIMEOUT_SECONDS);
			handlersDone = System.nanoTime();
			// Done when no job is left unfinished: every outcome is written.
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
			while (allRan && System.nanoTime() < deadline) {
				polls++;
				if (this.database.count("SELECT count(*) FROM " + BenchDatabase.JOB
						+ " WHERE state IN ('pending', 'scheduled', 'available', 'running')") == 0) {
					break;
				}
				BenchDatabase.sleep(5);
			}
			end = System.nanoTime();
		}
		finally {
			peakRunning = running.stop();
			usage = meter.stop();
			profile = (this.profiler != null) ? this.profiler.snapshot() : List.of();
			stop(workers);
			// The workers were given their stores, so the listening connections are
			// the bench's to close, before their pools.
			nodeStores.forEach(Stores::close);
		}
		long staleWrites = workers.stream().mapToLong(Worker::staleWrites).sum();
		long leaseLosses = workers.stream().mapToLong(Worker::leaseLosses).sum();
		pools.forEach(this.database::closePool);
		// Closed backends have handed in their statistics by now.
		BenchDatabase.sleep(300);

		List<String> failures = new ArrayList<>();
		ledger.check(failures);
		Map<String, Object> table = this.database.jobTableStats();
		Map<String, Object> during = new LinkedHashMap<>();
		for (String key : List.of("seqScans", "seqTuplesRead", "indexScans", "inserted", "updated", "hotUpdated",
				"deleted", "autovacuums")) {
			during.put(key, ((Number) table.get(key)).longValue() - ((Number) before.get(key)).longValue());
		}
		during.put("benchmarkOwnCountQueries", polls);
		table.put("changesDuringDrain", during);
		long rows = this.database.count("SELECT count(*) FROM " + BenchDatabase.JOB);
		long once = this.database.count("SELECT count(*) FROM " + BenchDatabase.JOB
				+ " WHERE state = 'succeeded' AND attempt = 1 AND runs = 1");
		if (rows != jobs || once != jobs) {
			failures.add("the job table holds " + rows + " jobs, " + once + " of them succeeded after exactly one"
					+ " attempt; expected " + jobs);
		}
		if (!allRan) {
			failures.add("only " + (jobs - ledger.remaining()) + " of " + jobs + " jobs ran within "
					+ HANDLER_TIMEOUT_SECONDS + " s");
		}
		return new Result(nodes, concurrency, jobs, (end - start) / 1e9, (handlersDone - start) / 1e9, usage, table,
				profile, staleWrites, leaseLosses, peakRunning, failures);
	}

	// Stops the nodes together, as separate processes would stop.
	private static void stop(List<Worker> workers) {
		List<Thread> stopping = new ArrayList<>();
		for (Worker worker : workers) {
			Thread thread = new Thread(worker::stop, "rq-bench-stop-" + worker.settings().nodeName());
			thread.start();
			stopping.add(thread);
		}
		for (Thread thread : stopping) {
			try {
				thread.join();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/**
	 * Samples, every 100 ms on a connection of its own, how many jobs are claimed and not
	 * yet recorded as finished: the jobs running, and those whose outcome waits to be
	 * written.
	 */
	private static final class RunningSampler {

		private final Thread thread;

		private volatile boolean sampling = true;

		private volatile long peak;

		RunningSampler(BenchDatabase database) {
			this.thread = new Thread(() -> {
				try (Connection connection = database.connect("rq-bench-running-sampler");
						PreparedStatement count = connection.prepareStatement(
								"SELECT count(*) FROM " + BenchDatabase.JOB + " WHERE state = 'running'")) {
					while (this.sampling) {
						try (ResultSet rs = count.executeQuery()) {
							rs.next();
							this.peak = Math.max(this.peak, rs.getLong(1));
						}
						Thread.sleep(100);
					}
				}
				catch (SQLException ex) {
					this.peak = -1;
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}, "rq-bench-running-sampler");
			this.thread.setDaemon(true);
			this.thread.start();
		}

		long stop() {
			this.sampling = false;
			try {
				this.thread.join(5_000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			return this.peak;
		}

	}

	/**
	 * The handler: counts the runs of each job.
	 */
	private static final class Ledger implements JobHandler {

		private final long firstId;

		private final AtomicIntegerArray runs;

		private final AtomicInteger remaining;

		private final AtomicLong strangers = new AtomicLong();

		private final CountDownLatch done = new CountDownLatch(1);

		Ledger(long firstId, int jobs) {
			this.firstId = firstId;
			this.runs = new AtomicIntegerArray(jobs);
			this.remaining = new AtomicInteger(jobs);
		}

		@Override
		public JobResult handle(dev.runqueue.job.Job job, dev.runqueue.job.JobContext context) {
			long index = job.id() - this.firstId;
			if (index < 0 || index >= this.runs.length()) {
				this.strangers.incrementAndGet();
			}
			else if (this.runs.incrementAndGet((int) index) == 1 && this.remaining.decrementAndGet() == 0) {
				this.done.countDown();
			}
			return JobResult.success();
		}

		boolean await(long seconds) {
			try {
				return this.done.await(seconds, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
		}

		int remaining() {
			return this.remaining.get();
		}

		void check(List<String> failures) {
			int never = 0;
			int twice = 0;
			long firstTwice = -1;
			for (int i = 0; i < this.runs.length(); i++) {
				int count = this.runs.get(i);
				if (count == 0) {
					never++;
				}
				else if (count > 1) {
					twice++;
					if (firstTwice < 0) {
						firstTwice = this.firstId + i;
					}
				}
			}
			if (never > 0) {
				failures.add(never + " jobs never ran");
			}
			if (twice > 0) {
				failures.add(twice + " jobs ran more than once (the first: id " + firstTwice + ")");
			}
			if (this.strangers.get() > 0) {
				failures.add(this.strangers.get() + " runs of jobs that the benchmark did not add");
			}
		}

	}

	/**
	 * One drain's figures.
	 *
	 * @param nodes workers
	 * @param concurrency each worker's concurrency
	 * @param jobs jobs drained
	 * @param seconds from starting the workers until the table held every job as
	 * succeeded
	 * @param handlerSeconds from starting the workers until the last handler ran
	 * @param usage the CPU spent meanwhile
	 * @param table the job table afterwards
	 * @param profile the workers' statements, busiest first
	 * @param staleWrites outcomes that changed nothing because the lease was gone
	 * @param leaseLosses jobs given up because their lease could not be trusted
	 * @param peakRunning the most jobs in state running at one time (claimed, outcome not
	 * yet written), sampled every 100 ms
	 * @param failures what went wrong, empty when every job ran exactly once
	 */
	record Result(int nodes, int concurrency, int jobs, double seconds, double handlerSeconds,
			ResourceMeter.Usage usage, Map<String, Object> table, List<Map<String, Object>> profile, long staleWrites,
			long leaseLosses, long peakRunning, List<String> failures) {

		double rate() {
			return this.jobs / this.seconds;
		}

		String label() {
			return this.nodes + " node" + ((this.nodes > 1) ? "s" : "") + " x concurrency " + this.concurrency;
		}

		Map<String, Object> describe(double ceilingAsMigrated, double ceilingWithoutTriggers) {
			Map<String, Object> map = new LinkedHashMap<>();
			map.put("nodes", this.nodes);
			map.put("concurrency", this.concurrency);
			map.put("jobs", this.jobs);
			map.put("seconds", this.seconds);
			map.put("secondsUntilLastHandler", this.handlerSeconds);
			map.put("jobsPerSecond", rate());
			map.put("fractionOfBatchedCeilingAsMigrated", rate() / ceilingAsMigrated);
			map.put("fractionOfBatchedCeilingWithoutTriggers", rate() / ceilingWithoutTriggers);
			map.put("everyJobRanExactlyOnce", this.failures.isEmpty());
			map.put("failures", this.failures);
			map.put("staleWrites", this.staleWrites);
			map.put("leaseLosses", this.leaseLosses);
			map.put("peakRunningJobs", this.peakRunning);
			map.put("cpu", this.usage.describe(this.jobs));
			map.put("jobTableAfter", this.table);
			map.put("statements", this.profile);
			return map;
		}

	}

}
