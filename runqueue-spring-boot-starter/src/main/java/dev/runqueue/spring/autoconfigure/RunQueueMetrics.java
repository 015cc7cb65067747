package dev.runqueue.spring.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import dev.runqueue.RunQueueAdmin;
import dev.runqueue.event.EventPublisher;
import dev.runqueue.event.RunQueueEvent;
import dev.runqueue.job.JobState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;

/**
 * runqueue's meters: counters of jobs added, started, succeeded, failed, retried and
 * rescued and of lost leases (rejected stale writes), tagged with the topic; a timer of
 * the time jobs waited in the queue; and gauges of the live jobs by topic and state. The
 * counters and the timer are fed by an inline event listener, so they count every event;
 * the gauges read the job table every {@code runqueue.metrics.depth-refresh-interval}.
 * The handlers' execution time is the {@code runqueue.job.execution} observation, which
 * the application's observation registry turns into a timer.
 */
class RunQueueMetrics implements MeterBinder, DisposableBean {

	private static final Map<String, String> DESCRIPTIONS = Map.of("runqueue.jobs.added", "Jobs added",
			"runqueue.jobs.started", "Attempts started (jobs claimed by this node)", "runqueue.jobs.succeeded",
			"Jobs that succeeded on this node", "runqueue.jobs.failed", "Jobs that failed for good on this node",
			"runqueue.jobs.retried", "Failed attempts on this node that will be retried", "runqueue.jobs.rescued",
			"Jobs this node took back from nodes whose lease expired", "runqueue.leases.lost",
			"Writes this node made after losing a job's lease, which the database rejected");

	private static final Logger logger = LoggerFactory.getLogger(RunQueueMetrics.class);

	private final EventPublisher events;

	private final RunQueueAdmin admin;

	// Meters by name and topic, made on the first event of each, read and written by any
	// thread.
	private final Map<String, Counter> counters = new ConcurrentHashMap<>();

	private final Map<String, Timer> timers = new ConcurrentHashMap<>();

	private final Duration depthRefreshInterval;

	private volatile MeterRegistry registry;

	private ScheduledExecutorService refresher;

	RunQueueMetrics(EventPublisher events, RunQueueAdmin admin, Duration depthRefreshInterval) {
		this.events = events;
		this.admin = admin;
		this.depthRefreshInterval = depthRefreshInterval;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		this.registry = registry;
		this.events.addInlineListener(this::onEvent);
		MultiGauge depth = MultiGauge.builder("runqueue.jobs.depth")
			.description("Live jobs by topic and state")
			.register(registry);
		this.refresher = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "runqueue-metrics");
			thread.setDaemon(true);
			return thread;
		});
		this.refresher.scheduleWithFixedDelay(() -> refreshDepth(depth), 0, this.depthRefreshInterval.toMillis(),
				TimeUnit.MILLISECONDS);
	}

	private void refreshDepth(MultiGauge depth) {
		try {
			List<MultiGauge.Row<?>> rows = this.admin.depths()
				.entrySet()
				.stream()
				.flatMap((topic) -> topic.getValue()
					.entrySet()
					.stream()
					.map((state) -> MultiGauge.Row.of(
							Tags.of("topic", topic.getKey(), "state", state.getKey().column()),
							state.getValue()))).<MultiGauge.Row<?>>map((row) -> row)
				.toList();
			depth.register(rows, true);
		}
		catch (RuntimeException ex) {
			logger.debug("Could not read the queue depths: {}", ex.toString());
		}
	}

	private void onEvent(RunQueueEvent event) {
		if (this.registry == null) {
			return;
		}
		if (event instanceof RunQueueEvent.JobAdded added) {
			count("runqueue.jobs.added", added.topic());
		}
		else if (event instanceof RunQueueEvent.JobClaimed claimed) {
			count("runqueue.jobs.started", claimed.topic());
			timer("runqueue.jobs.wait", claimed.topic(),
					(name) -> Timer.builder(name)
						.description("Time jobs were runnable before a node claimed them")
						.tag("topic", claimed.topic()))
				.record(claimed.waited());
		}
		else if (event instanceof RunQueueEvent.JobSucceeded succeeded) {
			count("runqueue.jobs.succeeded", succeeded.topic());
		}
		else if (event instanceof RunQueueEvent.JobRetried retried) {
			count("runqueue.jobs.retried", retried.topic());
		}
		else if (event instanceof RunQueueEvent.JobFailed failed) {
			count("runqueue.jobs.failed", failed.topic());
		}
		else if (event instanceof RunQueueEvent.JobRescued rescued) {
			count("runqueue.jobs.rescued", rescued.topic());
		}
		else if (event instanceof RunQueueEvent.LeaseLost lost) {
			count("runqueue.leases.lost", lost.topic());
		}
	}

	private void count(String name, String topic) {
		this.counters
			.computeIfAbsent(name + "|" + topic,
					(key) -> Counter.builder(name)
						.description(DESCRIPTIONS.get(name))
						.tag("topic", topic)
						.register(this.registry))
			.increment();
	}

	private Timer timer(String name, String topic, Function<String, Timer.Builder> builder) {
		return this.timers.computeIfAbsent(name + "|" + topic, (key) -> builder.apply(name).register(this.registry));
	}

	@Override
	public void destroy() {
		if (this.refresher != null) {
			this.refresher.shutdownNow();
		}
	}

}
