package dev.runqueue.benchmarks;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * What a run measures and where: read from the command line ({@code --name=value}), else
 * from system properties ({@code -Dbench.name=value}), else from the environment the
 * tests use, else the defaults.
 *
 * @param url the JDBC URL of a database on the server; the run creates a database of its
 * own next to it and drops it at the end
 * @param user the user, who must be allowed to create databases
 * @param password the password, empty for trust authentication
 * @param quick whether this is the short run, with small counts
 * @param jobs how many jobs each drain runs, and how many rows each ceiling variant
 * starts with
 * @param singleAdds how many jobs each one-job-per-transaction enqueue variant adds
 * @param ceilingSeconds the longest time one ceiling variant is measured for
 * @param threads how many connections the raw-SQL ceiling uses
 * @param nodes how many workers the multi-node drains run in this JVM
 * @param latencySamples how many jobs each latency run measures, after its warm-up
 * @param latencyPauseMillis the pause between two of those jobs
 * @param profile whether the workers' statements are timed (a few microseconds per
 * statement)
 * @param output where the figures are written as JSON
 */
record BenchConfig(String url, String user, String password, boolean quick, int jobs, int singleAdds,
		int ceilingSeconds, int threads, int nodes, int latencySamples, int latencyPauseMillis, boolean profile,
		Path output) {

	static final String USAGE = """
			Usage: java -jar runqueue-benchmarks/target/runqueue-benchmarks.jar [options]
			  --quick                a short run with small counts (well under a minute)
			  --url=JDBC_URL         a database on the server to use; a fresh database is created next to it
			                         (default: $RUNQUEUE_TEST_JDBC_URL, else jdbc:postgresql://127.0.0.1:5432/postgres)
			  --user=NAME            (default: $RUNQUEUE_TEST_JDBC_USER, else postgres)
			  --password=SECRET      (default: $RUNQUEUE_TEST_JDBC_PASSWORD, else empty)
			  --jobs=N               jobs per drain and rows per ceiling variant (default 50000, quick 2000)
			  --single-adds=N        jobs per one-job-per-transaction enqueue variant (default 5000, quick 300)
			  --ceiling-seconds=S    longest measurement of one raw-SQL variant (default 10, quick 2)
			  --latency-samples=N    jobs per latency run, after 20 warm-up jobs (default 200, quick 60)
			  --latency-pause-ms=MS  pause between two of them (default 20, quick 10)
			  --threads=N            connections of the raw-SQL ceiling (default 8)
			  --nodes=N              workers of the multi-node drains (default 4)
			  --no-profile           do not time the workers' statements
			  --output=FILE          the JSON figures (default: target/benchmark-results.json of this module)
			Every option is also a system property: -Dbench.quick=true, -Dbench.jobs=10000, -Dbench.url=...
			""";

	static BenchConfig parse(String[] args, Map<String, String> env, Properties system) {
		Map<String, String> given = new LinkedHashMap<>();
		for (String name : system.stringPropertyNames()) {
			if (name.startsWith("bench.")) {
				given.put(name.substring("bench.".length()), system.getProperty(name));
			}
		}
		for (String arg : args) {
			if (!arg.startsWith("--")) {
				throw new IllegalArgumentException("Unknown argument '" + arg + "'");
			}
			String option = arg.substring(2);
			int equals = option.indexOf('=');
			String name = camel((equals < 0) ? option : option.substring(0, equals));
			String value = (equals < 0) ? "true" : option.substring(equals + 1);
			if (equals < 0 && name.equals("noProfile")) {
				name = Character.toLowerCase(name.charAt(2)) + name.substring(3);
				value = "false";
			}
			given.put(name, value);
		}
		if (given.containsKey("help")) {
			throw new HelpRequested();
		}
		boolean quick = bool(given, "quick", false);
		String url = text(given, "url",
				env.getOrDefault("RUNQUEUE_TEST_JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/postgres"));
		String user = text(given, "user", env.getOrDefault("RUNQUEUE_TEST_JDBC_USER", "postgres"));
		String password = text(given, "password", env.getOrDefault("RUNQUEUE_TEST_JDBC_PASSWORD", ""));
		int jobs = number(given, "jobs", quick ? 2_000 : 50_000, 100);
		int singleAdds = number(given, "singleAdds", quick ? 300 : 5_000, 10);
		int ceilingSeconds = number(given, "ceilingSeconds", quick ? 2 : 10, 1);
		int threads = number(given, "threads", 8, 1);
		int nodes = number(given, "nodes", 4, 2);
		int latencySamples = number(given, "latencySamples", quick ? 60 : 200, 1);
		int latencyPause = number(given, "latencyPauseMs", quick ? 10 : 20, 0);
		boolean profile = bool(given, "profile", true);
		Path output = given.containsKey("output") ? Path.of(given.remove("output")) : defaultOutput();
		Map<String, String> unknown = new LinkedHashMap<>(given);
		for (String known : new String[] { "quick", "url", "user", "password", "jobs", "singleAdds", "ceilingSeconds",
				"threads", "nodes", "latencySamples", "latencyPauseMs", "profile" }) {
			unknown.remove(known);
		}
		if (!unknown.isEmpty()) {
			throw new IllegalArgumentException("Unknown options " + unknown.keySet());
		}
		if (!url.startsWith("jdbc:postgresql:")) {
			throw new IllegalArgumentException("The URL must be a PostgreSQL JDBC URL (jdbc:postgresql://...): " + url);
		}
		return new BenchConfig(url, user, password, quick, jobs, singleAdds, ceilingSeconds, threads, nodes,
				latencySamples, latencyPause, profile, output);
	}

	/**
	 * The settings as they go into the JSON file, without the password.
	 * @return the settings
	 */
	Map<String, Object> describe() {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("url", this.url.replaceAll("(?i)(password=)[^&]*", "$1***"));
		map.put("user", this.user);
		map.put("quick", this.quick);
		map.put("jobs", this.jobs);
		map.put("singleAdds", this.singleAdds);
		map.put("ceilingSeconds", this.ceilingSeconds);
		map.put("threads", this.threads);
		map.put("nodes", this.nodes);
		map.put("latencySamples", this.latencySamples);
		map.put("latencyPauseMs", this.latencyPauseMillis);
		map.put("profile", this.profile);
		return map;
	}

	// target/benchmark-results.json of this module: next to the jar, or next to the
	// classes directory when run from an IDE.
	private static Path defaultOutput() {
		try {
			Path location = Path.of(BenchConfig.class.getProtectionDomain().getCodeSource().getLocation().toURI());
			Path target = location.getParent();
			if (target != null) {
				return target.resolve("benchmark-results.json");
			}
		}
		catch (URISyntaxException | RuntimeException ex) {
			// fall through to the working directory
		}
		return Path.of("target", "benchmark-results.json");
	}

	private static String camel(String option) {
		StringBuilder name = new StringBuilder();
		boolean upper = false;
		for (char c : option.toCharArray()) {
			if (c == '-') {
				upper = true;
			}
			else {
				name.append(upper ? Character.toUpperCase(c) : c);
				upper = false;
			}
		}
		return name.toString();
	}

	private static String text(Map<String, String> given, String name, String fallback) {
		String value = given.get(name);
		return (value != null) ? value : fallback;
	}

	private static boolean bool(Map<String, String> given, String name, boolean fallback) {
		String value = given.get(name);
		if (value == null) {
			return fallback;
		}
		if (value.isEmpty() || value.equalsIgnoreCase("true")) {
			return true;
		}
		if (value.equalsIgnoreCase("false")) {
			return false;
		}
		throw new IllegalArgumentException(name + " must be true or false, not '" + value + "'");
	}

	private static int number(Map<String, String> given, String name, int fallback, int min) {
		String value = given.get(name);
		if (value == null) {
			return fallback;
		}
		try {
			int parsed = Integer.parseInt(value.replace("_", "").replace(",", ""));
			if (parsed < min) {
				throw new IllegalArgumentException(name + " must be at least " + min + ", not " + parsed);
			}
			return parsed;
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException(name + " must be a whole number, not '" + value + "'");
		}
	}

	/**
	 * {@code --help} was given.
	 */
	static final class HelpRequested extends RuntimeException {

		private static final long serialVersionUID = 1L;

	}

}
