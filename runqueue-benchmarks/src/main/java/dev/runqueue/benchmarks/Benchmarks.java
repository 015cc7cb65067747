package dev.runqueue.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

/**
 * Measures runqueue against a PostgreSQL of your own and prints figures you can
 * reproduce, each beside the database's own ceiling measured with raw SQL in the same run
 * and on the same table:
 * <ol>
 * <li>the raw-SQL ceiling: claim with FOR UPDATE SKIP LOCKED and complete by UPDATE or
 * DELETE, in batches of 1 and 100, on 8 connections;</li>
 * <li>enqueue rates: one job per transaction, with and without a transaction template,
 * beside a raw INSERT; and many jobs per call;</li>
 * <li>drain rates of a worker, on one node and on several, with every job checked to run
 * exactly once;</li>
 * <li>the latency from adding a job to its handler's start, also from another
 * process;</li>
 * <li>the CPU that the JVM and PostgreSQL spent on each drain, and the job table's size
 * after it.</li>
 * </ol>
 * Each run creates a database of its own and drops it at the end. Exits with 1 when a job
 * did not run exactly once, 2 when the run could not be made; never because of a timing.
 */
public final class Benchmarks {

	private static final int[] CONCURRENCIES = { 8, 32 };

	private final BenchConfig config;

	private final PrintStream out = System.out;

	private final Map<String, Object> json = new LinkedHashMap<>();

	private final List<String> failures = new ArrayList<>();

	private Benchmarks(BenchConfig config) {
		this.config = config;
	}

	/**
	 * Runs the benchmarks.
	 * @param args options, see {@code --help}
	 */
	public static void main(String[] args) {
		BenchConfig config;
		try {
			config = BenchConfig.parse(args, System.getenv(), System.getProperties());
		}
		catch (BenchConfig.HelpRequested ex) {
			System.out.print(BenchConfig.USAGE);
			return;
		}
		catch (IllegalArgumentException ex) {
			System.err.println(ex.getMessage());
			System.err.print(BenchConfig.USAGE);
			System.exit(2);
			return;
		}
		int status;
		try {
			status = new Benchmarks(config).run();
		}
		catch (Exception ex) {
			System.err.println("The benchmark could not be run: " + ex);
			ex.printStackTrace();
			status = 2;
		}
		System.exit(status);
	}

	private int run() throws Exception {
		long started = System.nanoTime();
		this.json.put("date", OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS).toString());
		this.json.put("machine", machine());
		this.json.put("java", java());
		this.json.put("settings", this.config.describe());
		try (BenchDatabase database = BenchDatabase.create(this.config)) {
			this.json.put("postgresql", database.serverSettings());
			this.json.put("database", database.name());
			printHeader(database);

			List<RawCeiling.Result> ceiling = ceiling(database);
			double ceilingAsMigrated = bestBatched(ceiling, true);
			double ceilingWithoutTriggers = bestBatched(ceiling, false);
			Map<String, Object> reference = new LinkedHashMap<>();
			reference.put("bestBatch100AsMigratedJobsPerSecond", ceilingAsMigrated);
			reference.put("bestBatch100WithoutTriggersJobsPerSecond", ceilingWithoutTriggers);
			this.json.put("ceilingReference", reference);

			EnqueueBench.Result enqueue = enqueue(database);

			DrainBench drains = new DrainBench(database, this.config.profile());
			List<DrainBench.Result> drained = drain(drains, ceilingAsMigrated, ceilingWithoutTriggers);

			List<LatencyBench.Result> latencies = latency(database, true, "latency");

			printTargets(drained, ceilingAsMigrated, ceilingWithoutTriggers, latencies, enqueue);
		}
		double minutes = (System.nanoTime() - started) / 60e9;
		this.json.put("runMinutes", minutes);
		this.json.put("everyJobRanExactlyOnce", this.failures.isEmpty());
		this.json.put("failures", this.failures);
		writeJson();
		this.out.println();
		if (this.failures.isEmpty()) {
			this.out.printf(Locale.ROOT, "Correctness: every job ran exactly once. Run took %.1f min. Figures in %s%n",
					minutes, this.config.output().toAbsolutePath());
			return 0;
		}
		this.out.println("CORRECTNESS FAILED:");
		this.failures.forEach((failure) -> this.out.println("  - " + failure));
		return 1;
	}

	private void printHeader(BenchDatabase database) {
		Map<String, Object> pg = database.serverSettings();
		@SuppressWarnings("unchecked")
		Map<String, Object> machine = (Map<String, Object>) this.json.get("machine");
		@SuppressWarnings("unchecked")
		Map<String, Object> java = (Map<String, Object>) this.json.get("java");
		this.out.println("runqueue benchmarks, " + this.json.get("date") + (this.config.quick() ? " (quick run)" : ""));
		this.out.printf(Locale.ROOT, "Machine:    %s cores (%s), %s memory, %s, load average %s at start%n",
				machine.get("cores"), machine.get("cpu"), machine.get("memory"), machine.get("os"),
				machine.get("loadAverage"));
		this.out.printf("Java:       %s (%s)%n", java.get("version"), java.get("vm"));
		this.out.printf("PostgreSQL: %s%n", pg.get("version"));
		this.out.printf(
				"            shared_buffers=%s synchronous_commit=%s fsync=%s autovacuum=%s max_connections=%s%n",
				pg.get("shared_buffers"), pg.get("synchronous_commit"), pg.get("fsync"), pg.get("autovacuum"),
				pg.get("max_connections"));
		this.out.printf("Database:   %s, created for this run and dropped at its end%n", database.name());
		this.out.printf(Locale.ROOT,
				"Settings:   %,d jobs per drain and per ceiling variant; %d raw-SQL connections; %d nodes; "
						+ "%,d single adds per variant; %d latency samples, %d ms apart%n",
				this.config.jobs(), this.config.threads(), this.config.nodes(), this.config.singleAdds(),
				this.config.latencySamples(), this.config.latencyPauseMillis());
	}

	// 1. The database's own ceiling.
	private List<RawCeiling.Result> ceiling(BenchDatabase database) {
		section("1. Raw-SQL ceiling: " + this.config.threads() + " connections, each claiming (FOR UPDATE SKIP LOCKED,"
				+ " as runqueue does) then completing; 2 commits per batch");
		RawCeiling raw = new RawCeiling(database, this.config);
		List<RawCeiling.Result> results = new ArrayList<>();
		for (boolean triggers : new boolean[] { true, false }) {
			for (boolean delete : new boolean[] { false, true }) {
				for (int batch : new int[] { 1, 100 }) {
					progress("ceiling: " + (triggers ? "as migrated" : "triggers disabled") + ", "
							+ (delete ? "DELETE" : "UPDATE") + ", batch " + batch);
					results.add(raw.measure(triggers, delete, batch));
				}
			}
		}
		TextTable table = new TextTable("job table", "completion", "batch", "jobs", "seconds", "jobs/s",
				"PG CPU µs/job", "JVM CPU µs/job", "other load");
		for (RawCeiling.Result result : results) {
			table.row(result.table(), result.completion(), result.batch(),
					TextTable.number(result.jobs()) + (result.capped() ? "" : " (all)"),
					TextTable.decimal(result.seconds(), 2), TextTable.rate(result.rate()),
					perJob(result.usage(), result.usage().postgres(), result.jobs()),
					perJob(result.usage(), result.usage().jvm(), result.jobs()), result.usage().otherShare());
		}
		table.print(this.out);
		this.out.println("(jobs: measured after a warm-up, until the table was empty (all) or "
				+ this.config.ceilingSeconds() + " s had passed; other load: CPU of other processes on this machine,"
				+ " as a share of all its cores)");
		this.json.put("ceiling", results.stream().map(RawCeiling.Result::describe).toList());
		return results;
	}

	// 2. Enqueue rates.
	private EnqueueBench.Result enqueue(BenchDatabase database) throws Exception {
		section("2. Enqueue, from one thread");
		progress("enqueue");
		EnqueueBench.Result result = new EnqueueBench(database, this.config).run();
		TextTable table = new TextTable("how", "jobs", "jobs/s", "vs raw INSERT");
		table.row("RunQueue.add, no transaction (commits on its own)", TextTable.number(result.singleJobs()),
				TextTable.rate(result.add()), TextTable.percent(result.add() / result.rawInsert()));
		table.row("RunQueue.add in TransactionTemplate, one job per tx", TextTable.number(result.singleJobs()),
				TextTable.rate(result.addInTransaction()),
				TextTable.percent(result.addInTransaction() / result.rawInsert()));
		table.row("raw INSERT .. RETURNING id, same columns, auto-commit", TextTable.number(result.singleJobs()),
				TextTable.rate(result.rawInsert()), "100%");
		table.row("RunQueue.addAll, chunks of " + TextTable.number(EnqueueBench.CHUNK),
				TextTable.number(result.bulkJobs()), TextTable.rate(result.addAll()), "");
		table.print(this.out);
		this.out.println("(the three single-job variants take turns in 5 rounds, after 300 warm-up jobs each; other"
				+ " load meanwhile: " + result.usage().otherShare() + " of the machine)");
		this.out.println("Per job, by statement (timed at the JDBC driver, round trip included):");
		printPerJob("RunQueue.add", 1000 / result.add(), result.singleJobs(), result.profiles().get("add"));
		printPerJob("RunQueue.add in TransactionTemplate", 1000 / result.addInTransaction(), result.singleJobs(),
				result.profiles().get("addInTransaction"));
		this.out.printf(Locale.ROOT, "  %-36s %.3f ms%n", "raw INSERT", 1000 / result.rawInsert());
		printPerJob("RunQueue.addAll", 1000 / result.addAll(), result.bulkJobs(), result.profiles().get("addAll"));
		this.json.put("enqueue", result.describe());
		return result;
	}

	private void printPerJob(String what, double millisPerJob, long jobs, List<Map<String, Object>> profile) {
		StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-36s %.3f ms =", what, millisPerJob));
		double accounted = 0;
		for (Map<String, Object> row : profile) {
			double perJob = (double) row.get("totalSeconds") * 1000 / jobs;
			accounted += perJob;
			line.append(String.format(Locale.ROOT, " %s %.3f ms (%.2f per job) +", row.get("statement"), perJob,
					(long) row.get("calls") / (double) jobs));
		}
		line.append(String.format(Locale.ROOT, " rest (JVM) %.3f ms", millisPerJob - accounted));
		this.out.println(line);
	}

	// 3. and 5. Drain rates, with the resources each drain used.
	private List<DrainBench.Result> drain(DrainBench drains, double ceilingAsMigrated, double ceilingWithoutTriggers) {
		String key = "drain";
		section("3. Drain: " + TextTable.number(this.config.jobs()) + " queued no-op jobs run by runqueue's Worker");
		// Each shape before any is measured, the first with as many jobs as a measured
		// drain: on 2 cores the JIT compiler otherwise takes a second of CPU from the
		// first drains (the table of resources shows what it still takes).
		int warmup = this.config.quick() ? Math.min(this.config.jobs(), 500) : this.config.jobs();
		for (int nodes : new int[] { 1, this.config.nodes() }) {
			for (int concurrency : CONCURRENCIES) {
				progress("drain warm-up: " + nodes + " node(s) x concurrency " + concurrency + ", " + warmup + " jobs");
				DrainBench.Result warm = drains.run(nodes, concurrency, warmup);
				warm.failures().forEach((failure) -> this.failures.add("warm-up drain: " + failure));
				warmup = Math.max(100, warmup / 5);
			}
		}
		List<DrainBench.Result> results = new ArrayList<>();
		for (int nodes : new int[] { 1, this.config.nodes() }) {
			for (int concurrency : CONCURRENCIES) {
				progress(key + ": " + nodes + " node(s) x concurrency " + concurrency);
				DrainBench.Result result = drains.run(nodes, concurrency, this.config.jobs());
				result.failures().forEach((failure) -> this.failures.add(key + " " + result.label() + ": " + failure));
				results.add(result);
			}
		}
		TextTable table = new TextTable("workers", "jobs", "seconds", "jobs/s", "of ceiling as migrated",
				"of ceiling w/o triggers", "each job once", "peak running", "stale writes");
		for (DrainBench.Result result : results) {
			table.row(result.label(), TextTable.number(result.jobs()), TextTable.decimal(result.seconds(), 2),
					TextTable.rate(result.rate()), TextTable.percent(result.rate() / ceilingAsMigrated),
					TextTable.percent(result.rate() / ceilingWithoutTriggers),
					result.failures().isEmpty() ? "yes" : "NO", TextTable.number(result.peakRunning()),
					TextTable.number(result.staleWrites()));
		}
		table.print(this.out);
		this.out.printf(Locale.ROOT,
				"(ceiling = best raw-SQL batch-100 variant of this run: %s jobs/s on the job table as migrated, "
						+ "%s jobs/s with its triggers disabled; peak running: most jobs in state running at once,"
						+ " sampled every 100 ms; stale writes: outcomes fenced off because the lease had expired)%n",
				TextTable.rate(ceilingAsMigrated), TextTable.rate(ceilingWithoutTriggers));

		this.out.println();
		this.out.println("5. Resources of each drain (CPU seconds over the drain;"
				+ " PostgreSQL from /proc/<pid>/stat of its processes, see the JSON for the method)");
		TextTable resources = new TextTable("workers", "JVM CPU", "PG CPU", "machine busy", "other load", "JVM µs/job",
				"PG µs/job", "rows", "table+indexes", "heap", "live", "dead", "seq scans");
		for (DrainBench.Result result : results) {
			ResourceMeter.Usage usage = result.usage();
			Map<String, Object> t = result.table();
			@SuppressWarnings("unchecked")
			Map<String, Object> during = (Map<String, Object>) t.get("changesDuringDrain");
			resources.row(result.label(), TextTable.seconds(usage.jvm()), TextTable.seconds(usage.postgres()),
					TextTable.seconds(usage.machine()),
					TextTable.seconds(usage.other()) + " (" + usage.otherShare() + ")",
					perJob(usage.jvm(), result.jobs()), perJob(usage.postgres(), result.jobs()),
					TextTable.number((Long) t.get("rows")), TextTable.megabytes((Long) t.get("totalBytes")),
					TextTable.megabytes((Long) t.get("heapBytes")), TextTable.number((Long) t.get("liveTuples")),
					TextTable.number((Long) t.get("deadTuples")), TextTable.number((Long) during.get("seqScans")));
		}
		resources.print(this.out);
		this.out.println("(live/dead: n_live_tup/n_dead_tup of pg_stat_user_tables after the drain; seq scans: of the"
				+ " job table during the drain)");
		if (this.config.profile()) {
			printProfile(results);
		}
		this.json.put(key, results.stream().map((r) -> r.describe(ceilingAsMigrated, ceilingWithoutTriggers)).toList());
		return results;
	}

	private void printProfile(List<DrainBench.Result> results) {
		this.out.println();
		this.out.println("Where the drains spend their time: the workers' statements, timed at the JDBC driver"
				+ " (round trip included), summed over all threads");
		TextTable table = new TextTable("workers", "statement", "calls", "rows/call", "mean ms", "total s",
				"short claims");
		for (DrainBench.Result result : results) {
			for (Map<String, Object> row : result.profile()) {
				if ((double) row.get("totalSeconds") < 0.05 * result.seconds() && result.profile().indexOf(row) > 2) {
					continue;
				}
				Object requested = row.get("requested");
				table.row(result.label(), row.get("statement"), TextTable.number((Long) row.get("calls")),
						TextTable.decimal((double) row.get("rowsPerCall"), 1),
						TextTable.decimal((double) row.get("meanMillis"), 2),
						TextTable.decimal((double) row.get("totalSeconds"), 2),
						(requested != null) ? TextTable.number((Long) row.get("shortCalls")) : "");
			}
		}
		table.print(this.out);
		this.out.println("JVM CPU by thread (all nodes together), busiest first:");
		for (DrainBench.Result result : results) {
			StringBuilder line = new StringBuilder("  " + result.label() + ": ");
			for (Map.Entry<String, Double> entry : result.usage().busiestThreads(5)) {
				line.append(String.format(Locale.ROOT, "%s %.2f s; ", entry.getKey(), entry.getValue()));
			}
			this.out.println(line.toString().trim());
		}
	}

	// 4. Latency from add to handler start.
	private List<LatencyBench.Result> latency(BenchDatabase database, boolean all, String key) throws Exception {
		section((all ? "4." : "What-if 4.") + " Latency from add to handler start on an idle queue, in ms ("
				+ this.config.latencySamples() + " jobs, " + this.config.latencyPauseMillis() + " ms apart, after "
				+ LatencyBench.WARMUP + " warm-up jobs)");
		LatencyBench bench = new LatencyBench(database, this.config);
		List<LatencyBench.Result> results = new ArrayList<>();
		long finished = database.count("SELECT count(*) FROM " + BenchDatabase.JOB);
		database.vacuumAnalyze();
		String table = "job table holds " + TextTable.number(finished) + " finished jobs";
		progress(key + ": added by the worker's JVM");
		results.add(bench.run(table, false));
		if (all) {
			progress(key + ": added by another process");
			results.add(bench.run(table, true));
			database.truncateJobs();
			database.vacuumAnalyze();
			progress(key + ": added by the worker's JVM, empty job table");
			results.add(bench.run("empty job table", false));
		}
		TextTable out = new TextTable("added by", "job table", "p50", "p95", "p99", "max", "| JVM clock p50", "p99",
				"| p50 return->claim", "claim->handler", "| add() p50", "claim stmt mean", "other load");
		for (LatencyBench.Result result : results) {
			Percentiles db = result.fromInsert();
			Percentiles jvm = result.fromReturn();
			out.row(result.otherProcess() ? "another process" : "the worker's JVM", result.label(),
					TextTable.millis(db.p50()), TextTable.millis(db.p95()), TextTable.millis(db.p99()),
					TextTable.millis(db.max()), TextTable.millis(jvm.p50()), TextTable.millis(jvm.p99()),
					TextTable.millis(result.returnToClaimSent().p50()),
					TextTable.millis(result.claimSentToHandler().p50()),
					(result.addCall().count() > 0) ? TextTable.millis(result.addCall().p50()) : "",
					TextTable.millis(result.claimMillis()), result.usage().otherShare());
			if (result.missing() > 0) {
				this.failures.add(key + " (" + result.label() + "): " + result.missing() + " jobs never started");
			}
		}
		out.print(this.out);
		this.out.println("(p50..max: from the inserting statement's now() to the handler's clock_timestamp(), both by"
				+ " the database's clock, the handler's query round trip halved and taken off; JVM clock: from add()"
				+ " returning, after its commit, to the handler's first line, split at the moment the worker sent the"
				+ " claim that returned the job (return->claim: notification and wake-ups; claim->handler: the claim's"
				+ " round trip and the handoff to a handler thread); claim stmt mean: the worker's claim"
				+ " statement, round trip included, also the idle polls)");
		this.json.put(key, results.stream().map(LatencyBench.Result::describe).toList());
		return results;
	}

	private void printTargets(List<DrainBench.Result> drained, double ceilingAsMigrated, double ceilingWithoutTriggers,
			List<LatencyBench.Result> latencies, EnqueueBench.Result enqueue) {
		section("Targets (informative; the run only fails on correctness)");
		DrainBench.Result best = drained.stream().max((a, b) -> Double.compare(a.rate(), b.rate())).orElseThrow();
		TextTable table = new TextTable("target", "measured", "met");
		List<Map<String, Object>> json = new ArrayList<>();
		target(table, json, "drain >= 60% of batched raw ceiling (as migrated)",
				TextTable.percent(best.rate() / ceilingAsMigrated) + " (" + best.label() + ")",
				best.rate() >= 0.6 * ceilingAsMigrated);
		target(table, json, "drain >= 60% of batched raw ceiling (triggers disabled)",
				TextTable.percent(best.rate() / ceilingWithoutTriggers) + " (" + best.label() + ")",
				best.rate() >= 0.6 * ceilingWithoutTriggers);
		target(table, json, "drain >= 20,000 jobs/s", TextTable.rate(best.rate()) + " jobs/s", best.rate() >= 20_000);
		for (LatencyBench.Result latency : latencies) {
			String who = (latency.otherProcess() ? "another process" : "same JVM") + ", " + latency.label();
			target(table, json, "latency p50 < 3 ms (" + who + ")",
					TextTable.millis(latency.fromInsert().p50()) + " ms", latency.fromInsert().p50() < 3);
			target(table, json, "latency p99 < 25 ms (" + who + ")",
					TextTable.millis(latency.fromInsert().p99()) + " ms", latency.fromInsert().p99() < 25);
		}
		target(table, json, "addAll >= 50,000 jobs/s", TextTable.rate(enqueue.addAll()) + " jobs/s",
				enqueue.addAll() >= 50_000);
		target(table, json, "add >= 80% of a raw INSERT", TextTable.percent(enqueue.add() / enqueue.rawInsert()),
				enqueue.add() >= 0.8 * enqueue.rawInsert());
		table.print(this.out);
		this.json.put("targets", json);
	}

	private static void target(TextTable table, List<Map<String, Object>> json, String target, String measured,
			boolean met) {
		table.row(target, measured, met ? "yes" : "no");
		Map<String, Object> row = new LinkedHashMap<>();
		row.put("target", target);
		row.put("measured", measured);
		row.put("met", met);
		json.add(row);
	}

	private static double bestBatched(List<RawCeiling.Result> results, boolean triggers) {
		return results.stream()
			.filter((result) -> result.batch() == 100 && result.triggers() == triggers)
			.mapToDouble(RawCeiling.Result::rate)
			.max()
			.orElse(Double.NaN);
	}

	private static String perJob(Double seconds, long jobs) {
		return (seconds != null && jobs > 0) ? TextTable.decimal(seconds * 1e6 / jobs, 0) : "n/a";
	}

	// PostgreSQL's processes are sampled every 100 ms: a shorter interval cannot be
	// told apart from nothing.
	private static String perJob(ResourceMeter.Usage usage, Double seconds, long jobs) {
		return (usage.seconds() < 0.5) ? "n/a (too short)" : perJob(seconds, jobs);
	}

	private void section(String title) {
		this.out.println();
		this.out.println(title);
	}

	private static void progress(String what) {
		System.err.println("... " + what);
	}

	private void writeJson() throws IOException {
		Path output = this.config.output();
		if (output.getParent() != null) {
			Files.createDirectories(output.getParent());
		}
		String text = JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValueAsString(this.json);
		Files.writeString(output, text + System.lineSeparator(), StandardCharsets.UTF_8);
	}

	private static Map<String, Object> machine() {
		Map<String, Object> machine = new LinkedHashMap<>();
		machine.put("cores", Runtime.getRuntime().availableProcessors());
		machine.put("cpu", cpuModel());
		if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
			machine.put("memory", String.format(Locale.ROOT, "%.1f GB", os.getTotalMemorySize() / 1e9));
		}
		machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
				+ System.getProperty("os.arch"));
		machine.put("loadAverage", String.format(Locale.ROOT, "%.2f",
				ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
		return machine;
	}

	private static String cpuModel() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
				if (line.startsWith("model name")) {
					return line.substring(line.indexOf(':') + 1).trim();
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// not Linux
		}
		return "unknown CPU";
	}

	private static Map<String, Object> java() {
		Map<String, Object> java = new LinkedHashMap<>();
		java.put("version", System.getProperty("java.version"));
		java.put("vm", System.getProperty("java.vm.name") + ", " + System.getProperty("java.vendor"));
		java.put("maxHeap", String.format(Locale.ROOT, "%.0f MB", Runtime.getRuntime().maxMemory() / 1e6));
		return java;
	}

}
