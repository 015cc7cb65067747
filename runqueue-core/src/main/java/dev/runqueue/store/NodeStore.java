package dev.runqueue.store;

import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * The cluster's tables: registered nodes with their heartbeats, and the lease that makes
 * one node the leader that runs the cluster's maintenance. One method per statement, like
 * {@link JobStore}; all times are the database's.
 */
public interface NodeStore {

	/**
	 * Registers a node, or registers it again after it restarted under the same name.
	 * @param name the node's name
	 * @param host its host
	 * @param pid its process id
	 * @param topics the topics it runs jobs of
	 */
	void register(String name, String host, long pid, Collection<String> topics);

	/**
	 * Records a node's heartbeat.
	 * @param name the node's name
	 * @return whether the node was registered; a node removed while it could not beat
	 * registers again
	 */
	boolean heartbeat(String name);

	/**
	 * Records that a node stopped cleanly.
	 * @param name the node's name
	 */
	void markStopped(String name);

	/**
	 * Lists the registered nodes.
	 * @param deadAfter how long after its last heartbeat a node counts as dead
	 * @return the nodes, the live ones first
	 */
	List<NodeRecord> list(Duration deadAfter);

	/**
	 * Removes nodes that stopped, or whose last heartbeat is older than
	 * {@code retention}.
	 * @param retention how long stopped and dead nodes stay visible
	 * @return how many were removed
	 */
	int removeGone(Duration retention);

	/**
	 * Takes or keeps the leader lease of a role: succeeds when nobody holds it, when its
	 * holder let it expire, or when this node holds it already, in which case it is
	 * renewed.
	 * @param role the role, such as {@code maintenance}
	 * @param node this node's name
	 * @param duration how long from the database's now the lease lasts
	 * @return whether this node is the leader now
	 */
	boolean lead(String role, String node, Duration duration);

	/**
	 * Gives up the leader lease, if this node holds it, so that another node takes over
	 * at once.
	 * @param role the role
	 * @param node this node's name
	 */
	void resign(String role, String node);

}
