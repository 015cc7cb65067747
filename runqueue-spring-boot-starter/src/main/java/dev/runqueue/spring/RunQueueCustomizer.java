package dev.runqueue.spring;

import dev.runqueue.TopicSettings;
import dev.runqueue.worker.WorkerSettings;

/**
 * Adjusts runqueue's settings in code, after they were bound from {@code runqueue.*}
 * properties: for what properties cannot say, such as a value computed at start-up. Every
 * bean of this type is applied, in order.
 */
public interface RunQueueCustomizer {

	/**
	 * Adjusts a topic's settings.
	 * @param topic the settings so far
	 * @return the settings to use
	 */
	default TopicSettings customizeTopic(TopicSettings topic) {
		return topic;
	}

	/**
	 * Adjusts this node's worker settings.
	 * @param worker the settings so far
	 * @return the settings to use
	 */
	default WorkerSettings customizeWorker(WorkerSettings worker) {
		return worker;
	}

}
