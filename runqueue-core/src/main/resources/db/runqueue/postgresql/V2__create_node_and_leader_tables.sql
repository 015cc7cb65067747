-- The cluster: every node that runs jobs registers here and renews its heartbeat; the leader row names the one
-- node that runs the cluster's maintenance (rescuing jobs whose leases expired, and later pruning and recurring
-- schedules), for as long as it keeps renewing its lease.

CREATE TABLE ${table_prefix}node (
    name          text        PRIMARY KEY,
    host          text        NOT NULL,
    pid           bigint      NOT NULL,
    topics        text[]      NOT NULL,
    started_at    timestamptz NOT NULL DEFAULT now(),
    heartbeat_at  timestamptz NOT NULL DEFAULT now(),
    stopped_at    timestamptz
);

CREATE TABLE ${table_prefix}leader (
    role          text        PRIMARY KEY,
    node          text        NOT NULL,
    elected_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL
);
