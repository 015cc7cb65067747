package dev.runqueue.store;

import dev.runqueue.job.JobState;

/**
 * A job taken back from a node whose lease on it expired.
 *
 * @param id the job's id
 * @param topic its topic
 * @param state its state now: available to run again, or failed when it was quarantined
 * or had no attempts left
 * @param node the node that held the expired lease
 * @param rescues how many times it has been taken back in this round
 */
public record RescuedJob(long id, String topic, JobState state, String node, int rescues) {

}
