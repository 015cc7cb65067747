package dev.runqueue.benchmarks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.runqueue.AddResult;
import dev.runqueue.DefaultRunQueue;
import dev.runqueue.JsonCodec;
import dev.runqueue.NewJob;
import dev.runqueue.RunQueue;
import dev.runqueue.TopicSettings;
import dev.runqueue.Topics;
import dev.runqueue.store.Stores;
import dev.runqueue.store.TableNames;

import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * How fast jobs are added, from one thread: one job per transaction with
 * {@link RunQueue#add} (without a transaction, and in a {@link TransactionTemplate}), a
 * raw single INSERT of the same columns for comparison, and many jobs per call with
 * {@link RunQueue#addAll} in chunks of 1,000. The single-job variants take turns in
 * rounds, so that a change in the machine's other load hits them alike.
 */
final class EnqueueBench {

	static final String TOPIC = "bench";

	static final int CHUNK = 1_000;

	private static final int ROUNDS = 5;

	private static final String RAW_INSERT = """
			INSERT INTO %s (topic, state, payload, priority, run_at, unique_key, unique_scope, group_key, group_limit,
			                max_attempts, timeout, depends_on, dependency_failure)
			VALUES (?, 'available', CAST(? AS jsonb), ?, now(), NULL, 'live', NULL, NULL, ?, NULL, NULL, 'cancel')
			RETURNING id
			""".formatted(BenchDatabase.JOB);

	private final BenchDatabase database;

	private final BenchConfig config;

	private final HikariDataSource dataSource;

	private final RunQueue runQueue;

	private final RunQueue transactionalRunQueue;

	private final RunQueue bulkRunQueue;

	private final TransactionTemplate transactions;

	// Each way of adding on a data source of its own that times its statements, so that
	// its cost per job shows.
	private final StatementProfiler addProfile = new StatementProfiler();

	private final StatementProfiler transactionProfile = new StatementProfiler();

	private final StatementProfiler bulkProfile = new StatementProfiler();

	private final TopicSettings topic = TopicSettings.named(TOPIC);

	private int counter;

	EnqueueBench(BenchDatabase database, BenchConfig config) {
		this.database = database;
		this.config = config;
		this.dataSource = database.pool("rq-bench-enqueue", 2);
		BenchDatabase.awaitFilled(this.dataSource);
		this.runQueue = runQueue(this.addProfile.wrap(this.dataSource));
		DataSource transactional = this.transactionProfile.wrap(this.dataSource);
		this.transactionalRunQueue = runQueue(transactional);
		this.transactions = new TransactionTemplate(new DataSourceTransactionManager(transactional));
		this.bulkRunQueue = runQueue(this.bulkProfile.wrap(this.dataSource));
	}

	private RunQueue runQueue(DataSource dataSource) {
		return new DefaultRunQueue(Stores.postgres(dataSource, TableNames.DEFAULT), Topics.of(List.of(this.topic)),
				new JsonCodec(), Map.of());
	}

	Result run() throws SQLException {
		try {
			return measure();
		}
		finally {
			this.database.closePool(this.dataSource);
		}
	}

	private Result measure() throws SQLException {
		ResourceMeter meter;
		this.database.truncateJobs();
		int perRound = Math.max(1, this.config.singleAdds() / ROUNDS);
		long[] nanos = new long[3];
		int[] counts = new int[3];
		try (Connection connection = this.dataSource.getConnection();
				PreparedStatement insert = connection.prepareStatement(RAW_INSERT)) {
			// Warm-up: each variant's code paths and prepared statements.
			addOne(300);
			addOneInTransaction(300);
			insertRaw(insert, 300);
			this.addProfile.reset();
			this.transactionProfile.reset();
			meter = ResourceMeter.start(this.database);
			for (int round = 0; round < ROUNDS; round++) {
				for (int turn = 0; turn < 3; turn++) {
					int variant = (round + turn) % 3;
					long start = System.nanoTime();
					switch (variant) {
						case 0 -> addOne(perRound);
						case 1 -> addOneInTransaction(perRound);
						default -> insertRaw(insert, perRound);
					}
					nanos[variant] += System.nanoTime() - start;
					counts[variant] += perRound;
				}
			}
		}
		ResourceMeter.Usage usage = meter.stop();
		this.database.truncateJobs();
		List<List<NewJob>> chunks = new ArrayList<>();
		for (int added = 0; added < this.config.jobs(); added += CHUNK) {
			chunks.add(jobs(Math.min(CHUNK, this.config.jobs() - added)));
		}
		for (int i = 0; i < 3; i++) {
			this.bulkRunQueue.addAll(jobs(CHUNK));
		}
		this.bulkProfile.reset();
		long start = System.nanoTime();
		for (List<NewJob> chunk : chunks) {
			List<AddResult> results = this.bulkRunQueue.addAll(chunk);
			if (results.size() != chunk.size()) {
				throw new IllegalStateException("addAll returned " + results.size() + " results for " + chunk.size());
			}
		}
		long bulkNanos = System.nanoTime() - start;
		this.database.truncateJobs();
		Map<String, List<Map<String, Object>>> profiles = new LinkedHashMap<>();
		profiles.put("add", this.addProfile.snapshot());
		profiles.put("addInTransaction", this.transactionProfile.snapshot());
		profiles.put("addAll", this.bulkProfile.snapshot());
		return new Result(counts[0] / (nanos[0] / 1e9), counts[1] / (nanos[1] / 1e9), counts[2] / (nanos[2] / 1e9),
				this.config.jobs() / (bulkNanos / 1e9), counts[0], this.config.jobs(), profiles, usage);
	}

	private void addOne(int count) {
		for (int i = 0; i < count; i++) {
			this.runQueue.add(TOPIC, payload());
		}
	}

	private void addOneInTransaction(int count) {
		for (int i = 0; i < count; i++) {
			this.transactions.executeWithoutResult((status) -> this.transactionalRunQueue.add(TOPIC, payload()));
		}
	}

	private void insertRaw(PreparedStatement insert, int count) throws SQLException {
		for (int i = 0; i < count; i++) {
			insert.setString(1, TOPIC);
			insert.setString(2, "{\"n\":" + (++this.counter) + "}");
			insert.setInt(3, this.topic.jobDefaults().priority());
			insert.setInt(4, this.topic.retryPolicy().maxAttempts());
			try (ResultSet rs = insert.executeQuery()) {
				rs.next();
				rs.getLong(1);
			}
		}
	}

	private List<NewJob> jobs(int count) {
		List<NewJob> jobs = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			jobs.add(NewJob.of(TOPIC, payload()));
		}
		return jobs;
	}

	private Map<String, Integer> payload() {
		return Map.of("n", ++this.counter);
	}

	/**
	 * Jobs per second of each way of adding.
	 *
	 * @param add {@code RunQueue.add} without a transaction
	 * @param addInTransaction {@code RunQueue.add} in a {@code TransactionTemplate}
	 * @param rawInsert a raw single INSERT
	 * @param addAll {@code RunQueue.addAll} in chunks of 1,000
	 * @param singleJobs jobs each single-job variant added while measured
	 * @param bulkJobs jobs {@code addAll} added while measured
	 * @param profiles the statements of each way of adding, while measured
	 * @param usage the CPU spent while the single-job variants were measured
	 */
	record Result(double add, double addInTransaction, double rawInsert, double addAll, int singleJobs, int bulkJobs,
			Map<String, List<Map<String, Object>>> profiles, ResourceMeter.Usage usage) {

		Map<String, Object> describe() {
			Map<String, Object> map = new LinkedHashMap<>();
			map.put("addJobsPerSecond", this.add);
			map.put("addInTransactionTemplateJobsPerSecond", this.addInTransaction);
			map.put("rawInsertJobsPerSecond", this.rawInsert);
			map.put("addAllChunksOf1000JobsPerSecond", this.addAll);
			map.put("addToRawInsertRatio", this.add / this.rawInsert);
			map.put("addInTransactionToRawInsertRatio", this.addInTransaction / this.rawInsert);
			map.put("singleJobsPerVariant", this.singleJobs);
			map.put("bulkJobs", this.bulkJobs);
			map.put("statements", this.profiles);
			map.put("cpuOfSingleJobVariants", this.usage.describe(3L * this.singleJobs));
			return map;
		}

	}

}
