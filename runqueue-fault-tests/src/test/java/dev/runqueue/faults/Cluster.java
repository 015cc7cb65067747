package dev.runqueue.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.runqueue.testpostgres.TestDatabase;

/**
 * The node processes of one test, all on one database: started with options that share
 * the database and the test's settings, and all killed when the test ends (or when the
 * test JVM exits, whatever happened to the test).
 */
final class Cluster implements AutoCloseable {

	private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

	private static final Set<NodeProcess> everyNode = ConcurrentHashMap.newKeySet();

	static {
		Runtime.getRuntime()
			.addShutdownHook(new Thread(() -> everyNode.forEach(NodeProcess::destroy), "fault-nodes-kill"));
	}

	private final NodeOptions defaults;

	private final List<NodeProcess> nodes = new CopyOnWriteArrayList<>();

	private Cluster(NodeOptions defaults) {
		this.defaults = defaults;
	}

	/**
	 * A cluster on a test database.
	 * @param database the database
	 * @return the cluster, with no node yet
	 */
	static Cluster on(TestDatabase database) {
		return on(database.jdbcUrl(), database.user(), database.password());
	}

	/**
	 * A cluster on any database.
	 * @param jdbcUrl the database
	 * @param user the user
	 * @param password the password
	 * @return the cluster, with no node yet
	 */
	static Cluster on(String jdbcUrl, String user, String password) {
		return new Cluster(NodeOptions.node("node", jdbcUrl, user, password));
	}

	/**
	 * Options for a node of this cluster, with the defaults of {@link NodeOptions}.
	 * @param name the node's name
	 * @return the options
	 */
	NodeOptions node(String name) {
		return this.defaults.named(name);
	}

	/**
	 * Starts nodes side by side and waits until each runs.
	 * @param options the nodes' options
	 * @return the nodes, in the order of the options
	 */
	List<NodeProcess> start(NodeOptions... options) {
		List<NodeProcess> started = new ArrayList<>();
		for (NodeOptions node : options) {
			NodeProcess process = NodeProcess.start(node);
			everyNode.add(process);
			this.nodes.add(process);
			started.add(process);
		}
		started.forEach((process) -> process.awaitReady(READY_TIMEOUT));
		return started;
	}

	/**
	 * Starts a node and waits until it runs.
	 * @param options the node's options
	 * @return the node
	 */
	NodeProcess startOne(NodeOptions options) {
		return start(options).get(0);
	}

	List<NodeProcess> nodes() {
		return List.copyOf(this.nodes);
	}

	@Override
	public void close() {
		for (NodeProcess node : this.nodes) {
			node.destroy();
			everyNode.remove(node);
		}
		this.nodes.clear();
	}

}
