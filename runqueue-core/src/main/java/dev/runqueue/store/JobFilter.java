package dev.runqueue.store;

import java.time.Instant;
import java.util.List;

/**
 * The filters of a listing, as the statement takes them: {@code null} or empty matches
 * every job.
 *
 * @param topic the topic, or {@code null}
 * @param states the states' column values, or empty
 * @param createdAfter added at or after, or {@code null}
 * @param createdBefore added before, or {@code null}
 * @param uniqueKey the unique key, or {@code null}
 * @param group the group key, or {@code null}
 * @param beforeId only ids below this one, or {@code null}
 * @param limit the most rows
 */
public record JobFilter(String topic, List<String> states, Instant createdAfter, Instant createdBefore,
		String uniqueKey, String group, Long beforeId, int limit) {

}
