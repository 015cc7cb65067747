package dev.runqueue.benchmarks;

import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.runqueue.DefaultRunQueue;
import dev.runqueue.JsonCodec;
import dev.runqueue.RunQueue;
import dev.runqueue.TopicSettings;
import dev.runqueue.Topics;
import dev.runqueue.store.PostgresJobStore;

/**
 * The other process of the latency benchmark: adds jobs one at a time with a pause
 * between them, as an application on another node would, and prints each job's id with
 * the time its add returned, in microseconds since the epoch. The database is named by
 * the environment variables {@code RQ_BENCH_URL}, {@code RQ_BENCH_USER} and
 * {@code RQ_BENCH_PASSWORD}, so that no password shows in the process list.
 */
public final class LatencyAdder {

	private LatencyAdder() {
	}

	/**
	 * Adds the jobs.
	 * @param args how many jobs, the pause between two in milliseconds, and the topic
	 * @throws Exception if adding fails
	 */
	public static void main(String[] args) throws Exception {
		int count = Integer.parseInt(args[0]);
		long pause = Long.parseLong(args[1]);
		String topic = args[2];
		HikariConfig hikari = new HikariConfig();
		hikari.setJdbcUrl(System.getenv("RQ_BENCH_URL"));
		hikari.setUsername(System.getenv("RQ_BENCH_USER"));
		hikari.setPassword(System.getenv().getOrDefault("RQ_BENCH_PASSWORD", ""));
		hikari.setMaximumPoolSize(2);
		hikari.setPoolName("rq-bench-adder-process");
		hikari.addDataSourceProperty("ApplicationName", "rq-bench-adder-process");
		PrintStream out = System.out;
		try (HikariDataSource dataSource = new HikariDataSource(hikari)) {
			RunQueue runQueue = new DefaultRunQueue(new PostgresJobStore(dataSource),
					Topics.of(List.of(TopicSettings.named(topic))), new JsonCodec());
			for (int i = 0; i < count; i++) {
				long id = runQueue.add(topic, Map.of("i", i)).id();
				long returned = micros(Instant.now());
				out.println(id + " " + returned);
				out.flush();
				Thread.sleep(pause);
			}
		}
		out.println("done");
		out.flush();
	}

	static long micros(Instant instant) {
		return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
	}

}
