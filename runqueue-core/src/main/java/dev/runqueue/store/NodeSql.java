package dev.runqueue.store;

/**
 * Every statement on the node and leader tables, named after the {@link NodeStore} method
 * that runs it. {@code {node}} and {@code {leader}} stand for the tables' configured
 * names.
 */
final class NodeSql {

	static final String REGISTER = """
			INSERT INTO {node} (name, host, pid, topics, started_at, heartbeat_at, stopped_at)
			VALUES (:name, :host, :pid, CAST(:topics AS text[]), now(), now(), NULL)
			ON CONFLICT (name) DO UPDATE
			    SET host = EXCLUDED.host,
			        pid = EXCLUDED.pid,
			        topics = EXCLUDED.topics,
			        started_at = now(),
			        heartbeat_at = now(),
			        stopped_at = NULL
			""";

	static final String HEARTBEAT = """
			UPDATE {node}
			SET heartbeat_at = now()
			WHERE name = :name
			  AND stopped_at IS NULL
			""";

	static final String MARK_STOPPED = """
			UPDATE {node}
			SET stopped_at = now()
			WHERE name = :name
			""";

	static final String LIST = """
			SELECT node.name, node.host, node.pid, node.topics, node.started_at, node.heartbeat_at, node.stopped_at,
			       node.stopped_at IS NULL AND node.heartbeat_at > now() - make_interval(secs => :dead_after_seconds)
			           AS alive,
			       leader.node IS NOT NULL AS leader
			FROM {node} AS node
			LEFT JOIN {leader} AS leader
			       ON leader.node = node.name
			      AND leader.role = 'maintenance'
			      AND leader.expires_at > now()
			ORDER BY alive DESC, node.name
			""";

	static final String REMOVE_GONE = """
			DELETE FROM {node}
			WHERE coalesce(stopped_at, heartbeat_at) < now() - make_interval(secs => :retention_seconds)
			""";

	// Takes the lease when it is free or expired, renews it when this node holds it, and
	// otherwise changes nothing: RETURNING gives a row exactly when this node leads.
	static final String LEAD = """
			INSERT INTO {leader} AS leader (role, node, elected_at, expires_at)
			VALUES (:role, :node, now(), now() + make_interval(secs => :lease_seconds))
			ON CONFLICT (role) DO UPDATE
			    SET node = EXCLUDED.node,
			        elected_at = CASE WHEN leader.node = EXCLUDED.node THEN leader.elected_at ELSE now() END,
			        expires_at = EXCLUDED.expires_at
			    WHERE leader.node = EXCLUDED.node
			       OR leader.expires_at <= now()
			RETURNING node
			""";

	static final String RESIGN = """
			DELETE FROM {leader}
			WHERE role = :role
			  AND node = :node
			""";

	private NodeSql() {
	}

}
