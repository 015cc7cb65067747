package dev.runqueue.store;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

import javax.sql.DataSource;

import dev.runqueue.job.Job;
import dev.runqueue.job.JobState;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.support.SqlArrayValue;
import org.springframework.transaction.support.TransactionTemplate;

import static dev.runqueue.store.SqlValues.array;
import static dev.runqueue.store.SqlValues.duration;
import static dev.runqueue.store.SqlValues.instant;
import static dev.runqueue.store.SqlValues.seconds;
import static dev.runqueue.store.SqlValues.secondsOrZero;
import static dev.runqueue.store.SqlValues.timestamp;
import static dev.runqueue.store.SqlValues.timestampText;

/**
 * The {@link JobStore} on PostgreSQL, with Spring's {@link JdbcClient}: a statement run
 * on a thread with a Spring-managed transaction on the same data source joins that
 * transaction, any other commits on its own.
 */
public class PostgresJobStore implements JobStore {

	private final JdbcClient jdbc;

	private final TableNames tableNames;

	private final TransactionTemplate transactions;

	private final String insert;

	private final String insertWithDependencies;

	private final String insertAll;

	private final String insertAllWithoutUniqueKeys;

	private final String insertAllAlike;

	private final String findIdHoldingUniqueKey;

	private final String findMissing;

	private final String countWaiting;

	private final String countRunning;

	private final String claim;

	private final String claimFifoHead;

	private final String claimWithinGroupLimits;

	private final String succeed;

	private final String retry;

	private final String fail;

	private final String replace;

	private final String snooze;

	private final String timeOut;

	private final String renewLeases;

	private final String heldLeases;

	private final String release;

	private final String extendLease;

	private final String find;

	/**
	 * Creates a store on the tables with the default names.
	 * @param dataSource the application's data source
	 */
	public PostgresJobStore(DataSource dataSource) {
		this(dataSource, TableNames.DEFAULT);
	}

	/**
	 * Creates a store.
	 * @param dataSource the application's data source
	 * @param tableNames where the tables are
	 */
	public PostgresJobStore(DataSource dataSource, TableNames tableNames) {
		this.jdbc = JdbcClient.create(dataSource);
		this.tableNames = tableNames;
		this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
		this.insert = named(JobSql.INSERT);
		this.insertWithDependencies = named(JobSql.INSERT_WITH_DEPENDENCIES);
		this.insertAll = named(JobSql.INSERT_ALL);
		this.insertAllWithoutUniqueKeys = named(JobSql.INSERT_ALL_WITHOUT_UNIQUE_KEYS);
		this.insertAllAlike = named(JobSql.INSERT_ALL_ALIKE);
		this.findIdHoldingUniqueKey = named(JobSql.FIND_ID_HOLDING_UNIQUE_KEY);
		this.findMissing = named(JobSql.FIND_MISSING);
		this.countWaiting = named(JobSql.COUNT_WAITING);
		this.countRunning = named(JobSql.COUNT_RUNNING);
		this.claim = named(JobSql.CLAIM);
		this.claimFifoHead = named(JobSql.CLAIM_FIFO_HEAD);
		this.claimWithinGroupLimits = named(JobSql.CLAIM_WITHIN_GROUP_LIMITS);
		this.succeed = named(JobSql.SUCCEED);
		this.retry = named(JobSql.RETRY);
		this.fail = named(JobSql.FAIL);
		this.replace = named(JobSql.REPLACE);
		this.snooze = named(JobSql.SNOOZE);
		this.timeOut = named(JobSql.TIME_OUT);
		this.renewLeases = named(JobSql.RENEW_LEASES);
		this.heldLeases = named(JobSql.HELD_LEASES);
		this.release = named(JobSql.RELEASE);
		this.extendLease = named(JobSql.EXTEND_LEASE);
		this.find = named(JobSql.FIND);
	}

	private String named(String sql) {
		return sql.replace("{job}", this.tableNames.job()).replace("{topic}", this.tableNames.topic());
	}

	@Override
	public TableNames tableNames() {
		return this.tableNames;
	}

	@Override
	public <T> T inTransaction(Supplier<T> work) {
		return this.transactions.execute((status) -> work.get());
	}

	@Override
	public OptionalLong insert(JobInsert job) {
		boolean dependent = !job.dependsOn().isEmpty();
		JdbcClient.StatementSpec insert = this.jdbc.sql(dependent ? this.insertWithDependencies : this.insert);
		if (dependent) {
			insert = insert.param("depends_on", array("bigint", job.dependsOn()), Types.ARRAY);
		}
		List<Long> ids = insert.param("topic", job.topic())
			.param("payload", job.payload())
			.param("priority", job.priority())
			.param("run_at", timestamp(job.runAt()), Types.TIMESTAMP_WITH_TIMEZONE)
			.param("delay_seconds", secondsOrZero(job.delay()))
			.param("unique_key", job.uniqueKey(), Types.VARCHAR)
			.param("unique_scope", job.uniqueScope())
			.param("group_key", job.group(), Types.VARCHAR)
			.param("group_limit", job.groupLimit(), Types.INTEGER)
			.param("max_attempts", job.maxAttempts())
			.param("timeout_seconds", seconds(job.timeout()), Types.DOUBLE)
			.param("dependency_failure", job.dependencyFailure())
			.query(Long.class)
			.list();
		return ids.isEmpty() ? OptionalLong.empty() : OptionalLong.of(ids.get(0));
	}

	@Override
	public List<InsertedJob> insertAll(List<JobInsert> jobs) {
		if (jobs.isEmpty()) {
			return List.of();
		}
		if (jobs.stream().anyMatch((job) -> !job.dependsOn().isEmpty())) {
			throw new IllegalArgumentException("Jobs with dependencies are added one by one, not with insertAll");
		}
		AllButPayload first = AllButPayload.of(jobs.get(0));
		JdbcClient.StatementSpec insert;
		if (jobs.stream().anyMatch((job) -> job.uniqueKey() != null)) {
			insert = eachJobsColumns(this.jdbc.sql(this.insertAll), jobs).param("unique_keys",
					array("text", jobs, JobInsert::uniqueKey));
		}
		else if (jobs.stream().allMatch((job) -> AllButPayload.of(job).equals(first))) {
			insert = this.jdbc.sql(this.insertAllAlike)
				.param("topic", first.topic())
				.param("payloads", array("text", jobs, JobInsert::payload))
				.param("priority", first.priority())
				.param("run_at", timestamp(first.runAt()), Types.TIMESTAMP_WITH_TIMEZONE)
				.param("delay_seconds", secondsOrZero(first.delay()))
				.param("unique_scope", first.uniqueScope())
				.param("group_key", first.group(), Types.VARCHAR)
				.param("group_limit", first.groupLimit(), Types.INTEGER)
				.param("max_attempts", first.maxAttempts())
				.param("timeout_seconds", seconds(first.timeout()), Types.DOUBLE)
				.param("dependency_failure", first.dependencyFailure());
		}
		else {
			insert = eachJobsColumns(this.jdbc.sql(this.insertAllWithoutUniqueKeys), jobs);
		}
		List<InsertedJob> inserted = insert
			.query((rs, row) -> new InsertedJob(rs.getLong("id"), rs.getString("unique_key")))
			.list();
		List<InsertedJob> inOrder = new ArrayList<>(inserted);
		inOrder.sort(Comparator.comparingLong(InsertedJob::id));
		return inOrder;
	}

	// Every column of INSERT_ALL but the unique keys, as arrays with one value per job.
	private static JdbcClient.StatementSpec eachJobsColumns(JdbcClient.StatementSpec insert, List<JobInsert> jobs) {
		return insert.param("topics", array("text", jobs, JobInsert::topic))
			.param("payloads", array("text", jobs, JobInsert::payload))
			.param("priorities", array("integer", jobs, JobInsert::priority))
			.param("run_ats", array("text", jobs, (job) -> timestampText(job.runAt())))
			.param("delay_seconds", array("float8", jobs, (job) -> secondsOrZero(job.delay())))
			.param("unique_scopes", array("text", jobs, JobInsert::uniqueScope))
			.param("group_keys", array("text", jobs, JobInsert::group))
			.param("group_limits", array("integer", jobs, JobInsert::groupLimit))
			.param("max_attempts", array("integer", jobs, JobInsert::maxAttempts))
			.param("timeout_seconds", array("float8", jobs, (job) -> seconds(job.timeout())))
			.param("dependency_failures", array("text", jobs, JobInsert::dependencyFailure));
	}

	@Override
	public OptionalLong findIdHoldingUniqueKey(String uniqueKey) {
		List<Long> ids = this.jdbc.sql(this.findIdHoldingUniqueKey)
			.param("unique_key", uniqueKey)
			.query(Long.class)
			.list();
		return ids.isEmpty() ? OptionalLong.empty() : OptionalLong.of(ids.get(0));
	}

	@Override
	public List<Long> findMissing(Collection<Long> ids) {
		if (ids.isEmpty()) {
			return List.of();
		}
		return this.jdbc.sql(this.findMissing).param("ids", array("bigint", ids)).query(Long.class).list();
	}

	@Override
	public void lockTopic(String topic) {
		this.jdbc.sql(JobSql.LOCK_TOPIC).param("table", this.tableNames.job()).param("topic", topic).query((rs) -> {
		});
	}

	@Override
	public long countWaiting(String topic) {
		return this.jdbc.sql(this.countWaiting).param("topic", topic).query(Long.class).single();
	}

	@Override
	public long countRunning(String topic) {
		return this.jdbc.sql(this.countRunning).param("topic", topic).query(Long.class).single();
	}

	@Override
	public List<ClaimedJob> claim(String topic, int limit, String node, Duration lease) {
		return inClaimOrder(this.jdbc.sql(this.claim)
			.param("topic", topic)
			.param("limit", limit)
			.param("node", node)
			.param("lease_seconds", seconds(lease)));
	}

	@Override
	public List<ClaimedJob> claimFifoHead(String topic, String node, Duration lease) {
		return inClaimOrder(this.jdbc.sql(this.claimFifoHead)
			.param("topic", topic)
			.param("node", node)
			.param("lease_seconds", seconds(lease)));
	}

	@Override
	public List<ClaimedJob> claimWithinGroupLimits(String topic, int limit, Integer groupLimit, int lookahead,
			String node, Duration lease) {
		return inClaimOrder(this.jdbc.sql(this.claimWithinGroupLimits)
			.param("topic", topic)
			.param("limit", limit)
			.param("group_limit", groupLimit, Types.INTEGER)
			.param("lookahead", lookahead)
			.param("node", node)
			.param("lease_seconds", seconds(lease)));
	}

	// UPDATE ... RETURNING gives rows in no particular order; hand them out in the
	// claim's order.
	private static List<ClaimedJob> inClaimOrder(JdbcClient.StatementSpec claim) {
		List<Claimed> claimed = claim.query((rs, row) -> new Claimed(claimedJob(rs), rs.getBoolean("retried"))).list();
		return claimed.stream().sorted(Claimed.CLAIM_ORDER).map(Claimed::job).toList();
	}

	private static ClaimedJob claimedJob(ResultSet rs) throws SQLException {
		Job job = new Job(rs.getLong("id"), rs.getString("topic"), rs.getString("payload"), rs.getInt("priority"),
				rs.getInt("attempt"), rs.getInt("max_attempts"), rs.getString("last_error"), rs.getString("unique_key"),
				rs.getString("group_key"), rs.getInt("runs"), instant(rs, "created_at"), instant(rs, "run_at"));
		LeaseRef lease = new LeaseRef(job.id(), rs.getObject("lease_token", UUID.class));
		return new ClaimedJob(job, lease, instant(rs, "lease_expires_at"), duration(rs, "timeout_seconds"),
				rs.getInt("timeouts"));
	}

	@Override
	public Set<Long> succeed(List<Completion.Succeed> completions) {
		if (completions.isEmpty()) {
			return Set.of();
		}
		return updatedIds(this.jdbc.sql(this.succeed)
			.param("ids", ids(completions))
			.param("lease_tokens", tokens(completions))
			.param("results", array("text", completions, Completion.Succeed::result)));
	}

	@Override
	public Set<Long> retry(List<Completion.Retry> completions) {
		if (completions.isEmpty()) {
			return Set.of();
		}
		return updatedIds(this.jdbc.sql(this.retry)
			.param("ids", ids(completions))
			.param("lease_tokens", tokens(completions))
			.param("delay_seconds", array("float8", completions, (retry) -> seconds(retry.delay())))
			.param("errors", array("text", completions, Completion.Retry::error))
			.param("retried", array("boolean", completions, Completion.Retry::retried)));
	}

	@Override
	public Set<Long> fail(List<Completion.Fail> completions) {
		if (completions.isEmpty()) {
			return Set.of();
		}
		return updatedIds(this.jdbc.sql(this.fail)
			.param("ids", ids(completions))
			.param("lease_tokens", tokens(completions))
			.param("errors", array("text", completions, Completion.Fail::error)));
	}

	@Override
	public Set<Long> replace(List<Completion.Replace> completions) {
		if (completions.isEmpty()) {
			return Set.of();
		}
		return updatedIds(this.jdbc.sql(this.replace)
			.param("ids", ids(completions))
			.param("lease_tokens", tokens(completions))
			.param("payloads", array("text", completions, Completion.Replace::payload))
			.param("run_ats", array("text", completions, (replace) -> timestampText(replace.runAt())))
			.param("delay_seconds", array("float8", completions, (replace) -> secondsOrZero(replace.delay()))));
	}

	@Override
	public Set<Long> snooze(List<Completion.Snooze> completions) {
		if (completions.isEmpty()) {
			return Set.of();
		}
		return updatedIds(this.jdbc.sql(this.snooze)
			.param("ids", ids(completions))
			.param("lease_tokens", tokens(completions))
			.param("delay_seconds", array("float8", completions, (snooze) -> seconds(snooze.delay()))));
	}

	@Override
	public Set<Long> timeOut(List<Completion.TimedOut> completions) {
		if (completions.isEmpty()) {
			return Set.of();
		}
		return updatedIds(this.jdbc.sql(this.timeOut)
			.param("ids", ids(completions))
			.param("lease_tokens", tokens(completions))
			.param("retry_seconds", array("float8", completions, (timedOut) -> seconds(timedOut.retryDelay())))
			.param("errors", array("text", completions, Completion.TimedOut::error)));
	}

	@Override
	public Set<Long> renewLeases(Collection<LeaseRef> leases, Duration duration) {
		if (leases.isEmpty()) {
			return Set.of();
		}
		List<LeaseRef> list = List.copyOf(leases);
		return updatedIds(this.jdbc.sql(this.renewLeases)
			.param("ids", array("bigint", list, LeaseRef::jobId))
			.param("lease_tokens", array("uuid", list, LeaseRef::token))
			.param("lease_seconds", seconds(duration)));
	}

	@Override
	public Set<Long> heldLeases(Collection<LeaseRef> leases) {
		if (leases.isEmpty()) {
			return Set.of();
		}
		List<LeaseRef> list = List.copyOf(leases);
		return new HashSet<>(this.jdbc.sql(this.heldLeases)
			.param("ids", array("bigint", list, LeaseRef::jobId))
			.param("lease_tokens", array("uuid", list, LeaseRef::token))
			.query(Long.class)
			.list());
	}

	@Override
	public List<String> release(Collection<LeaseRef> leases) {
		if (leases.isEmpty()) {
			return List.of();
		}
		List<LeaseRef> list = List.copyOf(leases);
		return this.jdbc.sql(this.release)
			.param("ids", array("bigint", list, LeaseRef::jobId))
			.param("lease_tokens", array("uuid", list, LeaseRef::token))
			.query((rs, row) -> rs.getString("topic"))
			.list();
	}

	@Override
	public boolean extendLease(LeaseRef lease, Duration duration) {
		return this.jdbc.sql(this.extendLease)
			.param("id", lease.jobId())
			.param("lease_token", lease.token())
			.param("lease_seconds", seconds(duration))
			.update() == 1;
	}

	@Override
	public void notifyTopics(Collection<String> topics) {
		if (topics.isEmpty()) {
			return;
		}
		this.jdbc.sql(JobSql.NOTIFY_TOPICS)
			.param("channel", this.tableNames.jobAddedChannel())
			.param("topics", array("text", topics))
			.query((rs) -> {
			});
	}

	@Override
	public void notifyChannel(String channel, String payload) {
		this.jdbc.sql(JobSql.NOTIFY_CHANNEL).param("channel", channel).param("payload", payload).query((rs) -> {
		});
	}

	@Override
	public Optional<JobRecord> find(long id) {
		return this.jdbc.sql(this.find).param("id", id).query((rs, row) -> jobRecord(rs)).optional();
	}

	static JobRecord jobRecord(ResultSet rs) throws SQLException {
		Array dependsOn = rs.getArray("depends_on");
		List<Long> dependencies = (dependsOn != null) ? List.of((Long[]) dependsOn.getArray()) : List.of();
		return new JobRecord(rs.getLong("id"), rs.getString("topic"), JobState.ofColumn(rs.getString("state")),
				rs.getString("payload"), rs.getInt("priority"), instant(rs, "run_at"), rs.getBoolean("retried"),
				rs.getString("unique_key"), rs.getString("unique_scope"), rs.getString("group_key"),
				(Integer) rs.getObject("group_limit"), rs.getInt("attempt"), rs.getInt("max_attempts"),
				rs.getInt("timeouts"), rs.getInt("rescues"), duration(rs, "timeout_seconds"), rs.getInt("errors"),
				rs.getInt("runs"), rs.getString("last_error"), rs.getString("result"), dependencies,
				rs.getString("dependency_failure"), rs.getString("claimed_by"), rs.getObject("lease_token", UUID.class),
				instant(rs, "lease_expires_at"), instant(rs, "created_at"), instant(rs, "started_at"),
				instant(rs, "finished_at"));
	}

	private static Set<Long> updatedIds(JdbcClient.StatementSpec statement) {
		return new HashSet<>(statement.query(Long.class).list());
	}

	private static SqlArrayValue ids(List<? extends Completion> completions) {
		return array("bigint", completions, (completion) -> completion.lease().jobId());
	}

	private static SqlArrayValue tokens(List<? extends Completion> completions) {
		return array("uuid", completions, (completion) -> completion.lease().token());
	}

	// What INSERT_ALL_ALIKE takes once for all jobs: the columns of a job without a
	// unique key or dependencies but its payload.
	private record AllButPayload(String topic, int priority, Instant runAt, Duration delay, String uniqueScope,
			String group, Integer groupLimit, int maxAttempts, Duration timeout, String dependencyFailure) {

		static AllButPayload of(JobInsert job) {
			return new AllButPayload(job.topic(), job.priority(), job.runAt(), job.delay(), job.uniqueScope(),
					job.group(), job.groupLimit(), job.maxAttempts(), job.timeout(), job.dependencyFailure());
		}

	}

	private record Claimed(ClaimedJob job, boolean retried) {

		static final Comparator<Claimed> CLAIM_ORDER = Comparator
			.<Claimed>comparingInt((claimed) -> claimed.job().job().priority())
			.thenComparing(Claimed::retried)
			.thenComparing((claimed) -> claimed.job().job().runAt())
			.thenComparingLong((claimed) -> claimed.job().job().id());

	}

}
