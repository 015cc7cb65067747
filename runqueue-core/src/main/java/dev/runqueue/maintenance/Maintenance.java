package dev.runqueue.maintenance;

import java.time.Duration;

import dev.runqueue.event.EventPublisher;
import dev.runqueue.store.NodeStore;
import dev.runqueue.store.Stores;
import dev.runqueue.support.ServiceLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's maintenance on this node: every interval it takes part in the leader
 * election, and if it leads, it takes back jobs whose leases expired and removes nodes
 * that are long gone.
 */
public final class Maintenance {

	private static final Logger logger = LoggerFactory.getLogger(Maintenance.class);

	private final MaintenanceSettings settings;

	private final NodeStore nodes;

	private final LeaderElection election;

	private final Rescuer rescuer;

	private final Pruner pruner;

	private final DependencySweeper dependencies;

	private final ServiceLoop loop;

	/**
	 * Creates the maintenance of one node.
	 * @param settings how it runs
	 * @param stores the tables
	 * @param node this node's name
	 * @param events publishes what the maintenance does
	 */
	public Maintenance(MaintenanceSettings settings, Stores stores, String node, EventPublisher events) {
		this.settings = settings;
		this.nodes = stores.nodes();
		this.election = new LeaderElection(stores.nodes(), node, settings.leaderLease());
		this.rescuer = new Rescuer(stores.maintenance(), stores.jobs(), settings.maxRescues(), events, node);
		this.pruner = new Pruner(stores.maintenance(), settings.retention());
		this.dependencies = new DependencySweeper(stores.maintenance(), stores.jobs());
		this.loop = new ServiceLoop("runqueue-maintenance", this::step);
	}

	/**
	 * Starts the maintenance loop.
	 */
	public void start() {
		this.loop.start();
	}

	/**
	 * Stops the loop and gives up the lead.
	 * @param timeout the longest wait for a run under way
	 * @throws InterruptedException if interrupted while waiting
	 */
	public void stop(Duration timeout) throws InterruptedException {
		this.loop.stop();
		this.loop.join(timeout);
		try {
			this.election.resign();
		}
		catch (RuntimeException ex) {
			logger.debug("Could not give up the lead; it lapses when its lease expires", ex);
		}
	}

	/**
	 * Whether this node leads the maintenance.
	 * @return {@code true} if it does
	 */
	public boolean isLeader() {
		return this.election.isLeader();
	}

	private Duration step() {
		runOnce();
		return this.settings.interval();
	}

	/**
	 * Runs the election, and the maintenance if this node leads.
	 * @return what the rescuer did, or nothing when this node does not lead
	 */
	public Rescuer.RescueResult runOnce() {
		if (!this.election.runOnce()) {
			return new Rescuer.RescueResult(0, 0);
		}
		Rescuer.RescueResult result = this.rescuer.runOnce();
		this.pruner.runOnce();
		this.dependencies.runOnce();
		int removed = this.nodes.removeGone(this.settings.nodeRetention());
		if (removed > 0) {
			logger.info("Removed {} nodes gone for longer than {}", removed, this.settings.nodeRetention());
		}
		return result;
	}

}
