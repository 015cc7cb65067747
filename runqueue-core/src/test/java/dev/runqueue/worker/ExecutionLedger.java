package dev.runqueue.worker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What test handlers ran, in this JVM, with several workers: the order runs started in,
 * and the most runs that overlapped, in all and per group.
 */
final class ExecutionLedger {

	private final List<Long> started = new ArrayList<>();

	private final List<Long> finished = new ArrayList<>();

	private final Map<String, Integer> runningByGroup = new HashMap<>();

	private final Map<String, Integer> mostByGroup = new HashMap<>();

	private int running;

	private int most;

	synchronized void start(long jobId, String group) {
		this.started.add(jobId);
		this.running++;
		this.most = Math.max(this.most, this.running);
		if (group != null) {
			int now = this.runningByGroup.merge(group, 1, Integer::sum);
			this.mostByGroup.merge(group, now, Math::max);
		}
	}

	synchronized void finish(long jobId, String group) {
		this.finished.add(jobId);
		this.running--;
		if (group != null) {
			this.runningByGroup.merge(group, -1, Integer::sum);
		}
	}

	synchronized List<Long> started() {
		return List.copyOf(this.started);
	}

	synchronized List<Long> finished() {
		return List.copyOf(this.finished);
	}

	synchronized int mostAtOnce() {
		return this.most;
	}

	synchronized Map<String, Integer> mostAtOnceByGroup() {
		return Map.copyOf(this.mostByGroup);
	}

}
