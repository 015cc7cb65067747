package dev.runqueue.store;

/**
 * Every statement on the job table, each named after the {@link JobStore} method that
 * runs it. {@code {job}} stands for the job table's configured name and is replaced once,
 * when the store is created; everything else is written as it would be typed into psql,
 * with named parameters.
 */
final class JobSql {

	// The predicate of the unique index, repeated wherever a statement must agree with
	// it. ON CONFLICT only picks a partial index whose predicate the statement's implies,
	// so the text must match.

	// A job without dependencies: the usual one. A statement of its own, since a plan
	// cached while the table was small keeps scanning the whole table for dependencies
	// even when there are none.
	static final String INSERT = """
			INSERT INTO {job} (topic, state, payload, priority, run_at, unique_key, unique_scope, group_key, group_limit,
			                   max_attempts, timeout, dependency_failure)
			SELECT :topic,
			       CASE WHEN new_job.run_at <= now() THEN 'available' ELSE 'scheduled' END,
			       CAST(:payload AS jsonb),
			       :priority,
			       new_job.run_at,
			       :unique_key,
			       :unique_scope,
			       :group_key,
			       :group_limit,
			       :max_attempts,
			       make_interval(secs => CAST(:timeout_seconds AS float8)),
			       :dependency_failure
			FROM (SELECT coalesce(CAST(:run_at AS timestamptz), now() + make_interval(secs => :delay_seconds)) AS run_at) AS new_job
			ON CONFLICT (unique_key)
			    WHERE unique_key IS NOT NULL
			        AND (unique_scope = 'retained' OR state IN ('pending', 'scheduled', 'available', 'running', 'disabled'))
			    DO NOTHING
			RETURNING id
			""";

	// A job that waits for others is pending until they all succeeded; if one of them
	// failed or was cancelled already, it is added as given up (cancelled or failed, as
	// it says), since no trigger will see that dependency end again. A plan cached while
	// the table was small can scan it here as well, but such jobs are few.
	static final String INSERT_WITH_DEPENDENCIES = """
			INSERT INTO {job} (topic, state, payload, priority, run_at, unique_key, unique_scope, group_key, group_limit,
			                   max_attempts, timeout, depends_on, dependency_failure, last_error, finished_at)
			SELECT :topic,
			       CASE
			           WHEN new_job.given_up_by IS NOT NULL THEN
			               CASE CAST(:dependency_failure AS text) WHEN 'fail' THEN 'failed' ELSE 'cancelled' END
			           WHEN new_job.waits THEN 'pending'
			           WHEN new_job.run_at <= now() THEN 'available'
			           ELSE 'scheduled'
			       END,
			       CAST(:payload AS jsonb),
			       :priority,
			       new_job.run_at,
			       :unique_key,
			       :unique_scope,
			       :group_key,
			       :group_limit,
			       :max_attempts,
			       make_interval(secs => CAST(:timeout_seconds AS float8)),
			       CAST(:depends_on AS bigint[]),
			       :dependency_failure,
			       'A job it depends on failed or was cancelled: ' || new_job.given_up_by,
			       CASE WHEN new_job.given_up_by IS NOT NULL THEN now() END
			FROM (SELECT coalesce(CAST(:run_at AS timestamptz), now() + make_interval(secs => :delay_seconds)) AS run_at,
			             (SELECT string_agg(CAST(dependency.id AS text), ', ' ORDER BY dependency.id)
			              FROM {job} AS dependency
			              WHERE dependency.id = ANY (CAST(:depends_on AS bigint[]))
			                AND dependency.state IN ('failed', 'cancelled')) AS given_up_by,
			             EXISTS (SELECT
			                     FROM {job} AS dependency
			                     WHERE dependency.id = ANY (CAST(:depends_on AS bigint[]))
			                       AND dependency.state <> 'succeeded') AS waits) AS new_job
			ON CONFLICT (unique_key)
			    WHERE unique_key IS NOT NULL
			        AND (unique_scope = 'retained' OR state IN ('pending', 'scheduled', 'available', 'running', 'disabled'))
			    DO NOTHING
			RETURNING id
			""";

	// Rows are inserted in the order of the input (ORDER BY ordinal) and take ids from
	// the sequence in that order, so sorting what RETURNING gives by id lines it up with
	// the input without the duplicates. The ORDER BY costs no sort: the planner knows
	// that WITH ORDINALITY numbers the rows in the order it returns them.
	static final String INSERT_ALL = """
			INSERT INTO {job} (topic, state, payload, priority, run_at, unique_key, unique_scope, group_key, group_limit,
			                   max_attempts, timeout, dependency_failure)
			SELECT new_job.topic,
			       CASE WHEN new_job.run_at <= now() THEN 'available' ELSE 'scheduled' END,
			       CAST(new_job.payload AS jsonb),
			       new_job.priority,
			       new_job.run_at,
			       new_job.unique_key,
			       new_job.unique_scope,
			       new_job.group_key,
			       new_job.group_limit,
			       new_job.max_attempts,
			       make_interval(secs => new_job.timeout_seconds),
			       new_job.dependency_failure
			FROM (
			    SELECT input.*,
			           coalesce(input.given_run_at, now() + make_interval(secs => input.delay_seconds)) AS run_at
			    FROM unnest(CAST(:topics AS text[]), CAST(:payloads AS text[]), CAST(:priorities AS integer[]),
			                CAST(:run_ats AS timestamptz[]), CAST(:delay_seconds AS float8[]), CAST(:unique_keys AS text[]),
			                CAST(:unique_scopes AS text[]), CAST(:group_keys AS text[]), CAST(:group_limits AS integer[]),
			                CAST(:max_attempts AS integer[]), CAST(:timeout_seconds AS float8[]),
			                CAST(:dependency_failures AS text[]))
			         WITH ORDINALITY
			         AS input(topic, payload, priority, given_run_at, delay_seconds, unique_key, unique_scope, group_key,
			                  group_limit, max_attempts, timeout_seconds, dependency_failure, ordinal)
			) AS new_job
			ORDER BY new_job.ordinal
			ON CONFLICT (unique_key)
			    WHERE unique_key IS NOT NULL
			        AND (unique_scope = 'retained' OR state IN ('pending', 'scheduled', 'available', 'running', 'disabled'))
			    DO NOTHING
			RETURNING id, unique_key
			""";

	// INSERT_ALL for jobs without unique keys, which need no ON CONFLICT: it makes every
	// row a speculative insertion, about a tenth of the cost of adding many. Ordered and
	// lined up with the input as INSERT_ALL.
	static final String INSERT_ALL_WITHOUT_UNIQUE_KEYS = """
			INSERT INTO {job} (topic, state, payload, priority, run_at, unique_scope, group_key, group_limit, max_attempts,
			                   timeout, dependency_failure)
			SELECT new_job.topic,
			       CASE WHEN new_job.run_at <= now() THEN 'available' ELSE 'scheduled' END,
			       CAST(new_job.payload AS jsonb),
			       new_job.priority,
			       new_job.run_at,
			       new_job.unique_scope,
			       new_job.group_key,
			       new_job.group_limit,
			       new_job.max_attempts,
			       make_interval(secs => new_job.timeout_seconds),
			       new_job.dependency_failure
			FROM (
			    SELECT input.*,
			           coalesce(input.given_run_at, now() + make_interval(secs => input.delay_seconds)) AS run_at
			    FROM unnest(CAST(:topics AS text[]), CAST(:payloads AS text[]), CAST(:priorities AS integer[]),
			                CAST(:run_ats AS timestamptz[]), CAST(:delay_seconds AS float8[]),
			                CAST(:unique_scopes AS text[]), CAST(:group_keys AS text[]), CAST(:group_limits AS integer[]),
			                CAST(:max_attempts AS integer[]), CAST(:timeout_seconds AS float8[]),
			                CAST(:dependency_failures AS text[]))
			         WITH ORDINALITY
			         AS input(topic, payload, priority, given_run_at, delay_seconds, unique_scope, group_key, group_limit,
			                  max_attempts, timeout_seconds, dependency_failure, ordinal)
			) AS new_job
			ORDER BY new_job.ordinal
			RETURNING id, unique_key
			""";

	// The usual bulk add: jobs that differ in their payloads only, without unique keys.
	// Every other column is given once instead of as an array of equal values, which
	// the database would parse and unnest row by row. Ordered and lined up with the
	// input as INSERT_ALL.
	static final String INSERT_ALL_ALIKE = """
			INSERT INTO {job} (topic, state, payload, priority, run_at, unique_scope, group_key, group_limit, max_attempts,
			                   timeout, dependency_failure)
			SELECT :topic,
			       CASE WHEN new_job.run_at <= now() THEN 'available' ELSE 'scheduled' END,
			       CAST(new_job.payload AS jsonb),
			       :priority,
			       new_job.run_at,
			       :unique_scope,
			       :group_key,
			       :group_limit,
			       :max_attempts,
			       make_interval(secs => CAST(:timeout_seconds AS float8)),
			       :dependency_failure
			FROM (
			    SELECT input.payload,
			           input.ordinal,
			           coalesce(CAST(:run_at AS timestamptz), now() + make_interval(secs => :delay_seconds)) AS run_at
			    FROM unnest(CAST(:payloads AS text[])) WITH ORDINALITY AS input(payload, ordinal)
			) AS new_job
			ORDER BY new_job.ordinal
			RETURNING id, unique_key
			""";

	static final String FIND_ID_HOLDING_UNIQUE_KEY = """
			SELECT id
			FROM {job}
			WHERE unique_key = :unique_key
			  AND (unique_scope = 'retained' OR state IN ('pending', 'scheduled', 'available', 'running', 'disabled'))
			""";

	// The claim: the first runnable rows of the topic in index order, skipping rows that
	// another claimer has locked, marked running with a fresh lease in the same
	// statement.
	static final String CLAIM = """
			WITH claimable AS (
			    SELECT id
			    FROM {job}
			    WHERE state = 'available'
			      AND topic = :topic
			      AND NOT EXISTS (SELECT FROM {topic} WHERE name = :topic AND paused)
			    ORDER BY priority, retried, run_at, id
			    LIMIT :limit
			    FOR UPDATE SKIP LOCKED
			)
			UPDATE {job} AS job
			SET state = 'running',
			    attempt = job.attempt + 1,
			    claimed_by = :node,
			    lease_token = gen_random_uuid(),
			    lease_expires_at = now() + make_interval(secs => :lease_seconds),
			    started_at = now()
			FROM claimable
			WHERE job.id = claimable.id
			RETURNING job.id, job.topic, job.payload, job.priority, job.attempt, job.max_attempts, job.last_error,
			          job.unique_key, job.group_key, job.runs, job.created_at, job.run_at, job.lease_token,
			          job.lease_expires_at, job.retried, job.timeouts, extract(epoch FROM job.timeout) AS timeout_seconds
			""";

	static final String FIND_MISSING = """
			SELECT wanted.id
			FROM unnest(CAST(:ids AS bigint[])) AS wanted(id)
			WHERE NOT EXISTS (SELECT FROM {job} AS job WHERE job.id = wanted.id)
			""";

	// A lock for the length of the caller's transaction, keyed by the job table and the
	// topic, that serializes those who must count a topic's jobs before they add or
	// claim: back pressure and the cluster-wide limits.
	static final String LOCK_TOPIC = """
			SELECT pg_advisory_xact_lock(hashtext(:table), hashtext(:topic))
			""";

	static final String COUNT_WAITING = """
			SELECT count(*)
			FROM {job}
			WHERE topic = :topic
			  AND state IN ('pending', 'scheduled', 'available')
			""";

	static final String COUNT_RUNNING = """
			SELECT count(*)
			FROM {job}
			WHERE topic = :topic
			  AND state = 'running'
			""";

	// A FIFO topic runs its oldest live job, and only when that job is runnable: a
	// running, pending or scheduled (retrying) head blocks the ones behind it.
	static final String CLAIM_FIFO_HEAD = """
			WITH head AS (
			    SELECT id, state
			    FROM {job}
			    WHERE topic = :topic
			      AND state IN ('pending', 'scheduled', 'available', 'running')
			      AND NOT EXISTS (SELECT FROM {topic} WHERE name = :topic AND paused)
			    ORDER BY id
			    LIMIT 1
			)
			UPDATE {job} AS job
			SET state = 'running',
			    attempt = job.attempt + 1,
			    claimed_by = :node,
			    lease_token = gen_random_uuid(),
			    lease_expires_at = now() + make_interval(secs => :lease_seconds),
			    started_at = now()
			FROM head
			WHERE job.id = head.id
			  AND head.state = 'available'
			  AND job.state = 'available'
			RETURNING job.id, job.topic, job.payload, job.priority, job.attempt, job.max_attempts, job.last_error,
			          job.unique_key, job.group_key, job.runs, job.created_at, job.run_at, job.lease_token,
			          job.lease_expires_at, job.retried, job.timeouts, extract(epoch FROM job.timeout) AS timeout_seconds
			""";

	// Claims in the usual order, skipping jobs whose group already runs as many jobs as
	// it may (the job's own limit, else the topic's). It ranks the first :lookahead
	// runnable jobs only, so that a claim costs the same however long the backlog: groups
	// whose jobs all sit behind the lookahead wait until it moves.
	static final String CLAIM_WITHIN_GROUP_LIMITS = """
			WITH running AS (
			    SELECT group_key, count(*) AS running
			    FROM {job}
			    WHERE topic = :topic
			      AND state = 'running'
			      AND group_key IS NOT NULL
			    GROUP BY group_key
			),
			lookahead AS (
			    SELECT id, group_key, priority, retried, run_at,
			           coalesce(group_limit, CAST(:group_limit AS integer)) AS group_limit
			    FROM {job}
			    WHERE state = 'available'
			      AND topic = :topic
			      AND NOT EXISTS (SELECT FROM {topic} WHERE name = :topic AND paused)
			    ORDER BY priority, retried, run_at, id
			    LIMIT :lookahead
			),
			ranked AS (
			    SELECT lookahead.*,
			           row_number() OVER (PARTITION BY group_key ORDER BY priority, retried, run_at, id) AS place
			    FROM lookahead
			),
			claimable AS (
			    SELECT ranked.id
			    FROM ranked
			    LEFT JOIN running ON running.group_key = ranked.group_key
			    WHERE ranked.group_key IS NULL
			       OR ranked.group_limit IS NULL
			       OR ranked.place + coalesce(running.running, 0) <= ranked.group_limit
			    ORDER BY ranked.priority, ranked.retried, ranked.run_at, ranked.id
			    LIMIT :limit
			)
			UPDATE {job} AS job
			SET state = 'running',
			    attempt = job.attempt + 1,
			    claimed_by = :node,
			    lease_token = gen_random_uuid(),
			    lease_expires_at = now() + make_interval(secs => :lease_seconds),
			    started_at = now()
			FROM claimable
			WHERE job.id = claimable.id
			  AND job.state = 'available'
			RETURNING job.id, job.topic, job.payload, job.priority, job.attempt, job.max_attempts, job.last_error,
			          job.unique_key, job.group_key, job.runs, job.created_at, job.run_at, job.lease_token,
			          job.lease_expires_at, job.retried, job.timeouts, extract(epoch FROM job.timeout) AS timeout_seconds
			""";

	// Finished jobs whose retention is over, oldest first, in batches small enough to
	// hold no lock for long.
	static final String PRUNE_FINISHED = """
			DELETE FROM {job}
			WHERE id IN (SELECT id
			             FROM {job}
			             WHERE state = :state
			               AND finished_at < now() - make_interval(secs => :retention_seconds)
			             ORDER BY finished_at
			             LIMIT :limit
			             FOR UPDATE SKIP LOCKED)
			""";

	// The safety net of the dependency trigger: a job added while a job it depends on
	// finished can miss the trigger, which ran in the other transaction. Dependencies
	// that are gone were pruned after they succeeded, since deleting an unfinished one
	// gives its dependents up at once.
	static final String RELEASE_READY_DEPENDENTS = """
			UPDATE {job} AS dependent
			SET state = CASE WHEN dependent.run_at <= now() THEN 'available' ELSE 'scheduled' END
			WHERE dependent.state = 'pending'
			  AND NOT EXISTS (SELECT
			                  FROM {job} AS dependency
			                  WHERE dependency.id = ANY (dependent.depends_on)
			                    AND dependency.state <> 'succeeded')
			RETURNING dependent.topic, dependent.state
			""";

	static final String GIVE_UP_DEPENDENTS = """
			UPDATE {job} AS dependent
			SET state = CASE dependent.dependency_failure WHEN 'fail' THEN 'failed' ELSE 'cancelled' END,
			    last_error = 'A job it depends on failed or was cancelled: '
			                 || (SELECT string_agg(CAST(dependency.id AS text), ', ' ORDER BY dependency.id)
			                     FROM {job} AS dependency
			                     WHERE dependency.id = ANY (dependent.depends_on)
			                       AND dependency.state IN ('failed', 'cancelled')),
			    finished_at = now()
			WHERE dependent.state = 'pending'
			  AND EXISTS (SELECT
			              FROM {job} AS dependency
			              WHERE dependency.id = ANY (dependent.depends_on)
			                AND dependency.state IN ('failed', 'cancelled'))
			""";

	static final String LIST = """
			SELECT id, topic, state, payload, priority, run_at, retried, unique_key, unique_scope, group_key, attempt,
			       max_attempts, timeouts, rescues, extract(epoch FROM timeout) AS timeout_seconds, errors, runs,
			       last_error, result, claimed_by, lease_token, lease_expires_at, created_at, started_at, finished_at,
			       group_limit, depends_on, dependency_failure
			FROM {job}
			WHERE (CAST(:topic AS text) IS NULL OR topic = :topic)
			  AND (cardinality(CAST(:states AS text[])) = 0 OR state = ANY (CAST(:states AS text[])))
			  AND (CAST(:created_after AS timestamptz) IS NULL OR created_at >= :created_after)
			  AND (CAST(:created_before AS timestamptz) IS NULL OR created_at < :created_before)
			  AND (CAST(:unique_key AS text) IS NULL OR unique_key = :unique_key)
			  AND (CAST(:group_key AS text) IS NULL OR group_key = :group_key)
			  AND (CAST(:before_id AS bigint) IS NULL OR id < :before_id)
			ORDER BY id DESC
			LIMIT :limit
			""";

	// Live jobs by topic and state, on the index of live jobs; finished jobs are counted
	// by nobody on purpose, since they can be millions.
	static final String DEPTHS = """
			SELECT topic, state, count(*) AS jobs
			FROM {job}
			WHERE state IN ('pending', 'scheduled', 'available', 'running')
			GROUP BY topic, state
			""";

	// A retried job starts a new round at once, as if it had never run; its errors stay
	// counted.
	static final String RETRY_FINISHED = """
			UPDATE {job}
			SET state = 'available',
			    run_at = now(),
			    attempt = 0,
			    timeouts = 0,
			    rescues = 0,
			    retried = false,
			    finished_at = NULL
			WHERE id = :id
			  AND state IN ('failed', 'cancelled')
			RETURNING topic
			""";

	// Cancelling a running job clears its lease: the node that runs it is fenced off at
	// once, hears of it through the job_cancelled notification, and interrupts the
	// handler.
	static final String CANCEL = """
			WITH target AS (
			    SELECT id, state AS previous_state
			    FROM {job}
			    WHERE id = :id
			    FOR UPDATE
			)
			UPDATE {job} AS job
			SET state = 'cancelled',
			    finished_at = now(),
			    last_error = coalesce(CAST(:reason AS text), job.last_error),
			    lease_token = NULL,
			    lease_expires_at = NULL
			FROM target
			WHERE job.id = target.id
			  AND target.previous_state IN ('pending', 'scheduled', 'available', 'running', 'disabled')
			RETURNING target.previous_state, job.topic
			""";

	static final String DELETE = """
			DELETE FROM {job}
			WHERE id = :id
			  AND state <> 'running'
			""";

	static final String DISABLE = """
			UPDATE {job}
			SET state = 'disabled'
			WHERE id = :id
			  AND state IN ('pending', 'scheduled', 'available')
			""";

	static final String ENABLE = """
			UPDATE {job} AS job
			SET state = CASE
			                WHEN EXISTS (SELECT
			                             FROM {job} AS dependency
			                             WHERE dependency.id = ANY (job.depends_on)
			                               AND dependency.state <> 'succeeded') THEN 'pending'
			                WHEN job.run_at <= now() THEN 'available'
			                ELSE 'scheduled'
			            END
			WHERE job.id = :id
			  AND job.state = 'disabled'
			RETURNING job.topic, job.state
			""";

	static final String PURGE_DISABLED = """
			DELETE FROM {job}
			WHERE id IN (SELECT id
			             FROM {job}
			             WHERE state = 'disabled'
			               AND topic = :topic
			             LIMIT :limit
			             FOR UPDATE SKIP LOCKED)
			""";

	// The writes of a lease's holder (from here to TIME_OUT, and EXTEND_LEASE) find their
	// rows by id and lease token, and leave the state out: only running jobs have a token
	// (a constraint of V4 says so), and naming the state lets a planner with stale
	// statistics read every running job through the index of running jobs instead of a
	// few through the primary key.
	static final String SUCCEED = """
			UPDATE {job} AS job
			SET state = 'succeeded',
			    result = CAST(done.result AS jsonb),
			    runs = job.runs + 1,
			    finished_at = now(),
			    lease_token = NULL,
			    lease_expires_at = NULL
			FROM unnest(CAST(:ids AS bigint[]), CAST(:lease_tokens AS uuid[]), CAST(:results AS text[]))
			     AS done(id, lease_token, result)
			WHERE job.id = done.id
			  AND job.lease_token = done.lease_token
			  AND job.lease_expires_at > now()
			RETURNING job.id
			""";

	static final String RETRY = """
			UPDATE {job} AS job
			SET state = CASE WHEN retry.delay_seconds > 0 THEN 'scheduled' ELSE 'available' END,
			    run_at = now() + make_interval(secs => retry.delay_seconds),
			    retried = retry.retried,
			    errors = job.errors + 1,
			    last_error = retry.error,
			    lease_token = NULL,
			    lease_expires_at = NULL
			FROM unnest(CAST(:ids AS bigint[]), CAST(:lease_tokens AS uuid[]), CAST(:delay_seconds AS float8[]),
			            CAST(:errors AS text[]), CAST(:retried AS boolean[]))
			     AS retry(id, lease_token, delay_seconds, error, retried)
			WHERE job.id = retry.id
			  AND job.lease_token = retry.lease_token
			  AND job.lease_expires_at > now()
			RETURNING job.id
			""";

	static final String FAIL = """
			UPDATE {job} AS job
			SET state = 'failed',
			    errors = job.errors + 1,
			    last_error = failure.error,
			    finished_at = now(),
			    lease_token = NULL,
			    lease_expires_at = NULL
			FROM unnest(CAST(:ids AS bigint[]), CAST(:lease_tokens AS uuid[]), CAST(:errors AS text[]))
			     AS failure(id, lease_token, error)
			WHERE job.id = failure.id
			  AND job.lease_token = failure.lease_token
			  AND job.lease_expires_at > now()
			RETURNING job.id
			""";

	// A replaced job starts a new round: new payload, attempts and last error reset, one
	// more successful run.
	static final String REPLACE = """
			UPDATE {job} AS job
			SET state = CASE WHEN next_round.run_at <= now() THEN 'available' ELSE 'scheduled' END,
			    payload = CAST(next_round.payload AS jsonb),
			    run_at = next_round.run_at,
			    attempt = 0,
			    timeouts = 0,
			    rescues = 0,
			    retried = false,
			    runs = job.runs + 1,
			    last_error = NULL,
			    lease_token = NULL,
			    lease_expires_at = NULL
			FROM (
			    SELECT input.id, input.lease_token, input.payload,
			           coalesce(input.given_run_at, now() + make_interval(secs => input.delay_seconds)) AS run_at
			    FROM unnest(CAST(:ids AS bigint[]), CAST(:lease_tokens AS uuid[]), CAST(:payloads AS text[]),
			                CAST(:run_ats AS timestamptz[]), CAST(:delay_seconds AS float8[]))
			         AS input(id, lease_token, payload, given_run_at, delay_seconds)
			) AS next_round
			WHERE job.id = next_round.id
			  AND job.lease_token = next_round.lease_token
			  AND job.lease_expires_at > now()
			RETURNING job.id
			""";

	// A snooze gives back the attempt that the claim counted.
	static final String SNOOZE = """
			UPDATE {job} AS job
			SET state = CASE WHEN snooze.delay_seconds > 0 THEN 'scheduled' ELSE 'available' END,
			    run_at = now() + make_interval(secs => snooze.delay_seconds),
			    attempt = job.attempt - 1,
			    lease_token = NULL,
			    lease_expires_at = NULL
			FROM unnest(CAST(:ids AS bigint[]), CAST(:lease_tokens AS uuid[]), CAST(:delay_seconds AS float8[]))
			     AS snooze(id, lease_token, delay_seconds)
			WHERE job.id = snooze.id
			  AND job.lease_token = snooze.lease_token
			  AND job.lease_expires_at > now()
			RETURNING job.id
			""";

	// A released job was claimed but not finished (the node is shutting down): it is
	// runnable again at once and gets its attempt back, so that the next node starts it
	// as if it had never been claimed.
	static final String RELEASE = """
			UPDATE {job} AS job
			SET state = 'available',
			    attempt = job.attempt - 1,
			    lease_token = NULL,
			    lease_expires_at = NULL
			FROM unnest(CAST(:ids AS bigint[]), CAST(:lease_tokens AS uuid[])) AS released(id, lease_token)
			WHERE job.id = released.id
			  AND job.lease_token = released.lease_token
			  AND job.lease_expires_at > now()
			RETURNING job.id, job.topic
			""";

	// Renews the leases this node still holds. A lease that expired is not renewed even
	// if nobody took the job back yet: once expired, another node may be running the job,
	// and this node must not revive its claim. Rows that another write has locked (most
	// often this node's own outcomes, being written) are skipped rather than waited for:
	// two writes of many rows that wait for each other's rows deadlock. HELD_LEASES tells
	// which of the skipped leases are still held.
	static final String RENEW_LEASES = """
			WITH held AS (
			    SELECT job.id
			    FROM {job} AS job
			    JOIN unnest(CAST(:ids AS bigint[]), CAST(:lease_tokens AS uuid[])) AS lease(id, lease_token)
			      ON job.id = lease.id
			     AND job.lease_token = lease.lease_token
			    WHERE job.lease_expires_at > now()
			    FOR UPDATE OF job SKIP LOCKED
			)
			UPDATE {job} AS job
			SET lease_expires_at = now() + make_interval(secs => :lease_seconds)
			FROM held
			WHERE job.id = held.id
			RETURNING job.id
			""";

	static final String HELD_LEASES = """
			SELECT job.id
			FROM {job} AS job
			JOIN unnest(CAST(:ids AS bigint[]), CAST(:lease_tokens AS uuid[])) AS lease(id, lease_token)
			  ON job.id = lease.id
			 AND job.lease_token = lease.lease_token
			WHERE job.lease_expires_at > now()
			""";

	// A timed-out attempt gives its attempt back (timeouts have a limit of their own)
	// when the job runs again.
	static final String TIME_OUT = """
			UPDATE {job} AS job
			SET state = CASE
			                WHEN timed_out.retry_seconds IS NULL THEN 'failed'
			                WHEN timed_out.retry_seconds > 0 THEN 'scheduled'
			                ELSE 'available'
			            END,
			    run_at = CASE
			                 WHEN timed_out.retry_seconds IS NULL THEN job.run_at
			                 ELSE now() + make_interval(secs => timed_out.retry_seconds)
			             END,
			    attempt = CASE WHEN timed_out.retry_seconds IS NULL THEN job.attempt ELSE job.attempt - 1 END,
			    timeouts = job.timeouts + 1,
			    last_error = timed_out.error,
			    finished_at = CASE WHEN timed_out.retry_seconds IS NULL THEN now() END,
			    lease_token = NULL,
			    lease_expires_at = NULL
			FROM unnest(CAST(:ids AS bigint[]), CAST(:lease_tokens AS uuid[]), CAST(:retry_seconds AS float8[]),
			            CAST(:errors AS text[]))
			     AS timed_out(id, lease_token, retry_seconds, error)
			WHERE job.id = timed_out.id
			  AND job.lease_token = timed_out.lease_token
			  AND job.lease_expires_at > now()
			RETURNING job.id
			""";

	// Takes back running jobs whose leases expired: their node died, froze or lost the
	// database. The update compares the token it read, so a job whose lease was renewed
	// or finished meanwhile is left alone. The attempt the dead node used stays counted;
	// a job rescued too often, or without attempts left, fails for good.
	static final String RESCUE_EXPIRED = """
			WITH expired AS (
			    SELECT id, lease_token
			    FROM {job}
			    WHERE state = 'running'
			      AND lease_expires_at <= now()
			    ORDER BY lease_expires_at
			    LIMIT :limit
			    FOR UPDATE SKIP LOCKED
			)
			UPDATE {job} AS job
			SET state = CASE
			                WHEN job.rescues + 1 >= :max_rescues THEN 'failed'
			                WHEN job.attempt >= job.max_attempts THEN 'failed'
			                ELSE 'available'
			            END,
			    rescues = job.rescues + 1,
			    errors = job.errors + 1,
			    last_error = CASE
			                     WHEN job.rescues + 1 >= :max_rescues THEN
			                         'Quarantined: the lease on this job expired ' || (job.rescues + 1)
			                         || ' times (last on node ' || job.claimed_by || '); it may be killing its nodes'
			                     ELSE
			                         'The lease on this job expired on node ' || job.claimed_by
			                         || ': the node died, froze or lost the database before it finished'
			                 END,
			    finished_at = CASE
			                      WHEN job.rescues + 1 >= :max_rescues OR job.attempt >= job.max_attempts THEN now()
			                  END,
			    lease_token = NULL,
			    lease_expires_at = NULL
			FROM expired
			WHERE job.id = expired.id
			  AND job.lease_token = expired.lease_token
			RETURNING job.id, job.topic, job.state, job.claimed_by, job.rescues
			""";

	static final String EXTEND_LEASE = """
			UPDATE {job}
			SET lease_expires_at = now() + make_interval(secs => :lease_seconds)
			WHERE id = :id
			  AND lease_token = :lease_token
			  AND lease_expires_at > now()
			""";

	static final String PROMOTE_DUE = """
			WITH due AS (
			    SELECT id
			    FROM {job}
			    WHERE state = 'scheduled'
			      AND run_at <= now()
			    ORDER BY run_at
			    LIMIT :limit
			    FOR UPDATE SKIP LOCKED
			)
			UPDATE {job} AS job
			SET state = 'available'
			FROM due
			WHERE job.id = due.id
			RETURNING job.topic
			""";

	static final String TIME_UNTIL_NEXT_SCHEDULED = """
			SELECT extract(epoch FROM min(run_at) - now()) AS seconds_until_due
			FROM {job}
			WHERE state = 'scheduled'
			""";

	static final String NOTIFY_TOPICS = """
			SELECT pg_notify(:channel, topic)
			FROM unnest(CAST(:topics AS text[])) AS topic
			""";

	static final String NOTIFY_CHANNEL = """
			SELECT pg_notify(:channel, :payload)
			""";

	static final String FIND = """
			SELECT id, topic, state, payload, priority, run_at, retried, unique_key, unique_scope, group_key, attempt,
			       max_attempts, timeouts, rescues, extract(epoch FROM timeout) AS timeout_seconds, errors, runs,
			       last_error, result, claimed_by, lease_token, lease_expires_at, created_at, started_at, finished_at,
			       group_limit, depends_on, dependency_failure
			FROM {job}
			WHERE id = :id
			""";

	private JobSql() {
	}

}
