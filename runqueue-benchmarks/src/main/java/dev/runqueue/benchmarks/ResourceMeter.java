package dev.runqueue.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Measures the CPU time spent over an interval: by this JVM (the process, and its Java
 * threads grouped by name), by PostgreSQL, and by the whole machine.
 * <p>
 * PostgreSQL's share is read from {@code /proc/<pid>/stat} (user plus system time) of the
 * server's processes, which works when the server runs on this machine and in this pid
 * namespace. A thread of the meter lists {@code pg_stat_activity} every 100 ms and reads
 * each process it sees: the backends of this run's database that carry the load (their
 * application names start with {@code rq-bench-node} or {@code rq-bench-raw}), and the
 * server's own processes (postmaster, WAL writer, checkpointer, background writer,
 * autovacuum); backends of other databases are left out. A process first seen after the
 * start counts in full; a process that ends between two looks loses its last 100 ms.
 */
final class ResourceMeter {

	private static final long SAMPLE_MILLIS = 100;

	private static final double TICKS_PER_SECOND = clockTicks();

	private final BenchDatabase database;

	private final long startNanos;

	private final long startProcessCpu;

	private final Map<Long, ThreadCpu> startThreads;

	private final long[] startMachine;

	private final Map<String, Long> startVmThreads;

	private final Map<Integer, ProcessCpu> processes = new HashMap<>();

	private final Thread sampler;

	private volatile boolean sampling = true;

	private volatile String postgresUnavailable;

	private volatile boolean looked;

	private ResourceMeter(BenchDatabase database) {
		this.database = database;
		this.sampler = new Thread(this::sample, "rq-bench-cpu-sampler");
		this.sampler.setDaemon(true);
		this.startMachine = machineTicks();
		this.startThreads = threads();
		this.startVmThreads = vmThreads();
		this.startProcessCpu = processCpu();
		this.startNanos = System.nanoTime();
	}

	static ResourceMeter start(BenchDatabase database) {
		ResourceMeter meter = new ResourceMeter(database);
		meter.sampler.start();
		// The first look sets every process's starting point.
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
		while (meter.firstLookPending() && System.nanoTime() < deadline) {
			BenchDatabase.sleep(2);
		}
		return meter;
	}

	private boolean firstLookPending() {
		return !this.looked && this.postgresUnavailable == null;
	}

	/**
	 * Ends the interval.
	 * @return what was spent
	 */
	Usage stop() {
		long elapsed = System.nanoTime() - this.startNanos;
		long processCpu = processCpu() - this.startProcessCpu;
		Map<Long, ThreadCpu> endThreads = threads();
		Map<String, Long> endVmThreads = vmThreads();
		long[] endMachine = machineTicks();
		this.sampling = false;
		try {
			this.sampler.join(2000);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		Map<String, Double> byGroup = new TreeMap<>();
		long javaThreads = 0;
		for (Map.Entry<Long, ThreadCpu> end : endThreads.entrySet()) {
			ThreadCpu start = this.startThreads.get(end.getKey());
			long spent = end.getValue().nanos() - ((start != null) ? start.nanos() : 0);
			if (spent <= 0) {
				continue;
			}
			javaThreads += spent;
			byGroup.merge(group(end.getValue().name()), spent / 1e9, Double::sum);
		}
		long vmThreads = 0;
		for (Map.Entry<String, Long> end : endVmThreads.entrySet()) {
			long spent = end.getValue() - this.startVmThreads.getOrDefault(end.getKey(), 0L);
			if (spent > 0) {
				vmThreads += spent;
				byGroup.put(end.getKey(), spent / 1e9);
			}
		}
		byGroup.put("(other VM threads, and Java threads that ended)",
				Math.max(0, processCpu - javaThreads - vmThreads) / 1e9);
		Double load = null;
		Double server = null;
		if (this.postgresUnavailable == null) {
			double loadTicks = 0;
			double serverTicks = 0;
			synchronized (this.processes) {
				for (ProcessCpu process : this.processes.values()) {
					long spent = process.last - process.first;
					if (process.category == Category.LOAD) {
						loadTicks += spent;
					}
					else if (process.category == Category.SERVER) {
						serverTicks += spent;
					}
				}
			}
			load = loadTicks / TICKS_PER_SECOND;
			server = serverTicks / TICKS_PER_SECOND;
		}
		Double machineBusy = null;
		if (this.startMachine != null && endMachine != null) {
			machineBusy = (endMachine[0] - this.startMachine[0]) / TICKS_PER_SECOND;
		}
		return new Usage(elapsed / 1e9, processCpu / 1e9, byGroup, load, server, machineBusy, this.postgresUnavailable);
	}

	private void sample() {
		try (Connection connection = this.database.connect("rq-bench-cpu-sampler");
				PreparedStatement activity = connection
					.prepareStatement("SELECT pid, datname, backend_type, application_name FROM pg_stat_activity")) {
			Integer postmaster = null;
			boolean first = true;
			while (this.sampling || first) {
				try (ResultSet rs = activity.executeQuery()) {
					while (rs.next()) {
						int pid = rs.getInt(1);
						Category category = categorize(rs.getString(2), rs.getString(3), rs.getString(4));
						if (category != null) {
							look(pid, category, first);
						}
						if (postmaster == null) {
							postmaster = parentOf(pid);
							if (postmaster != null) {
								look(postmaster, Category.SERVER, first);
							}
						}
					}
				}
				if (postmaster != null) {
					look(postmaster, Category.SERVER, first);
				}
				if (first && this.processes.isEmpty()) {
					this.postgresUnavailable = "PostgreSQL's processes are not visible in /proc on this machine";
					return;
				}
				first = false;
				this.looked = true;
				if (this.sampling) {
					Thread.sleep(SAMPLE_MILLIS);
				}
			}
		}
		catch (SQLException | RuntimeException ex) {
			this.postgresUnavailable = "could not list PostgreSQL's processes: " + ex.getMessage();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private Category categorize(String database, String backendType, String application) {
		if (this.database.name().equals(database) && "client backend".equals(backendType)) {
			return (application != null
					&& (application.startsWith("rq-bench-node") || application.startsWith("rq-bench-raw")
							|| application.startsWith("rq-bench-enqueue") || application.startsWith("rq-bench-adder")))
									? Category.LOAD : null;
		}
		if (backendType != null && !backendType.equals("client backend")) {
			return Category.SERVER;
		}
		return null;
	}

	private void look(int pid, Category category, boolean first) {
		long ticks = ticks(pid);
		if (ticks < 0) {
			return;
		}
		synchronized (this.processes) {
			ProcessCpu process = this.processes.get(pid);
			if (process == null) {
				// Seen at the start: counts from here. Seen later: it started meanwhile.
				process = new ProcessCpu(category, first ? ticks : 0);
				this.processes.put(pid, process);
			}
			process.last = Math.max(process.last, ticks);
		}
	}

	// utime + stime of a PostgreSQL process, in clock ticks; -1 if it is not one.
	private static long ticks(int pid) {
		String[] fields = stat(pid);
		if (fields == null) {
			return -1;
		}
		return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
	}

	private static Integer parentOf(int pid) {
		String[] fields = stat(pid);
		return (fields != null) ? Integer.valueOf(fields[1]) : null;
	}

	// The fields of /proc/<pid>/stat after the command name, from field 3 (state) on.
	private static String[] stat(int pid) {
		try {
			String comm = Files.readString(Path.of("/proc", String.valueOf(pid), "comm"), StandardCharsets.UTF_8)
				.trim();
			if (!comm.startsWith("postgres") && !comm.startsWith("postmaster")) {
				return null;
			}
			String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"), StandardCharsets.UTF_8);
			return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
	}

	// Busy ticks of the whole machine (all but idle and iowait), or null without /proc.
	private static long[] machineTicks() {
		try {
			String line = Files.readAllLines(Path.of("/proc/stat"), StandardCharsets.UTF_8).get(0);
			String[] fields = line.trim().split("\\s+");
			long busy = 0;
			for (int i = 1; i < Math.min(fields.length, 9); i++) {
				if (i != 4 && i != 5) {
					busy += Long.parseLong(fields[i]);
				}
			}
			return new long[] { busy };
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
	}

	private static double clockTicks() {
		try {
			Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
			String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
			if (getconf.waitFor(5, TimeUnit.SECONDS) && getconf.exitValue() == 0) {
				return Double.parseDouble(out);
			}
		}
		catch (IOException | RuntimeException ex) {
			// the usual value below
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		return 100;
	}

	private static long processCpu() {
		if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
			return os.getProcessCpuTime();
		}
		return 0;
	}

	private static Map<Long, ThreadCpu> threads() {
		ThreadMXBean bean = ManagementFactory.getThreadMXBean();
		Map<Long, ThreadCpu> threads = new HashMap<>();
		if (!bean.isThreadCpuTimeSupported()) {
			return threads;
		}
		long[] ids = bean.getAllThreadIds();
		ThreadInfo[] infos = bean.getThreadInfo(ids);
		for (int i = 0; i < ids.length; i++) {
			long cpu = bean.getThreadCpuTime(ids[i]);
			if (infos[i] != null && cpu >= 0) {
				threads.put(ids[i], new ThreadCpu(infos[i].getThreadName(), cpu));
			}
		}
		return threads;
	}

	// CPU of the JVM's own compiler and garbage collector threads, from
	// /proc/self/task/<tid>/stat (user plus system time), by kind; empty without /proc.
	private static Map<String, Long> vmThreads() {
		Map<String, Long> byKind = new TreeMap<>();
		try (var tasks = Files.list(Path.of("/proc/self/task"))) {
			for (Path task : (Iterable<Path>) tasks::iterator) {
				String kind = vmThreadKind(Files.readString(task.resolve("comm"), StandardCharsets.UTF_8).trim());
				if (kind == null) {
					continue;
				}
				String stat = Files.readString(task.resolve("stat"), StandardCharsets.UTF_8);
				String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
				long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
				byKind.merge(kind, (long) (ticks / TICKS_PER_SECOND * 1e9), Long::sum);
			}
		}
		catch (IOException | RuntimeException ex) {
			return Map.of();
		}
		return byKind;
	}

	private static String vmThreadKind(String comm) {
		if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
			return "(JIT compiler threads)";
		}
		if (comm.startsWith("GC Thread") || comm.startsWith("G1 ") || comm.startsWith("VM Thread")) {
			return "(GC threads and the VM thread)";
		}
		return null;
	}

	// Threads of one kind add up: runqueue-bench-1 .. -32, and the same thread of each
	// node.
	static String group(String threadName) {
		return threadName.replaceAll("[0-9]+", "#");
	}

	private enum Category {

		LOAD, SERVER

	}

	private static final class ProcessCpu {

		final Category category;

		final long first;

		long last;

		ProcessCpu(Category category, long first) {
			this.category = category;
			this.first = first;
			this.last = first;
		}

	}

	private record ThreadCpu(String name, long nanos) {

	}

	/**
	 * CPU spent over an interval, in seconds.
	 *
	 * @param seconds the interval's length
	 * @param jvm this JVM's process
	 * @param jvmThreads this JVM's time by group of threads
	 * @param postgresLoad PostgreSQL's backends that served the measured load, or
	 * {@code null} when not measurable
	 * @param postgresServer PostgreSQL's own processes, or {@code null}
	 * @param machine the whole machine (all processes, all cores), or {@code null}
	 * @param postgresUnavailable why PostgreSQL's share is missing, or {@code null}
	 */
	record Usage(double seconds, double jvm, Map<String, Double> jvmThreads, Double postgresLoad, Double postgresServer,
			Double machine, String postgresUnavailable) {

		Double postgres() {
			return (this.postgresLoad != null) ? this.postgresLoad + this.postgresServer : null;
		}

		/**
		 * CPU that neither this JVM nor PostgreSQL's measured processes spent: the rest
		 * of the machine's load, which makes the figures noisy.
		 * @return the seconds, or {@code null} when not measurable
		 */
		Double other() {
			return (this.machine != null && postgres() != null) ? Math.max(0, this.machine - this.jvm - postgres())
					: null;
		}

		/**
		 * {@link #other()} as a share of what the machine's cores could do meanwhile.
		 * @return the text, such as {@code 12%}
		 */
		String otherShare() {
			Double other = other();
			return (other != null)
					? TextTable
						.percent(other / (Runtime.getRuntime().availableProcessors() * Math.max(this.seconds, 1e-9)))
					: "n/a";
		}

		Map<String, Object> describe(long jobs) {
			Map<String, Object> map = new LinkedHashMap<>();
			map.put("seconds", this.seconds);
			map.put("jvmCpuSeconds", this.jvm);
			map.put("jvmCpuMicrosPerJob", this.jvm * 1e6 / jobs);
			map.put("postgresBackendsCpuSeconds", this.postgresLoad);
			map.put("postgresServerProcessesCpuSeconds", this.postgresServer);
			map.put("postgresCpuMicrosPerJob", (postgres() != null) ? postgres() * 1e6 / jobs : null);
			map.put("machineBusyCpuSeconds", this.machine);
			map.put("otherProcessesCpuSeconds", other());
			map.put("postgresCpuMethod", (this.postgresUnavailable != null) ? "n/a: " + this.postgresUnavailable
					: "/proc/<pid>/stat utime+stime of this run's load backends (pg_stat_activity, by application_name)"
							+ " plus postmaster and server background processes, sampled every 100 ms");
			map.put("jvmThreadsCpuSeconds", this.jvmThreads);
			return map;
		}

		List<Map.Entry<String, Double>> busiestThreads(int limit) {
			return this.jvmThreads.entrySet()
				.stream()
				.sorted(Map.Entry.<String, Double>comparingByValue().reversed())
				.limit(limit)
				.toList();
		}

	}

}
