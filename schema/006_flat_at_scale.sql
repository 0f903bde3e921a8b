-- Flat at a million rows: every query the enqueue, claim, settle, `run` wake-up, `status`,
-- `metrics` and purge paths run is answered from an index, or from running totals kept by
-- triggers, never by reading the done jobs. EXPLAIN QUERY PLAN of each is in
-- tests/query_plan_test.cpp.

-- Claims and wake-ups ask per kind (each kind has its own breakers) for the earliest due job;
-- rows of equal due_at are in id order within the index, so ORDER BY due_at, id needs no sort.
DROP INDEX jobs_by_state_due;
CREATE INDEX jobs_by_state_kind_due ON jobs (state, kind, due_at);
-- The oldest pending job (status, metrics).
CREATE INDEX jobs_by_state_created ON jobs (state, created_at);
-- Purging done jobs by age, and the latest dead jobs in `status`.
CREATE INDEX jobs_by_state_updated ON jobs (state, updated_at);

-- Jobs and their attempts per target and state, kept by the triggers below in the same
-- transaction as the change, so `status` and `metrics` read eight rows instead of the table.
CREATE TABLE job_counts (
  target   TEXT    NOT NULL,
  state    TEXT    NOT NULL,
  jobs     INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (target, state)
) WITHOUT ROWID;

INSERT INTO job_counts (target, state)
SELECT target.value, state.value
FROM (SELECT 'vikunja' AS value UNION ALL SELECT 'taskwarrior') AS target,
     (SELECT 'pending' AS value UNION ALL SELECT 'running' UNION ALL SELECT 'done'
      UNION ALL SELECT 'dead') AS state;

UPDATE job_counts
SET jobs = (SELECT count(*) FROM jobs WHERE jobs.target = job_counts.target AND jobs.state = job_counts.state),
    attempts = (SELECT coalesce(sum(attempts), 0) FROM jobs
                WHERE jobs.target = job_counts.target AND jobs.state = job_counts.state);

-- Adding is an upsert, so that a row edited by hand into a state this program does not know
-- shows up in `status` (as an error naming it) instead of vanishing from the totals.
CREATE TRIGGER job_counts_after_insert AFTER INSERT ON jobs BEGIN
  INSERT INTO job_counts (target, state, jobs, attempts) VALUES (NEW.target, NEW.state, 1, NEW.attempts)
  ON CONFLICT (target, state) DO UPDATE SET jobs = jobs + 1, attempts = attempts + excluded.attempts;
END;

CREATE TRIGGER job_counts_after_delete AFTER DELETE ON jobs BEGIN
  UPDATE job_counts SET jobs = jobs - 1, attempts = attempts - OLD.attempts
  WHERE target = OLD.target AND state = OLD.state;
END;

CREATE TRIGGER job_counts_after_update AFTER UPDATE OF target, state, attempts ON jobs BEGIN
  UPDATE job_counts SET jobs = jobs - 1, attempts = attempts - OLD.attempts
  WHERE target = OLD.target AND state = OLD.state;
  INSERT INTO job_counts (target, state, jobs, attempts) VALUES (NEW.target, NEW.state, 1, NEW.attempts)
  ON CONFLICT (target, state) DO UPDATE SET jobs = jobs + 1, attempts = attempts + excluded.attempts;
END;

-- For people with sqlite3: the same summary as before, now from the totals and the indexes.
DROP VIEW queue_summary;
CREATE VIEW queue_summary AS
SELECT target, state, jobs,
       CASE WHEN state = 'pending' THEN
         (CAST(strftime('%s', 'now') AS INTEGER) * 1000
          - (SELECT created_at FROM jobs AS j
             WHERE j.state = 'pending' AND j.target = job_counts.target
             ORDER BY j.state, j.created_at LIMIT 1)) / 1000 END AS oldest_age_s,
       CASE WHEN state = 'pending' THEN
         (SELECT datetime(min(due_at) / 1000, 'unixepoch', 'localtime') FROM jobs AS j
          WHERE j.state = 'pending' AND j.target = job_counts.target) END AS next_due
FROM job_counts WHERE jobs > 0 ORDER BY target, state;
