package dev.runqueue.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import dev.runqueue.FlowControl;
import dev.runqueue.JsonCodec;
import dev.runqueue.TopicSettings;
import dev.runqueue.maintenance.MaintenanceSettings;
import dev.runqueue.retry.Backoff;
import dev.runqueue.retry.RetryPolicy;
import dev.runqueue.schedule.MissedRuns;
import dev.runqueue.schedule.RecurringJob;
import dev.runqueue.schedule.Schedule;
import dev.runqueue.worker.WorkerSettings;

/**
 * How a {@link NodeMain} process runs: the test builds the options, they travel to the
 * process as system properties ({@code -Dfaultnode.<key>=<value>}), and the process reads
 * them back. Durations are in milliseconds.
 */
final class NodeOptions {

	static final String PREFIX = "faultnode.";

	// One key per recurring job:
	// recurring.<name>=<topic>|<schedule>|<maxRuns>|<missed>|<payload>
	private static final String RECURRING = "recurring.";

	private static final Map<String, String> DEFAULTS = defaults();

	private final Map<String, String> values;

	private NodeOptions(Map<String, String> values) {
		this.values = values;
	}

	private static Map<String, String> defaults() {
		Map<String, String> defaults = new LinkedHashMap<>();
		defaults.put("topic", "t");
		defaults.put("concurrency", "4");
		defaults.put("pollMs", "200");
		defaults.put("leaseMs", "2000");
		defaults.put("heartbeatMs", "500");
		defaults.put("graceMs", "1000");
		defaults.put("maintenanceMs", "500");
		defaults.put("maxRescues", String.valueOf(MaintenanceSettings.DEFAULT_MAX_RESCUES));
		defaults.put("timeoutMs", "0");
		defaults.put("maxAttempts", "10");
		defaults.put("maxTimeouts", String.valueOf(RetryPolicy.DEFAULT_MAX_TIMEOUTS));
		defaults.put("backoffMs", "200");
		defaults.put("poolSize", "10");
		defaults.put("connectionTimeoutMs", "3000");
		defaults.put("modes", String.join(",", Behavior.MODES));
		defaults.put("transactional", "false");
		defaults.put("fifo", "false");
		defaults.put("groupConcurrency", "0");
		return defaults;
	}

	/**
	 * Options for a node of the given database, every other option at its default.
	 * @param name the node's name
	 * @param jdbcUrl the database
	 * @param user the user
	 * @param password the password
	 * @return the options
	 */
	static NodeOptions node(String name, String jdbcUrl, String user, String password) {
		Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
		values.put("name", name);
		values.put("jdbcUrl", jdbcUrl);
		values.put("user", user);
		values.put("password", password);
		return new NodeOptions(values);
	}

	/**
	 * The options a node process was started with.
	 * @param properties the process's system properties
	 * @return the options
	 */
	static NodeOptions fromSystemProperties(Properties properties) {
		Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
		for (String key : properties.stringPropertyNames()) {
			if (key.startsWith(PREFIX)) {
				values.put(key.substring(PREFIX.length()), properties.getProperty(key));
			}
		}
		for (String required : List.of("name", "jdbcUrl", "user")) {
			if (!values.containsKey(required)) {
				throw new IllegalArgumentException("Missing system property " + PREFIX + required);
			}
		}
		return new NodeOptions(values);
	}

	/**
	 * A copy with another name, every other option the same.
	 * @param name the name
	 * @return the copy
	 */
	NodeOptions named(String name) {
		return with("name", name);
	}

	NodeOptions topic(String topic) {
		return with("topic", topic);
	}

	NodeOptions concurrency(int concurrency) {
		return with("concurrency", concurrency);
	}

	NodeOptions lease(Duration lease, Duration heartbeat) {
		return with("leaseMs", lease.toMillis()).with("heartbeatMs", heartbeat.toMillis());
	}

	NodeOptions poll(Duration poll) {
		return with("pollMs", poll.toMillis());
	}

	NodeOptions grace(Duration grace) {
		return with("graceMs", grace.toMillis());
	}

	NodeOptions maintenance(Duration interval, int maxRescues) {
		return with("maintenanceMs", interval.toMillis()).with("maxRescues", maxRescues);
	}

	NodeOptions timeout(Duration timeout, int maxTimeouts) {
		return with("timeoutMs", timeout.toMillis()).with("maxTimeouts", maxTimeouts);
	}

	NodeOptions transactional(boolean transactional) {
		return with("transactional", transactional);
	}

	/**
	 * A copy whose topic runs one job at a time across the cluster, in insertion order.
	 * @return the copy
	 */
	NodeOptions fifo() {
		return with("fifo", true);
	}

	/**
	 * A copy whose topic runs at most so many jobs of one group at once across the
	 * cluster.
	 * @param groupConcurrency the limit
	 * @return the copy
	 */
	NodeOptions groupConcurrency(int groupConcurrency) {
		return with("groupConcurrency", groupConcurrency);
	}

	/**
	 * A copy that declares a recurring job, as configuration would: the node brings the
	 * schedule table up to date with it when it becomes the leader. Its schedule is a
	 * fixed interval or a cron expression, its payload a {@link Behavior}, and it starts
	 * when the schedule is stored.
	 * @param job the recurring job
	 * @return the copy
	 */
	NodeOptions recurring(RecurringJob job) {
		if (job.name().contains("|") || job.startAt() != null) {
			throw new IllegalArgumentException("Unsupported recurring job for a node: " + job);
		}
		String schedule;
		if (job.schedule() instanceof Schedule.Every every) {
			schedule = "every:" + every.interval().toMillis();
		}
		else if (job.schedule() instanceof Schedule.Cron cron) {
			schedule = "cron:" + cron.zone().getId() + ":" + cron.expression();
		}
		else {
			throw new IllegalArgumentException("Unsupported schedule for a node: " + job.schedule());
		}
		String payload = new JsonCodec().write((Behavior) job.payload());
		return with(RECURRING + job.name(), String.join("|", job.topic(), schedule,
				(job.maxRuns() != null) ? job.maxRuns().toString() : "", job.missed().column(), payload));
	}

	NodeOptions backoff(Duration backoff) {
		return with("backoffMs", backoff.toMillis());
	}

	NodeOptions pool(int poolSize, Duration connectionTimeout) {
		return with("poolSize", poolSize).with("connectionTimeoutMs", connectionTimeout.toMillis());
	}

	/**
	 * A copy whose handler writes the ledger to another database than the jobs'.
	 * @param jdbcUrl the ledger's database
	 * @param user the user
	 * @param password the password
	 * @return the copy
	 */
	NodeOptions ledger(String jdbcUrl, String user, String password) {
		return with("ledgerJdbcUrl", jdbcUrl).with("ledgerUser", user).with("ledgerPassword", password);
	}

	/**
	 * A copy that runs only the given modes; a job of another mode just succeeds.
	 * @param modes the modes
	 * @return the copy
	 */
	NodeOptions modes(String... modes) {
		return with("modes", String.join(",", modes));
	}

	private NodeOptions with(String key, Object value) {
		Map<String, String> copy = new LinkedHashMap<>(this.values);
		copy.put(key, String.valueOf(value));
		return new NodeOptions(copy);
	}

	/**
	 * The options as JVM arguments for the node's process.
	 * @return {@code -D} arguments
	 */
	List<String> jvmArguments() {
		List<String> arguments = new ArrayList<>();
		this.values.forEach((key, value) -> arguments.add("-D" + PREFIX + key + "=" + value));
		return arguments;
	}

	String name() {
		return this.values.get("name");
	}

	String jdbcUrl() {
		return this.values.get("jdbcUrl");
	}

	String user() {
		return this.values.get("user");
	}

	String password() {
		return this.values.getOrDefault("password", "");
	}

	String ledgerJdbcUrl() {
		return this.values.getOrDefault("ledgerJdbcUrl", jdbcUrl());
	}

	String ledgerUser() {
		return this.values.getOrDefault("ledgerUser", user());
	}

	String ledgerPassword() {
		return this.values.getOrDefault("ledgerPassword", password());
	}

	int concurrency() {
		return integer("concurrency");
	}

	int poolSize() {
		return integer("poolSize");
	}

	Duration connectionTimeout() {
		return millis("connectionTimeoutMs");
	}

	Duration lease() {
		return millis("leaseMs");
	}

	Duration heartbeat() {
		return millis("heartbeatMs");
	}

	Duration poll() {
		return millis("pollMs");
	}

	Duration grace() {
		return millis("graceMs");
	}

	Duration maintenanceInterval() {
		return millis("maintenanceMs");
	}

	int maxRescues() {
		return integer("maxRescues");
	}

	Set<String> modes() {
		return new LinkedHashSet<>(Arrays.asList(this.values.get("modes").split(",")));
	}

	WorkerSettings workerSettings() {
		return new WorkerSettings(name(), poll(), lease(), heartbeat(), grace(), false);
	}

	MaintenanceSettings maintenanceSettings() {
		return MaintenanceSettings.DEFAULT.withInterval(maintenanceInterval()).withMaxRescues(maxRescues());
	}

	TopicSettings topicSettings() {
		RetryPolicy retry = new RetryPolicy(integer("maxAttempts"), Backoff.fixed(millis("backoffMs")), true,
				integer("maxTimeouts"));
		Duration timeout = millis("timeoutMs");
		FlowControl flow = FlowControl.NONE;
		if (Boolean.parseBoolean(this.values.get("fifo"))) {
			flow = flow.asFifo();
		}
		if (integer("groupConcurrency") > 0) {
			flow = flow.withGroupConcurrency(integer("groupConcurrency"));
		}
		return TopicSettings.named(this.values.get("topic"))
			.withConcurrency(concurrency())
			.withTransactional(Boolean.parseBoolean(this.values.get("transactional")))
			.withRetryPolicy(retry)
			.withTimeout(timeout.isZero() ? null : timeout)
			.withFlowControl(flow);
	}

	/**
	 * The recurring jobs the node declares, with their payloads as {@link Behavior}s.
	 * @return the recurring jobs
	 */
	List<RecurringJob> recurringJobs() {
		List<RecurringJob> jobs = new ArrayList<>();
		this.values.forEach((key, value) -> {
			if (key.startsWith(RECURRING)) {
				String[] parts = value.split("\\|", 5);
				String[] schedule = parts[1].split(":", 3);
				Schedule when = schedule[0].equals("every")
						? Schedule.every(Duration.ofMillis(Long.parseLong(schedule[1])))
						: Schedule.cron(schedule[2], Schedule.Cron.zone(schedule[1]));
				RecurringJob job = RecurringJob
					.of(key.substring(RECURRING.length()), parts[0], new JsonCodec().read(parts[4], Behavior.class),
							when)
					.onMissed(MissedRuns.ofColumn(parts[3]));
				jobs.add(parts[2].isEmpty() ? job : job.limit(Integer.parseInt(parts[2])));
			}
		});
		return jobs;
	}

	private int integer(String key) {
		return Integer.parseInt(this.values.get(key));
	}

	private Duration millis(String key) {
		return Duration.ofMillis(Long.parseLong(this.values.get(key)));
	}

}
