/**
 * Running jobs on this node: the {@link dev.runqueue.worker.Worker} with one poller per
 * topic that claims what it has room for, the runner that runs one job, and the completer
 * that records outcomes in batches.
 */
package dev.runqueue.worker;
