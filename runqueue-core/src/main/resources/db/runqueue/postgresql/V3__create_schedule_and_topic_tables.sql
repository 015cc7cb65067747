-- Recurring jobs: one row per schedule, declared in configuration (source 'config', named after its topic) or added
-- in code (source 'code'). The leader adds one job per occurrence and moves next_run_at on, in one transaction with
-- the row locked, so that each occurrence is added once however many nodes run.

CREATE TABLE ${table_prefix}schedule (
    name          text        PRIMARY KEY,
    topic         text        NOT NULL,
    payload       jsonb       NOT NULL,
    -- Exactly one of cron (with zone), every or function says when the occurrences are.
    cron          text,
    zone          text,
    every         interval,
    function      text,
    start_at      timestamptz,
    max_runs      integer,
    missed        text        NOT NULL DEFAULT 'run-once',
    source        text        NOT NULL,
    runs          integer     NOT NULL DEFAULT 0,
    next_run_at   timestamptz,
    last_run_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ${table_prefix}schedule_kind_check
        CHECK ((cron IS NOT NULL)::integer + (every IS NOT NULL)::integer + (function IS NOT NULL)::integer = 1),
    CONSTRAINT ${table_prefix}schedule_missed_check
        CHECK (missed IN ('run-once', 'skip')),
    CONSTRAINT ${table_prefix}schedule_source_check
        CHECK (source IN ('config', 'code'))
);

CREATE INDEX ${table_prefix}schedule_due
    ON ${table_prefix}schedule (next_run_at)
    WHERE next_run_at IS NOT NULL;

-- What the cluster shares about a topic: whether an operator paused it, and the times of its recent releases, for
-- its rate limit.
CREATE TABLE ${table_prefix}topic (
    name          text          PRIMARY KEY,
    paused        boolean       NOT NULL DEFAULT false,
    released_at   timestamptz[] NOT NULL DEFAULT '{}'
);
