package dev.runqueue.spring.autoconfigure;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import dev.runqueue.DependencyFailure;
import dev.runqueue.ExecutionSettings;
import dev.runqueue.FlowControl;
import dev.runqueue.InvalidSettingException;
import dev.runqueue.JobDefaults;
import dev.runqueue.JsonCodec;
import dev.runqueue.RateLimit;
import dev.runqueue.TopicSettings;
import dev.runqueue.UniqueScope;
import dev.runqueue.maintenance.MaintenanceSettings;
import dev.runqueue.maintenance.Retention;
import dev.runqueue.retry.RetryPolicy;
import dev.runqueue.schedule.MissedRuns;
import dev.runqueue.schedule.RecurringJob;
import dev.runqueue.schedule.Schedule;
import dev.runqueue.store.TableNames;
import dev.runqueue.worker.WorkerSettings;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

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

	private final Events events = new Events();

	private final Metrics metrics = new Metrics();

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

	public Events getEvents() {
		return this.events;
	}

	public Metrics getMetrics() {
		return this.metrics;
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
		check(errors, "metrics", properties.metrics::validated);
		properties.topics.forEach((name, topic) -> {
			try {
				TopicSettings.requireValidName(name);
			}
			catch (InvalidSettingException ex) {
				errors.rejectValue("topics", "invalid", "topic name " + ex.rule() + ", but was '" + name + "'");
				return;
			}
			check(errors, "topics[" + name + "]", () -> topic.toSettings(name));
			check(errors, "topics[" + name + "]", () -> topic.toRecurringJob(name, new JsonCodec()));
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
	 * runqueue's events.
	 */
	public static class Events {

		/**
		 * Whether runqueue's events are also published as Spring application events,
		 * for @EventListener methods.
		 */
		private boolean applicationEvents = true;

		public boolean isApplicationEvents() {
			return this.applicationEvents;
		}

		public void setApplicationEvents(boolean applicationEvents) {
			this.applicationEvents = applicationEvents;
		}

	}

	/**
	 * runqueue's meters, when the application has a Micrometer MeterRegistry.
	 */
	public static class Metrics {

		/**
		 * How often each node reads the queue depths by topic and state for the
		 * runqueue.jobs.depth gauge.
		 */
		private Duration depthRefreshInterval = Duration.ofSeconds(10);

		public Duration getDepthRefreshInterval() {
			return this.depthRefreshInterval;
		}

		public void setDepthRefreshInterval(Duration depthRefreshInterval) {
			this.depthRefreshInterval = depthRefreshInterval;
		}

		Duration validated() {
			InvalidSettingException.require(
					this.depthRefreshInterval != null
							&& this.depthRefreshInterval.compareTo(Duration.ofMillis(100)) >= 0,
					"depth-refresh-interval", this.depthRefreshInterval, "must be at least 100ms");
			return this.depthRefreshInterval;
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
		 * Queues this node runs jobs of. All queues when not set.
		 */
		private Set<String> queues;

		/**
		 * Topics this node runs jobs of. All topics with a handler when not set.
		 */
		private Set<String> topics;

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

		public Set<String> getQueues() {
			return this.queues;
		}

		public void setQueues(Set<String> queues) {
			this.queues = queues;
		}

		public Set<String> getTopics() {
			return this.topics;
		}

		public void setTopics(Set<String> topics) {
			this.topics = topics;
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

		private final RetentionProperties retention = new RetentionProperties();

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

		public RetentionProperties getRetention() {
			return this.retention;
		}

		MaintenanceSettings toSettings() {
			Retention finished;
			try {
				finished = this.retention.toRetention();
			}
			catch (InvalidSettingException ex) {
				throw ex.within("retention");
			}
			return new MaintenanceSettings(this.interval, this.maxRescues, this.nodeRetention, finished);
		}

	}

	/**
	 * How long finished jobs are kept before the leader prunes them.
	 */
	public static class RetentionProperties {

		/**
		 * How long succeeded jobs are kept.
		 */
		private Duration succeeded = Duration.ofDays(1);

		/**
		 * How long failed jobs are kept.
		 */
		private Duration failed = Duration.ofDays(7);

		/**
		 * How long cancelled jobs are kept.
		 */
		private Duration cancelled = Duration.ofDays(7);

		public Duration getSucceeded() {
			return this.succeeded;
		}

		public void setSucceeded(Duration succeeded) {
			this.succeeded = succeeded;
		}

		public Duration getFailed() {
			return this.failed;
		}

		public void setFailed(Duration failed) {
			this.failed = failed;
		}

		public Duration getCancelled() {
			return this.cancelled;
		}

		public void setCancelled(Duration cancelled) {
			this.cancelled = cancelled;
		}

		Retention toRetention() {
			return new Retention(this.succeeded, this.failed, this.cancelled);
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
		 * Most jobs a node claims ahead of its free threads, so that its threads never
		 * wait for a claim's round trip. A node claims ahead only as many jobs as its
		 * handlers get through in a few round trips: none for topics of long jobs, which
		 * are left to nodes with free threads, and none for topics with flow control. 0
		 * turns it off.
		 */
		private int prefetch = ExecutionSettings.DEFAULT_PREFETCH;

		/**
		 * Whether the handler runs in a transaction that also records the job's success,
		 * so that the handler's database work and the job's completion commit or roll
		 * back together.
		 */
		private boolean transactional = false;

		/**
		 * What becomes of a job when a job it depends on fails for good, is cancelled or
		 * is deleted.
		 */
		private DependencyFailure onDependencyFailure = DependencyFailure.CANCEL;

		/**
		 * Queue (channel) of the topic; nodes can be told to serve only some queues.
		 */
		private String queue = "default";

		/**
		 * Whether the topic runs one job at a time across the cluster, in insertion
		 * order; a job that fails blocks the ones behind it until it succeeds or fails
		 * for good.
		 */
		private boolean fifo = false;

		/**
		 * How many of the topic's jobs may run at once across the cluster. No limit
		 * beyond each node's concurrency when not set.
		 */
		private Integer maxRunning;

		/**
		 * How many jobs of one group may run at once across the cluster. No limit when
		 * not set; a job's own group limit wins.
		 */
		private Integer groupConcurrency;

		/**
		 * How many jobs may wait (pending, scheduled or available) before adding more is
		 * refused. No limit when not set.
		 */
		private Integer maxWaiting;

		/**
		 * Minimum interval between two releases of the topic's jobs across the cluster: a
		 * rate limit of one per interval.
		 */
		private Duration releaseInterval;

		private final RateLimitProperties rateLimit = new RateLimitProperties();

		private final ScheduleProperties schedule = new ScheduleProperties();

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

		public int getPrefetch() {
			return this.prefetch;
		}

		public void setPrefetch(int prefetch) {
			this.prefetch = prefetch;
		}

		public boolean isTransactional() {
			return this.transactional;
		}

		public void setTransactional(boolean transactional) {
			this.transactional = transactional;
		}

		public DependencyFailure getOnDependencyFailure() {
			return this.onDependencyFailure;
		}

		public void setOnDependencyFailure(DependencyFailure onDependencyFailure) {
			this.onDependencyFailure = onDependencyFailure;
		}

		public String getQueue() {
			return this.queue;
		}

		public void setQueue(String queue) {
			this.queue = queue;
		}

		public boolean isFifo() {
			return this.fifo;
		}

		public void setFifo(boolean fifo) {
			this.fifo = fifo;
		}

		public Integer getMaxRunning() {
			return this.maxRunning;
		}

		public void setMaxRunning(Integer maxRunning) {
			this.maxRunning = maxRunning;
		}

		public Integer getGroupConcurrency() {
			return this.groupConcurrency;
		}

		public void setGroupConcurrency(Integer groupConcurrency) {
			this.groupConcurrency = groupConcurrency;
		}

		public Integer getMaxWaiting() {
			return this.maxWaiting;
		}

		public void setMaxWaiting(Integer maxWaiting) {
			this.maxWaiting = maxWaiting;
		}

		public Duration getReleaseInterval() {
			return this.releaseInterval;
		}

		public void setReleaseInterval(Duration releaseInterval) {
			this.releaseInterval = releaseInterval;
		}

		public RateLimitProperties getRateLimit() {
			return this.rateLimit;
		}

		public ScheduleProperties getSchedule() {
			return this.schedule;
		}

		TopicSettings toSettings(String name) {
			JobDefaults jobDefaults = new JobDefaults(this.priority, this.delay, this.uniqueKey, this.uniqueScope,
					this.group, this.onDependencyFailure);
			dev.runqueue.retry.Backoff backoffSettings;
			try {
				backoffSettings = this.backoff.toBackoff();
			}
			catch (InvalidSettingException ex) {
				throw ex.within("backoff");
			}
			RetryPolicy retryPolicy = new RetryPolicy(this.maxAttempts, backoffSettings, this.freshFirst,
					this.maxTimeouts);
			ExecutionSettings execution = new ExecutionSettings(this.concurrency, this.transactional, this.timeout,
					this.prefetch);
			return new TopicSettings(name, jobDefaults, retryPolicy, execution, flowControl());
		}

		private FlowControl flowControl() {
			InvalidSettingException.require(this.releaseInterval == null || !this.rateLimit.isSet(), "releaseInterval",
					this.releaseInterval, "cannot be set together with rate-limit; a release interval is a rate limit "
							+ "of one per interval");
			RateLimit rate;
			try {
				rate = this.rateLimit.toRateLimit();
			}
			catch (InvalidSettingException ex) {
				throw ex.within("rateLimit");
			}
			if (this.releaseInterval != null) {
				InvalidSettingException.require(!this.releaseInterval.isNegative() && !this.releaseInterval.isZero(),
						"releaseInterval", this.releaseInterval, "must be positive");
				rate = RateLimit.oneEvery(this.releaseInterval);
			}
			return new FlowControl(this.fifo, this.maxRunning, this.groupConcurrency, rate, this.maxWaiting);
		}

		/**
		 * The topic's recurring job, if it has a schedule.
		 * @param name the topic's name, also the recurring job's
		 * @param json reads the payload
		 * @return the recurring job, or {@code null}
		 */
		RecurringJob toRecurringJob(String name, JsonCodec json) {
			try {
				return this.schedule.toRecurringJob(name, json);
			}
			catch (InvalidSettingException ex) {
				throw ex.within("schedule");
			}
		}

	}

	/**
	 * At most a number of a topic's jobs start in any period, across the cluster.
	 */
	public static class RateLimitProperties {

		/**
		 * How many jobs may start in any period.
		 */
		private Integer releases;

		/**
		 * The length of the sliding window.
		 */
		private Duration period;

		public Integer getReleases() {
			return this.releases;
		}

		public void setReleases(Integer releases) {
			this.releases = releases;
		}

		public Duration getPeriod() {
			return this.period;
		}

		public void setPeriod(Duration period) {
			this.period = period;
		}

		boolean isSet() {
			return this.releases != null || this.period != null;
		}

		RateLimit toRateLimit() {
			if (!isSet()) {
				return null;
			}
			InvalidSettingException.require(this.releases != null, "releases", null, "must be set with period");
			InvalidSettingException.require(this.period != null, "period", null, "must be set with releases");
			return new RateLimit(this.releases, this.period);
		}

	}

	/**
	 * The topic's recurring job: one job per occurrence, across the cluster. Set exactly
	 * one of cron, every and function.
	 */
	public static class ScheduleProperties {

		/**
		 * Cron expression in Spring's syntax (six fields, seconds first), such as "0 0 2
		 * * * *" for 2 a.m. daily.
		 */
		private String cron;

		/**
		 * Time zone the cron expression is read in.
		 */
		private String zone = "UTC";

		/**
		 * Fixed interval between occurrences, counted from the first.
		 */
		private Duration every;

		/**
		 * Name of a ScheduleFunction bean that computes each occurrence from the last.
		 */
		private String function;

		/**
		 * Payload of every occurrence's job, as JSON.
		 */
		private String payload = "null";

		/**
		 * Earliest occurrence. Now when not set.
		 */
		private OffsetDateTime startAt;

		/**
		 * How many occurrences run before the schedule ends. No end when not set.
		 */
		private Integer maxRuns;

		/**
		 * What happens to occurrences missed while the cluster was down: run once now, or
		 * skip to the next.
		 */
		private MissedRuns missed = MissedRuns.RUN_ONCE;

		public String getCron() {
			return this.cron;
		}

		public void setCron(String cron) {
			this.cron = cron;
		}

		public String getZone() {
			return this.zone;
		}

		public void setZone(String zone) {
			this.zone = zone;
		}

		public Duration getEvery() {
			return this.every;
		}

		public void setEvery(Duration every) {
			this.every = every;
		}

		public String getFunction() {
			return this.function;
		}

		public void setFunction(String function) {
			this.function = function;
		}

		public String getPayload() {
			return this.payload;
		}

		public void setPayload(String payload) {
			this.payload = payload;
		}

		public OffsetDateTime getStartAt() {
			return this.startAt;
		}

		public void setStartAt(OffsetDateTime startAt) {
			this.startAt = startAt;
		}

		public Integer getMaxRuns() {
			return this.maxRuns;
		}

		public void setMaxRuns(Integer maxRuns) {
			this.maxRuns = maxRuns;
		}

		public MissedRuns getMissed() {
			return this.missed;
		}

		public void setMissed(MissedRuns missed) {
			this.missed = missed;
		}

		RecurringJob toRecurringJob(String topic, JsonCodec json) {
			int kinds = ((this.cron != null) ? 1 : 0) + ((this.every != null) ? 1 : 0)
					+ ((this.function != null) ? 1 : 0);
			if (kinds == 0) {
				return null;
			}
			InvalidSettingException.require(kinds == 1, "cron", this.cron,
					"must be the only one of cron, every and function that is set");
			Schedule schedule;
			if (this.cron != null) {
				schedule = Schedule.cron(this.cron, Schedule.Cron.zone(this.zone));
			}
			else if (this.every != null) {
				schedule = Schedule.every(this.every);
			}
			else {
				schedule = Schedule.function(this.function);
			}
			Object body;
			try {
				body = json.read(this.payload, JsonNode.class);
			}
			catch (JacksonException ex) {
				throw new InvalidSettingException("payload", this.payload,
						"must be JSON (" + ex.getOriginalMessage() + ")");
			}
			return new RecurringJob(topic, topic, body, schedule,
					(this.startAt != null) ? this.startAt.toInstant() : null, this.maxRuns, this.missed);
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
