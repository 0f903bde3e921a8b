-- The decision about an unlinked task (a namesake, the task a create made, or nothing yet, so
-- create one) is taken per title instead of once for the whole queue (schema/008): every match
-- the decision can make is between tasks of one title, so jobs about different titles decide
-- side by side and two workers drain new tasks together. A lock is held by a running job until
-- it settles (the trigger ends it in the same transaction). A row whose job no longer runs
-- under the lease it was taken with (its worker killed, its lease run out) holds nothing.
DROP TRIGGER link_decision_ends_with_its_job;
DROP TABLE link_decision;

CREATE TABLE link_locks (
  title    TEXT    PRIMARY KEY,  -- the task title being decided about
  job_id   INTEGER NOT NULL,
  owner    TEXT    NOT NULL,     -- the lease owner the job runs under
  taken_at INTEGER NOT NULL
);
CREATE INDEX link_locks_by_job ON link_locks (job_id);

CREATE TRIGGER link_locks_end_with_their_job AFTER UPDATE OF state ON jobs
WHEN OLD.state = 'running' AND NEW.state <> 'running'
BEGIN
  DELETE FROM link_locks WHERE job_id = OLD.id;
END;

-- A pending job that found the title it must decide about locked: no worker claims it while
-- that lock is live, and it is claimed at once when the lock ends (no fixed wait).
ALTER TABLE jobs ADD COLUMN waits_for TEXT;
