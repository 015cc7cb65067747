package dev.runqueue.faults;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link NodeMain} process, started with the test JVM's own java binary and class
 * path. Its output goes to the test log, each line prefixed with the node's name; the
 * lines meant for the test ({@code READY}, {@code STATS}, {@code STOPPED}) are kept.
 */
final class NodeProcess {

	private static final Logger logger = LoggerFactory.getLogger(NodeProcess.class);

	private final String name;

	private final Process process;

	// Held open for the node's life: the node halts when it closes.
	private final OutputStream input;

	private final CountDownLatch ready = new CountDownLatch(1);

	private final List<Thread> drains = new ArrayList<>();

	private volatile String lastStats;

	private volatile String stoppedLine;

	private NodeProcess(String name, Process process) {
		this.name = name;
		this.process = process;
		this.input = process.getOutputStream();
		this.drains.add(drain(process.getInputStream(), true));
		this.drains.add(drain(process.getErrorStream(), false));
	}

	/**
	 * Starts a node; it is ready once {@link #awaitReady(Duration)} returns.
	 * @param options the node's options
	 * @return the process
	 */
	static NodeProcess start(NodeOptions options) {
		List<String> command = new ArrayList<>();
		command.add(ProcessHandle.current().info().command().orElse("java"));
		command.add("-cp");
		command.add(System.getProperty("java.class.path"));
		command.add("-Xmx256m");
		command.add("-XX:+UseSerialGC");
		command.addAll(options.jvmArguments());
		command.add(NodeMain.class.getName());
		try {
			Process process = new ProcessBuilder(command).start();
			logger.info("Started node {} as process {}", options.name(), process.pid());
			return new NodeProcess(options.name(), process);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start node " + options.name(), ex);
		}
	}

	String name() {
		return this.name;
	}

	long pid() {
		return this.process.pid();
	}

	boolean isAlive() {
		return this.process.isAlive();
	}

	/**
	 * Waits for the node to say it runs.
	 * @param timeout the longest wait
	 * @throws IllegalStateException if it did not
	 */
	void awaitReady(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!await(this.ready, Duration.ofMillis(100))) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException("Node " + this.name + " ended with status " + this.process.exitValue()
						+ " before it was ready");
			}
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("Node " + this.name + " was not ready within " + timeout);
			}
		}
	}

	/**
	 * Kills the node with SIGKILL: no shutdown hook, no release, no goodbye.
	 */
	void kill() {
		// Through the process handle: Process.destroyForcibly() would also close the
		// pipes, and the last of the node's output would be lost.
		this.process.toHandle().destroyForcibly();
		awaitExit(Duration.ofSeconds(30));
	}

	/**
	 * Asks the node to stop with SIGTERM, which runs its graceful shutdown.
	 */
	void terminate() {
		// Through the process handle: Process.destroy() would also close the node's
		// standard input, which tells the node that the test is gone.
		this.process.toHandle().destroy();
	}

	/**
	 * Freezes the node with SIGSTOP.
	 */
	void pause() {
		signal("STOP");
	}

	/**
	 * Lets a frozen node go on with SIGCONT.
	 */
	void resume() {
		signal("CONT");
	}

	/**
	 * Waits for the process to end.
	 * @param timeout the longest wait
	 * @return the exit status
	 * @throws IllegalStateException if it did not end
	 */
	int awaitExit(Duration timeout) {
		try {
			if (!this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				throw new IllegalStateException("Node " + this.name + " did not end within " + timeout);
			}
			for (Thread drain : this.drains) {
				// The rest of its output, so that the log is complete.
				drain.join(5000);
			}
			logger.info("Node {} ended with status {}", this.name, this.process.exitValue());
			return this.process.exitValue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * The {@code STOPPED} line the node printed when it stopped gracefully.
	 * @return the line, or {@code null}
	 */
	String stoppedLine() {
		return this.stoppedLine;
	}

	/**
	 * The last {@code STATS} line of the node.
	 * @return the line, or {@code null}
	 */
	String lastStats() {
		return this.lastStats;
	}

	/**
	 * Kills the node if it still runs, frozen or not.
	 */
	void destroy() {
		if (this.process.isAlive()) {
			this.process.destroyForcibly();
			try {
				this.process.waitFor(30, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		try {
			this.input.close();
		}
		catch (IOException ex) {
			// gone with the process
		}
	}

	private void signal(String signal) {
		try {
			Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(this.process.pid())).inheritIO()
				.start();
			if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
				throw new IllegalStateException("kill -" + signal + " " + this.process.pid() + " failed");
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private Thread drain(InputStream stream, boolean standardOutput) {
		Thread thread = new Thread(() -> {
			try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
				String line;
				while ((line = reader.readLine()) != null) {
					if (standardOutput) {
						read(line);
					}
					logger.info("[{}] {}", this.name, line);
				}
			}
			catch (IOException ex) {
				logger.debug("Output of node {} ended: {}", this.name, ex.toString());
			}
		}, "drain-" + this.name + (standardOutput ? "-out" : "-err"));
		thread.setDaemon(true);
		thread.start();
		return thread;
	}

	private void read(String line) {
		if (line.startsWith("READY ")) {
			this.ready.countDown();
		}
		else if (line.startsWith("STATS ")) {
			this.lastStats = line;
		}
		else if (line.startsWith("STOPPED ")) {
			this.stoppedLine = line;
		}
	}

	private static boolean await(CountDownLatch latch, Duration timeout) {
		try {
			return latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public String toString() {
		return this.name + " (pid " + this.process.pid() + ")";
	}

}
