package dev.runqueue.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

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
 * @param groupLimit the job's own limit of running jobs of its group, or {@code null}
 * @param maxAttempts the number of attempts
 * @param timeout the job's own timeout, or {@code null} for its topic's
 * @param dependsOn the jobs it waits for, empty for none
 * @param dependencyFailure what becomes of it when one of them fails for good, as stored
 * ({@code cancel} or {@code fail})
 */
public record JobInsert(String topic, String payload, int priority, Instant runAt, Duration delay, String uniqueKey,
		String uniqueScope, String group, Integer groupLimit, int maxAttempts, Duration timeout, List<Long> dependsOn,
		String dependencyFailure) {

	/**
	 * A job with only the options every job has: no group limit, no dependencies.
	 * @param topic the topic
	 * @param payload the payload as JSON text
	 * @param priority the priority
	 * @param runAt when it becomes runnable, or {@code null}
	 * @param delay how long after now it becomes runnable, when {@code runAt} is
	 * {@code null}
	 * @param uniqueKey the unique key, or {@code null}
	 * @param uniqueScope {@code live} or {@code retained}
	 * @param group the group key, or {@code null}
	 * @param maxAttempts the number of attempts
	 * @param timeout the job's own timeout, or {@code null}
	 * @return the insert
	 */
	public static JobInsert of(String topic, String payload, int priority, Instant runAt, Duration delay,
			String uniqueKey, String uniqueScope, String group, int maxAttempts, Duration timeout) {
		return new JobInsert(topic, payload, priority, runAt, delay, uniqueKey, uniqueScope, group, null, maxAttempts,
				timeout, List.of(), "cancel");
	}

}
