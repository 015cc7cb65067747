/**
 * Auto-configuration of runqueue: properties, {@code @RunQueueJob} discovery, the
 * worker's lifecycle and the private migrations.
 */
package dev.runqueue.spring.autoconfigure;
