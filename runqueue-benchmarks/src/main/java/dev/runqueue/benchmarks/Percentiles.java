package dev.runqueue.benchmarks;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Percentiles of a sample, by the nearest-rank method.
 *
 * @param count the number of values
 * @param p50 the median
 * @param p95 the 95th percentile
 * @param p99 the 99th percentile
 * @param max the largest value
 * @param min the smallest value
 * @param mean the mean
 */
record Percentiles(int count, double p50, double p95, double p99, double max, double min, double mean) {

	static Percentiles of(double[] values) {
		if (values.length == 0) {
			return new Percentiles(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
		}
		double[] sorted = values.clone();
		Arrays.sort(sorted);
		return new Percentiles(sorted.length, rank(sorted, 50), rank(sorted, 95), rank(sorted, 99),
				sorted[sorted.length - 1], sorted[0], Arrays.stream(sorted).average().orElse(Double.NaN));
	}

	private static double rank(double[] sorted, double percentile) {
		int rank = (int) Math.ceil(percentile / 100 * sorted.length);
		return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
	}

	Map<String, Object> describe() {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("count", this.count);
		map.put("p50", this.p50);
		map.put("p95", this.p95);
		map.put("p99", this.p99);
		map.put("max", this.max);
		map.put("min", this.min);
		map.put("mean", this.mean);
		return map;
	}

}
