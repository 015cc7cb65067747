package dev.runqueue.spring.autoconfigure;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import dev.runqueue.store.NodeRecord;
import dev.runqueue.store.Stores;
import dev.runqueue.worker.Worker;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * runqueue's health on this node: down when the database cannot be reached, when the
 * worker should run and does not, or when this node's heartbeat is older than its lease
 * (so that other nodes may be taking its jobs back).
 */
class RunQueueHealthIndicator extends AbstractHealthIndicator {

	private final Stores stores;

	private final ObjectProvider<RunQueueLifecycle> lifecycle;

	RunQueueHealthIndicator(Stores stores, ObjectProvider<RunQueueLifecycle> lifecycle) {
		super("runqueue health check failed");
		this.stores = stores;
		this.lifecycle = lifecycle;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		Instant now = this.stores.schedules().now();
		builder.withDetail("database", "reachable");
		RunQueueLifecycle running = this.lifecycle.getIfAvailable();
		if (running == null) {
			builder.up().withDetail("worker", "disabled");
			return;
		}
		Worker worker = running.worker();
		if (worker == null || !worker.isRunning()) {
			builder.down().withDetail("worker", "not running");
			return;
		}
		String node = worker.settings().nodeName();
		Duration lease = worker.settings().leaseDuration();
		Optional<NodeRecord> self = this.stores.nodes()
			.list(lease)
			.stream()
			.filter((record) -> record.name().equals(node))
			.findFirst();
		builder.withDetail("node", node)
			.withDetail("leader", worker.isLeader())
			.withDetail("runningJobs", worker.runningJobs())
			.withDetail("staleWrites", worker.staleWrites())
			.withDetail("leaseLosses", worker.leaseLosses());
		if (self.isEmpty()) {
			builder.down().withDetail("heartbeat", "this node is not registered");
			return;
		}
		Duration age = Duration.between(self.get().heartbeatAt(), now);
		builder.withDetail("heartbeatAge", age.toString());
		if (age.compareTo(lease) > 0) {
			builder.down().withDetail("heartbeat", "older than the lease of " + lease);
		}
		else {
			builder.up();
		}
	}

}
