/**
 * A small application that shows runqueue's four steps: the starter, an annotated
 * handler, a topic in application.yml, and RunQueue injected where jobs are added.
 */
package dev.runqueue.sample;
