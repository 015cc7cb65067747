package dev.runqueue.spring.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.runqueue.RunQueueAdmin;
import dev.runqueue.job.JobState;
import dev.runqueue.store.NodeRecord;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The {@code runqueue} actuator endpoint: queue depths by topic and state, the cluster's
 * nodes and the paused topics.
 */
@Endpoint(id = "runqueue")
public class RunQueueEndpoint {

	private final RunQueueAdmin admin;

	private final Duration deadAfter;

	RunQueueEndpoint(RunQueueAdmin admin, Duration deadAfter) {
		this.admin = admin;
		this.deadAfter = deadAfter;
	}

	/**
	 * What the cluster is doing.
	 * @return depths, nodes and paused topics
	 */
	@ReadOperation
	public RunQueueStatus status() {
		return new RunQueueStatus(this.admin.depths(), this.admin.nodes(this.deadAfter), this.admin.pausedTopics());
	}

	/**
	 * What the endpoint reports.
	 *
	 * @param depths live jobs by topic and state
	 * @param nodes the nodes, the live ones first
	 * @param pausedTopics the paused topics
	 */
	public record RunQueueStatus(Map<String, Map<JobState, Long>> depths, List<NodeRecord> nodes,
			List<String> pausedTopics) {

	}

}
