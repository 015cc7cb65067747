package dev.runqueue;

import java.util.List;

import dev.runqueue.job.JobInfo;

/**
 * One page of listed jobs, newest first.
 *
 * @param jobs the jobs
 * @param nextBeforeId the id to ask the next page with ({@link JobQuery#before(long)}),
 * or {@code null} on the last page
 */
public record JobPage(List<JobInfo> jobs, Long nextBeforeId) {

}
