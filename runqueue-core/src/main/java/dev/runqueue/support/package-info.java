/**
 * What every background service of runqueue shares:
 * {@link dev.runqueue.support.ServiceLoop}, the loop that runs a step, waits, survives
 * errors and logs them once.
 */
package dev.runqueue.support;
