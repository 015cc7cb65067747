package dev.runqueue.event;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes runqueue's events. Inline listeners (such as metrics) are called on the
 * publishing thread and must return at once; listeners are called on one thread of the
 * publisher's own, fed by a bounded queue, so that however slow they are, the threads
 * that run jobs never wait. When the queue is full, events are dropped and counted rather
 * than block a worker.
 */
public final class EventPublisher implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(EventPublisher.class);

	private static final int DEFAULT_CAPACITY = 10_000;

	private final Clock clock;

	private final List<RunQueueEventListener> inline = new CopyOnWriteArrayList<>();

	private final List<TypedListener<?>> typed = new CopyOnWriteArrayList<>();

	private final List<RunQueueEventListener> listeners = new CopyOnWriteArrayList<>();

	private final BlockingQueue<RunQueueEvent> queue;

	private final AtomicLong dropped = new AtomicLong();

	// Written by addListener and close, under this object's monitor.
	private Thread dispatcher;

	private volatile boolean closed;

	/**
	 * Creates a publisher with a queue of 10,000 events.
	 * @param clock the clock that stamps events
	 */
	public EventPublisher(Clock clock) {
		this(clock, DEFAULT_CAPACITY);
	}

	EventPublisher(Clock clock, int capacity) {
		this.clock = clock;
		this.queue = new ArrayBlockingQueue<>(capacity);
	}

	/**
	 * A publisher without listeners, so that publishing costs nothing, until one is
	 * added.
	 * @param clock the clock that stamps events
	 * @return the publisher
	 */
	public static EventPublisher none(Clock clock) {
		return new EventPublisher(clock, 1);
	}

	/**
	 * The clock that stamps events.
	 * @return the clock
	 */
	public Clock clock() {
		return this.clock;
	}

	/**
	 * Adds a listener called on the publishing thread, before the event is queued for the
	 * others. It must return at once: it runs on the threads that run jobs.
	 * @param listener the listener
	 */
	public void addInlineListener(RunQueueEventListener listener) {
		this.inline.add(listener);
	}

	/**
	 * Adds a listener for one kind of event, called on the publishing thread. It must
	 * return at once. Unlike the other listeners it does not make the publishers of other
	 * kinds of events build their events.
	 * @param <E> the kind of event
	 * @param type the kind of event
	 * @param listener the listener
	 */
	public <E extends RunQueueEvent> void addInlineListener(Class<E> type, Consumer<? super E> listener) {
		this.typed.add(new TypedListener<>(type, listener));
	}

	/**
	 * Removes an inline listener, of all events or of one kind.
	 * @param listener the listener
	 */
	public void removeInlineListener(Object listener) {
		this.inline.remove(listener);
		this.typed.removeIf((typed) -> typed.listener() == listener);
	}

	/**
	 * Adds a listener called on the publisher's own thread.
	 * @param listener the listener
	 */
	public synchronized void addListener(RunQueueEventListener listener) {
		this.listeners.add(listener);
		if (this.dispatcher == null && !this.closed) {
			this.dispatcher = new Thread(this::dispatch, "runqueue-events");
			this.dispatcher.setDaemon(true);
			this.dispatcher.start();
		}
	}

	/**
	 * Whether anybody listens to all events, so that callers need not make events nobody
	 * reads.
	 * @return {@code true} if there is such a listener
	 */
	public boolean hasListeners() {
		return !this.inline.isEmpty() || !this.listeners.isEmpty();
	}

	/**
	 * Whether anybody listens to a kind of event.
	 * @param type the kind of event
	 * @return {@code true} if there is such a listener
	 */
	public boolean hasListeners(Class<? extends RunQueueEvent> type) {
		if (hasListeners()) {
			return true;
		}
		for (TypedListener<?> typed : this.typed) {
			if (typed.type().isAssignableFrom(type)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Publishes an event.
	 * @param event the event
	 */
	public void publish(RunQueueEvent event) {
		for (RunQueueEventListener listener : this.inline) {
			try {
				listener.onEvent(event);
			}
			catch (RuntimeException ex) {
				logger.warn("An inline runqueue event listener failed on {}: {}", event, ex.toString());
			}
		}
		for (TypedListener<?> typed : this.typed) {
			try {
				typed.offer(event);
			}
			catch (RuntimeException ex) {
				logger.warn("An inline runqueue event listener failed on {}: {}", event, ex.toString());
			}
		}
		if (!this.listeners.isEmpty() && !this.queue.offer(event)) {
			if (this.dropped.getAndIncrement() == 0) {
				logger.warn("runqueue event listeners are too slow: events are dropped (more in dropped())");
			}
		}
	}

	/**
	 * How many events were dropped because the listeners could not keep up.
	 * @return the count
	 */
	public long dropped() {
		return this.dropped.get();
	}

	/**
	 * Delivers the events still queued, then stops the publisher's thread.
	 */
	@Override
	public synchronized void close() {
		this.closed = true;
		if (this.dispatcher != null) {
			this.dispatcher.interrupt();
			try {
				this.dispatcher.join(5000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.dispatcher = null;
		}
	}

	private void dispatch() {
		while (true) {
			RunQueueEvent event;
			try {
				event = this.closed ? this.queue.poll() : this.queue.poll(1, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				if (this.closed) {
					event = this.queue.poll();
				}
				else {
					continue;
				}
			}
			if (event == null) {
				if (this.closed) {
					return;
				}
				continue;
			}
			for (RunQueueEventListener listener : this.listeners) {
				try {
					listener.onEvent(event);
				}
				catch (RuntimeException ex) {
					logger.warn("A runqueue event listener failed on {}: {}", event, ex.toString(), ex);
				}
			}
		}
	}

	private record TypedListener<E extends RunQueueEvent>(Class<E> type, Consumer<? super E> listener) {

		void offer(RunQueueEvent event) {
			if (this.type.isInstance(event)) {
				this.listener.accept(this.type.cast(event));
			}
		}

	}

}
