package dev.runqueue.store;

import java.time.Duration;
import java.util.List;

/**
 * What the cluster shares about topics: the recent releases that a rate limit counts. One
 * method per statement.
 */
public interface TopicStore {

	/**
	 * How many of a topic's jobs were released in the last {@code period}, and when the
	 * oldest of them leaves it.
	 * @param topic the topic
	 * @param period the rate limit's window
	 * @return the count and the wait
	 */
	RateWindow releasesInWindow(String topic, Duration period);

	/**
	 * Records releases of a topic's jobs now, forgetting those older than the window.
	 * @param topic the topic
	 * @param count how many were released
	 * @param period the rate limit's window
	 */
	void recordReleases(String topic, int count, Duration period);

	/**
	 * Pauses a topic across the cluster, or resumes it: no node claims the jobs of a
	 * paused topic.
	 * @param topic the topic
	 * @param paused whether it is paused
	 */
	void setPaused(String topic, boolean paused);

	/**
	 * The paused topics.
	 * @return their names
	 */
	List<String> paused();

	/**
	 * The releases in a rate limit's window.
	 *
	 * @param released how many jobs were released in the window
	 * @param untilOldestLeaves how long until the oldest release leaves the window,
	 * {@link Duration#ZERO} when the window is empty
	 */
	record RateWindow(int released, Duration untilOldestLeaves) {

	}

}
