package dev.runqueue.worker;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import dev.runqueue.DefaultRunQueue;
import dev.runqueue.JsonCodec;
import dev.runqueue.RunQueue;
import dev.runqueue.TopicSettings;
import dev.runqueue.Topics;
import dev.runqueue.event.EventPublisher;
import dev.runqueue.event.RunQueueEvent;
import dev.runqueue.job.JobHandler;
import dev.runqueue.maintenance.DuePromoter;
import dev.runqueue.maintenance.Maintenance;
import dev.runqueue.maintenance.MaintenanceSettings;
import dev.runqueue.schedule.PeriodicEnqueuer;
import dev.runqueue.schedule.RecurringJob;
import dev.runqueue.schedule.ScheduleFunction;
import dev.runqueue.store.JobStore;
import dev.runqueue.store.LeaseRef;
import dev.runqueue.store.NodeStore;
import dev.runqueue.store.PostgresNotifications;
import dev.runqueue.store.Stores;
import dev.runqueue.store.TableNames;
import io.micrometer.observation.ObservationRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.task.VirtualThreadTaskExecutor;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs this node's share of the jobs: one poller per topic with a handler, each with an
 * executor bounded by the topic's concurrency; a completer that records outcomes; a
 * heartbeat that renews leases and a watchdog that enforces timeouts and distrusts leases
 * it could not renew; a promoter that makes scheduled jobs runnable; and the cluster's
 * maintenance and recurring jobs when this node leads. Build one with
 * {@link #builder(DataSource, JobStore)}.
 */
public final class Worker {

	private static final Logger logger = LoggerFactory.getLogger(Worker.class);

	private static final Duration LOOP_STOP_TIMEOUT = Duration.ofSeconds(5);

	private final WorkerSettings settings;

	private final JobStore store;

	private final NodeStore nodes;

	private final PostgresNotifications notifications;

	private final boolean ownsNotifications;

	private final EventPublisher events;

	private final Map<String, Poller> pollers;

	private final List<Runnable> executorShutdowns;

	private final Completer completer;

	private final DuePromoter promoter;

	private final LeaseKeeper leaseKeeper;

	private final Watchdog watchdog;

	private final Maintenance maintenance;

	private final PeriodicEnqueuer schedules;

	private final LeaseLosses leaseLosses;

	// Subscriptions to the notification channels, made by start() and cancelled by
	// stop().
	private final List<PostgresNotifications.Subscription> subscriptions = new ArrayList<>();

	// Written by start() and stop(), which are synchronized; read by anyone.
	private volatile boolean running;

	// Jobs added in this JVM wake the pollers as soon as their transactions commit, a
	// notification's round trip before their notifications arrive.
	private final Consumer<RunQueueEvent.JobAdded> localAdds = (added) -> wake(added.topic());

	private Worker(Builder builder) {
		this.settings = builder.settings;
		this.store = builder.store;
		Stores stores = (builder.stores != null) ? builder.stores : Stores.postgres(builder.dataSource, builder.store);
		this.ownsNotifications = builder.stores == null;
		this.nodes = stores.nodes();
		this.notifications = stores.notifications();
		this.events = builder.events;
		String node = this.settings.nodeName();
		this.leaseLosses = new LeaseLosses(this.events, node);
		this.promoter = new DuePromoter(stores.maintenance(), this.store, this.settings.pollInterval());
		Set<String> limitedTopics = builder.handlers.values()
			.stream()
			.filter((registration) -> registration.topic().flowControl().limitsClaims())
			.map((registration) -> registration.topic().name())
			.collect(Collectors.toSet());
		this.completer = new Completer(this.store, (topics) -> topics.forEach(this::wake), this.promoter::wake,
				limitedTopics, this.events, node);
		TransactionTemplate transactions = (builder.transactionManager != null)
				? new TransactionTemplate(builder.transactionManager) : null;
		JobRunner runner = new JobRunner(this.store, builder.json, this.completer, transactions, builder.observations,
				this.events, node, this::wake, this.promoter::wake, this.leaseLosses);
		Poller.Shared shared = new Poller.Shared(this.store, runner, this.settings, builder.clock,
				new LimitedClaimer(this.store, stores.topics()), this.events);
		Map<String, Poller> pollers = new LinkedHashMap<>();
		List<Runnable> executorShutdowns = new ArrayList<>();
		builder.handlers.forEach((name, registration) -> {
			Executor executor = executor(registration.topic(), this.settings.virtualThreads(), executorShutdowns);
			pollers.put(name, new Poller(registration.topic(), registration.handler(), executor, shared));
		});
		this.pollers = Map.copyOf(pollers);
		this.executorShutdowns = List.copyOf(executorShutdowns);
		this.leaseKeeper = new LeaseKeeper(this.settings, this.store, this.nodes, this::inFlight, this::register,
				builder.clock, this.leaseLosses);
		this.watchdog = new Watchdog(this::inFlight, this.completer, builder.clock, node, this.leaseLosses);
		this.maintenance = new Maintenance(builder.maintenance, stores, node, this.events);
		RunQueue runQueue = (builder.runQueue != null) ? builder.runQueue
				: new DefaultRunQueue(stores,
						Topics.of(builder.handlers.values().stream().map(Registration::topic).toList()), builder.json,
						builder.scheduleFunctions);
		this.schedules = new PeriodicEnqueuer(stores.schedules(), this.store, runQueue, builder.json,
				builder.scheduleFunctions, builder.recurringJobs, builder.maintenance.leaderLease(),
				builder.maintenance.interval(), this.maintenance::isLeader, this.events, node);
	}

	/**
	 * Starts building a worker.
	 * @param dataSource the data source, from which the worker also takes the connection
	 * it listens on
	 * @param store the job table
	 * @return the builder
	 */
	public static Builder builder(DataSource dataSource, JobStore store) {
		return new Builder(dataSource, store);
	}

	/**
	 * Starts claiming and running jobs.
	 */
	public synchronized void start() {
		if (this.running) {
			return;
		}
		registerAtStart();
		this.running = true;
		this.completer.start();
		listen();
		this.promoter.start();
		this.leaseKeeper.start();
		this.watchdog.start();
		this.maintenance.start();
		this.schedules.start();
		this.pollers.values().forEach(Poller::start);
		logger.info("runqueue worker started node={} topics={}", this.settings.nodeName(), this.pollers.keySet());
		if (this.events.hasListeners()) {
			this.events.publish(new RunQueueEvent.NodeStarted(this.events.clock().instant(), this.settings.nodeName(),
					Set.copyOf(this.pollers.keySet())));
		}
	}

	private void listen() {
		this.events.addInlineListener(RunQueueEvent.JobAdded.class, this.localAdds);
		TableNames tables = this.store.tableNames();
		this.subscriptions.add(this.notifications.subscribe(tables.jobAddedChannel(), this::wake, this::wakeAll));
		this.subscriptions.add(this.notifications.subscribe(tables.jobScheduledChannel(),
				(payload) -> this.promoter.wake(), this.promoter::wake));
		// Cancellations sent while the connection did not listen are lost: a renewal of
		// every lease finds the jobs cancelled meanwhile, whose leases the cancel
		// cleared.
		this.subscriptions
			.add(this.notifications.subscribe(tables.jobCancelledChannel(), this::cancelled, this.leaseKeeper::wake));
	}

	/**
	 * Stops gracefully: stops claiming, lets running jobs finish within the grace period
	 * (their leases are renewed meanwhile), then releases the jobs still running so that
	 * another node starts them at once without losing an attempt, and interrupts their
	 * handlers. The heartbeat stops last, and the node is recorded as stopped.
	 */
	public synchronized void stop() {
		if (!this.running) {
			return;
		}
		this.running = false;
		long deadline = System.nanoTime() + this.settings.shutdownGracePeriod().toNanos();
		int released = 0;
		try {
			for (Poller poller : this.pollers.values()) {
				poller.stopClaiming(LOOP_STOP_TIMEOUT);
			}
			released = releaseWaiting();
			while (inFlightCount() > 0 && System.nanoTime() < deadline) {
				Thread.sleep(10);
			}
			released += releaseInFlight();
			this.completer.stop(LOOP_STOP_TIMEOUT);
			this.watchdog.stop();
			this.promoter.stop(LOOP_STOP_TIMEOUT);
			this.events.removeInlineListener(this.localAdds);
			this.subscriptions.forEach(PostgresNotifications.Subscription::cancel);
			this.subscriptions.clear();
			if (this.ownsNotifications) {
				this.notifications.close();
			}
			this.schedules.stop(LOOP_STOP_TIMEOUT);
			this.maintenance.stop(LOOP_STOP_TIMEOUT);
			this.leaseKeeper.stop(LOOP_STOP_TIMEOUT);
			markStopped();
			logger.info("runqueue worker stopped node={} released={}", this.settings.nodeName(), released);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.watchdog.stop();
			logger.warn("runqueue worker interrupted while stopping node={}; jobs still held run again when their "
					+ "leases expire", this.settings.nodeName());
		}
		finally {
			this.executorShutdowns.forEach(Runnable::run);
		}
		if (this.events.hasListeners()) {
			this.events.publish(
					new RunQueueEvent.NodeStopped(this.events.clock().instant(), this.settings.nodeName(), released));
		}
	}

	/**
	 * Whether the worker is started and not stopped.
	 * @return {@code true} while running
	 */
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * The worker's settings.
	 * @return the settings
	 */
	public WorkerSettings settings() {
		return this.settings;
	}

	/**
	 * The topics this worker runs jobs of.
	 * @return the topics' names
	 */
	public Set<String> topics() {
		return this.pollers.keySet();
	}

	/**
	 * How many outcomes changed nothing because this node no longer held the job's lease.
	 * @return the count since start
	 */
	public long staleWrites() {
		return this.completer.staleWrites();
	}

	/**
	 * How many times this node gave a job up because it could not trust its lease any
	 * more.
	 * @return the count since start
	 */
	public long leaseLosses() {
		return this.leaseLosses.count();
	}

	/**
	 * Whether this node leads the cluster's maintenance.
	 * @return {@code true} if it does
	 */
	public boolean isLeader() {
		return this.maintenance.isLeader();
	}

	/**
	 * How many jobs this node runs now.
	 * @return the count
	 */
	public int runningJobs() {
		return (int) inFlight().stream().filter((job) -> !job.isWaiting()).count();
	}

	/**
	 * How many jobs of a topic this node claims ahead of its threads now.
	 * @param topic the topic
	 * @return the count
	 */
	int prefetch(String topic) {
		return this.pollers.get(topic).prefetch();
	}

	private int inFlightCount() {
		return this.pollers.values().stream().mapToInt((poller) -> poller.inFlight().size()).sum();
	}

	private List<RunningJob> inFlight() {
		List<RunningJob> all = new ArrayList<>();
		this.pollers.values().forEach((poller) -> all.addAll(poller.inFlight().values()));
		return all;
	}

	// An operator cancelled a job: if this node runs it, its handler sees the
	// cancellation and is interrupted. The job's lease was cleared by the cancel, so
	// whatever the handler returns is fenced off anyway.
	private void cancelled(String payload) {
		long jobId;
		try {
			jobId = Long.parseLong(payload);
		}
		catch (NumberFormatException ex) {
			return;
		}
		for (Poller poller : this.pollers.values()) {
			RunningJob job = poller.inFlight().get(jobId);
			if (job != null && job.settle(RunningJob.Settlement.CANCELLED)) {
				job.cancel();
				logger.info("Job id={} topic={} was cancelled by an operator; its handler is interrupted", jobId,
						job.job().topic());
			}
		}
	}

	private void register() {
		this.nodes.register(this.settings.nodeName(), WorkerSettings.hostName(), WorkerSettings.processId(),
				this.pollers.keySet());
	}

	private void registerAtStart() {
		try {
			register();
		}
		catch (RuntimeException ex) {
			throw new IllegalStateException("runqueue could not register node " + this.settings.nodeName()
					+ " in table " + this.store.tableNames().node() + ". Is the database reachable, and does it have "
					+ "runqueue's tables? They are created at start-up unless runqueue.migrations.enabled=false; "
					+ "dev.runqueue.store.SchemaScript prints them for applying by hand. Cause: " + ex.getMessage(),
					ex);
		}
	}

	private void markStopped() {
		try {
			this.nodes.markStopped(this.settings.nodeName());
		}
		catch (RuntimeException ex) {
			logger.warn("Could not record that node {} stopped; it counts as dead once its heartbeat is old: {}",
					this.settings.nodeName(), ex.toString());
		}
	}

	// Jobs claimed ahead whose handlers have not started are released at once on
	// shutdown: another node can start them while this one lets its running jobs finish.
	private int releaseWaiting() {
		List<RunningJob> waiting = inFlight().stream().filter(RunningJob::releaseIfWaiting).toList();
		if (waiting.isEmpty()) {
			return 0;
		}
		List<LeaseRef> leases = waiting.stream().map(RunningJob::lease).toList();
		try {
			List<String> topics = this.store.release(leases);
			this.store.notifyTopics(new LinkedHashSet<>(topics));
			logger.info("Released {} jobs claimed ahead on shutdown", topics.size());
			return topics.size();
		}
		catch (RuntimeException ex) {
			logger.warn("Could not release {} jobs claimed ahead on shutdown; they run again when their leases expire: "
					+ "{}", leases.size(), ex.toString());
			return 0;
		}
	}

	private int releaseInFlight() {
		List<RunningJob> left = inFlight().stream()
			.filter((job) -> job.settle(RunningJob.Settlement.RELEASED))
			.toList();
		if (left.isEmpty()) {
			return 0;
		}
		List<LeaseRef> leases = left.stream().map(RunningJob::lease).toList();
		try {
			// Release first, then interrupt: an outcome the interrupted handler still
			// hands in is fenced off.
			List<String> topics;
			try {
				topics = this.store.release(leases);
			}
			finally {
				left.forEach(RunningJob::cancel);
			}
			this.store.notifyTopics(new LinkedHashSet<>(topics));
			logger.info("Released jobs still running after the grace period of {}: ids={}",
					this.settings.shutdownGracePeriod(), leases.stream().map(LeaseRef::jobId).toList());
			return topics.size();
		}
		catch (RuntimeException ex) {
			logger.warn("Could not release {} jobs on shutdown; they run again when their leases expire: {}",
					leases.size(), ex.toString());
			return 0;
		}
	}

	private void wake(String topic) {
		Poller poller = this.pollers.get(topic);
		if (poller != null) {
			poller.wake();
		}
	}

	private void wakeAll() {
		this.pollers.values().forEach(Poller::wake);
	}

	private static Executor executor(TopicSettings topic, boolean virtualThreads, Collection<Runnable> shutdowns) {
		String prefix = "runqueue-" + topic.name() + "-";
		// As many threads as the topic's concurrency take the claimed jobs in turn; jobs
		// claimed ahead wait in the queue.
		ThreadFactory threads;
		if (virtualThreads) {
			threads = new VirtualThreadTaskExecutor(prefix).getVirtualThreadFactory();
		}
		else {
			AtomicInteger count = new AtomicInteger();
			threads = (task) -> {
				Thread thread = new Thread(task, prefix + count.incrementAndGet());
				thread.setDaemon(true);
				return thread;
			};
		}
		int threadCount = topic.execution().concurrency();
		ThreadPoolExecutor executor = new ThreadPoolExecutor(threadCount, threadCount, 60, TimeUnit.SECONDS,
				new LinkedBlockingQueue<>(), threads);
		executor.allowCoreThreadTimeOut(true);
		shutdowns.add(executor::shutdown);
		return executor;
	}

	/**
	 * Builds a {@link Worker}.
	 */
	public static final class Builder {

		private final DataSource dataSource;

		private final JobStore store;

		private final Map<String, Registration> handlers = new LinkedHashMap<>();

		private WorkerSettings settings = WorkerSettings.defaults();

		private JsonCodec json = new JsonCodec();

		private PlatformTransactionManager transactionManager;

		private Stores stores;

		private RunQueue runQueue;

		private List<RecurringJob> recurringJobs = List.of();

		private Map<String, ScheduleFunction> scheduleFunctions = Map.of();

		private MaintenanceSettings maintenance = MaintenanceSettings.DEFAULT;

		private Clock clock = Clock.systemUTC();

		private EventPublisher events;

		private ObservationRegistry observations = ObservationRegistry.NOOP;

		private Builder(DataSource dataSource, JobStore store) {
			this.dataSource = Objects.requireNonNull(dataSource, "dataSource must not be null");
			this.store = Objects.requireNonNull(store, "store must not be null");
		}

		/**
		 * Sets how the worker runs.
		 * @param settings the settings
		 * @return this builder
		 */
		public Builder settings(WorkerSettings settings) {
			this.settings = Objects.requireNonNull(settings, "settings must not be null");
			return this;
		}

		/**
		 * Sets how results and replacement payloads become JSON.
		 * @param json the codec
		 * @return this builder
		 */
		public Builder json(JsonCodec json) {
			this.json = Objects.requireNonNull(json, "json must not be null");
			return this;
		}

		/**
		 * Sets the transaction manager that transactional topics run their handlers in.
		 * It must manage the same data source as the store.
		 * @param transactionManager the transaction manager
		 * @return this builder
		 */
		public Builder transactionManager(PlatformTransactionManager transactionManager) {
			this.transactionManager = transactionManager;
			return this;
		}

		/**
		 * Sets the stores of the other tables and the notifications; by default
		 * PostgreSQL stores on the job store's data source and tables, whose listening
		 * connection the worker closes when it stops.
		 * @param stores the stores
		 * @return this builder
		 */
		public Builder stores(Stores stores) {
			this.stores = Objects.requireNonNull(stores, "stores must not be null");
			return this;
		}

		/**
		 * Sets the queue that adds the jobs of recurring jobs, with their topics'
		 * defaults; by default one that knows the topics this worker has handlers for. It
		 * must use the job store's data source.
		 * @param runQueue the queue
		 * @return this builder
		 */
		public Builder runQueue(RunQueue runQueue) {
			this.runQueue = Objects.requireNonNull(runQueue, "runQueue must not be null");
			return this;
		}

		/**
		 * Sets the recurring jobs declared in configuration: when this node becomes the
		 * leader, it makes the schedule table match them.
		 * @param recurringJobs the recurring jobs
		 * @return this builder
		 */
		public Builder recurringJobs(List<RecurringJob> recurringJobs) {
			this.recurringJobs = List.copyOf(recurringJobs);
			return this;
		}

		/**
		 * Sets the named schedule functions that recurring jobs may use.
		 * @param scheduleFunctions the functions by name
		 * @return this builder
		 */
		public Builder scheduleFunctions(Map<String, ScheduleFunction> scheduleFunctions) {
			this.scheduleFunctions = Map.copyOf(scheduleFunctions);
			return this;
		}

		/**
		 * Sets how the cluster's maintenance runs on this node.
		 * @param maintenance the settings
		 * @return this builder
		 */
		public Builder maintenance(MaintenanceSettings maintenance) {
			this.maintenance = Objects.requireNonNull(maintenance, "maintenance must not be null");
			return this;
		}

		/**
		 * Sets the clock by which the node times handlers and trusts its leases.
		 * Everything the queue times is timed by the database's clock instead.
		 * @param clock the clock
		 * @return this builder
		 */
		public Builder clock(Clock clock) {
			this.clock = Objects.requireNonNull(clock, "clock must not be null");
			return this;
		}

		/**
		 * Sets the publisher of the worker's events; by default one without listeners.
		 * @param events the publisher
		 * @return this builder
		 */
		public Builder events(EventPublisher events) {
			this.events = Objects.requireNonNull(events, "events must not be null");
			return this;
		}

		/**
		 * Sets the registry of the observation around each handler run, so that metrics
		 * and tracing see runs.
		 * @param observations the registry
		 * @return this builder
		 */
		public Builder observations(ObservationRegistry observations) {
			this.observations = Objects.requireNonNull(observations, "observations must not be null");
			return this;
		}

		/**
		 * Runs a topic's jobs with a handler.
		 * @param topic the topic
		 * @param handler the handler
		 * @return this builder
		 * @throws IllegalArgumentException if the topic already has a handler
		 */
		public Builder handler(TopicSettings topic, JobHandler handler) {
			Objects.requireNonNull(topic, "topic must not be null");
			Objects.requireNonNull(handler, "handler must not be null");
			if (this.handlers.putIfAbsent(topic.name(), new Registration(topic, handler)) != null) {
				throw new IllegalArgumentException("Topic '" + topic.name() + "' already has a handler");
			}
			return this;
		}

		/**
		 * Builds the worker, which does nothing until started.
		 * @return the worker
		 * @throws IllegalStateException if a transactional topic has no transaction
		 * manager, or virtual threads are asked for on a JDK without them
		 */
		public Worker build() {
			for (Registration registration : this.handlers.values()) {
				if (registration.topic().execution().transactional() && this.transactionManager == null) {
					throw new IllegalStateException("Topic '" + registration.topic().name()
							+ "' is transactional, but the worker has no transaction manager");
				}
			}
			if (this.settings.virtualThreads() && Runtime.version().feature() < 21) {
				throw new IllegalStateException(
						"Virtual threads need JDK 21 or newer; this is JDK " + Runtime.version().feature());
			}
			if (this.events == null) {
				this.events = EventPublisher.none(this.clock);
			}
			return new Worker(this);
		}

	}

	private record Registration(TopicSettings topic, JobHandler handler) {

	}

}
