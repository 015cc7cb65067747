-- Checks the rows that were there before V4 added the constraint, in a transaction of its own: VALIDATE reads the
-- whole table, but under a lock that lets jobs be claimed, renewed and finished meanwhile, where adding the constraint
-- validated would have locked the table against all of them for as long.
ALTER TABLE ${table_prefix}job
    VALIDATE CONSTRAINT ${table_prefix}job_lease_token_check;
