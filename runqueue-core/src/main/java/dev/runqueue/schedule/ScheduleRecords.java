package dev.runqueue.schedule;

import java.time.Instant;
import java.time.ZoneId;

import dev.runqueue.store.ScheduleRecord;

/**
 * Turns recurring jobs into schedule rows and rows back into schedules.
 */
public final class ScheduleRecords {

	/** Rows of schedules declared in configuration. */
	public static final String CONFIG = "config";

	/** Rows of schedules added in code. */
	public static final String CODE = "code";

	private ScheduleRecords() {
	}

	/**
	 * The row of a recurring job.
	 * @param job the recurring job
	 * @param payload its payload as JSON text
	 * @param firstRunAt its first occurrence
	 * @param source {@link #CONFIG} or {@link #CODE}
	 * @return the row
	 */
	public static ScheduleRecord toRecord(RecurringJob job, String payload, Instant firstRunAt, String source) {
		Schedule schedule = job.schedule();
		String cron = (schedule instanceof Schedule.Cron c) ? c.expression() : null;
		String zone = (schedule instanceof Schedule.Cron c) ? c.zone().getId() : null;
		java.time.Duration every = (schedule instanceof Schedule.Every e) ? e.interval() : null;
		String function = (schedule instanceof Schedule.Function f) ? f.name() : null;
		return new ScheduleRecord(job.name(), job.topic(), payload, cron, zone, every, function, job.startAt(),
				job.maxRuns(), job.missed().column(), source, 0, firstRunAt, null);
	}

	/**
	 * The schedule of a row.
	 * @param record the row
	 * @return the schedule
	 */
	public static Schedule toSchedule(ScheduleRecord record) {
		if (record.cron() != null) {
			return Schedule.cron(record.cron(), ZoneId.of(record.zone()));
		}
		if (record.every() != null) {
			return Schedule.every(record.every());
		}
		return Schedule.function(record.function());
	}

}
