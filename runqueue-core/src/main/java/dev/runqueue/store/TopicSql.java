package dev.runqueue.store;

/**
 * Every statement on the topic table, named after the {@link TopicStore} method that runs
 * it. {@code {topic}} stands for the table's configured name.
 */
final class TopicSql {

	static final String RELEASES_IN_WINDOW = """
			SELECT count(released) AS released,
			       coalesce(extract(epoch FROM min(released) + make_interval(secs => :period_seconds) - now()), 0)
			           AS seconds_until_oldest_leaves
			FROM {topic} AS topic, unnest(topic.released_at) AS released
			WHERE topic.name = :topic
			  AND released > now() - make_interval(secs => :period_seconds)
			""";

	static final String RECORD_RELEASES = """
			INSERT INTO {topic} AS topic (name, released_at)
			VALUES (:topic, array_fill(now(), ARRAY[:count]))
			ON CONFLICT (name) DO UPDATE
			    SET released_at = ARRAY(SELECT released
			                            FROM unnest(topic.released_at) AS released
			                            WHERE released > now() - make_interval(secs => :period_seconds))
			                      || array_fill(now(), ARRAY[:count])
			""";

	static final String SET_PAUSED = """
			INSERT INTO {topic} (name, paused)
			VALUES (:topic, :paused)
			ON CONFLICT (name) DO UPDATE
			    SET paused = EXCLUDED.paused
			""";

	static final String PAUSED = """
			SELECT name
			FROM {topic}
			WHERE paused
			ORDER BY name
			""";

	private TopicSql() {
	}

}
