package dev.runqueue.faults;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What the handler of a {@link NodeMain} node does with a job: the job's payload. Each
 * execution is recorded in the {@link Ledger}.
 *
 * @param mode what to do, one of {@link #MODES}
 * @param sleepMs how long to sleep, for {@code sleep}, {@code interruptible} and
 * {@code effect}
 * @param orderId the order whose row the handler looks for, for {@code checkOrder}
 * @param rerun what to do instead when the ledger shows that the job ran before (on any
 * node), or {@code null} to do the same again
 * @param tag a label the handler ignores, so that a test tells jobs with the same
 * behavior apart by their payload ({@code payload->>'tag'}), or {@code null}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record Behavior(String mode, Long sleepMs, Long orderId, Behavior rerun, String tag) {

	/** Succeeds at once. */
	static final String OK = "ok";

	/** Sleeps, then succeeds; an interrupt fails the attempt. */
	static final String SLEEP = "sleep";

	/**
	 * Sleeps in small steps and gives up as soon as it is interrupted or cancelled,
	 * recording that it was interrupted.
	 */
	static final String INTERRUPTIBLE = "interruptible";

	/** Ends its node's JVM at once, with {@code Runtime.halt}. */
	static final String HALT = "halt";

	/** Never returns, and ignores interrupts; it ends only when its node stops. */
	static final String HANG = "hang";

	/**
	 * Looks whether the row of its order in table {@code orders} is visible, on a
	 * connection of the ledger's pool (never the worker's, and in the jobs' database in
	 * the tests that add orders), records that, and succeeds.
	 */
	static final String CHECK_ORDER = "checkOrder";

	/**
	 * Inserts a row for its execution into table {@code effects} on the worker's data
	 * source (in a transactional topic: in the handler's transaction, which also records
	 * the job's success), then sleeps until its time is up or its run is cancelled, and
	 * returns success either way: a handler that pays no heed to losing its job.
	 */
	static final String EFFECT = "effect";

	/** Fails the attempt at once, recording the outcome {@code failed}. */
	static final String FAIL = "fail";

	static final List<String> MODES = List.of(OK, SLEEP, INTERRUPTIBLE, HALT, HANG, CHECK_ORDER, EFFECT, FAIL);

	static Behavior ok() {
		return new Behavior(OK, null, null, null, null);
	}

	static Behavior sleep(long millis) {
		return new Behavior(SLEEP, millis, null, null, null);
	}

	static Behavior interruptible(long millis) {
		return new Behavior(INTERRUPTIBLE, millis, null, null, null);
	}

	static Behavior halt() {
		return new Behavior(HALT, null, null, null, null);
	}

	static Behavior hang() {
		return new Behavior(HANG, null, null, null, null);
	}

	static Behavior effect(long millis) {
		return new Behavior(EFFECT, millis, null, null, null);
	}

	static Behavior checkOrder(long orderId) {
		return new Behavior(CHECK_ORDER, null, orderId, null, null);
	}

	static Behavior fail() {
		return new Behavior(FAIL, null, null, null, null);
	}

	/**
	 * This behavior the first time, another once the job has run before.
	 * @param behavior what a rerun does
	 * @return the combined behavior
	 */
	Behavior thenOnRerun(Behavior behavior) {
		return new Behavior(this.mode, this.sleepMs, this.orderId, behavior, this.tag);
	}

	/**
	 * This behavior with a label, which the handler ignores.
	 * @param tag the label
	 * @return the labelled behavior
	 */
	Behavior tagged(String tag) {
		return new Behavior(this.mode, this.sleepMs, this.orderId, this.rerun, tag);
	}

	long sleepMillis() {
		return (this.sleepMs != null) ? this.sleepMs : 0;
	}

}
