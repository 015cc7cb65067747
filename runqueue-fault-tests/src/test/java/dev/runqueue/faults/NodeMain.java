package dev.runqueue.faults;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.runqueue.store.PostgresJobStore;
import dev.runqueue.worker.Worker;

import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * A runqueue node in a JVM of its own, started by the fault tests with
 * {@link NodeProcess}: a worker on a Hikari pool whose connections carry the node's name
 * as their {@code application_name} (so that a test can terminate exactly this node's
 * connections), running one topic with a {@link FaultHandler}, whose ledger connections
 * come from a pool of their own, named {@code <name>-ledger}, and declaring the recurring
 * jobs of its options. It is configured by {@link NodeOptions} as system properties.
 * <p>
 * It talks to the test on standard output: {@code READY <name>} once the worker runs,
 * {@code STATS <name> ...} whenever its lease losses, stale writes or leadership change,
 * {@code HALT <name> job=<id>} just before a job halts it, and on SIGTERM, once the
 * worker has stopped gracefully, {@code STOPPED <name> ...}. It halts when its standard
 * input closes, so that no node outlives the test JVM that started it.
 */
public final class NodeMain {

	/** The status a node ends with when the test that started it is gone. */
	static final int ORPHANED_STATUS = 87;

	private NodeMain() {
	}

	public static void main(String[] args) throws Exception {
		NodeOptions options = NodeOptions.fromSystemProperties(System.getProperties());
		String name = options.name();
		HikariDataSource workerPool = pool(options.jdbcUrl(), options.user(), options.password(), name,
				options.poolSize(), options);
		HikariDataSource ledgerPool = pool(options.ledgerJdbcUrl(), options.ledgerUser(), options.ledgerPassword(),
				name + "-ledger", options.concurrency() + 2, options);
		FaultHandler handler = new FaultHandler(name, workerPool, ledgerPool, options.modes());
		Worker worker = Worker.builder(workerPool, new PostgresJobStore(workerPool))
			.transactionManager(new DataSourceTransactionManager(workerPool))
			.settings(options.workerSettings())
			.maintenance(options.maintenanceSettings())
			.handler(options.topicSettings(), handler)
			.recurringJobs(options.recurringJobs())
			.build();
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			worker.stop();
			handler.stop(Duration.ofSeconds(5));
			say("STOPPED " + name + " " + stats(worker));
		}, "node-shutdown"));
		worker.start();
		say("READY " + name);
		Thread statsReporter = new Thread(() -> reportStats(name, worker), "node-stats");
		statsReporter.setDaemon(true);
		statsReporter.start();
		awaitEndOfInput(System.in);
		say("ORPHANED " + name + ": the test that started this node is gone");
		Runtime.getRuntime().halt(ORPHANED_STATUS);
	}

	/**
	 * Prints a line for the test, at once.
	 * @param line the line
	 */
	static void say(String line) {
		System.out.println(line);
		System.out.flush();
	}

	private static HikariDataSource pool(String jdbcUrl, String user, String password, String applicationName, int size,
			NodeOptions options) {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(jdbcUrl);
		config.setUsername(user);
		config.setPassword(password);
		config.setMaximumPoolSize(size);
		config.setConnectionTimeout(options.connectionTimeout().toMillis());
		config.setValidationTimeout(Math.min(1000, options.connectionTimeout().toMillis() - 1));
		config.setPoolName(applicationName);
		config.addDataSourceProperty("ApplicationName", applicationName);
		return new HikariDataSource(config);
	}

	private static String stats(Worker worker) {
		return "leaseLosses=" + worker.leaseLosses() + " staleWrites=" + worker.staleWrites() + " leader="
				+ worker.isLeader();
	}

	private static void reportStats(String name, Worker worker) {
		String last = "";
		while (worker.isRunning()) {
			String now = stats(worker);
			if (!now.equals(last)) {
				say("STATS " + name + " " + now);
				last = now;
			}
			try {
				Thread.sleep(100);
			}
			catch (InterruptedException ex) {
				return;
			}
		}
	}

	private static void awaitEndOfInput(InputStream in) {
		try {
			while (in.read() != -1) {
				// the test never writes; only the end matters
			}
		}
		catch (IOException ex) {
			// as good as the end
		}
	}

}
