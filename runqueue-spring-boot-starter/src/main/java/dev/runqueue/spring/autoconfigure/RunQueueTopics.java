package dev.runqueue.spring.autoconfigure;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.runqueue.TopicSettings;
import dev.runqueue.Topics;
import dev.runqueue.spring.RunQueueCustomizer;

import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * The application's topics: those declared under {@code runqueue.topics}, and those that
 * only a handler names, which run with the defaults. Handlers are found as their beans
 * are initialized, so the set grows during start-up; once every singleton exists it is
 * checked against {@code runqueue.require-declared-topics}.
 */
public class RunQueueTopics implements Topics, SmartInitializingSingleton {

	private final Map<String, TopicSettings> declared;

	private final RunQueueJobMethodProcessor handlers;

	private final List<RunQueueCustomizer> customizers;

	private final boolean requireDeclared;

	// Settings of topics that only a handler names, made on first use; read and written
	// by any thread.
	private final Map<String, TopicSettings> undeclared = new ConcurrentHashMap<>();

	RunQueueTopics(Map<String, TopicSettings> declared, RunQueueJobMethodProcessor handlers,
			List<RunQueueCustomizer> customizers, boolean requireDeclared) {
		this.declared = Map.copyOf(declared);
		this.handlers = handlers;
		this.customizers = List.copyOf(customizers);
		this.requireDeclared = requireDeclared;
	}

	@Override
	public Optional<TopicSettings> find(String name) {
		TopicSettings topic = this.declared.get(name);
		if (topic != null) {
			return Optional.of(topic);
		}
		if (this.requireDeclared || !this.handlers.handlers().containsKey(name)) {
			return Optional.empty();
		}
		return Optional.of(this.undeclared.computeIfAbsent(name, (key) -> customize(TopicSettings.named(key))));
	}

	@Override
	public Set<String> names() {
		Set<String> names = new LinkedHashSet<>(this.declared.keySet());
		if (!this.requireDeclared) {
			names.addAll(this.handlers.handlers().keySet());
		}
		return names;
	}

	/**
	 * The topics declared under {@code runqueue.topics}.
	 * @return their names
	 */
	Set<String> declaredNames() {
		return this.declared.keySet();
	}

	private TopicSettings customize(TopicSettings topic) {
		return customize(topic, this.customizers);
	}

	/**
	 * Applies customizers to a topic's settings, in order.
	 * @param topic the settings bound from properties, or the defaults
	 * @param customizers the customizers
	 * @return the settings to use
	 */
	static TopicSettings customize(TopicSettings topic, List<RunQueueCustomizer> customizers) {
		TopicSettings customized = topic;
		for (RunQueueCustomizer customizer : customizers) {
			customized = customizer.customizeTopic(customized);
		}
		return customized;
	}

	@Override
	public void afterSingletonsInstantiated() {
		if (!this.requireDeclared) {
			return;
		}
		for (HandlerMethod handler : this.handlers.handlers().values()) {
			if (!this.declared.containsKey(handler.topic())) {
				throw new InvalidJobHandlerException(handler.description() + " handles topic '" + handler.topic()
						+ "', which is not declared under runqueue.topics, and runqueue.require-declared-topics is true.",
						"Declare the topic as runqueue.topics." + handler.topic() + ", or correct the topic's name in "
								+ "the annotation. The declared topics are " + this.declared.keySet() + ".");
			}
		}
	}

}
