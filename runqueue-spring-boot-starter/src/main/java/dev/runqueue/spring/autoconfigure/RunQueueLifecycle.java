package dev.runqueue.spring.autoconfigure;

import java.util.List;
import java.util.TreeSet;
import java.util.function.Supplier;

import dev.runqueue.JsonCodec;
import dev.runqueue.worker.Worker;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.SmartLifecycle;

/**
 * Starts this node's worker once the application context is refreshed, and stops it
 * gracefully when the context closes. Before starting, it checks that every declared
 * topic has a handler, since this node is expected to run its jobs.
 */
public class RunQueueLifecycle implements SmartLifecycle, SmartInitializingSingleton {

	/**
	 * Starts before the web server and stops after it, so that requests still being
	 * finished can add jobs.
	 */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	private final Supplier<Worker.Builder> workerBuilder;

	private final RunQueueTopics topics;

	private final RunQueueJobMethodProcessor handlers;

	private final JsonCodec json;

	private final ServedTopics served;

	// Written by start() and stop(), which Spring calls from one thread at a time.
	private volatile Worker worker;

	RunQueueLifecycle(Supplier<Worker.Builder> workerBuilder, RunQueueTopics topics,
			RunQueueJobMethodProcessor handlers, JsonCodec json, ServedTopics served) {
		this.workerBuilder = workerBuilder;
		this.topics = topics;
		this.handlers = handlers;
		this.json = json;
		this.served = served;
	}

	@Override
	public void afterSingletonsInstantiated() {
		List<String> withoutHandler = this.topics.declaredNames()
			.stream()
			.filter(this.served::serves)
			.filter((topic) -> !this.handlers.handlers().containsKey(topic))
			.sorted()
			.toList();
		if (!withoutHandler.isEmpty()) {
			String first = withoutHandler.get(0);
			throw new InvalidJobHandlerException(
					"runqueue.topics declares " + withoutHandler + ", but no bean method is annotated @RunQueueJob for "
							+ ((withoutHandler.size() == 1) ? "it" : "them") + ". The topics with handlers are "
							+ new TreeSet<>(this.handlers.handlers().keySet()) + ".",
					"Add a handler such as @RunQueueJob(\"" + first + "\") to a bean method, correct the topic's "
							+ "name, or set runqueue.worker.enabled=false on nodes that only add jobs.");
		}
	}

	@Override
	public void start() {
		Worker.Builder builder = this.workerBuilder.get();
		this.handlers.handlers().forEach((topic, handler) -> {
			if (this.served.serves(topic)) {
				builder.handler(this.topics.get(topic), handler.handler(this.json));
			}
		});
		Worker started = builder.build();
		started.start();
		this.worker = started;
	}

	@Override
	public void stop() {
		Worker running = this.worker;
		if (running != null) {
			running.stop();
			this.worker = null;
		}
	}

	@Override
	public boolean isRunning() {
		Worker running = this.worker;
		return running != null && running.isRunning();
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	/**
	 * The running worker.
	 * @return the worker, or {@code null} when stopped
	 */
	public Worker worker() {
		return this.worker;
	}

}
