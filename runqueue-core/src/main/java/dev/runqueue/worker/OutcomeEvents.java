package dev.runqueue.worker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import dev.runqueue.event.RunQueueEvent;
import dev.runqueue.job.Job;
import dev.runqueue.store.Completion;

/**
 * The event that a recorded outcome is.
 */
final class OutcomeEvents {

	private OutcomeEvents() {
	}

	static RunQueueEvent of(Completion completion, Job job, Duration took, String node, Clock clock) {
		Instant at = clock.instant();
		if (completion instanceof Completion.Succeed) {
			return new RunQueueEvent.JobSucceeded(at, node, job.id(), job.topic(), job.attempt(), took, true);
		}
		if (completion instanceof Completion.Replace) {
			return new RunQueueEvent.JobSucceeded(at, node, job.id(), job.topic(), job.attempt(), took, false);
		}
		if (completion instanceof Completion.Snooze) {
			return new RunQueueEvent.JobSnoozed(at, node, job.id(), job.topic());
		}
		if (completion instanceof Completion.Retry retry) {
			return new RunQueueEvent.JobRetried(at, node, job.id(), job.topic(), job.attempt(),
					JobRunner.firstLine(retry.error()), retry.delay(), false);
		}
		if (completion instanceof Completion.TimedOut timedOut && timedOut.retryDelay() != null) {
			return new RunQueueEvent.JobRetried(at, node, job.id(), job.topic(), job.attempt(), timedOut.error(),
					timedOut.retryDelay(), true);
		}
		if (completion instanceof Completion.TimedOut timedOut) {
			return new RunQueueEvent.JobFailed(at, node, job.id(), job.topic(), job.attempt(), timedOut.error());
		}
		Completion.Fail fail = (Completion.Fail) completion;
		return new RunQueueEvent.JobFailed(at, node, job.id(), job.topic(), job.attempt(),
				JobRunner.firstLine(fail.error()));
	}

}
