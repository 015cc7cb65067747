package dev.runqueue.store;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The job table, one method per statement. The store decides nothing: it runs the
 * statement it is asked to run and reports rows or counts. Writes after a claim are
 * fenced by the claim's lease and report which jobs they changed; a job missing from the
 * answer was taken back and belongs to nobody or to another node now.
 */
public interface JobStore {

	/**
	 * Inserts a job, unless a job holding the same unique key blocks it.
	 * @param job the job
	 * @return the new job's id, or empty if another job holds its unique key
	 */
	OptionalLong insert(JobInsert job);

	/**
	 * Inserts many jobs in one statement; those whose unique key is held (also by an
	 * earlier job of the same call) are left out.
	 * @param jobs the jobs
	 * @return the inserted jobs in the order of {@code jobs}
	 */
	List<InsertedJob> insertAll(List<JobInsert> jobs);

	/**
	 * Finds the job that holds a unique key: a live one, or a retained one whose scope
	 * says so.
	 * @param uniqueKey the key
	 * @return its id, or empty if no job holds the key now
	 */
	OptionalLong findIdHoldingUniqueKey(String uniqueKey);

	/**
	 * Claims runnable jobs of a topic: at most {@code limit}, in priority order, skipping
	 * jobs that other claimers have locked, each marked running with a new lease.
	 * @param topic the topic
	 * @param limit the most jobs to claim
	 * @param node the claiming node's name
	 * @param lease how long the lease lasts
	 * @return the claimed jobs, in priority order
	 */
	List<ClaimedJob> claim(String topic, int limit, String node, Duration lease);

	/**
	 * Records that jobs succeeded.
	 * @param completions the jobs and their results
	 * @return the ids of the jobs that were changed
	 */
	Set<Long> succeed(List<Completion.Succeed> completions);

	/**
	 * Records failed attempts that will be retried.
	 * @param completions the jobs, their errors and delays
	 * @return the ids of the jobs that were changed
	 */
	Set<Long> retry(List<Completion.Retry> completions);

	/**
	 * Records that jobs failed for good.
	 * @param completions the jobs and their errors
	 * @return the ids of the jobs that were changed
	 */
	Set<Long> fail(List<Completion.Fail> completions);

	/**
	 * Records that jobs finished a round and run again with new payloads.
	 * @param completions the jobs and their next rounds
	 * @return the ids of the jobs that were changed
	 */
	Set<Long> replace(List<Completion.Replace> completions);

	/**
	 * Records that jobs run again later without using an attempt.
	 * @param completions the jobs and their delays
	 * @return the ids of the jobs that were changed
	 */
	Set<Long> snooze(List<Completion.Snooze> completions);

	/**
	 * Records attempts that ran past their timeouts.
	 * @param completions the jobs, their errors and their retry delays
	 * @return the ids of the jobs that were changed
	 */
	Set<Long> timeOut(List<Completion.TimedOut> completions);

	/**
	 * Renews the leases this node holds, unless they expired already.
	 * @param leases the jobs and their leases
	 * @param duration how long from the database's now the leases last
	 * @return the ids of the jobs whose leases were renewed
	 */
	Set<Long> renewLeases(Collection<LeaseRef> leases, Duration duration);

	/**
	 * Takes back running jobs whose leases expired, comparing the token read, so that
	 * they run again elsewhere; a job taken back {@code maxRescues} times, or without
	 * attempts left, fails for good.
	 * @param limit the most jobs to take back
	 * @param maxRescues the number of rescues at which a job is quarantined as failed
	 * @return the jobs taken back
	 */
	List<RescuedJob> rescueExpired(int limit, int maxRescues);

	/**
	 * Makes claimed jobs runnable again at once, giving back the attempt their claim
	 * counted.
	 * @param leases the jobs
	 * @return the topics of the jobs that were changed, one entry per job
	 */
	List<String> release(Collection<LeaseRef> leases);

	/**
	 * Extends the lease on a running job.
	 * @param lease the job and its lease
	 * @param duration how long from the database's now the lease lasts
	 * @return whether the lease was still held and is extended
	 */
	boolean extendLease(LeaseRef lease, Duration duration);

	/**
	 * Makes scheduled jobs whose time has come runnable.
	 * @param limit the most jobs to change
	 * @return the topics of the changed jobs, one entry per job
	 */
	List<String> promoteDue(int limit);

	/**
	 * How long until the next scheduled job is due, by the database's clock.
	 * @return the time, negative if one is overdue, or empty if no job is scheduled
	 */
	Optional<Duration> timeUntilNextScheduled();

	/**
	 * Tells the workers of every node that topics have runnable jobs.
	 * @param topics the topics
	 */
	void notifyTopics(Collection<String> topics);

	/**
	 * Reads a job's row.
	 * @param id the job's id
	 * @return the row, or empty if there is no such job
	 */
	Optional<JobRecord> find(long id);

	/**
	 * The names of the tables this store works on.
	 * @return the names
	 */
	TableNames tableNames();

}
