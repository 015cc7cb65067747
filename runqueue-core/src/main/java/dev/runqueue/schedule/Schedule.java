package dev.runqueue.schedule;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.Objects;

import dev.runqueue.InvalidSettingException;

import org.springframework.scheduling.support.CronExpression;

/**
 * When a recurring job's occurrences are: a cron expression in Spring's syntax (six
 * fields, seconds first) with a time zone, a fixed interval, or a named
 * {@link ScheduleFunction}.
 */
public sealed interface Schedule {

	/**
	 * A cron schedule.
	 * @param expression the expression in Spring's cron syntax, for example
	 * {@code "0 0 2 * * *"} for 2 a.m. daily
	 * @param zone the time zone the expression is read in
	 * @return the schedule
	 * @throws InvalidSettingException if the expression or the zone is invalid, with the
	 * reason
	 */
	static Schedule cron(String expression, ZoneId zone) {
		return new Cron(expression, zone);
	}

	/**
	 * A cron schedule in UTC.
	 * @param expression the expression in Spring's cron syntax
	 * @return the schedule
	 * @throws InvalidSettingException if the expression is invalid, with the reason
	 */
	static Schedule cron(String expression) {
		return new Cron(expression, ZoneId.of("UTC"));
	}

	/**
	 * A fixed interval: the occurrences are {@code interval} apart, counted from the
	 * first.
	 * @param interval the interval
	 * @return the schedule
	 * @throws InvalidSettingException if the interval is not positive
	 */
	static Schedule every(Duration interval) {
		return new Every(interval);
	}

	/**
	 * A named schedule function, looked up when occurrences are computed.
	 * @param name the function's name
	 * @return the schedule
	 */
	static Schedule function(String name) {
		return new Function(name);
	}

	/**
	 * The first occurrence of a new schedule.
	 * @param start when the schedule starts
	 * @param functions the named schedule functions
	 * @return the first occurrence at or after {@code start}, or {@code null} if there is
	 * none
	 */
	Instant first(Instant start, Map<String, ScheduleFunction> functions);

	/**
	 * The first occurrence strictly after a time, in the series of occurrences that
	 * includes {@code anchor}: for a fixed interval, the occurrences stay on the grid
	 * that {@code anchor} is on.
	 * @param anchor an occurrence of the series
	 * @param time the time
	 * @param functions the named schedule functions
	 * @return the occurrence, {@code anchor} itself when it is after {@code time}, or
	 * {@code null} if there is none
	 */
	Instant after(Instant anchor, Instant time, Map<String, ScheduleFunction> functions);

	/**
	 * A cron expression in a time zone.
	 *
	 * @param expression the expression
	 * @param zone the zone
	 */
	record Cron(String expression, ZoneId zone) implements Schedule {

		/**
		 * Checks the expression and the zone.
		 */
		public Cron {
			InvalidSettingException.require(expression != null && !expression.isBlank(), "cron", expression,
					"must not be blank");
			InvalidSettingException.require(zone != null, "zone", null, "must be set");
			try {
				CronExpression.parse(expression);
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidSettingException("cron", "'" + expression + "'",
						"must be a cron expression of six fields, seconds first (" + ex.getMessage() + ")");
			}
		}

		@Override
		public Instant first(Instant start, Map<String, ScheduleFunction> functions) {
			return after(start, start.minusNanos(1), functions);
		}

		@Override
		public Instant after(Instant anchor, Instant time, Map<String, ScheduleFunction> functions) {
			ZonedDateTime next = CronExpression.parse(this.expression).next(time.atZone(this.zone));
			return (next != null) ? next.toInstant() : null;
		}

		/**
		 * Parses a zone by its id, naming the setting when it is unknown.
		 * @param zone the zone's id, such as {@code Europe/Paris}; {@code null} for UTC
		 * @return the zone
		 */
		public static ZoneId zone(String zone) {
			if (zone == null || zone.isBlank()) {
				return ZoneId.of("UTC");
			}
			try {
				return ZoneId.of(zone);
			}
			catch (DateTimeException ex) {
				throw new InvalidSettingException("zone", "'" + zone + "'",
						"must be a time zone id such as " + "Europe/Paris (" + ex.getMessage() + ")");
			}
		}

	}

	/**
	 * A fixed interval.
	 *
	 * @param interval the interval
	 */
	record Every(Duration interval) implements Schedule {

		/**
		 * Checks the interval.
		 */
		public Every {
			InvalidSettingException.require(interval != null && !interval.isNegative() && !interval.isZero(), "every",
					interval, "must be positive");
		}

		@Override
		public Instant first(Instant start, Map<String, ScheduleFunction> functions) {
			return start;
		}

		@Override
		public Instant after(Instant anchor, Instant time, Map<String, ScheduleFunction> functions) {
			if (anchor.isAfter(time)) {
				return anchor;
			}
			long intervals = Duration.between(anchor, time).toNanos() / this.interval.toNanos() + 1;
			return anchor.plus(this.interval.multipliedBy(intervals));
		}

	}

	/**
	 * A named schedule function.
	 *
	 * @param name the function's name
	 */
	record Function(String name) implements Schedule {

		private static final int MAX_STEPS = 10_000;

		/**
		 * Checks the name.
		 */
		public Function {
			InvalidSettingException.require(name != null && !name.isBlank(), "function", "'" + name + "'",
					"must not be blank");
		}

		@Override
		public Instant first(Instant start, Map<String, ScheduleFunction> functions) {
			return next(function(functions), start);
		}

		@Override
		public Instant after(Instant anchor, Instant time, Map<String, ScheduleFunction> functions) {
			ScheduleFunction function = function(functions);
			Instant occurrence = anchor;
			for (int steps = 0; occurrence != null && !occurrence.isAfter(time); steps++) {
				if (steps == MAX_STEPS) {
					// Too many occurrences passed to walk them all: start again from the
					// time itself.
					return next(function, time);
				}
				occurrence = next(function, occurrence);
			}
			return occurrence;
		}

		private ScheduleFunction function(Map<String, ScheduleFunction> functions) {
			ScheduleFunction function = functions.get(this.name);
			if (function == null) {
				throw new IllegalStateException("No schedule function named '" + this.name
						+ "' on this node; the known ones are " + functions.keySet());
			}
			return function;
		}

		private Instant next(ScheduleFunction function, Instant occurrence) {
			Instant next = function.next(occurrence);
			if (next != null && !next.isAfter(occurrence)) {
				throw new IllegalStateException("Schedule function '" + this.name + "' returned " + next
						+ ", which is not after " + occurrence);
			}
			return next;
		}

	}

	/**
	 * Checks that a schedule's name can be used.
	 * @param name the name
	 * @return the name
	 */
	static String requireValidName(String name) {
		Objects.requireNonNull(name, "name must not be null");
		InvalidSettingException.require(!name.isBlank(), "name", "'" + name + "'", "must not be blank");
		return name;
	}

}
