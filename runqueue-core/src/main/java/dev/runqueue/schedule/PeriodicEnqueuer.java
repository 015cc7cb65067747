package dev.runqueue.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import dev.runqueue.AddResult;
import dev.runqueue.JsonCodec;
import dev.runqueue.NewJob;
import dev.runqueue.RunQueue;
import dev.runqueue.event.EventPublisher;
import dev.runqueue.event.RunQueueEvent;
import dev.runqueue.store.JobStore;
import dev.runqueue.store.ScheduleRecord;
import dev.runqueue.store.ScheduleStore;
import dev.runqueue.support.ServiceLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Adds the jobs of recurring jobs, on the leader only: it locks the schedules that are
 * due, adds one job per occurrence, and moves each schedule to its next occurrence, all
 * in one transaction, so that each occurrence is added once however many nodes run. It
 * sleeps until the next schedule is due, by the database's clock.
 * <p>
 * An occurrence later than the leader's lease (the longest a change of leader can delay
 * it) counts as missed: the schedule then runs once now, or skips to its next occurrence,
 * as it says. When it becomes the leader, the enqueuer also brings the schedules declared
 * in configuration up to date: new and changed ones start afresh, removed ones are
 * deleted.
 */
public final class PeriodicEnqueuer {

	private static final Logger logger = LoggerFactory.getLogger(PeriodicEnqueuer.class);

	private static final int BATCH = 100;

	private final ScheduleStore schedules;

	private final JobStore jobs;

	private final RunQueue runQueue;

	private final JsonCodec json;

	private final Map<String, ScheduleFunction> functions;

	private final List<RecurringJob> configured;

	private final Duration tolerance;

	private final Duration interval;

	private final BooleanSupplier leading;

	private final EventPublisher events;

	private final String node;

	private final ServiceLoop loop;

	// Written and read by the enqueuer's thread only.
	private boolean reconciled;

	/**
	 * Creates an enqueuer.
	 * @param schedules the schedule table
	 * @param jobs the job table, whose transactions the enqueuer runs in
	 * @param runQueue adds the occurrences' jobs, with their topics' defaults
	 * @param json reads the stored payloads
	 * @param functions the named schedule functions
	 * @param configured the recurring jobs declared in configuration
	 * @param leaderLease how late an occurrence may be added before it counts as missed
	 * @param interval the longest sleep, and how often a node that does not lead looks
	 * again
	 * @param leading whether this node leads the cluster's maintenance
	 * @param events publishes the occurrences added
	 * @param node this node's name
	 */
	public PeriodicEnqueuer(ScheduleStore schedules, JobStore jobs, RunQueue runQueue, JsonCodec json,
			Map<String, ScheduleFunction> functions, List<RecurringJob> configured, Duration leaderLease,
			Duration interval, BooleanSupplier leading, EventPublisher events, String node) {
		this.schedules = schedules;
		this.jobs = jobs;
		this.runQueue = runQueue;
		this.json = json;
		this.functions = Map.copyOf(functions);
		this.configured = List.copyOf(configured);
		this.tolerance = leaderLease;
		this.interval = interval;
		this.leading = leading;
		this.events = events;
		this.node = node;
		this.loop = new ServiceLoop("runqueue-schedules", this::step);
	}

	/**
	 * Starts the enqueuer's loop.
	 */
	public void start() {
		this.loop.start();
	}

	/**
	 * Looks at once: a schedule changed, or this node may have become the leader.
	 */
	public void wake() {
		this.loop.wake();
	}

	/**
	 * Stops the loop.
	 * @param timeout the longest wait for a run under way
	 * @throws InterruptedException if interrupted while waiting
	 */
	public void stop(Duration timeout) throws InterruptedException {
		this.loop.stop();
		this.loop.join(timeout);
	}

	private Duration step() {
		if (!this.leading.getAsBoolean()) {
			this.reconciled = false;
			return this.interval;
		}
		if (!this.reconciled) {
			reconcile();
			this.reconciled = true;
		}
		return runOnce().nextRunIn();
	}

	/**
	 * Brings the schedules declared in configuration up to date.
	 */
	public void reconcile() {
		Instant now = this.schedules.now();
		Set<String> names = this.configured.stream().map(RecurringJob::name).collect(Collectors.toSet());
		for (RecurringJob job : this.configured) {
			Instant start = (job.startAt() != null && job.startAt().isAfter(now)) ? job.startAt() : now;
			Instant first = job.schedule().first(start, this.functions);
			String payload = this.json.write(job.payload());
			if (this.schedules.upsert(ScheduleRecords.toRecord(job, payload, first, ScheduleRecords.CONFIG))) {
				logger.info("Recurring job {} of topic {} is new or changed in configuration; first occurrence {}",
						job.name(), job.topic(), first);
			}
		}
		for (ScheduleRecord stored : this.schedules.list()) {
			if (ScheduleRecords.CONFIG.equals(stored.source()) && !names.contains(stored.name())) {
				this.schedules.delete(stored.name());
				logger.info("Recurring job {} is no longer in configuration and was removed", stored.name());
			}
		}
	}

	/**
	 * Adds the jobs of the occurrences that are due and moves their schedules on.
	 * @return how many jobs were added, and how long until the next look
	 */
	public EnqueueResult runOnce() {
		int added = this.jobs.inTransaction(() -> {
			int count = 0;
			for (ScheduleStore.DueSchedule due : this.schedules.lockDue(BATCH)) {
				try {
					count += enqueue(due.schedule(), due.now());
				}
				catch (IllegalArgumentException | IllegalStateException ex) {
					// An unknown topic or schedule function on this node: try again an
					// interval later, instead of looking at the same due schedule in a
					// loop.
					logger.warn("Recurring job {} cannot add its occurrence on this node: {}", due.schedule().name(),
							ex.getMessage());
					this.schedules.advance(due.schedule().name(), due.now().plus(this.interval), 0);
				}
			}
			return count;
		});
		Duration wait = this.schedules.timeUntilNextDue().map(this::clamp).orElse(this.interval);
		return new EnqueueResult(added, wait);
	}

	private int enqueue(ScheduleRecord record, Instant now) {
		Schedule schedule = ScheduleRecords.toSchedule(record);
		Instant occurrence = record.nextRunAt();
		Instant onTimeSince = now.minus(this.tolerance);
		Instant recent = schedule.after(occurrence, onTimeSince.minusNanos(1), this.functions);
		boolean onTime = recent != null && !recent.isAfter(now);
		boolean missed = occurrence.isBefore(onTimeSince);
		boolean run = onTime || (missed && MissedRuns.ofColumn(record.missed()) == MissedRuns.RUN_ONCE);
		int added = 0;
		if (run) {
			AddResult result = this.runQueue
				.add(NewJob.of(record.topic(), this.json.read(record.payload(), JsonNode.class)));
			if (result.added()) {
				added = 1;
				if (this.events.hasListeners()) {
					this.events.publish(new RunQueueEvent.JobScheduled(this.events.clock().instant(), this.node,
							record.name(), record.topic(), result.id()));
				}
			}
			else {
				logger.debug("Occurrence of recurring job {} not added: {}", record.name(), result.status());
			}
		}
		if (missed) {
			logger.info("Recurring job {} missed occurrences since {}: {}", record.name(), occurrence,
					run ? "ran once now" : "skipped them");
		}
		Instant next = schedule.after(occurrence, now, this.functions);
		if (record.maxRuns() != null && record.runs() + added >= record.maxRuns()) {
			logger.info("Recurring job {} ended after {} runs", record.name(), record.runs() + added);
			next = null;
		}
		this.schedules.advance(record.name(), next, added);
		return added;
	}

	private Duration clamp(Duration untilDue) {
		if (untilDue.isNegative() || untilDue.isZero()) {
			return Duration.ofMillis(10);
		}
		return (untilDue.compareTo(this.interval) < 0) ? untilDue : this.interval;
	}

	/**
	 * What one run did.
	 *
	 * @param added jobs added for occurrences
	 * @param nextRunIn how long until the next look
	 */
	public record EnqueueResult(int added, Duration nextRunIn) {

	}

}
