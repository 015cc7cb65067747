-- Makes the job table's most frequent statements cheap whatever the planner's statistics say (they go stale where
-- autovacuum is off or behind):
--
-- 1. The lease token alone fences a running job. Every statement that moves a job out of running clears its token,
--    and only claims set one, on the rows they make running; a constraint now holds every row to that, so that the
--    writes of a lease's holder find their rows by id and token without naming the state. Naming it made a planner
--    with stale statistics read every running row through the index of running jobs instead of a few rows through
--    the primary key.
-- 2. The dependency trigger returns at once from a statement that cannot release or give up a job, such as a claim,
--    a lease renewal or a retry, and asks whether any job is pending through an index of its own instead of reading
--    the whole table.
--
-- On an installation with many jobs: Flyway applies a migration in one transaction, and ADD CONSTRAINT locks the
-- table against reads and writes until that transaction ends, whether it checks the existing rows or not, so checking
-- them here would lengthen that lock by a scan of the table. The constraint is added NOT VALID, which holds every row
-- written from now on to it, and V5 checks the existing rows in a transaction of its own, under a lock that lets jobs
-- be read and written meanwhile. This migration takes its strongest lock first: waiting for it while holding a weaker
-- one could deadlock with a node's transaction that read the table and then writes it. The table is then locked for
-- two scans, the index's and the clean-up's.

ALTER TABLE ${table_prefix}job
    ADD CONSTRAINT ${table_prefix}job_lease_token_check
        CHECK ((state = 'running') = (lease_token IS NOT NULL))
        NOT VALID;

-- Answers "is any job pending?" without reading the table: pending jobs are few, and usually none.
CREATE INDEX ${table_prefix}job_pending
    ON ${table_prefix}job (id)
    WHERE state = 'pending';

-- As in V1, but a statement that can release or give up no job (an UPDATE that left no job succeeded, failed or
-- cancelled, a DELETE of succeeded jobs only) returns before it reads the job table: most statements are claims,
-- renewals and retries. The transition table itself cannot be spared them: PostgreSQL collects it for every UPDATE
-- once a trigger asks for it, and refuses a transition table to a trigger limited to UPDATE OF state. Collecting the
-- few rows of a claim or a renewal costs little next to reading the table.
CREATE OR REPLACE FUNCTION ${table_prefix}job_changed() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path FROM CURRENT AS
$$
DECLARE
    succeeded bigint[];
    given_up bigint[];
    released record;
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT array_agg(id) FILTER (WHERE state <> 'succeeded') INTO given_up FROM changed_jobs;
    ELSE
        SELECT array_agg(id) FILTER (WHERE state = 'succeeded'),
               array_agg(id) FILTER (WHERE state IN ('failed', 'cancelled'))
        INTO succeeded, given_up
        FROM changed_jobs;
    END IF;
    IF succeeded IS NULL AND given_up IS NULL THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        PERFORM pg_notify('${table_prefix}job_finished', chunk.ids)
        FROM (SELECT string_agg(finished.id::text, ',') AS ids
              FROM (SELECT id, (row_number() OVER ()) / 500 AS part
                    FROM changed_jobs
                    WHERE state IN ('succeeded', 'failed', 'cancelled')) AS finished
              GROUP BY finished.part) AS chunk;
    END IF;
    -- In id order, which the index of pending jobs gives at the cost of its first entry, so that the planner takes
    -- it whatever its statistics say: for EXISTS, statistics that promise many pending jobs make it scan the table.
    PERFORM FROM ${table_prefix}job WHERE state = 'pending' ORDER BY id LIMIT 1;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF given_up IS NOT NULL THEN
        UPDATE ${table_prefix}job AS dependent
        SET state = CASE dependent.dependency_failure WHEN 'fail' THEN 'failed' ELSE 'cancelled' END,
            last_error = 'A job it depends on failed, was cancelled or was deleted: '
                         || (SELECT string_agg(dependency::text, ', ')
                             FROM unnest(dependent.depends_on) AS dependency
                             WHERE dependency = ANY (given_up)),
            finished_at = now()
        WHERE dependent.state = 'pending'
          AND dependent.depends_on && given_up;
    END IF;
    IF succeeded IS NOT NULL THEN
        FOR released IN
            WITH ready AS (
                UPDATE ${table_prefix}job AS dependent
                SET state = CASE WHEN dependent.run_at <= now() THEN 'available' ELSE 'scheduled' END
                WHERE dependent.state = 'pending'
                  AND dependent.depends_on && succeeded
                  AND NOT EXISTS (SELECT
                                  FROM ${table_prefix}job AS dependency
                                  WHERE dependency.id = ANY (dependent.depends_on)
                                    AND dependency.state <> 'succeeded')
                RETURNING dependent.topic, dependent.state
            )
            SELECT DISTINCT topic, state FROM ready
        LOOP
            IF released.state = 'available' THEN
                PERFORM pg_notify('${table_prefix}job_added', released.topic);
            ELSE
                PERFORM pg_notify('${table_prefix}job_scheduled', '');
            END IF;
        END LOOP;
    END IF;
    RETURN NULL;
END;
$$;

-- A job that left running without losing its token (changed by hand, say) would break the constraint as soon as
-- anything writes it, and would stop V5. Its token means nothing any more: every earlier version named the state in
-- its fenced writes. The trigger takes this statement like any other: at worst it announces again that such a job
-- finished.
UPDATE ${table_prefix}job
SET lease_token = NULL,
    lease_expires_at = NULL
WHERE state <> 'running'
  AND lease_token IS NOT NULL;
