package dev.runqueue.benchmarks;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import javax.sql.DataSource;

/**
 * Times every statement that goes through a data source, by kind of statement: how many,
 * how many rows each returned or changed, and how long each took from the client's side
 * (round trip, locks and execution). A claim also records how many jobs it asked for, so
 * that claims that came back short show. Costs two {@code System.nanoTime()} calls and a
 * reflective call per JDBC method.
 */
final class StatementProfiler {

	static final String CLAIM = "claim (UPDATE .. FOR UPDATE SKIP LOCKED)";

	static final String POOL = "pool: getConnection";

	private final Map<String, Stat> stats = new ConcurrentHashMap<>();

	// Told of each job a claim returned, with the time (µs since the epoch, this
	// machine's clock) at which the claim was sent.
	private volatile ClaimObserver claimObserver;

	void observeClaims(ClaimObserver observer) {
		this.claimObserver = observer;
	}

	DataSource wrap(DataSource target) {
		return proxy(DataSource.class, (proxy, method, args) -> {
			if (method.getName().equals("getConnection")) {
				long start = System.nanoTime();
				Connection connection = (Connection) invoke(target, method, args);
				stat(POOL).add(System.nanoTime() - start, 0);
				return connection(connection);
			}
			return invoke(target, method, args);
		});
	}

	void reset() {
		this.stats.clear();
	}

	/**
	 * What was measured since the last reset, busiest kind first.
	 * @return one map per kind of statement
	 */
	List<Map<String, Object>> snapshot() {
		List<Map<String, Object>> rows = new ArrayList<>();
		this.stats.forEach((kind, stat) -> {
			long calls = stat.calls.sum();
			if (calls == 0) {
				return;
			}
			Map<String, Object> row = new LinkedHashMap<>();
			row.put("statement", kind);
			row.put("calls", calls);
			row.put("rows", stat.rows.sum());
			row.put("rowsPerCall", stat.rows.sum() / (double) calls);
			row.put("totalSeconds", stat.nanos.sum() / 1e9);
			row.put("meanMillis", stat.nanos.sum() / 1e6 / calls);
			long requested = stat.requested.sum();
			if (requested > 0) {
				row.put("requested", requested);
				row.put("shortCalls", stat.shortCalls.sum());
			}
			rows.add(row);
		});
		rows.sort(Comparator.comparingDouble((Map<String, Object> row) -> (double) row.get("totalSeconds")).reversed());
		return rows;
	}

	private Stat stat(String kind) {
		return this.stats.computeIfAbsent(kind, (key) -> new Stat());
	}

	private Connection connection(Connection target) {
		return proxy(Connection.class, (proxy, method, args) -> {
			String name = method.getName();
			if (name.equals("prepareStatement") && args != null && args[0] instanceof String sql) {
				return statement(PreparedStatement.class, (Statement) invoke(target, method, args), kind(sql));
			}
			if (name.equals("createStatement")) {
				return statement(Statement.class, (Statement) invoke(target, method, args), null);
			}
			if (name.equals("commit") || name.equals("rollback")) {
				long start = System.nanoTime();
				Object result = invoke(target, method, args);
				stat(name).add(System.nanoTime() - start, 0);
				return result;
			}
			return invoke(target, method, args);
		});
	}

	private <T extends Statement> T statement(Class<T> type, Statement target, String preparedKind) {
		Object[] parameters = new Object[8];
		return proxy(type, (proxy, method, args) -> {
			String name = method.getName();
			if (name.startsWith("set") && args != null && args.length >= 2 && args[0] instanceof Integer index
					&& index < parameters.length) {
				parameters[index] = args[1];
			}
			if (!name.startsWith("execute")) {
				return invoke(target, method, args);
			}
			String kind = (preparedKind != null) ? preparedKind
					: (args != null && args.length > 0 && args[0] instanceof String sql) ? kind(sql) : "other";
			ClaimObserver observer = kind.equals(CLAIM) ? this.claimObserver : null;
			long sentAt = (observer != null) ? LatencyAdder.micros(Instant.now()) : 0;
			long start = System.nanoTime();
			Object result = invoke(target, method, args);
			long elapsed = System.nanoTime() - start;
			long requested = (kind.equals(CLAIM) && parameters[2] instanceof Number limit) ? limit.longValue() : -1;
			if (result instanceof ResultSet rs) {
				// Rows are counted as they are read; the statement's time is its round
				// trip.
				Stat stat = stat(kind);
				stat.add(elapsed, 0);
				return resultSet(rs, stat, requested, observer, sentAt);
			}
			long rows = (result instanceof Integer count) ? count : (result instanceof Long count) ? count : 0;
			stat(kind).add(elapsed, Math.max(rows, 0));
			return result;
		});
	}

	private ResultSet resultSet(ResultSet target, Stat stat, long requested, ClaimObserver observer, long sentAt) {
		long[] rows = new long[1];
		return proxy(ResultSet.class, (proxy, method, args) -> {
			String name = method.getName();
			Object result = invoke(target, method, args);
			if (name.equals("next") && Boolean.TRUE.equals(result)) {
				rows[0]++;
			}
			else if (observer != null && name.equals("getLong") && "id".equals(args[0])) {
				observer.claimed((Long) result, sentAt);
			}
			else if (name.equals("close")) {
				stat.rows.add(rows[0]);
				if (requested > 0) {
					stat.requested.add(requested);
					if (rows[0] < requested) {
						stat.shortCalls.increment();
					}
				}
			}
			return result;
		});
	}

	/**
	 * A short name for a statement of runqueue's, so that its calls add up.
	 * @param sql the statement
	 * @return the name
	 */
	static String kind(String sql) {
		String text = sql.replaceAll("\\s+", " ").trim();
		if (text.contains("WITH claimable AS")) {
			return CLAIM;
		}
		if (text.contains("SET state = 'succeeded'")) {
			return "complete: succeed (UPDATE .. FROM unnest)";
		}
		if (text.contains("pg_notify")) {
			return "notify";
		}
		if (text.contains("WITH due AS")) {
			return "promote due scheduled jobs";
		}
		if (text.contains("min(run_at) - now()")) {
			return "time until next scheduled job";
		}
		if (text.contains("AS held(id, lease_token)")) {
			return "renew leases";
		}
		if (text.contains("WITH expired AS")) {
			return "rescue expired leases";
		}
		if (text.contains("dependent")) {
			return "dependency sweep";
		}
		if (text.contains("finished_at <") && text.startsWith("DELETE")) {
			return "prune finished jobs";
		}
		if (text.contains("_leader")) {
			return "leader election";
		}
		if (text.contains("_node")) {
			return "node register/heartbeat";
		}
		if (text.contains("_schedule")) {
			return "recurring schedules";
		}
		if (text.startsWith("INSERT INTO") && text.contains("unnest(")) {
			return "insert many (INSERT .. unnest)";
		}
		if (text.startsWith("INSERT INTO") && text.contains("_job")) {
			return "insert one";
		}
		if (text.startsWith("LISTEN") || text.startsWith("UNLISTEN")) {
			return "listen";
		}
		return (text.length() <= 48) ? text : text.substring(0, 48) + "..";
	}

	private static <T> T proxy(Class<T> type, InvocationHandler handler) {
		return type
			.cast(Proxy.newProxyInstance(StatementProfiler.class.getClassLoader(), new Class<?>[] { type }, handler));
	}

	private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
		try {
			return method.invoke(target, args);
		}
		catch (InvocationTargetException ex) {
			throw ex.getCause();
		}
	}

	/**
	 * Hears of the jobs that claims return.
	 */
	@FunctionalInterface
	interface ClaimObserver {

		void claimed(long jobId, long sentAtMicros);

	}

	private static final class Stat {

		final LongAdder calls = new LongAdder();

		final LongAdder nanos = new LongAdder();

		final LongAdder rows = new LongAdder();

		final LongAdder requested = new LongAdder();

		final LongAdder shortCalls = new LongAdder();

		void add(long elapsed, long rows) {
			this.calls.increment();
			this.nanos.add(elapsed);
			this.rows.add(rows);
		}

	}

}
