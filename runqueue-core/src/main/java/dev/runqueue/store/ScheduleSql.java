package dev.runqueue.store;

/**
 * Every statement on the schedule table, named after the {@link ScheduleStore} method
 * that runs it. {@code {schedule}} stands for the table's configured name.
 */
final class ScheduleSql {

	static final String NOW = """
			SELECT now()
			""";

	static final String LIST = """
			SELECT name, topic, payload, cron, zone, extract(epoch FROM every) AS every_seconds, function, start_at,
			       max_runs, missed, source, runs, next_run_at, last_run_at
			FROM {schedule}
			ORDER BY name
			""";

	// A changed definition starts afresh from the given next occurrence; an unchanged one
	// keeps its progress.
	static final String UPSERT = """
			INSERT INTO {schedule} AS schedule (name, topic, payload, cron, zone, every, function, start_at, max_runs,
			                                    missed, source, runs, next_run_at)
			VALUES (:name, :topic, CAST(:payload AS jsonb), :cron, :zone, make_interval(secs => CAST(:every_seconds AS float8)),
			        :function, :start_at, :max_runs, :missed, :source, 0, :next_run_at)
			ON CONFLICT (name) DO UPDATE
			    SET topic = EXCLUDED.topic,
			        payload = EXCLUDED.payload,
			        cron = EXCLUDED.cron,
			        zone = EXCLUDED.zone,
			        every = EXCLUDED.every,
			        function = EXCLUDED.function,
			        start_at = EXCLUDED.start_at,
			        max_runs = EXCLUDED.max_runs,
			        missed = EXCLUDED.missed,
			        source = EXCLUDED.source,
			        runs = 0,
			        next_run_at = EXCLUDED.next_run_at,
			        updated_at = now()
			    WHERE (schedule.topic, schedule.payload, schedule.cron, schedule.zone, schedule.every, schedule.function,
			           schedule.start_at, schedule.max_runs, schedule.missed, schedule.source)
			          IS DISTINCT FROM
			          (EXCLUDED.topic, EXCLUDED.payload, EXCLUDED.cron, EXCLUDED.zone, EXCLUDED.every, EXCLUDED.function,
			           EXCLUDED.start_at, EXCLUDED.max_runs, EXCLUDED.missed, EXCLUDED.source)
			RETURNING name
			""";

	static final String DELETE = """
			DELETE FROM {schedule}
			WHERE name = :name
			""";

	static final String LOCK_DUE = """
			SELECT name, topic, payload, cron, zone, extract(epoch FROM every) AS every_seconds, function, start_at,
			       max_runs, missed, source, runs, next_run_at, last_run_at, now() AS database_now
			FROM {schedule}
			WHERE next_run_at <= now()
			ORDER BY next_run_at
			LIMIT :limit
			FOR UPDATE SKIP LOCKED
			""";

	static final String ADVANCE = """
			UPDATE {schedule}
			SET next_run_at = :next_run_at,
			    runs = runs + :added,
			    last_run_at = CASE WHEN :added > 0 THEN now() ELSE last_run_at END,
			    updated_at = now()
			WHERE name = :name
			""";

	static final String TIME_UNTIL_NEXT_DUE = """
			SELECT extract(epoch FROM min(next_run_at) - now()) AS seconds_until_due
			FROM {schedule}
			WHERE next_run_at IS NOT NULL
			""";

	private ScheduleSql() {
	}

}
