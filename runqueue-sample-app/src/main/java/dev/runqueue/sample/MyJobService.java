package dev.runqueue.sample;

import java.util.concurrent.atomic.AtomicInteger;

import dev.runqueue.AddResult;
import dev.runqueue.RunQueue;
import dev.runqueue.job.JobContext;
import dev.runqueue.job.JobResult;
import dev.runqueue.spring.RunQueueJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;

/**
 * The sample service of runqueue's first source document, in Spring: on start-up it adds
 * the job {@code myjob}, whose topic gives it the unique key {@code myjob}, so that a
 * restart against the same database reports a duplicate instead of adding a second one.
 * The handler fails once on purpose to show a retry, then works through its state in
 * rounds, replacing itself with an advanced counter until the counter passes 103.
 */
@Service
public class MyJobService {

	private static final Logger logger = LoggerFactory.getLogger(MyJobService.class);

	private final RunQueue runQueue;

	private final AtomicInteger counter = new AtomicInteger(100);

	public MyJobService(RunQueue runQueue) {
		this.runQueue = runQueue;
	}

	@EventListener(ApplicationReadyEvent.class)
	public void addMyJob() {
		AddResult result = this.runQueue.add("myjob", new MyJobState("value", this.counter.get()));
		if (result.added()) {
			logger.info("Added myjob as job {}", result.id());
		}
		else {
			logger.info("myjob is already there as job {} (unique key '{}'): nothing added", result.id(),
					result.uniqueKey());
		}
	}

	@RunQueueJob("myjob")
	public JobResult myJobMethod(MyJobState state, JobContext context) {
		logger.info("============>> myjob round: counter={} attempt={} lastError={}", state.counter(),
				context.attempt(),
				context.lastError().map((error) -> error.lines().findFirst().orElse("")).orElse("none"));
		// Throw an error to watch it retry: the next attempt sees this error as its last
		// error.
		if (state.counter() == 101 && context.lastError().isEmpty()) {
			throw new IllegalStateException("I failed hard, pick again");
		}
		// Do some legitimate work, and track how far along we are in the job's state.
		int next = this.counter.incrementAndGet();
		if (next > 103) {
			logger.info("============>> myjob finished with counter={}", next);
			return JobResult.success(new MyJobState(state.some(), next));
		}
		// Record the state for the next round, and run it again at once.
		return JobResult.replace(new MyJobState(state.some(), next));
	}

	/**
	 * How many rounds the handler has done, plus 100.
	 * @return the counter
	 */
	public int counter() {
		return this.counter.get();
	}

	/**
	 * The job's state, kept as its JSON payload between rounds.
	 *
	 * @param some any value
	 * @param counter how far along the work is
	 */
	public record MyJobState(String some, int counter) {

	}

}
