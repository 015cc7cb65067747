package dev.runqueue;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The topics that a {@link RunQueue} and a worker know, by name.
 */
public final class Topics {

	private final Map<String, TopicSettings> byName;

	private Topics(Map<String, TopicSettings> byName) {
		this.byName = byName;
	}

	/**
	 * The topics given.
	 * @param topics the topics' settings
	 * @return the topics
	 * @throws IllegalArgumentException if two have the same name
	 */
	public static Topics of(Collection<TopicSettings> topics) {
		Map<String, TopicSettings> byName = new LinkedHashMap<>();
		for (TopicSettings topic : topics) {
			if (byName.putIfAbsent(topic.name(), topic) != null) {
				throw new IllegalArgumentException("Topic '" + topic.name() + "' is given twice");
			}
		}
		return new Topics(Map.copyOf(byName));
	}

	/**
	 * The settings of a topic.
	 * @param name the topic's name
	 * @return the settings
	 * @throws IllegalArgumentException if no topic has that name
	 */
	public TopicSettings get(String name) {
		TopicSettings topic = this.byName.get(name);
		if (topic == null) {
			throw new IllegalArgumentException("Unknown topic '" + name + "'; the known topics are "
					+ this.byName.keySet().stream().sorted().toList() + ". Declare it (runqueue.topics." + name
					+ " in Spring Boot) or give it a handler.");
		}
		return topic;
	}

	/**
	 * The settings of a topic, if it is known.
	 * @param name the topic's name
	 * @return the settings, or empty
	 */
	public Optional<TopicSettings> find(String name) {
		return Optional.ofNullable(this.byName.get(name));
	}

	/**
	 * The names of all topics.
	 * @return the names
	 */
	public Set<String> names() {
		return this.byName.keySet();
	}

	/**
	 * All topics.
	 * @return the settings of every topic
	 */
	public Collection<TopicSettings> all() {
		return this.byName.values();
	}

}
