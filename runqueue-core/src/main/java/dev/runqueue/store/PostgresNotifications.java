package dev.runqueue.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import javax.sql.DataSource;

import dev.runqueue.support.ServiceLoop;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds one connection that LISTENs on the channels its subscribers want, and passes each
 * notification to them: the worker hears of added, scheduled and cancelled jobs, and
 * callers waiting for results hear of finished jobs, all on one connection of the pool.
 * Notifications are hints: when the connection is lost it is opened again, and every
 * subscriber is told it listens again, because notifications sent meanwhile are gone. The
 * connection is opened with the first subscription.
 */
public final class PostgresNotifications implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(PostgresNotifications.class);

	// getNotifications returns as soon as one arrives; the timeout bounds how long a new
	// channel waits for its
	// LISTEN, and how long close() waits.
	private static final int WAIT_MILLIS = 200;

	private final DataSource dataSource;

	// Written by subscribers on any thread, read by the listening thread.
	private final Map<String, List<Subscription>> subscriptions = new ConcurrentHashMap<>();

	private final ServiceLoop loop;

	// Only the listening thread touches the connection and the set of channels it listens
	// on.
	private Connection connection;

	private PGConnection pgConnection;

	private final Set<String> listening = new HashSet<>();

	private boolean started;

	/**
	 * Creates the hub; it opens no connection until the first subscription.
	 * @param dataSource where the connection comes from
	 */
	public PostgresNotifications(DataSource dataSource) {
		this.dataSource = dataSource;
		this.loop = new ServiceLoop("runqueue-listener", this::step);
	}

	/**
	 * Subscribes to a channel.
	 * @param channel the channel
	 * @param onPayload told of each notification's payload, on the listening thread; must
	 * be quick
	 * @param onListening told each time the connection starts listening on the channel,
	 * when notifications may have been missed
	 * @return the subscription, to cancel it
	 */
	public synchronized Subscription subscribe(String channel, Consumer<String> onPayload, Runnable onListening) {
		Subscription subscription = new Subscription(channel, onPayload, onListening);
		this.subscriptions.computeIfAbsent(channel, (key) -> new CopyOnWriteArrayList<>()).add(subscription);
		if (!this.started) {
			this.started = true;
			this.loop.start();
		}
		this.loop.wake();
		return subscription;
	}

	/**
	 * Stops listening and gives the connection back.
	 */
	@Override
	public synchronized void close() {
		if (!this.started) {
			return;
		}
		this.loop.stop();
		try {
			if (this.loop.join(Duration.ofSeconds(5))) {
				closeConnection();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.started = false;
	}

	private Duration step() throws SQLException {
		try {
			if (this.connection == null) {
				this.connection = this.dataSource.getConnection();
				this.connection.setAutoCommit(true);
				this.pgConnection = this.connection.unwrap(PGConnection.class);
				this.listening.clear();
			}
			for (Map.Entry<String, List<Subscription>> channel : this.subscriptions.entrySet()) {
				if (!channel.getValue().isEmpty() && this.listening.add(channel.getKey())) {
					try (Statement statement = this.connection.createStatement()) {
						statement.execute("LISTEN " + channel.getKey());
					}
					logger.debug("Listening on channel {}", channel.getKey());
					channel.getValue().forEach((subscription) -> subscription.onListening.run());
				}
			}
			PGNotification[] notifications = this.pgConnection.getNotifications(WAIT_MILLIS);
			if (notifications != null) {
				for (PGNotification notification : notifications) {
					List<Subscription> subscribers = this.subscriptions.get(notification.getName());
					if (subscribers != null) {
						subscribers
							.forEach((subscription) -> subscription.onPayload.accept(notification.getParameter()));
					}
				}
			}
			return Duration.ZERO;
		}
		catch (SQLException | RuntimeException ex) {
			closeConnection();
			throw ex;
		}
	}

	private void closeConnection() {
		if (this.connection != null) {
			// A pooled connection keeps listening after it goes back to the pool, and
			// would gather notifications that nobody reads; stop listening first if the
			// connection still works.
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
			this.listening.clear();
		}
	}

	/**
	 * A subscription to a channel.
	 */
	public final class Subscription {

		private final String channel;

		private final Consumer<String> onPayload;

		private final Runnable onListening;

		private Subscription(String channel, Consumer<String> onPayload, Runnable onListening) {
			this.channel = channel;
			this.onPayload = onPayload;
			this.onListening = onListening;
		}

		/**
		 * Stops passing this subscriber the channel's notifications.
		 */
		public void cancel() {
			List<Subscription> subscribers = PostgresNotifications.this.subscriptions.get(this.channel);
			if (subscribers != null) {
				subscribers.remove(this);
			}
		}

	}

}
