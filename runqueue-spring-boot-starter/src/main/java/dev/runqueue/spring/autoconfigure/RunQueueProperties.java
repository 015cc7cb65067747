package dev.runqueue.spring.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import dev.runqueue.ExecutionSettings;
import dev.runqueue.InvalidSettingException;
import dev.runqueue.JobDefaults;
import dev.runqueue.TopicSettings;
import dev.runqueue.UniqueScope;
import dev.runqueue.maintenance.MaintenanceSettings;
import dev.runqueue.retry.RetryPolicy;
import dev.runqueue.store.TableNames;
import dev.runqueue.worker.WorkerSettings;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Configuration properties of runqueue. Each value is checked when it is bound, by the
 * same rules as the engine's own settings, so that a bad value fails start-up with the
 * property's name.
 */
@ConfigurationProperties("runqueue")
public class RunQueueProperties implements Validator {

	/**
	 * Whether to enable runqueue: adding jobs, running them, and migrating its tables.
	 */
	private boolean enabled = true;

	/**
	 * Whether every topic that has a handler must also be declared under runqueue.topics.
	 * When false, a handler's topic without a declaration runs with the defaults.
	 */
	private boolean requireDeclaredTopics = false;

	private final Database database = new Database();

	private final Migrations migrations = new Migrations();

	private final Worker worker = new Worker();

	private final Maintenance maintenance = new Maintenance();

	/**
	 * Topics by name, each with the defaults of its jobs and how they run.
	 */
	private Map<String, Topic> topics = new LinkedHashMap<>();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public boolean isRequireDeclaredTopics() {
		return this.requireDeclaredTopics;
	}

	public void setRequireDeclaredTopics(boolean requireDeclaredTopics) {
		this.requireDeclaredTopics = requireDeclaredTopics;
	}

	public Database getDatabase() {
		return this.database;
	}

	public Migrations getMigrations() {
		return this.migrations;
	}

	public Worker getWorker() {
		return this.worker;
	}

	public Maintenance getMaintenance() {
		return this.maintenance;
	}

	public Map<String, Topic> getTopics() {
		return this.topics;
	}

	public void setTopics(Map<String, Topic> topics) {
		this.topics = topics;
	}

	@Override
	public boolean supports(Class<?> type) {
		return RunQueueProperties.class.isAssignableFrom(type);
	}

	@Override
	public void validate(Object target, Errors errors) {
		RunQueueProperties properties = (RunQueueProperties) target;
		check(errors, "database", properties.database::toTableNames);
		check(errors, "worker", () -> properties.worker.toSettings(false));
		check(errors, "maintenance", properties.maintenance::toSettings);
		properties.topics.forEach((name, topic) -> {
			try {
				TopicSettings.requireValidName(name);
			}
			catch (InvalidSettingException ex) {
				errors.rejectValue("topics", "invalid", "topic name " + ex.rule() + ", but was '" + name + "'");
				return;
			}
			check(errors, "topics[" + name + "]", () -> topic.toSettings(name));
		});
	}

	private static void check(Errors errors, String path, Supplier<?> conversion) {
		try {
			conversion.get();
		}
		catch (InvalidSettingException ex) {
			errors.rejectValue(path + "." + ex.setting(), "invalid", ex.rule());
		}
	}

	/**
	 * Where runqueue's tables are.
	 */
	public static class Database {

		/**
		 * Schema of runqueue's tables. The connection's current schema when not set;
		 * created by the migrations when it does not exist.
		 */
		private String schema;

		/**
		 * Prefix of runqueue's table, function and notification channel names.
		 */
		private String tablePrefix = "runqueue_";

		public String getSchema() {
			return this.schema;
		}

		public void setSchema(String schema) {
			this.schema = schema;
		}

		public String getTablePrefix() {
			return this.tablePrefix;
		}

		public void setTablePrefix(String tablePrefix) {
			this.tablePrefix = tablePrefix;
		}

		TableNames toTableNames() {
			String schemaName = (this.schema != null && !this.schema.isEmpty()) ? this.schema : null;
			return new TableNames(schemaName, this.tablePrefix);
		}

	}

	/**
	 * How runqueue's schema is kept up to date.
	 */
	public static class Migrations {

		/**
		 * Whether to apply runqueue's migrations at start-up, with a Flyway of its own
		 * and its own history table. Turn off when the schema is applied by other means.
		 */
		private boolean enabled = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

	/**
	 * How this node runs jobs.
	 */
	public static class Worker {

		/**
		 * Whether this node runs jobs. When false, it only adds them.
		 */
		private boolean enabled = true;

		/**
		 * Name this node claims jobs under, unique in the cluster. Made of the host name,
		 * the process id and a random part when not set.
		 */
		private String nodeName;

		/**
		 * How often each topic looks for jobs when no notification came, and the longest
		 * wait before a scheduled job becomes runnable.
		 */
		private Duration pollInterval = Duration.ofSeconds(1);

		/**
		 * How long a claim, or its last renewal, holds a job before another node may take
		 * it back. A node that dies loses its jobs to other nodes this long after its
		 * last renewal.
		 */
		private Duration leaseDuration = Duration.ofSeconds(30);

		/**
		 * How often the node renews the leases of the jobs it runs and records its
		 * heartbeat; at most half the lease.
		 */
		private Duration heartbeatInterval = Duration.ofSeconds(10);

		/**
		 * How long running jobs may take to finish when the node stops, before they are
		 * interrupted and released to other nodes. Keep it below
		 * spring.lifecycle.timeout-per-shutdown-phase.
		 */
		private Duration shutdownGracePeriod = Duration.ofSeconds(20);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public String getNodeName() {
			return this.nodeName;
		}

		public void setNodeName(String nodeName) {
			this.nodeName = nodeName;
		}

		public Duration getPollInterval() {
			return this.pollInterval;
		}

		public void setPollInterval(Duration pollInterval) {
			this.pollInterval = pollInterval;
		}

		public Duration getLeaseDuration() {
			return this.leaseDuration;
		}

		public void setLeaseDuration(Duration leaseDuration) {
			this.leaseDuration = leaseDuration;
		}

		public Duration getHeartbeatInterval() {
			return this.heartbeatInterval;
		}

		public void setHeartbeatInterval(Duration heartbeatInterval) {
			this.heartbeatInterval = heartbeatInterval;
		}

		public Duration getShutdownGracePeriod() {
			return this.shutdownGracePeriod;
		}

		public void setShutdownGracePeriod(Duration shutdownGracePeriod) {
			this.shutdownGracePeriod = shutdownGracePeriod;
		}

		WorkerSettings toSettings(boolean virtualThreads) {
			String name = (this.nodeName != null) ? this.nodeName : WorkerSettings.defaultNodeName();
			return new WorkerSettings(name, this.pollInterval, this.leaseDuration, this.heartbeatInterval,
					this.shutdownGracePeriod, virtualThreads);
		}

	}

	/**
	 * The cluster's maintenance, which the leader node runs.
	 */
	public static class Maintenance {

		/**
		 * How often the leader takes back jobs whose leases expired, and how often each
		 * node checks whether it should lead. The leader's own lease lasts three
		 * intervals.
		 */
		private Duration interval = Duration.ofSeconds(10);

		/**
		 * How many times a job may be taken back from a node whose lease on it expired
		 * before it is quarantined as failed: a job that keeps killing its nodes.
		 */
		private int maxRescues = 3;

		/**
		 * How long a stopped or dead node stays in the cluster view.
		 */
		private Duration nodeRetention = Duration.ofHours(24);

		public Duration getInterval() {
			return this.interval;
		}

		public void setInterval(Duration interval) {
			this.interval = interval;
		}

		public int getMaxRescues() {
			return this.maxRescues;
		}

		public void setMaxRescues(int maxRescues) {
			this.maxRescues = maxRescues;
		}

		public Duration getNodeRetention() {
			return this.nodeRetention;
		}

		public void setNodeRetention(Duration nodeRetention) {
			this.nodeRetention = nodeRetention;
		}

		MaintenanceSettings toSettings() {
			return new MaintenanceSettings(this.interval, this.maxRescues, this.nodeRetention);
		}

	}

	/**
	 * A topic: the defaults of its jobs and how they run.
	 */
	public static class Topic {

		/**
		 * Priority of the topic's jobs; smaller runs first.
		 */
		private int priority = 1000;

		/**
		 * How long after being added a job becomes runnable.
		 */
		private Duration delay = Duration.ZERO;

		/**
		 * Unique key of every job of the topic, which makes the topic a singleton: at
		 * most one live job at a time.
		 */
		private String uniqueKey;

		/**
		 * How long a unique key blocks other jobs with the same key: while the job is
		 * live, or as long as it is retained.
		 */
		private UniqueScope uniqueScope = UniqueScope.LIVE;

		/**
		 * Group key of every job of the topic.
		 */
		private String group;

		/**
		 * Attempts a job has, counting the first.
		 */
		private int maxAttempts = 10;

		/**
		 * How long the handler may run on a job before it is cancelled (its JobContext
		 * says so and its thread is interrupted) and the attempt counts as timed out. No
		 * limit when not set; a job's own timeout wins.
		 */
		private Duration timeout;

		/**
		 * How many times a job may time out; it fails for good when it times out this
		 * many times. Timeouts do not use the job's attempts.
		 */
		private int maxTimeouts = 3;

		private final Backoff backoff = new Backoff();

		/**
		 * Whether jobs that failed before run after fresh jobs of the same priority.
		 */
		private boolean freshFirst = true;

		/**
		 * How many of the topic's jobs one node runs at a time.
		 */
		private int concurrency = 10;

		/**
		 * Whether the handler runs in a transaction that also records the job's success,
		 * so that the handler's database work and the job's completion commit or roll
		 * back together.
		 */
		private boolean transactional = false;

		public int getPriority() {
			return this.priority;
		}

		public void setPriority(int priority) {
			this.priority = priority;
		}

		public Duration getDelay() {
			return this.delay;
		}

		public void setDelay(Duration delay) {
			this.delay = delay;
		}

		public String getUniqueKey() {
			return this.uniqueKey;
		}

		public void setUniqueKey(String uniqueKey) {
			this.uniqueKey = uniqueKey;
		}

		public UniqueScope getUniqueScope() {
			return this.uniqueScope;
		}

		public void setUniqueScope(UniqueScope uniqueScope) {
			this.uniqueScope = uniqueScope;
		}

		public String getGroup() {
			return this.group;
		}

		public void setGroup(String group) {
			this.group = group;
		}

		public int getMaxAttempts() {
			return this.maxAttempts;
		}

		public void setMaxAttempts(int maxAttempts) {
			this.maxAttempts = maxAttempts;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		public int getMaxTimeouts() {
			return this.maxTimeouts;
		}

		public void setMaxTimeouts(int maxTimeouts) {
			this.maxTimeouts = maxTimeouts;
		}

		public Backoff getBackoff() {
			return this.backoff;
		}

		public boolean isFreshFirst() {
			return this.freshFirst;
		}

		public void setFreshFirst(boolean freshFirst) {
			this.freshFirst = freshFirst;
		}

		public int getConcurrency() {
			return this.concurrency;
		}

		public void setConcurrency(int concurrency) {
			this.concurrency = concurrency;
		}

		public boolean isTransactional() {
			return this.transactional;
		}

		public void setTransactional(boolean transactional) {
			this.transactional = transactional;
		}

		TopicSettings toSettings(String name) {
			JobDefaults jobDefaults = new JobDefaults(this.priority, this.delay, this.uniqueKey, this.uniqueScope,
					this.group);
			dev.runqueue.retry.Backoff backoffSettings;
			try {
				backoffSettings = this.backoff.toBackoff();
			}
			catch (InvalidSettingException ex) {
				throw ex.within("backoff");
			}
			RetryPolicy retryPolicy = new RetryPolicy(this.maxAttempts, backoffSettings, this.freshFirst,
					this.maxTimeouts);
			ExecutionSettings execution = new ExecutionSettings(this.concurrency, this.transactional, this.timeout);
			return new TopicSettings(name, jobDefaults, retryPolicy, execution);
		}

	}

	/**
	 * The wait between a job's attempts: exponential, with jitter.
	 */
	public static class Backoff {

		/**
		 * Wait after the first failure.
		 */
		private Duration initial = Duration.ofSeconds(1);

		/**
		 * Factor between one wait and the next, at least 1.
		 */
		private double multiplier = 2.0;

		/**
		 * Longest wait.
		 */
		private Duration max = Duration.ofHours(1);

		/**
		 * Random spread of each wait, as a fraction of it from 0 to 1.
		 */
		private double jitter = 0.2;

		public Duration getInitial() {
			return this.initial;
		}

		public void setInitial(Duration initial) {
			this.initial = initial;
		}

		public double getMultiplier() {
			return this.multiplier;
		}

		public void setMultiplier(double multiplier) {
			this.multiplier = multiplier;
		}

		public Duration getMax() {
			return this.max;
		}

		public void setMax(Duration max) {
			this.max = max;
		}

		public double getJitter() {
			return this.jitter;
		}

		public void setJitter(double jitter) {
			this.jitter = jitter;
		}

		dev.runqueue.retry.Backoff toBackoff() {
			return new dev.runqueue.retry.Backoff(this.initial, this.multiplier, this.max, this.jitter);
		}

	}

}
