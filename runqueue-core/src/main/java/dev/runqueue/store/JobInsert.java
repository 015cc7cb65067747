package dev.runqueue.store;

import java.time.Duration;
import java.time.Instant;

/**
 * One job to insert, with every option resolved against its topic's defaults.
 *
 * @param topic the topic
 * @param payload the payload as JSON text
 * @param priority the priority
 * @param runAt when it becomes runnable, or {@code null} to count {@code delay} from the
 * database's now
 * @param delay how long after the database's now it becomes runnable, when {@code runAt}
 * is {@code null}
 * @param uniqueKey the unique key, or {@code null}
 * @param uniqueScope how long the unique key blocks others, as stored ({@code live} or
 * {@code retained})
 * @param group the group key, or {@code null}
 * @param maxAttempts the number of attempts
 * @param timeout the job's own timeout, or {@code null} for its topic's
 */
public record JobInsert(String topic, String payload, int priority, Instant runAt, Duration delay, String uniqueKey,
		String uniqueScope, String group, int maxAttempts, Duration timeout) {

}
