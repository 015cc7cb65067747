package dev.runqueue.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.runqueue.DefaultRunQueue;
import dev.runqueue.JsonCodec;
import dev.runqueue.RunQueue;
import dev.runqueue.TopicSettings;
import dev.runqueue.event.EventPublisher;
import dev.runqueue.Topics;
import dev.runqueue.job.JobResult;
import dev.runqueue.store.Stores;
import dev.runqueue.store.TableNames;
import dev.runqueue.worker.Worker;
import dev.runqueue.worker.WorkerSettings;

/**
 * The time from adding a job to an idle queue until its handler starts, with jobs added
 * one at a time and a pause between them, by this JVM (which also runs the worker) or by
 * another process.
 * <p>
 * Two clocks, both on one machine's time: the database's, from the inserting statement's
 * {@code now()} (the job's {@code created_at}, before the commit) to the handler's start,
 * which the handler reads as {@code clock_timestamp()} on a connection of its own, less
 * half of that query's round trip; and the JVMs' wall clock, from the moment {@code add}
 * returned (after the commit) to the handler's first line.
 */
final class LatencyBench {

	static final String TOPIC = "latency";

	static final int WARMUP = 20;

	private final BenchDatabase database;

	private final BenchConfig config;

	LatencyBench(BenchDatabase database, BenchConfig config) {
		this.database = database;
		this.config = config;
	}

	Result run(String label, boolean otherProcess) throws Exception {
		Map<Long, Start> starts = new ConcurrentHashMap<>();
		TopicSettings topic = TopicSettings.named(TOPIC).withConcurrency(8);
		HikariDataSource pool = this.database.pool("rq-bench-node-latency", 8);
		HikariDataSource adderPool = this.database.pool("rq-bench-adder", 2);
		Connection probeConnection = this.database.connect("rq-bench-latency-probe");
		PreparedStatement probe = probeConnection.prepareStatement("SELECT clock_timestamp()");
		for (int i = 0; i < 10; i++) {
			clock(probe);
		}
		StatementProfiler profiler = new StatementProfiler();
		Map<Long, Long> claimSent = new ConcurrentHashMap<>();
		profiler.observeClaims(claimSent::putIfAbsent);
		DataSource profiled = profiler.wrap(pool);
		Stores stores = Stores.postgres(profiled, TableNames.DEFAULT);
		// One publisher for the worker and the queue that adds in this JVM, as in a
		// Spring Boot application: the worker hears of the jobs added here at once.
		EventPublisher events = EventPublisher.none(Clock.systemUTC());
		Worker worker = Worker.builder(profiled, stores.jobs())
			.stores(stores)
			.events(events)
			.settings(WorkerSettings.defaults().withNodeName("bench-latency-" + ProcessHandle.current().pid()))
			.handler(topic, (job, context) -> {
				long entered = LatencyAdder.micros(Instant.now());
				long sent = System.nanoTime();
				long database;
				synchronized (probe) {
					database = clock(probe);
				}
				long roundTrip = System.nanoTime() - sent;
				starts.put(job.id(), new Start(entered, database - roundTrip / 2_000, roundTrip / 1_000));
				return JobResult.success();
			})
			.build();
		int total = WARMUP + this.config.latencySamples();
		List<Long> ids = new ArrayList<>();
		Map<Long, Long> returnedAt = new LinkedHashMap<>();
		List<Double> addMillis = new ArrayList<>();
		ResourceMeter meter = null;
		ResourceMeter.Usage usage = null;
		try {
			BenchDatabase.awaitFilled(pool);
			worker.start();
			awaitListening();
			profiler.reset();
			meter = ResourceMeter.start(this.database);
			if (otherProcess) {
				addFromOtherProcess(total, ids, returnedAt);
			}
			else {
				RunQueue runQueue = new DefaultRunQueue(Stores.postgres(adderPool, TableNames.DEFAULT),
						Topics.of(List.of(topic)), new JsonCodec(), Map.of(), events);
				for (int i = 0; i < total; i++) {
					long start = System.nanoTime();
					long id = runQueue.add(TOPIC, Map.of("i", i)).id();
					long returned = LatencyAdder.micros(Instant.now());
					addMillis.add((System.nanoTime() - start) / 1e6);
					ids.add(id);
					returnedAt.put(id, returned);
					Thread.sleep(this.config.latencyPauseMillis());
				}
			}
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
			while (!starts.keySet().containsAll(ids) && System.nanoTime() < deadline) {
				Thread.sleep(10);
			}
			usage = meter.stop();
		}
		finally {
			worker.stop();
			stores.close();
			this.database.closePool(pool);
			this.database.closePool(adderPool);
			probeConnection.close();
		}
		Map<Long, long[]> times = times(ids);
		List<Long> measured = ids.subList(Math.min(WARMUP, ids.size()), ids.size());
		double[] fromInsert = new double[measured.size()];
		double[] untilClaim = new double[measured.size()];
		double[] fromClaim = new double[measured.size()];
		double[] returnToClaimSent = new double[measured.size()];
		double[] claimSentToHandler = new double[measured.size()];
		double[] fromReturn = new double[measured.size()];
		double[] probeMillis = new double[measured.size()];
		int missing = 0;
		int n = 0;
		for (long id : measured) {
			Start start = starts.get(id);
			long[] time = times.get(id);
			Long sent = claimSent.get(id);
			if (start == null || time == null || sent == null) {
				missing++;
				continue;
			}
			fromInsert[n] = (start.database() - time[0]) / 1000.0;
			untilClaim[n] = (time[1] - time[0]) / 1000.0;
			fromClaim[n] = (start.database() - time[1]) / 1000.0;
			returnToClaimSent[n] = (sent - returnedAt.get(id)) / 1000.0;
			claimSentToHandler[n] = (start.entered() - sent) / 1000.0;
			fromReturn[n] = (start.entered() - returnedAt.get(id)) / 1000.0;
			probeMillis[n] = start.probeMicros() / 1000.0;
			n++;
		}
		double[] addCall = addMillis.subList(Math.min(WARMUP, addMillis.size()), addMillis.size())
			.stream()
			.mapToDouble(Double::doubleValue)
			.toArray();
		return new Result(label, otherProcess, Percentiles.of(Arrays.copyOf(fromInsert, n)),
				Percentiles.of(Arrays.copyOf(untilClaim, n)), Percentiles.of(Arrays.copyOf(fromClaim, n)),
				Percentiles.of(Arrays.copyOf(returnToClaimSent, n)),
				Percentiles.of(Arrays.copyOf(claimSentToHandler, n)), Percentiles.of(Arrays.copyOf(fromReturn, n)),
				Percentiles.of(addCall), Percentiles.of(Arrays.copyOf(probeMillis, n)), missing,
				this.config.latencyPauseMillis(), usage, profiler.snapshot());
	}

	private void addFromOtherProcess(int total, List<Long> ids, Map<Long, Long> returnedAt) throws Exception {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		ProcessBuilder builder = new ProcessBuilder(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp",
				System.getProperty("java.class.path"), LatencyAdder.class.getName(), String.valueOf(total),
				String.valueOf(this.config.latencyPauseMillis()), TOPIC);
		builder.environment().put("RQ_BENCH_URL", this.database.url());
		builder.environment().put("RQ_BENCH_USER", this.config.user());
		builder.environment().put("RQ_BENCH_PASSWORD", this.config.password());
		builder.redirectError(ProcessBuilder.Redirect.INHERIT);
		Process process = builder.start();
		try (BufferedReader lines = new BufferedReader(
				new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = lines.readLine()) != null) {
				String[] fields = line.trim().split(" ");
				if (fields.length == 2) {
					long id = Long.parseLong(fields[0]);
					ids.add(id);
					returnedAt.put(id, Long.parseLong(fields[1]));
				}
			}
			if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
				throw new IllegalStateException("The adding process failed (exit " + process.exitValue() + ")");
			}
		}
		finally {
			process.destroy();
		}
	}

	// The worker is listening once its listener's connection ran LISTEN: from then on,
	// an added job wakes it.
	private void awaitListening() {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (System.nanoTime() < deadline) {
			long listening = this.database.count("SELECT count(*) FROM pg_stat_activity"
					+ " WHERE application_name = 'rq-bench-node-latency' AND query LIKE 'LISTEN%'");
			if (listening > 0) {
				return;
			}
			BenchDatabase.sleep(10);
		}
		throw new IllegalStateException("The worker did not start listening within 10 s");
	}

	// Each job's created_at (the inserting statement's now()) and started_at (the
	// claiming statement's now()), in microseconds by the database's clock.
	private Map<Long, long[]> times(List<Long> ids) throws SQLException {
		Map<Long, long[]> times = new LinkedHashMap<>();
		try (Connection connection = this.database.dataSource().getConnection();
				PreparedStatement select = connection
					.prepareStatement("SELECT id," + " CAST(extract(epoch FROM created_at) * 1000000 AS bigint),"
							+ " CAST(extract(epoch FROM started_at) * 1000000 AS bigint) FROM " + BenchDatabase.JOB
							+ " WHERE id = ANY (?) AND started_at IS NOT NULL")) {
			Array array = connection.createArrayOf("bigint", ids.toArray());
			select.setArray(1, array);
			try (ResultSet rs = select.executeQuery()) {
				while (rs.next()) {
					times.put(rs.getLong(1), new long[] { rs.getLong(2), rs.getLong(3) });
				}
			}
		}
		return times;
	}

	private static long clock(PreparedStatement probe) throws SQLException {
		try (ResultSet rs = probe.executeQuery()) {
			rs.next();
			OffsetDateTime time = rs.getObject(1, OffsetDateTime.class);
			return LatencyAdder.micros(time.toInstant());
		}
	}

	private record Start(long entered, long database, long probeMicros) {

	}

	/**
	 * One latency run's figures, in milliseconds.
	 *
	 * @param label what was measured
	 * @param otherProcess whether another process added the jobs
	 * @param fromInsert from the job's {@code created_at} to the handler's start, by the
	 * database's clock
	 * @param untilClaim from the job's {@code created_at} to the start of the statement
	 * that claimed it ({@code started_at}): the insert, its commit, the notification and
	 * the wake-up of the worker
	 * @param fromClaim from the claim's start to the handler's start: the claim statement
	 * and handing the job to a handler thread
	 * @param returnToClaimSent from {@code add} returning to the worker sending the claim
	 * that returned the job, by the JVMs' clock: the notification and the wake-ups
	 * @param claimSentToHandler from sending that claim to the handler's first line, by
	 * this JVM's clock: the claim's round trip and the handoff to a handler thread
	 * @param fromReturn from {@code add} returning to the handler's start, by the JVMs'
	 * clock
	 * @param addCall how long {@code add} took, when this JVM added
	 * @param probe the round trip of the handler's clock query, half of which is taken
	 * off
	 * @param missing jobs whose start was not seen
	 * @param pauseMillis the pause between two jobs
	 * @param usage the CPU spent meanwhile
	 * @param profile the worker's statements meanwhile
	 */
	record Result(String label, boolean otherProcess, Percentiles fromInsert, Percentiles untilClaim,
			Percentiles fromClaim, Percentiles returnToClaimSent, Percentiles claimSentToHandler,
			Percentiles fromReturn, Percentiles addCall, Percentiles probe, int missing, int pauseMillis,
			ResourceMeter.Usage usage, List<Map<String, Object>> profile) {

		/**
		 * The mean round trip of the worker's claim statement, which every job waits for
		 * between its notification and its handler.
		 * @return milliseconds, or NaN
		 */
		double claimMillis() {
			return this.profile.stream()
				.filter((row) -> StatementProfiler.CLAIM.equals(row.get("statement")))
				.mapToDouble((row) -> (double) row.get("meanMillis"))
				.findFirst()
				.orElse(Double.NaN);
		}

		Map<String, Object> describe() {
			Map<String, Object> map = new LinkedHashMap<>();
			map.put("label", this.label);
			map.put("addedBy", this.otherProcess ? "another process" : "the worker's JVM");
			map.put("pauseMillis", this.pauseMillis);
			map.put("fromInsertToHandlerStartMillisDatabaseClock", this.fromInsert.describe());
			map.put("fromInsertToClaimStartMillisDatabaseClock", this.untilClaim.describe());
			map.put("fromClaimStartToHandlerStartMillisDatabaseClock", this.fromClaim.describe());
			map.put("fromAddReturnToHandlerStartMillisJvmClock", this.fromReturn.describe());
			map.put("fromAddReturnToClaimSentMillisJvmClock", this.returnToClaimSent.describe());
			map.put("fromClaimSentToHandlerStartMillisJvmClock", this.claimSentToHandler.describe());
			if (this.addCall.count() > 0) {
				map.put("addCallMillis", this.addCall.describe());
			}
			map.put("handlerClockQueryRoundTripMillis", this.probe.describe());
			map.put("missing", this.missing);
			map.put("otherProcessesCpuShare", this.usage.otherShare());
			map.put("workerStatements", this.profile);
			return map;
		}

	}

}
