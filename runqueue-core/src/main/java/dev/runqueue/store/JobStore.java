package dev.runqueue.store;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
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
	 * Finds which of the given jobs do not exist.
	 * @param ids the jobs' ids
	 * @return the ids of those that do not exist
	 */
	List<Long> findMissing(Collection<Long> ids);

	/**
	 * Takes a lock on a topic that lasts until the end of the current transaction, for
	 * those who must count the topic's jobs before they add or claim. Call it in
	 * {@link #inTransaction(Supplier)} or the caller's transaction.
	 * @param topic the topic
	 */
	void lockTopic(String topic);

	/**
	 * Counts a topic's jobs that wait: pending, scheduled or available.
	 * @param topic the topic
	 * @return the count
	 */
	long countWaiting(String topic);

	/**
	 * Counts a topic's running jobs.
	 * @param topic the topic
	 * @return the count
	 */
	long countRunning(String topic);

	/**
	 * Claims the oldest live job of a FIFO topic, if it is runnable.
	 * @param topic the topic
	 * @param node the claiming node's name
	 * @param lease how long the lease lasts
	 * @return the claimed job, or nothing when the head is running, pending or waiting to
	 * be retried
	 */
	List<ClaimedJob> claimFifoHead(String topic, String node, Duration lease);

	/**
	 * Claims runnable jobs of a topic in priority order, skipping jobs whose group runs
	 * as many jobs as it may.
	 * @param topic the topic
	 * @param limit the most jobs to claim
	 * @param groupLimit the topic's limit per group, used for jobs without a limit of
	 * their own; {@code null} for none
	 * @param lookahead how many runnable jobs to rank
	 * @param node the claiming node's name
	 * @param lease how long the lease lasts
	 * @return the claimed jobs, in priority order
	 */
	List<ClaimedJob> claimWithinGroupLimits(String topic, int limit, Integer groupLimit, int lookahead, String node,
			Duration lease);

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
	 * Renews the leases this node holds, unless they expired already. A job whose row
	 * another write has locked is skipped rather than waited for; {@link #heldLeases}
	 * tells whether its lease is still held.
	 * @param leases the jobs and their leases
	 * @param duration how long from the database's now the leases last
	 * @return the ids of the jobs whose leases were renewed
	 */
	Set<Long> renewLeases(Collection<LeaseRef> leases, Duration duration);

	/**
	 * Reads which of these leases still hold, without locking or waiting.
	 * @param leases the jobs and their leases
	 * @return the ids of the jobs whose leases are held and unexpired
	 */
	Set<Long> heldLeases(Collection<LeaseRef> leases);

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
	 * Tells the workers of every node that topics have runnable jobs.
	 * @param topics the topics
	 */
	void notifyTopics(Collection<String> topics);

	/**
	 * Sends a notification on a channel of runqueue's.
	 * @param channel the channel
	 * @param payload the payload
	 */
	void notifyChannel(String channel, String payload);

	/**
	 * Reads a job's row.
	 * @param id the job's id
	 * @return the row, or empty if there is no such job
	 */
	Optional<JobRecord> find(long id);

	/**
	 * Runs work in a transaction on this store's data source, joining the caller's
	 * transaction if there is one, so that several statements see and lock the same
	 * state.
	 * @param work the work
	 * @param <T> the work's result
	 * @return the result
	 */
	<T> T inTransaction(Supplier<T> work);

	/**
	 * The names of the tables this store works on.
	 * @return the names
	 */
	TableNames tableNames();

}
