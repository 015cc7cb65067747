package dev.runqueue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import dev.runqueue.job.JobInfo;
import dev.runqueue.store.JobRecord;
import dev.runqueue.store.JobStore;
import dev.runqueue.store.PostgresNotifications;
import dev.runqueue.support.ServiceLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes the futures of callers waiting for jobs to finish, woken by the job_finished
 * notification that the job table sends for every statement that finishes jobs.
 * Notifications are hints: whenever the connection starts listening again, and every few
 * seconds while anybody waits, the waiter reads the jobs it waits for. It subscribes on
 * the first wait.
 */
final class JobWaiter {

	private static final Logger logger = LoggerFactory.getLogger(JobWaiter.class);

	/**
	 * How often the waiter reads the jobs it waits for, besides when a notification says
	 * they finished.
	 */
	static final Duration DEFAULT_RECHECK = Duration.ofSeconds(2);

	private final JobStore jobs;

	private final PostgresNotifications notifications;

	// Futures by job id: added by waiting callers, completed and removed by the listening
	// and recheck threads.
	private final Map<Long, CompletableFuture<JobInfo>> waiting = new ConcurrentHashMap<>();

	private final ServiceLoop recheck;

	private final Duration recheckInterval;

	// Written under this object's monitor by the first caller.
	private boolean subscribed;

	JobWaiter(JobStore jobs, PostgresNotifications notifications, Duration recheckInterval) {
		this.jobs = jobs;
		this.notifications = notifications;
		this.recheckInterval = recheckInterval;
		this.recheck = new ServiceLoop("runqueue-waiter", this::recheckStep);
	}

	CompletableFuture<JobInfo> whenFinished(long jobId) {
		subscribe();
		CompletableFuture<JobInfo> future = this.waiting.computeIfAbsent(jobId, (id) -> new CompletableFuture<>());
		// The job may have finished before anybody listened: look once now.
		check(jobId);
		return future;
	}

	private synchronized void subscribe() {
		if (!this.subscribed) {
			this.notifications.subscribe(this.jobs.tableNames().jobFinishedChannel(), this::finished, this::checkAll);
			this.recheck.start();
			this.subscribed = true;
		}
	}

	private void finished(String ids) {
		if (this.waiting.isEmpty()) {
			return;
		}
		for (String id : ids.split(",")) {
			try {
				long jobId = Long.parseLong(id);
				if (this.waiting.containsKey(jobId)) {
					check(jobId);
				}
			}
			catch (NumberFormatException ex) {
				logger.debug("Not a job id in a job_finished notification: {}", id);
			}
		}
	}

	private Duration recheckStep() {
		checkAll();
		return this.recheckInterval;
	}

	private void checkAll() {
		List.copyOf(this.waiting.keySet()).forEach(this::check);
	}

	private void check(long jobId) {
		CompletableFuture<JobInfo> future = this.waiting.get(jobId);
		if (future == null) {
			return;
		}
		try {
			Optional<JobRecord> job = this.jobs.find(jobId);
			if (job.isEmpty()) {
				complete(jobId, null, new NoSuchElementException("Job " + jobId + " does not exist"));
			}
			else if (job.get().state().isFinished()) {
				complete(jobId, JobInfo.of(job.get()), null);
			}
		}
		catch (RuntimeException ex) {
			// The database is out of reach: the next notification or recheck tries again.
			logger.debug("Could not read job {} for its waiters: {}", jobId, ex.toString());
		}
	}

	private void complete(long jobId, JobInfo job, RuntimeException failure) {
		CompletableFuture<JobInfo> future = this.waiting.remove(jobId);
		if (future != null) {
			if (failure != null) {
				future.completeExceptionally(failure);
			}
			else {
				future.complete(job);
			}
		}
	}

}
