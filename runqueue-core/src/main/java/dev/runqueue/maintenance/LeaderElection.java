package dev.runqueue.maintenance;

import java.time.Duration;

import dev.runqueue.store.NodeStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether this node leads the cluster's maintenance: it takes the leader lease
 * when nobody holds it or its holder let it expire, and renews it while it holds it. A
 * leader that dies or freezes loses the lead when its lease expires, by the database's
 * clock.
 */
public final class LeaderElection {

	/** The role whose lease this election holds. */
	public static final String ROLE = "maintenance";

	private static final Logger logger = LoggerFactory.getLogger(LeaderElection.class);

	private final NodeStore nodes;

	private final String node;

	private final Duration lease;

	// Written by the maintenance thread, read by anyone.
	private volatile boolean leader;

	/**
	 * Creates an election.
	 * @param nodes the cluster's tables
	 * @param node this node's name
	 * @param lease how long the lead lasts without renewal
	 */
	public LeaderElection(NodeStore nodes, String node, Duration lease) {
		this.nodes = nodes;
		this.node = node;
		this.lease = lease;
	}

	/**
	 * Takes or renews the lead if it can.
	 * @return whether this node leads now
	 */
	public boolean runOnce() {
		boolean leads;
		try {
			leads = this.nodes.lead(ROLE, this.node, this.lease);
		}
		catch (RuntimeException ex) {
			// Without the database nobody can renew, and this node's lead lapses with its
			// lease.
			this.leader = false;
			throw ex;
		}
		if (leads != this.leader) {
			logger.info(leads ? "Node {} now leads the cluster's maintenance"
					: "Node {} no longer leads the cluster's maintenance", this.node);
		}
		this.leader = leads;
		return leads;
	}

	/**
	 * Whether this node led at its last look.
	 * @return {@code true} if it did
	 */
	public boolean isLeader() {
		return this.leader;
	}

	/**
	 * Gives up the lead, so that another node takes it at once.
	 */
	public void resign() {
		if (this.leader) {
			this.nodes.resign(ROLE, this.node);
			this.leader = false;
			logger.info("Node {} gave up the lead of the cluster's maintenance", this.node);
		}
	}

}
