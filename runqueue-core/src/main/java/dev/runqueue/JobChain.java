package dev.runqueue;

import java.util.ArrayList;
import java.util.List;

/**
 * Jobs added so that each waits for the one before it to succeed. If one fails for good,
 * those after it are cancelled (or failed, as each says). Build it with
 * {@link RunQueue#chain(NewJob)}.
 */
public final class JobChain {

	private final RunQueue runQueue;

	private final List<NewJob> jobs;

	JobChain(RunQueue runQueue, List<NewJob> jobs) {
		this.runQueue = runQueue;
		this.jobs = List.copyOf(jobs);
	}

	/**
	 * Adds a job that runs after the last one succeeded.
	 * @param next the job
	 * @return a longer chain
	 */
	public JobChain then(NewJob next) {
		List<NewJob> longer = new ArrayList<>(this.jobs);
		longer.add(next);
		return new JobChain(this.runQueue, longer);
	}

	/**
	 * The jobs, in order.
	 * @return the jobs
	 */
	public List<NewJob> jobs() {
		return this.jobs;
	}

	/**
	 * Adds the jobs, each waiting for the one before. A job that is a duplicate of a live
	 * job waits for nothing new, and the next one waits for the job that holds the key;
	 * when a topic refuses a job, it and the ones after it are not added.
	 * @return one result per job, in order
	 */
	public List<AddResult> add() {
		List<AddResult> results = new ArrayList<>();
		long previous = 0;
		for (NewJob job : this.jobs) {
			if (!results.isEmpty() && results.get(results.size() - 1).refused()) {
				results.add(AddResult.refused(job.uniqueKey()));
				continue;
			}
			AddResult result = this.runQueue.add((previous != 0) ? job.after(previous) : job);
			results.add(result);
			previous = result.id();
		}
		return results;
	}

}
