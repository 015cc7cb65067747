/**
 * What happens to nodes and jobs, as typed {@link dev.runqueue.event.RunQueueEvent}s,
 * published by the {@link dev.runqueue.event.EventPublisher} to listeners without slowing
 * the threads that run jobs.
 */
package dev.runqueue.event;
