package dev.runqueue.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

import org.springframework.jdbc.support.SqlArrayValue;

/**
 * How Java values cross into statements and back: durations as seconds, instants as
 * {@code timestamptz}, lists as arrays. Shared by the stores so that each converts the
 * same way.
 */
final class SqlValues {

	private SqlValues() {
	}

	static Double seconds(Duration duration) {
		return (duration != null) ? duration.toNanos() / 1e9 : null;
	}

	static double secondsOrZero(Duration duration) {
		return (duration != null) ? duration.toNanos() / 1e9 : 0.0;
	}

	static OffsetDateTime timestamp(Instant instant) {
		return (instant != null) ? instant.atOffset(ZoneOffset.UTC) : null;
	}

	static String timestampText(Instant instant) {
		return (instant != null) ? instant.toString() : null;
	}

	static Instant instant(ResultSet rs, String column) throws SQLException {
		OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
		return (value != null) ? value.toInstant() : null;
	}

	static Duration duration(ResultSet rs, String secondsColumn) throws SQLException {
		double seconds = rs.getDouble(secondsColumn);
		return rs.wasNull() ? null : Duration.ofNanos(Math.round(seconds * 1e9));
	}

	static <T> SqlArrayValue array(String type, List<T> rows, Function<T, Object> column) {
		Object[] values = new Object[rows.size()];
		for (int i = 0; i < values.length; i++) {
			values[i] = column.apply(rows.get(i));
		}
		return new SqlArrayValue(type, values);
	}

	static SqlArrayValue array(String type, Collection<?> values) {
		return new SqlArrayValue(type, values.toArray());
	}

}
