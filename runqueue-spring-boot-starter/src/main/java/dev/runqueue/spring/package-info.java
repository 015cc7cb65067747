/**
 * What applications use of the runqueue starter: {@link dev.runqueue.spring.RunQueueJob}
 * on handler methods and {@link dev.runqueue.spring.RunQueueCustomizer} to adjust
 * settings in code.
 */
package dev.runqueue.spring;
