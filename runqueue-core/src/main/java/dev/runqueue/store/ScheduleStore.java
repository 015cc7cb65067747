package dev.runqueue.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The schedule table: recurring jobs and their next occurrences. One method per
 * statement.
 */
public interface ScheduleStore {

	/**
	 * The database's now.
	 * @return the time
	 */
	Instant now();

	/**
	 * All schedules.
	 * @return the schedules, by name
	 */
	List<ScheduleRecord> list();

	/**
	 * Adds a schedule, or replaces the definition of the one with its name. When the
	 * definition is unchanged, the stored next occurrence and count of runs stay;
	 * otherwise they are reset to those given.
	 * @param schedule the schedule, with its first occurrence
	 * @return whether the definition was new or changed
	 */
	boolean upsert(ScheduleRecord schedule);

	/**
	 * Deletes a schedule.
	 * @param name its name
	 * @return whether it existed
	 */
	boolean delete(String name);

	/**
	 * Locks the schedules whose next occurrence is due, for the transaction the caller
	 * runs this in.
	 * @param limit the most schedules to lock
	 * @return the schedules, with the database's now
	 */
	List<DueSchedule> lockDue(int limit);

	/**
	 * Moves a schedule on after occurrences were added.
	 * @param name the schedule
	 * @param nextRunAt the next occurrence, or {@code null} when the schedule has ended
	 * @param added how many occurrences were added
	 * @return whether the schedule still existed
	 */
	boolean advance(String name, Instant nextRunAt, int added);

	/**
	 * How long until the next schedule is due.
	 * @return the time, negative when one is overdue, or empty when no schedule has a
	 * next occurrence
	 */
	Optional<Duration> timeUntilNextDue();

	/**
	 * A schedule that is due.
	 *
	 * @param schedule the schedule
	 * @param now the database's now
	 */
	record DueSchedule(ScheduleRecord schedule, Instant now) {

	}

}
