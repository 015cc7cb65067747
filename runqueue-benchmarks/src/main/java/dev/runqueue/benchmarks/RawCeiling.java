package dev.runqueue.benchmarks;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import dev.runqueue.TopicSettings;

/**
 * The database's own ceiling: what PostgreSQL does with raw SQL and no library on the
 * same job table. Each thread, on a connection of its own, claims a batch of runnable
 * rows with the statement runqueue claims with (FOR UPDATE SKIP LOCKED, marking them
 * running with a lease), then completes them, by an UPDATE to succeeded or by a DELETE:
 * two statements, two commits per batch.
 */
final class RawCeiling {

	static final String TOPIC = "raw";

	private static final String CLAIM = """
			WITH claimable AS (
			    SELECT id
			    FROM %1$s
			    WHERE state = 'available'
			      AND topic = ?
			    ORDER BY priority, retried, run_at, id
			    LIMIT ?
			    FOR UPDATE SKIP LOCKED
			)
			UPDATE %1$s AS job
			SET state = 'running',
			    attempt = job.attempt + 1,
			    claimed_by = ?,
			    lease_token = gen_random_uuid(),
			    lease_expires_at = now() + make_interval(secs => ?),
			    started_at = now()
			FROM claimable
			WHERE job.id = claimable.id
			RETURNING job.id, job.topic, job.payload, job.priority, job.attempt, job.max_attempts, job.last_error,
			          job.unique_key, job.group_key, job.runs, job.created_at, job.run_at, job.lease_token,
			          job.lease_expires_at, job.retried, job.timeouts, extract(epoch FROM job.timeout) AS timeout_seconds
			"""
		.formatted(BenchDatabase.JOB);

	private static final String SUCCEED = """
			UPDATE %s
			SET state = 'succeeded', runs = runs + 1, finished_at = now(), lease_token = NULL, lease_expires_at = NULL
			WHERE id = ANY (?)
			""".formatted(BenchDatabase.JOB);

	private static final String DELETE = "DELETE FROM %s WHERE id = ANY (?)".formatted(BenchDatabase.JOB);

	private final BenchDatabase database;

	private final BenchConfig config;

	RawCeiling(BenchDatabase database, BenchConfig config) {
		this.database = database;
		this.config = config;
	}

	/**
	 * Measures one variant on a freshly filled table.
	 * @param triggers whether runqueue's triggers on the job table stay enabled
	 * @param delete whether jobs are completed by DELETE rather than UPDATE
	 * @param batch rows per claim and per completion
	 * @return the figures
	 */
	Result measure(boolean triggers, boolean delete, int batch) {
		TopicSettings defaults = TopicSettings.named(TOPIC);
		this.database.refillJobs(TOPIC, this.config.jobs(), defaults.jobDefaults().priority(),
				defaults.retryPolicy().maxAttempts());
		if (!triggers) {
			this.database.execute("ALTER TABLE " + BenchDatabase.JOB + " DISABLE TRIGGER USER");
		}
		List<Runner> runners = new ArrayList<>();
		ExecutorService threads = Executors.newFixedThreadPool(this.config.threads());
		try {
			for (int i = 0; i < this.config.threads(); i++) {
				runners
					.add(new Runner(this.database.connect("rq-bench-raw-" + (i + 1)), "raw-" + (i + 1), batch, delete));
			}
			// Enough rounds for the driver to prepare the statements on the server (after
			// 5 uses) and for the JIT, but no more than a quarter of the jobs.
			long warmup = Math.min(this.config.jobs() / 4,
					this.config.threads() * (long) batch * ((batch == 1) ? 20 : 6));
			run(threads, runners, warmup, Long.MAX_VALUE);
			ResourceMeter meter = ResourceMeter.start(this.database);
			long start = System.nanoTime();
			long deadline = start + this.config.ceilingSeconds() * 1_000_000_000L;
			long jobs = run(threads, runners, Long.MAX_VALUE, deadline);
			long elapsed = System.nanoTime() - start;
			ResourceMeter.Usage usage = meter.stop();
			boolean capped = runners.stream().noneMatch((runner) -> runner.empty);
			return new Result(triggers, delete, batch, jobs, elapsed / 1e9, capped, usage);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("The raw-SQL ceiling failed: " + ex.getMessage(), ex);
		}
		finally {
			threads.shutdownNow();
			runners.forEach(Runner::close);
			if (!triggers) {
				this.database.execute("ALTER TABLE " + BenchDatabase.JOB + " ENABLE TRIGGER USER");
			}
		}
	}

	// Runs every runner until the jobs are gone, the limit is reached or the deadline
	// passed; returns the jobs completed.
	private static long run(ExecutorService threads, List<Runner> runners, long limit, long deadline) {
		AtomicLong claimed = new AtomicLong();
		AtomicLong completed = new AtomicLong();
		List<Future<?>> futures = new ArrayList<>();
		for (Runner runner : runners) {
			futures.add(threads.submit(() -> {
				runner.run(claimed, completed, limit, deadline);
				return null;
			}));
		}
		for (Future<?> future : futures) {
			try {
				future.get();
			}
			catch (Exception ex) {
				throw new IllegalStateException("A raw-SQL thread failed: " + ex.getMessage(), ex);
			}
		}
		return completed.get();
	}

	/**
	 * One connection claiming and completing in a loop.
	 */
	private static final class Runner {

		private final Connection connection;

		private final PreparedStatement claim;

		private final PreparedStatement complete;

		private final String node;

		private final int batch;

		private volatile boolean empty;

		Runner(Connection connection, String node, int batch, boolean delete) throws SQLException {
			this.connection = connection;
			this.node = node;
			this.batch = batch;
			this.claim = connection.prepareStatement(CLAIM);
			this.complete = connection.prepareStatement(delete ? DELETE : SUCCEED);
		}

		void run(AtomicLong claimed, AtomicLong completed, long limit, long deadline) throws SQLException {
			List<Long> ids = new ArrayList<>(this.batch);
			while (claimed.get() < limit && System.nanoTime() < deadline) {
				ids.clear();
				this.claim.setString(1, TOPIC);
				this.claim.setInt(2, this.batch);
				this.claim.setString(3, this.node);
				this.claim.setDouble(4, 30.0);
				try (ResultSet rs = this.claim.executeQuery()) {
					while (rs.next()) {
						ids.add(rs.getLong(1));
						rs.getString(3);
						rs.getObject(13);
					}
				}
				if (ids.isEmpty()) {
					this.empty = true;
					return;
				}
				claimed.addAndGet(ids.size());
				Array array = this.connection.createArrayOf("bigint", ids.toArray());
				this.complete.setArray(1, array);
				this.complete.executeUpdate();
				array.free();
				completed.addAndGet(ids.size());
			}
		}

		void close() {
			try {
				this.connection.close();
			}
			catch (SQLException ex) {
				// nothing to keep
			}
		}

	}

	/**
	 * One variant's figures.
	 *
	 * @param triggers whether runqueue's triggers were enabled
	 * @param delete whether jobs were completed by DELETE
	 * @param batch rows per statement
	 * @param jobs jobs claimed and completed while measured
	 * @param seconds the time measured
	 * @param capped whether the time ran out before the jobs did
	 * @param usage the CPU spent
	 */
	record Result(boolean triggers, boolean delete, int batch, long jobs, double seconds, boolean capped,
			ResourceMeter.Usage usage) {

		double rate() {
			return this.jobs / this.seconds;
		}

		String table() {
			return this.triggers ? "as migrated (with runqueue's triggers)" : "runqueue's triggers disabled";
		}

		String completion() {
			return this.delete ? "DELETE" : "UPDATE to succeeded";
		}

		Map<String, Object> describe() {
			Map<String, Object> map = new LinkedHashMap<>();
			map.put("table", this.triggers ? "asMigrated" : "triggersDisabled");
			map.put("completion", this.delete ? "delete" : "update");
			map.put("batch", this.batch);
			map.put("jobs", this.jobs);
			map.put("seconds", this.seconds);
			map.put("jobsPerSecond", rate());
			map.put("stoppedByTimeLimit", this.capped);
			map.put("cpu", this.usage.describe(this.jobs));
			return map;
		}

	}

}
