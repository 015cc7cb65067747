package dev.runqueue.maintenance;

import java.time.Duration;

import dev.runqueue.store.JobStore;
import dev.runqueue.store.NodeStore;
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

	private final ServiceLoop loop;

	/**
	 * Creates the maintenance of one node.
	 * @param settings how it runs
	 * @param jobs the job table
	 * @param nodes the cluster's tables
	 * @param node this node's name
	 */
	public Maintenance(MaintenanceSettings settings, JobStore jobs, NodeStore nodes, String node) {
		this.settings = settings;
		this.nodes = nodes;
		this.election = new LeaderElection(nodes, node, settings.leaderLease());
		this.rescuer = new Rescuer(jobs, settings.maxRescues());
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
		int removed = this.nodes.removeGone(this.settings.nodeRetention());
		if (removed > 0) {
			logger.info("Removed {} nodes gone for longer than {}", removed, this.settings.nodeRetention());
		}
		return result;
	}

}
