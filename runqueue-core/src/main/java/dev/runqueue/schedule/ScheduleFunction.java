package dev.runqueue.schedule;

import java.time.Instant;

/**
 * A named schedule that computes the next occurrence from the last one. Register one
 * under a name (in Spring Boot, a bean of this type whose bean name is the schedule's
 * name) on every node, since any node may lead.
 */
@FunctionalInterface
public interface ScheduleFunction {

	/**
	 * The next occurrence.
	 * @param last the last occurrence, or when the schedule starts
	 * @return the next occurrence, strictly after {@code last}; {@code null} to end the
	 * schedule
	 */
	Instant next(Instant last);

}
