package dev.runqueue.event;

/**
 * Receives runqueue's events. In Spring Boot, every bean of this type receives them, and
 * they are published as application events too, for {@code @EventListener} methods.
 */
@FunctionalInterface
public interface RunQueueEventListener {

	/**
	 * Receives an event.
	 * @param event the event
	 */
	void onEvent(RunQueueEvent event);

}
