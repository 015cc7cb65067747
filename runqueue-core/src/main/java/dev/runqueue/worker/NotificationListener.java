package dev.runqueue.worker;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.function.Consumer;

import javax.sql.DataSource;

import dev.runqueue.store.TableNames;
import dev.runqueue.support.ServiceLoop;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds one connection that LISTENs on the job-added channel and passes each notified
 * topic on, so that an idle topic starts a new job within milliseconds instead of at its
 * next poll. Notifications are hints: when the connection is lost it is opened again, and
 * every topic is told to look for jobs, because notifications sent meanwhile are gone.
 */
final class NotificationListener {

	private static final Logger logger = LoggerFactory.getLogger(NotificationListener.class);

	// getNotifications returns as soon as one arrives; the timeout only bounds how long
	// stop() waits.
	private static final int WAIT_MILLIS = 500;

	private final DataSource dataSource;

	private final TableNames tableNames;

	private final Consumer<String> topicNotified;

	private final Runnable scheduledNotified;

	private final Runnable listening;

	private final ServiceLoop loop;

	// Only the listener's thread touches the connection.
	private Connection connection;

	private PGConnection pgConnection;

	/**
	 * Creates a listener.
	 * @param dataSource where the connection comes from
	 * @param tableNames the names of the channels
	 * @param topicNotified told of each topic that has new runnable jobs
	 * @param scheduledNotified told that a job was added to run later
	 * @param listening told each time the connection starts listening, when any job may
	 * have been missed
	 */
	NotificationListener(DataSource dataSource, TableNames tableNames, Consumer<String> topicNotified,
			Runnable scheduledNotified, Runnable listening) {
		this.dataSource = dataSource;
		this.tableNames = tableNames;
		this.topicNotified = topicNotified;
		this.scheduledNotified = scheduledNotified;
		this.listening = listening;
		this.loop = new ServiceLoop("runqueue-listener", this::step);
	}

	void start() {
		this.loop.start();
	}

	void stop(Duration timeout) throws InterruptedException {
		this.loop.stop();
		if (this.loop.join(timeout)) {
			close();
		}
	}

	private Duration step() throws SQLException {
		try {
			if (this.connection == null) {
				listen();
			}
			PGNotification[] notifications = this.pgConnection.getNotifications(WAIT_MILLIS);
			if (notifications != null) {
				for (PGNotification notification : notifications) {
					if (notification.getName().equals(this.tableNames.jobAddedChannel())) {
						this.topicNotified.accept(notification.getParameter());
					}
					else {
						this.scheduledNotified.run();
					}
				}
			}
			return Duration.ZERO;
		}
		catch (SQLException | RuntimeException ex) {
			close();
			throw ex;
		}
	}

	private void listen() throws SQLException {
		this.connection = this.dataSource.getConnection();
		this.connection.setAutoCommit(true);
		this.pgConnection = this.connection.unwrap(PGConnection.class);
		try (Statement statement = this.connection.createStatement()) {
			statement.execute("LISTEN " + this.tableNames.jobAddedChannel());
			statement.execute("LISTEN " + this.tableNames.jobScheduledChannel());
		}
		logger.debug("Listening for added jobs on channels {} and {}", this.tableNames.jobAddedChannel(),
				this.tableNames.jobScheduledChannel());
		this.listening.run();
	}

	private void close() {
		if (this.connection != null) {
			// A pooled connection keeps listening after it goes back to the pool, and
			// would gather notifications
			// that nobody reads; stop listening first if the connection still works.
			try (Statement statement = this.connection.createStatement()) {
				statement.execute("UNLISTEN *");
			}
			catch (SQLException ex) {
				logger.debug("Could not stop listening on the closing connection", ex);
			}
			try {
				this.connection.close();
			}
			catch (SQLException ex) {
				logger.debug("Could not close the listening connection", ex);
			}
			this.connection = null;
			this.pgConnection = null;
		}
	}

}
