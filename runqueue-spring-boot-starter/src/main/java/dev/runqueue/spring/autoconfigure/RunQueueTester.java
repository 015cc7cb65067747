package dev.runqueue.spring.autoconfigure;

import java.time.Duration;

import dev.runqueue.JsonCodec;
import dev.runqueue.job.JobState;
import dev.runqueue.store.AdminStore;
import dev.runqueue.store.Stores;
import dev.runqueue.worker.InlineRunner;

import org.springframework.transaction.PlatformTransactionManager;

/**
 * Runs jobs for the tests of an application: inject it, add jobs the way the application
 * does, and run a topic's due jobs on the test's thread with the application's own
 * handlers, so that the test asserts on what they did without waiting for a worker:
 *
 * <pre class="code">
 * &#64;Autowired RunQueueTester runQueueTester;
 *
 * &#64;Test
 * void sendsTheWelcomeEmail() {
 *     users.register("a@example.com");
 *     assertThat(runQueueTester.runDueJobs("welcome-email")).isEqualTo(1);
 *     assertThat(mailbox.received()).hasSize(1);
 * }
 * </pre>
 *
 * Tests that let the application's worker run the jobs wait for a topic to be idle with
 * {@link #awaitIdle(String, Duration)}. To keep the worker from taking the jobs first,
 * set {@code runqueue.worker.enabled=false} in such tests.
 */
public class RunQueueTester {

	private static final int MAX_JOBS = 10_000;

	private final Stores stores;

	private final RunQueueTopics topics;

	private final RunQueueJobMethodProcessor handlers;

	private final InlineRunner runner;

	private final JsonCodec json;

	RunQueueTester(Stores stores, RunQueueTopics topics, RunQueueJobMethodProcessor handlers, JsonCodec json,
			PlatformTransactionManager transactionManager) {
		this.stores = stores;
		this.topics = topics;
		this.handlers = handlers;
		this.runner = new InlineRunner(stores, json, transactionManager);
		this.json = json;
	}

	/**
	 * Runs a topic's due jobs on the calling thread with the topic's handler, and the
	 * jobs they make due at once (rounds of jobs that replace themselves), until none is
	 * left.
	 * @param topic the topic
	 * @return how many jobs ran
	 * @throws IllegalArgumentException if the topic has no handler
	 */
	public int runDueJobs(String topic) {
		HandlerMethod handler = this.handlers.handlers().get(topic);
		if (handler == null) {
			throw new IllegalArgumentException("Topic '" + topic + "' has no @RunQueueJob handler; the topics with "
					+ "handlers are " + this.handlers.handlers().keySet());
		}
		return this.runner.runDue(this.topics.get(topic), handler.handler(this.json), MAX_JOBS);
	}

	/**
	 * Waits until a topic has no runnable or running jobs, for tests in which the
	 * application's worker runs them. Jobs scheduled for later do not count.
	 * @param topic the topic
	 * @param timeout the longest wait
	 * @throws IllegalStateException if the topic is not idle in time
	 * @throws InterruptedException if the waiting thread is interrupted
	 */
	public void awaitIdle(String topic, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (busy(topic) > 0) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("Topic '" + topic + "' still has " + busy(topic)
						+ " runnable or running jobs after " + timeout);
			}
			this.stores.maintenance().promoteDue(1000);
			Thread.sleep(20);
		}
	}

	private long busy(String topic) {
		return this.stores.admin()
			.depths()
			.stream()
			.filter((depth) -> depth.topic().equals(topic))
			.filter((depth) -> depth.state() == JobState.AVAILABLE || depth.state() == JobState.RUNNING)
			.mapToLong(AdminStore.Depth::jobs)
			.sum();
	}

}
