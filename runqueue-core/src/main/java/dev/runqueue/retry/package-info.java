/**
 * When a failed job runs again: {@link dev.runqueue.retry.RetryPolicy} and
 * {@link dev.runqueue.retry.Backoff}.
 */
package dev.runqueue.retry;
