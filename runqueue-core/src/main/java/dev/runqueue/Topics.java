package dev.runqueue;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The topics that a {@link RunQueue} knows, by name. {@link #of(Collection)} gives a
 * fixed set; the Spring Boot starter's set grows as handler beans are found.
 */
public interface Topics {

	/**
	 * The settings of a topic, if it is known.
	 * @param name the topic's name
	 * @return the settings, or empty
	 */
	Optional<TopicSettings> find(String name);

	/**
	 * The names of all known topics.
	 * @return the names
	 */
	Set<String> names();

	/**
	 * The settings of a topic.
	 * @param name the topic's name
	 * @return the settings
	 * @throws IllegalArgumentException if no topic has that name, with the names of those
	 * that exist
	 */
	default TopicSettings get(String name) {
		return find(name).orElseThrow(() -> new IllegalArgumentException(
				"Unknown topic '" + name + "'; the known topics are " + names().stream().sorted().toList()
						+ ". Declare it (runqueue.topics." + name + " in Spring Boot) or give it a handler."));
	}

	/**
	 * A fixed set of topics.
	 * @param topics the topics' settings
	 * @return the topics
	 * @throws IllegalArgumentException if two have the same name
	 */
	static Topics of(Collection<TopicSettings> topics) {
		Map<String, TopicSettings> byName = new LinkedHashMap<>();
		for (TopicSettings topic : topics) {
			if (byName.putIfAbsent(topic.name(), topic) != null) {
				throw new IllegalArgumentException("Topic '" + topic.name() + "' is given twice");
			}
		}
		Map<String, TopicSettings> fixed = Map.copyOf(byName);
		return new Topics() {

			@Override
			public Optional<TopicSettings> find(String name) {
				return Optional.ofNullable(fixed.get(name));
			}

			@Override
			public Set<String> names() {
				return fixed.keySet();
			}

		};
	}

}
