package dev.runqueue.faults;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import javax.sql.DataSource;

import dev.runqueue.JsonCodec;
import dev.runqueue.job.Job;
import dev.runqueue.job.JobContext;
import dev.runqueue.job.JobHandler;
import dev.runqueue.job.JobResult;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The handler of a {@link NodeMain} node: does what the job's {@link Behavior} says and
 * records each execution in the ledger, on a data source of its own in autocommit mode,
 * never in the handler's transaction: a row when the execution starts, completed when it
 * ends. A ledger write that fails (the database is restarting, the connection was
 * terminated) is tried again until it works, so that the ledger tells what the handler
 * did, not what the database let it write.
 */
final class FaultHandler implements JobHandler {

	/** The status a node ends with when a job halts it. */
	static final int HALT_STATUS = 86;

	private static final Duration LEDGER_RETRY_FOR = Duration.ofSeconds(60);

	private static final long STEP_MILLIS = 20;

	private final String node;

	private final JdbcClient work;

	private final JdbcClient ledger;

	private final Set<String> modes;

	private final JsonCodec json = new JsonCodec();

	private final AtomicInteger active = new AtomicInteger();

	// Set once the worker has stopped, so that hanging handlers let the process end.
	private volatile boolean stopping;

	FaultHandler(String node, DataSource workerDataSource, DataSource ledgerDataSource, Set<String> modes) {
		this.node = node;
		this.work = JdbcClient.create(workerDataSource);
		this.ledger = JdbcClient.create(ledgerDataSource);
		this.modes = modes;
	}

	@Override
	public JobResult handle(Job job, JobContext context) throws Exception {
		this.active.incrementAndGet();
		try {
			return run(job, context);
		}
		finally {
			this.active.decrementAndGet();
		}
	}

	/**
	 * Lets hanging handlers go, and waits a little for handlers that are recording how
	 * they ended.
	 * @param timeout the longest wait
	 */
	void stop(Duration timeout) {
		this.stopping = true;
		long deadline = System.nanoTime() + timeout.toNanos();
		while (this.active.get() > 0 && System.nanoTime() < deadline) {
			pause(10);
		}
	}

	private JobResult run(Job job, JobContext context) throws Exception {
		Behavior given = this.json.read(job.payload(), Behavior.class);
		Behavior behavior = (given.rerun() != null && ranBefore(job.id())) ? given.rerun() : given;
		String mode = this.modes.contains(behavior.mode()) ? behavior.mode() : Behavior.OK;
		UUID execution = UUID.randomUUID();
		recordStart(execution, job, context);
		switch (mode) {
			case Behavior.HALT -> {
				NodeMain.say("HALT " + this.node + " job=" + job.id());
				Runtime.getRuntime().halt(HALT_STATUS);
				throw new IllegalStateException("halted");
			}
			case Behavior.HANG -> {
				return hang(execution);
			}
			case Behavior.SLEEP -> {
				try {
					Thread.sleep(behavior.sleepMillis());
				}
				catch (InterruptedException ex) {
					recordEnd(execution, "interrupted", "cancelled=" + context.isCancelled());
					throw ex;
				}
				return succeed(execution, job, context, null);
			}
			case Behavior.FAIL -> {
				recordEnd(execution, "failed", null);
				return JobResult.fail("failed on purpose on node " + this.node);
			}
			case Behavior.INTERRUPTIBLE -> {
				return interruptible(execution, job, context, behavior.sleepMillis());
			}
			case Behavior.EFFECT -> {
				return effect(execution, job, context, behavior.sleepMillis());
			}
			case Behavior.CHECK_ORDER -> {
				int rows = retrying(() -> this.ledger.sql("SELECT count(*) FROM orders WHERE id = :id")
					.param("id", behavior.orderId())
					.query(Integer.class)
					.single());
				return succeed(execution, job, context, (rows == 1) ? "visible" : "invisible");
			}
			default -> {
				return succeed(execution, job, context, null);
			}
		}
	}

	private JobResult interruptible(UUID execution, Job job, JobContext context, long millis) {
		long started = System.nanoTime();
		long deadline = started + Duration.ofMillis(millis).toNanos();
		while (System.nanoTime() < deadline) {
			boolean interrupted = Thread.interrupted();
			if (!interrupted) {
				try {
					Thread.sleep(Math.min(STEP_MILLIS, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
				}
				catch (InterruptedException ex) {
					interrupted = true;
				}
			}
			if (interrupted || context.isCancelled()) {
				long after = Duration.ofNanos(System.nanoTime() - started).toMillis();
				recordEnd(execution, "interrupted", "cancelled=" + context.isCancelled() + " interrupted=" + interrupted
						+ " after=" + after + "ms");
				return JobResult.fail("interrupted after " + after + "ms");
			}
		}
		return succeed(execution, job, context, null);
	}

	// The handler's own database work: on the worker's data source, so that in a
	// transactional topic it joins the transaction that records the job's success.
	private JobResult effect(UUID execution, Job job, JobContext context, long millis) {
		this.work.sql("INSERT INTO effects (job_id, node, execution) VALUES (:job_id, :node, :execution)")
			.param("job_id", job.id())
			.param("node", this.node)
			.param("execution", execution)
			.update();
		int interrupts = 0;
		long deadline = System.nanoTime() + Duration.ofMillis(millis).toNanos();
		while (System.nanoTime() < deadline && !context.isCancelled()) {
			if (pause(Math.min(STEP_MILLIS, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)))) {
				interrupts++;
			}
		}
		recordEnd(execution, "succeeded", "cancelled=" + context.isCancelled() + " interrupts=" + interrupts);
		return JobResult.success(Map.of("node", this.node, "execution", execution.toString()));
	}

	private JobResult hang(UUID execution) {
		int interrupts = 0;
		while (!this.stopping) {
			try {
				Thread.sleep(50);
			}
			catch (InterruptedException ex) {
				interrupts++;
			}
		}
		recordEnd(execution, "abandoned", "interrupts=" + interrupts);
		return JobResult.fail("abandoned when the node stopped");
	}

	private JobResult succeed(UUID execution, Job job, JobContext context, String note) {
		if (context.isCancelled()) {
			recordEnd(execution, "cancelled", note);
			return JobResult.fail("cancelled");
		}
		recordEnd(execution, "succeeded", note);
		return JobResult.success(Map.of("node", this.node, "execution", execution.toString()));
	}

	private boolean ranBefore(long jobId) {
		return retrying(() -> this.ledger.sql("SELECT EXISTS (SELECT 1 FROM ledger WHERE job_id = :id)")
			.param("id", jobId)
			.query(Boolean.class)
			.single());
	}

	private void recordStart(UUID execution, Job job, JobContext context) {
		retrying(() -> this.ledger.sql("""
				INSERT INTO ledger (execution, job_id, node, attempt, started_at)
				VALUES (:execution, :job_id, :node, :attempt, clock_timestamp())
				ON CONFLICT (execution) DO NOTHING
				""")
			.param("execution", execution)
			.param("job_id", job.id())
			.param("node", this.node)
			.param("attempt", context.attempt())
			.update());
	}

	private void recordEnd(UUID execution, String outcome, String note) {
		retrying(() -> this.ledger.sql("""
				UPDATE ledger
				SET finished_at = clock_timestamp(), outcome = :outcome, note = :note
				WHERE execution = :execution
				""").param("outcome", outcome).param("note", note).param("execution", execution).update());
	}

	// Runs a ledger statement until it works. An interrupt meant for the handler is put
	// aside while the statement runs (the pool refuses interrupted threads) and kept for
	// the handler.
	private <T> T retrying(Supplier<T> statement) {
		boolean interrupted = Thread.interrupted();
		long deadline = System.nanoTime() + LEDGER_RETRY_FOR.toNanos();
		try {
			while (true) {
				try {
					return statement.get();
				}
				catch (RuntimeException ex) {
					if (System.nanoTime() > deadline) {
						throw ex;
					}
					NodeMain.say("LEDGER-RETRY " + this.node + " " + ex);
					interrupted |= pause(100);
				}
			}
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	private static boolean pause(long millis) {
		try {
			Thread.sleep(millis);
			return false;
		}
		catch (InterruptedException ex) {
			return true;
		}
	}

}
