package dev.runqueue.spring.autoconfigure;

import java.util.Set;

/**
 * Which topics this node runs jobs of: all of them, those of the queues in
 * {@code runqueue.worker.queues}, or those in {@code runqueue.worker.topics}. A topic
 * without a declaration is in the default queue.
 */
final class ServedTopics {

	static final String DEFAULT_QUEUE = "default";

	private final RunQueueProperties properties;

	ServedTopics(RunQueueProperties properties) {
		this.properties = properties;
	}

	boolean serves(String topic) {
		Set<String> topics = this.properties.getWorker().getTopics();
		if (topics != null && !topics.isEmpty() && !topics.contains(topic)) {
			return false;
		}
		Set<String> queues = this.properties.getWorker().getQueues();
		if (queues != null && !queues.isEmpty()) {
			RunQueueProperties.Topic declared = this.properties.getTopics().get(topic);
			String queue = (declared != null) ? declared.getQueue() : DEFAULT_QUEUE;
			return queues.contains(queue);
		}
		return true;
	}

}
