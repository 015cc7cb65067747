package dev.runqueue.job;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.runqueue.store.JobRecord;

/**
 * A job's run state, as anyone can read it at any time: what it is, where it stands, its
 * counters and its outcome.
 *
 * @param id the job's id
 * @param topic its topic
 * @param state its state
 * @param payload its payload as JSON text
 * @param result its result as JSON text, once it succeeded with one
 * @param priority its priority
 * @param runAt when it runs, or ran last
 * @param uniqueKey its unique key, or {@code null}
 * @param group its group key, or {@code null}
 * @param attempt attempts made in this round
 * @param maxAttempts attempts it has
 * @param errors failed attempts in its life (error retries)
 * @param timeouts timed-out attempts in this round (timeout retries)
 * @param rescues times in this round it was taken back from a node whose lease expired
 * @param runs successful runs in its life (rounds of a job that replaces itself)
 * @param lastError the error of its last failed attempt, or {@code null}
 * @param node the node that started it last, or {@code null}
 * @param dependsOn the jobs it waits for
 * @param timeout its own timeout, or {@code null}
 * @param createdAt when it was added
 * @param startedAt when its last attempt started, or {@code null}
 * @param finishedAt when it finished, or {@code null}
 */
public record JobInfo(long id, String topic, JobState state, String payload, String result, int priority, Instant runAt,
		String uniqueKey, String group, int attempt, int maxAttempts, int errors, int timeouts, int rescues, int runs,
		String lastError, String node, List<Long> dependsOn, Duration timeout, Instant createdAt, Instant startedAt,
		Instant finishedAt) {

	/**
	 * The run state of a stored job.
	 * @param record the job's row
	 * @return the run state
	 */
	public static JobInfo of(JobRecord record) {
		return new JobInfo(record.id(), record.topic(), record.state(), record.payload(), record.result(),
				record.priority(), record.runAt(), record.uniqueKey(), record.group(), record.attempt(),
				record.maxAttempts(), record.errors(), record.timeouts(), record.rescues(), record.runs(),
				record.lastError(), record.claimedBy(), record.dependsOn(), record.timeout(), record.createdAt(),
				record.startedAt(), record.finishedAt());
	}

	/**
	 * Whether the job has finished: succeeded, failed or cancelled.
	 * @return {@code true} if it has
	 */
	public boolean isFinished() {
		return this.state.isFinished();
	}

}
