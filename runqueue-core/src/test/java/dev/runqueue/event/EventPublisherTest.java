package dev.runqueue.event;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link EventPublisher}: listeners of one kind of event get only that kind, and do not
 * make publishers build the other kinds.
 */
class EventPublisherTest {

	private static final Instant AT = Instant.parse("2026-11-23T12:00:00Z");

	@Test
	void aListenerOfOneKindGetsOnlyThatKindAndLeavesTheOthersUnbuilt() {
		EventPublisher events = EventPublisher.none(Clock.systemUTC());
		List<RunQueueEvent.JobAdded> added = new CopyOnWriteArrayList<>();
		Consumer<RunQueueEvent.JobAdded> listener = added::add;
		events.addInlineListener(RunQueueEvent.JobAdded.class, listener);

		events.publish(new RunQueueEvent.JobAdded(AT, 1, "email"));
		events.publish(new RunQueueEvent.JobSucceeded(AT, "node", 1, "email", 1, Duration.ZERO, true));

		assertThat(added).extracting(RunQueueEvent.JobAdded::jobId).containsExactly(1L);
		assertThat(events.hasListeners(RunQueueEvent.JobAdded.class)).isTrue();
		assertThat(events.hasListeners(RunQueueEvent.JobSucceeded.class)).isFalse();
		assertThat(events.hasListeners()).isFalse();

		events.removeInlineListener(listener);
		assertThat(events.hasListeners(RunQueueEvent.JobAdded.class)).isFalse();
	}

	@Test
	void aListenerOfAllEventsCountsForEveryKind() {
		EventPublisher events = EventPublisher.none(Clock.systemUTC());
		List<RunQueueEvent> all = new CopyOnWriteArrayList<>();
		events.addInlineListener(all::add);

		events.publish(new RunQueueEvent.JobAdded(AT, 1, "email"));

		assertThat(all).hasSize(1);
		assertThat(events.hasListeners()).isTrue();
		assertThat(events.hasListeners(RunQueueEvent.JobFailed.class)).isTrue();
	}

}
