/**
 * The public API of runqueue: {@link dev.runqueue.RunQueue} to add jobs, and the settings
 * of topics.
 */
package dev.runqueue;
