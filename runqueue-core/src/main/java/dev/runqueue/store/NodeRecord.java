package dev.runqueue.store;

import java.time.Instant;
import java.util.List;

/**
 * A node of the cluster, as registered.
 *
 * @param name the node's name
 * @param host the host it runs on
 * @param pid its process id
 * @param topics the topics it runs jobs of
 * @param startedAt when it started
 * @param heartbeatAt its last heartbeat
 * @param stoppedAt when it stopped cleanly, or {@code null}
 * @param alive whether it is running: not stopped, and its last heartbeat is recent by
 * the database's clock
 * @param leader whether it holds the maintenance lease
 */
public record NodeRecord(String name, String host, long pid, List<String> topics, Instant startedAt,
		Instant heartbeatAt, Instant stoppedAt, boolean alive, boolean leader) {

}
