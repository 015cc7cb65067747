package dev.runqueue.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.runqueue.TestJobTable;
import dev.runqueue.testpostgres.PostgresExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The plans of the job table's most frequent statements, as PostgreSQL caches them for a
 * prepared statement (a generic plan, made without the parameters' values) and on
 * statistics that do not describe the table any more, as where autovacuum is off or
 * behind.
 */
class QueryPlanTest {

	@RegisterExtension
	static final PostgresExtension postgres = new PostgresExtension();

	private static final Pattern PARAMETER = Pattern.compile("(?<![:\\w]):([a-z_]+)");

	private static final Map<String, String> FENCED_WRITES = new LinkedHashMap<>();

	static {
		FENCED_WRITES.put("SUCCEED", JobSql.SUCCEED);
		FENCED_WRITES.put("RETRY", JobSql.RETRY);
		FENCED_WRITES.put("FAIL", JobSql.FAIL);
		FENCED_WRITES.put("REPLACE", JobSql.REPLACE);
		FENCED_WRITES.put("SNOOZE", JobSql.SNOOZE);
		FENCED_WRITES.put("RELEASE", JobSql.RELEASE);
		FENCED_WRITES.put("RENEW_LEASES", JobSql.RENEW_LEASES);
		FENCED_WRITES.put("TIME_OUT", JobSql.TIME_OUT);
		FENCED_WRITES.put("EXTEND_LEASE", JobSql.EXTEND_LEASE);
	}

	private TestJobTable jobs;

	@BeforeEach
	void prepare() {
		this.jobs = TestJobTable.prepare(postgres.dataSource());
	}

	@Test
	void fencedWritesFindTheirJobsThroughThePrimaryKeyOnStatisticsFromBeforeTheJobsRan() throws Exception {
		this.jobs.jdbc().sql("""
				INSERT INTO runqueue_job (topic, state, payload, max_attempts)
				SELECT 'bench', 'available', '{}', 3
				FROM generate_series(1, 20000)
				""").update();
		this.jobs.jdbc().sql("ANALYZE runqueue_job").update();
		this.jobs.jdbc().sql("""
				UPDATE runqueue_job
				SET state = 'running', attempt = 1, claimed_by = 'node-' || id % 4, lease_token = gen_random_uuid(),
				    lease_expires_at = now() + interval '1 hour', started_at = now()
				""").update();

		assertFencedWritesUseThePrimaryKey();
	}

	@Test
	void fencedWritesFindTheirJobsThroughThePrimaryKeyOnATableNeverAnalyzed() throws Exception {
		this.jobs.jdbc().sql("""
				INSERT INTO runqueue_job (topic, state, payload, max_attempts, attempt, claimed_by, lease_token,
				                          lease_expires_at, started_at)
				SELECT 'bench', 'running', '{}', 3, 1, 'node-a', gen_random_uuid(), now() + interval '1 hour', now()
				FROM generate_series(1, 20000)
				""").update();

		assertFencedWritesUseThePrimaryKey();
	}

	@Test
	void addingAJobWithoutDependenciesReadsNoJobEvenWithAPlanMadeOnAnEmptyTable() throws Exception {
		List<String> plan = genericPlan(JobSql.INSERT);

		assertThat(plan).noneMatch((line) -> line.contains("Scan"));
	}

	@Test
	void addingManyJobsReadsNoJob() throws Exception {
		for (String insertAll : List.of(JobSql.INSERT_ALL, JobSql.INSERT_ALL_WITHOUT_UNIQUE_KEYS,
				JobSql.INSERT_ALL_ALIKE)) {
			List<String> plan = genericPlan(insertAll);

			assertThat(plan).as(insertAll)
				.noneMatch((line) -> line.contains("Scan on runqueue_job") || line.contains("Scan using"))
				.noneMatch((line) -> line.contains("Sort"));
		}
	}

	private void assertFencedWritesUseThePrimaryKey() throws SQLException {
		for (Map.Entry<String, String> write : FENCED_WRITES.entrySet()) {
			List<String> plan = genericPlan(write.getValue());

			assertThat(plan).as(write.getKey() + ":\n" + String.join("\n", plan))
				.anyMatch((line) -> line.contains("Index Scan using runqueue_job_pkey on runqueue_job"))
				.noneMatch((line) -> line.contains("runqueue_job_running"))
				.noneMatch((line) -> line.contains("Seq Scan on runqueue_job"));
		}
	}

	// The statement as the store sends it, prepared with its named parameters numbered,
	// and the plan PostgreSQL would cache for it.
	private static List<String> genericPlan(String sql) throws SQLException {
		Map<String, Integer> parameters = new LinkedHashMap<>();
		Matcher matcher = PARAMETER.matcher(sql.replace("{job}", "runqueue_job").replace("{topic}", "runqueue_topic"));
		StringBuilder prepared = new StringBuilder();
		while (matcher.find()) {
			int number = parameters.computeIfAbsent(matcher.group(1), (name) -> parameters.size() + 1);
			matcher.appendReplacement(prepared, "\\$" + number);
		}
		matcher.appendTail(prepared);
		String nulls = String.join(", ", Collections.nCopies(parameters.size(), "NULL"));
		try (Connection connection = postgres.dataSource().getConnection();
				Statement statement = connection.createStatement()) {
			statement.execute("SET plan_cache_mode = force_generic_plan");
			statement.execute("PREPARE planned AS " + prepared);
			try {
				List<String> plan = new ArrayList<>();
				try (ResultSet rs = statement
					.executeQuery("EXPLAIN EXECUTE planned" + (nulls.isEmpty() ? "" : "(" + nulls + ")"))) {
					while (rs.next()) {
						plan.add(rs.getString(1));
					}
				}
				return plan;
			}
			finally {
				statement.execute("DEALLOCATE planned");
				statement.execute("RESET plan_cache_mode");
			}
		}
	}

}
