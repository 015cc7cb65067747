package dev.runqueue.worker;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

import dev.runqueue.JsonCodec;
import dev.runqueue.TopicSettings;
import dev.runqueue.event.EventPublisher;
import dev.runqueue.job.Job;
import dev.runqueue.job.JobHandler;
import dev.runqueue.job.JobResult;
import dev.runqueue.store.Completion;
import dev.runqueue.store.JobStore;
import dev.runqueue.store.LeaseRef;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;

import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs one job: calls its handler, inside an observation named {@value #OBSERVATION} so
 * that metrics and tracing see it where they are configured, and turns what the handler
 * returned or threw into the outcome to record. It writes nothing itself, except for a
 * transactional topic, where the job's success is written in the handler's transaction so
 * that both commit or roll back together.
 */
final class JobRunner {

	/** The name of the observation around each handler run. */
	static final String OBSERVATION = "runqueue.job.execution";

	private static final Logger logger = LoggerFactory.getLogger(JobRunner.class);

	// Enough of a stack trace to find the failing line; the last error is read by people
	// and by the next attempt.
	private static final int MAX_ERROR_LENGTH = 4000;

	private final JobStore store;

	private final JsonCodec json;

	private final Completer completer;

	private final TransactionTemplate transactions;

	private final ObservationRegistry observations;

	private final EventPublisher events;

	private final String node;

	private final Consumer<String> runnableAgain;

	private final Runnable scheduledLater;

	private final LeaseLosses leaseLosses;

	JobRunner(JobStore store, JsonCodec json, Completer completer, TransactionTemplate transactions,
			ObservationRegistry observations, EventPublisher events, String node, Consumer<String> runnableAgain,
			Runnable scheduledLater, LeaseLosses leaseLosses) {
		this.store = store;
		this.json = json;
		this.completer = completer;
		this.transactions = transactions;
		this.observations = observations;
		this.events = events;
		this.node = node;
		this.runnableAgain = runnableAgain;
		this.scheduledLater = scheduledLater;
		this.leaseLosses = leaseLosses;
	}

	void run(RunningJob running, TopicSettings topic, JobHandler handler) {
		if (!running.enter()) {
			notStarted(running);
			return;
		}
		try {
			if (topic.execution().transactional()) {
				runInTransaction(running, topic, handler);
			}
			else {
				runAndSubmit(running, topic, handler);
			}
		}
		finally {
			running.exit();
		}
	}

	private void runAndSubmit(RunningJob running, TopicSettings topic, JobHandler handler) {
		long started = System.nanoTime();
		Completion completion = attempt(running, topic, handler);
		Duration took = Duration.ofNanos(System.nanoTime() - started);
		if (running.settle(RunningJob.Settlement.COMPLETED)) {
			running.hold();
			this.completer.submit(completion, running.job(), took, running::done);
		}
		else {
			logger.debug("Outcome of job id={} not recorded: the run was {} first", running.job().id(),
					running.settlement());
		}
	}

	private Completion attempt(RunningJob running, TopicSettings topic, JobHandler handler) {
		JobResult result;
		try {
			result = observed(running, handler);
		}
		catch (Throwable ex) {
			return failure(running, topic, describe(ex), true);
		}
		return completion(running, topic, result);
	}

	/**
	 * Calls the handler on this thread, inside an observation and with the job marked as
	 * started on the thread.
	 */
	@SuppressWarnings("try") // the scope is opened for the handler's thread, not used
	private JobResult observed(RunningJob running, JobHandler handler) throws Exception {
		Job job = running.job();
		Observation observation = Observation.createNotStarted(OBSERVATION, this.observations)
			.contextualName("runqueue " + job.topic())
			.lowCardinalityKeyValue("topic", job.topic())
			.highCardinalityKeyValue("runqueue.job.id", String.valueOf(job.id()))
			.highCardinalityKeyValue("runqueue.attempt", String.valueOf(job.attempt()))
			.start();
		String outcome = "error";
		try (Observation.Scope scope = observation.openScope()) {
			JobResult result = handler.handle(job, running);
			outcome = outcome(result);
			return result;
		}
		catch (Throwable ex) {
			observation.error(ex);
			throw ex;
		}
		finally {
			running.exit();
			observation.lowCardinalityKeyValue("outcome", outcome);
			observation.stop();
		}
	}

	private static String outcome(JobResult result) {
		if (result == null || result instanceof JobResult.Success) {
			return "success";
		}
		if (result instanceof JobResult.Replace) {
			return "replace";
		}
		if (result instanceof JobResult.Snooze) {
			return "snooze";
		}
		return "failure";
	}

	private void runInTransaction(RunningJob running, TopicSettings topic, JobHandler handler) {
		long started = System.nanoTime();
		Completion written = null;
		Completion failed;
		try {
			Completion[] committed = new Completion[1];
			failed = this.transactions.execute((status) -> {
				JobResult result;
				try {
					result = observed(running, handler);
				}
				catch (RuntimeException | Error ex) {
					throw ex;
				}
				catch (Exception ex) {
					throw new HandlerException(ex);
				}
				Completion completion = completion(running, topic, result);
				if (!running.settle(RunningJob.Settlement.COMPLETED)) {
					// Timed out or given up meanwhile: another outcome stands, and this
					// run's work must not.
					status.setRollbackOnly();
					return null;
				}
				if (completion instanceof Completion.Retry || completion instanceof Completion.Fail) {
					status.setRollbackOnly();
					return completion;
				}
				Set<Long> changed = Completer.write(this.store, List.of(completion));
				if (!changed.contains(running.job().id())) {
					// Another node owns the job now: its result counts, and this run's
					// work must not.
					status.setRollbackOnly();
					this.completer.countStale(running.job(), running.lease());
				}
				else {
					committed[0] = completion;
				}
				return null;
			});
			written = committed[0];
		}
		catch (HandlerException ex) {
			failed = running.settle(RunningJob.Settlement.COMPLETED)
					? failure(running, topic, describe(ex.getCause()), true) : null;
		}
		catch (RuntimeException | Error ex) {
			failed = running.settle(RunningJob.Settlement.COMPLETED) ? failure(running, topic, describe(ex), true)
					: null;
		}
		Duration took = Duration.ofNanos(System.nanoTime() - started);
		if (written != null) {
			if (Completer.runnableAtOnce(written)) {
				this.runnableAgain.accept(topic.name());
			}
			else if (Completer.scheduledLater(written)) {
				this.scheduledLater.run();
			}
			if (this.events.hasListeners()) {
				this.events.publish(OutcomeEvents.of(written, running.job(), took, this.node, this.events.clock()));
			}
		}
		if (failed != null) {
			running.hold();
			this.completer.submit(failed, running.job(), took, running::done);
		}
	}

	private Completion completion(RunningJob running, TopicSettings topic, JobResult result) {
		LeaseRef lease = running.lease();
		try {
			if (result == null || result instanceof JobResult.Success) {
				Object value = (result != null) ? ((JobResult.Success) result).value() : null;
				return new Completion.Succeed(lease, (value != null) ? this.json.write(value) : null);
			}
			if (result instanceof JobResult.Replace replace) {
				return new Completion.Replace(lease, this.json.write(replace.payload()), replace.delay(),
						replace.runAt());
			}
			if (result instanceof JobResult.Snooze snooze) {
				return new Completion.Snooze(lease, snooze.delay());
			}
			JobResult.Fail fail = (JobResult.Fail) result;
			return failure(running, topic, fail.reason(), fail.retry());
		}
		catch (JacksonException ex) {
			return failure(running, topic, "The handler's result cannot be written as JSON: " + ex.getOriginalMessage(),
					true);
		}
	}

	private static Completion failure(RunningJob running, TopicSettings topic, String error, boolean retry) {
		Job job = running.job();
		Optional<Duration> delay = retry
				? topic.retryPolicy().retryDelay(job.attempt(), job.maxAttempts(), ThreadLocalRandom.current())
				: Optional.empty();
		if (delay.isPresent()) {
			return new Completion.Retry(running.lease(), delay.get(), error, topic.retryPolicy().freshFirst());
		}
		return new Completion.Fail(running.lease(), error);
	}

	/**
	 * A claim can reach its thread too late to be trusted: the node paused between
	 * sending the claim and starting the handler, or the claim waited on a lock for
	 * longer than the lease. Then the handler must not start, since another node may be
	 * running the job already. The job is handed back at once if its lease still holds in
	 * the database (without using an attempt); otherwise the leader takes it back when
	 * the lease has expired.
	 */
	private void notStarted(RunningJob running) {
		if (!this.leaseLosses.lose(running, "its claim reached a thread after its lease could be trusted")) {
			logger.debug("Job id={} not started: the run was {} while it waited for a thread", running.job().id(),
					running.settlement());
			return;
		}
		try {
			this.store.release(List.of(running.lease())).forEach(this.runnableAgain);
		}
		catch (RuntimeException ex) {
			logger.debug("Could not hand job id={} back; it runs again once its lease expires: {}", running.job().id(),
					ex.toString());
		}
	}

	/**
	 * Logs a failed attempt once its outcome is recorded.
	 * @param job the job
	 * @param completion the recorded outcome
	 */
	static void logFailure(Job job, Completion completion) {
		if (completion instanceof Completion.Retry retry) {
			logger.info("Job id={} topic={} failed attempt {} of {}, retry in {}ms: {}", job.id(), job.topic(),
					job.attempt(), job.maxAttempts(), retry.delay().toMillis(), firstLine(retry.error()));
		}
		else if (completion instanceof Completion.Fail fail) {
			logger.warn("Job id={} topic={} failed for good after attempt {} of {}: {}", job.id(), job.topic(),
					job.attempt(), job.maxAttempts(), firstLine(fail.error()));
		}
	}

	static String describe(Throwable failure) {
		StringWriter trace = new StringWriter();
		failure.printStackTrace(new PrintWriter(trace));
		String text = trace.toString().strip();
		return (text.length() <= MAX_ERROR_LENGTH) ? text : text.substring(0, MAX_ERROR_LENGTH - 3) + "...";
	}

	static String firstLine(String error) {
		int newline = error.indexOf('\n');
		return (newline < 0) ? error : error.substring(0, newline);
	}

	/**
	 * Carries a checked exception of a handler out of the transaction callback.
	 */
	private static final class HandlerException extends RuntimeException {

		private static final long serialVersionUID = 1L;

		HandlerException(Exception cause) {
			super(cause);
		}

	}

}
