package dev.runqueue.store;

import java.time.Duration;
import java.time.Instant;

/**
 * A schedule's row.
 *
 * @param name its name
 * @param topic the topic of its jobs
 * @param payload the payload of its jobs as JSON text
 * @param cron a cron expression, or {@code null}
 * @param zone the cron expression's time zone, or {@code null}
 * @param every a fixed interval, or {@code null}
 * @param function the name of a schedule function, or {@code null}
 * @param startAt the earliest occurrence, or {@code null}
 * @param maxRuns the most occurrences, or {@code null}
 * @param missed {@code run-once} or {@code skip}
 * @param source {@code config} or {@code code}
 * @param runs occurrences added so far
 * @param nextRunAt the next occurrence, or {@code null} when the schedule has ended
 * @param lastRunAt when the last occurrence was added, or {@code null}
 */
public record ScheduleRecord(String name, String topic, String payload, String cron, String zone, Duration every,
		String function, Instant startAt, Integer maxRuns, String missed, String source, int runs, Instant nextRunAt,
		Instant lastRunAt) {

}
